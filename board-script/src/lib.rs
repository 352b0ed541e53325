//! The pipeline board in the browser (and, `follow`, a catalogue's reading followed live): drag
//! and drop (mouse, pen and touch, through Pointer Events), moves by keyboard, the move menu,
//! selection and bulk moves, optimistic moves rolled back when the server refuses, undo (the
//! notice's "Annuler" and Ctrl+Z), and the moves made on other devices, live.
//!
//! It works on the HTML the server wrote (`app::board::html`): a board of 5,000 cards costs no
//! rendering here, and the page works before this module arrives (a card's link opens its move
//! page, whose buttons are plain forms). It is a WASM module of its own, without Leptos, that the
//! board page loads: in the app's split WASM, the code it shares with the other pages' chunks
//! would be cut into more, smaller downloads that every campaign page pays for (measured: 7 KB
//! more on each prospect page, over their budget).

use std::{cell::RefCell, rc::Rc};

use wasm_bindgen::{closure::Closure, prelude::wasm_bindgen, JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{
    AddEventListenerOptions, Document, Element, Event, EventSource, EventTarget, HtmlDialogElement,
    HtmlElement, HtmlTemplateElement, IntersectionObserver, IntersectionObserverEntry,
    IntersectionObserverInit, KeyboardEvent, MessageEvent, MouseEvent, MutationObserver,
    MutationObserverInit, PointerEvent, Window,
};

mod follow;
pub mod place;
mod preview;
pub mod reading;
mod search;
mod typing;
pub mod wire;
use place::{Place, STAGES};
use wire::{
    ANSWER_TYPE, BULK_CHUNK, BULK_MOVE, GET_BOARD, GET_BOARD_CARD, MOVE_CARD, REFUSED, UNDO_MOVE,
};

/// How long a finger rests on a card before it lifts (shorter, and a scroll would grab cards).
const HOLD_MS: f64 = 300.0;
/// How far a pointer travels before a press becomes a drag (or, for a finger, a scroll).
const SLOP_PX: f64 = 8.0;
/// Seconds the fridge's question waits before it answers "Ghost".
const GHOST_AFTER_S: u32 = 5;

/// An event listener as added, to remove it.
type Listener = (EventTarget, &'static str, Closure<dyn FnMut(Event)>);
/// The live channel and what handles its messages.
type Live = (EventSource, Closure<dyn FnMut(MessageEvent)>);
/// What puts the classification buttons on cards coming on screen, and its handler.
type Equip = (
    IntersectionObserver,
    Closure<dyn FnMut(js_sys::Array, IntersectionObserver)>,
);

/// The board's interactions, until dropped (the page left or read again).
struct Enhanced {
    board: Rc<RefCell<Board>>,
    listeners: Vec<Listener>,
    live: Option<Live>,
    equip: Option<Equip>,
}

impl Drop for Enhanced {
    fn drop(&mut self) {
        for (target, kind, listener) in &self.listeners {
            let _ = target.remove_event_listener_with_callback_and_bool(
                kind,
                listener.as_ref().unchecked_ref(),
                *kind == CAPTURED,
            );
        }
        if let Some((source, _)) = &self.live {
            source.close();
        }
        if let Some((observer, _)) = &self.equip {
            observer.disconnect();
        }
        if let Some(drag) = self.board.borrow_mut().drag.take() {
            drag.ghost.remove();
        }
    }
}

fn window() -> Window {
    web_sys::window().expect("a page has a window")
}

fn document() -> Document {
    window().document().expect("a page has a document")
}

thread_local! {
    /// The board on the page (its `.board` element) and its interactions.
    static CURRENT: RefCell<Option<(Element, Enhanced)>> = const { RefCell::new(None) };
}

/// Runs once the module is loaded: brings the board on the page to life, and each board the app
/// puts there later (another campaign, a search, the board read again), for as long as the page
/// lives.
#[wasm_bindgen(start)]
pub fn run() {
    sync();
    follow::sync();
    preview::sync();
    search::sync();
    let changed = Closure::<dyn FnMut(js_sys::Array, MutationObserver)>::new(|_, _| {
        sync();
        follow::sync();
    });
    if let (Ok(observer), Some(body)) = (
        MutationObserver::new(changed.as_ref().unchecked_ref()),
        document().body(),
    ) {
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let _ = observer.observe_with_options(&body, &options);
    }
    changed.forget();
}

/// Starts the interactions of the board on the page, if it is not the one they run on; those
/// of a board that went stop.
fn sync() {
    let found = document().query_selector(".board").ok().flatten();
    CURRENT.with(|current| {
        let mut running = current.borrow_mut();
        if let (Some(found), Some((shown, enhanced))) = (&found, running.as_mut()) {
            if shown == found {
                return;
            }
            let same_page = {
                let b = enhanced.board.borrow();
                found.parent_element().as_ref() == Some(b.root.as_ref())
                    && found.get_attribute("data-campaign").as_deref() == Some(&b.campaign)
            };
            if same_page {
                *shown = found.clone();
                renew(&enhanced.board);
                return;
            }
        }
        let gone = running.take();
        drop(running);
        drop(gone);
        let Some(board) = found else {
            return;
        };
        let Some(root) = board
            .parent_element()
            .and_then(|p| p.dyn_into::<HtmlElement>().ok())
        else {
            return;
        };
        let enhanced = start(root);
        *current.borrow_mut() = Some((board, enhanced));
    });
}

/// Reads the board again (the same search) and puts it in place of this one.
fn reload(board: &Rc<RefCell<Board>>) {
    let (root, campaign) = {
        let b = board.borrow();
        (b.root.clone(), b.campaign.clone())
    };
    let search = window().location().search().unwrap_or_default();
    let q = web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|p| p.get("q"));
    spawn_local(async move {
        let mut fields = vec![("id", campaign)];
        fields.extend(q.map(|q| ("q", q)));
        if let Ok(page) = call(GET_BOARD, &fields).await {
            if let (Some(html), true) = (text(&page, "html"), root.is_connected()) {
                root.set_inner_html(&html);
            }
        }
    });
}

/// Runs `then` in `ms` milliseconds.
fn later(ms: i32, then: impl FnOnce() + 'static) {
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
        Closure::once_into_js(then).unchecked_ref(),
        ms,
    );
}

fn start(root: HtmlElement) -> Enhanced {
    let campaign = root
        .query_selector(".board")
        .ok()
        .flatten()
        .and_then(|b| b.get_attribute("data-campaign"))
        .unwrap_or_default();
    let board = Rc::new(RefCell::new(Board {
        root: root.clone(),
        campaign,
        press: None,
        drag: None,
        no_click: false,
        undo: Vec::new(),
        sheet_card: None,
        prompt: None,
        prompt_round: 0,
        selecting: false,
        mine: Vec::new(),
        equip: None,
    }));
    let mut enhanced = Enhanced {
        board: board.clone(),
        listeners: Vec::new(),
        live: None,
        equip: None,
    };
    let document = document();
    let window: EventTarget = window().into();
    let root_target: EventTarget = root.clone().into();
    let doc_target: EventTarget = document.clone().into();
    let on = |enhanced: &mut Enhanced,
              target: &EventTarget,
              kind: &'static str,
              passive: Option<bool>,
              handle: fn(&Rc<RefCell<Board>>, Event)| {
        let board = board.clone();
        let listener = Closure::<dyn FnMut(Event)>::new(move |e: Event| handle(&board, e));
        let options = AddEventListenerOptions::new();
        if let Some(passive) = passive {
            options.set_passive(passive);
        }
        // A dialog's `cancel` (Escape) does not bubble: the root hears it while it goes down.
        options.set_capture(kind == CAPTURED);
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            kind,
            listener.as_ref().unchecked_ref(),
            &options,
        );
        enhanced.listeners.push((target.clone(), kind, listener));
    };
    on(
        &mut enhanced,
        &root_target,
        "pointerdown",
        None,
        pointer_down,
    );
    on(
        &mut enhanced,
        &doc_target,
        "pointermove",
        None,
        pointer_move,
    );
    on(&mut enhanced, &doc_target, "pointerup", None, pointer_up);
    on(
        &mut enhanced,
        &doc_target,
        "pointercancel",
        None,
        pointer_cancel,
    );
    // Not passive: once a card is lifted, the finger moves it instead of scrolling the page.
    on(
        &mut enhanced,
        &doc_target,
        "touchmove",
        Some(false),
        touch_move,
    );
    on(&mut enhanced, &root_target, "click", None, click);
    on(&mut enhanced, &root_target, "keydown", None, key_down);
    on(
        &mut enhanced,
        &root_target,
        "contextmenu",
        None,
        context_menu,
    );
    on(&mut enhanced, &root_target, "dragstart", None, |_, e| {
        e.prevent_default()
    });
    // Escape on a dialog, the one of this board or of a board read again.
    on(&mut enhanced, &root_target, CAPTURED, None, dialog_cancel);
    on(&mut enhanced, &window, "keydown", None, undo_key);
    enhanced.live = follow(&board);
    enhanced.equip = buttons_on_screen(&root);
    if let Some((observer, _)) = &enhanced.equip {
        board.borrow_mut().equip = Some(observer.clone());
    }
    show_tools(&root);
    enhanced
}

/// Puts a copy of the board's `template.classify-model` (a card's OUI / NON / Ghost /
/// Corbeille) on each card as it comes near the screen: only the cards seen carry them.
fn buttons_on_screen(root: &Element) -> Option<Equip> {
    let page = root.clone();
    let handle = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: IntersectionObserver| {
            // Looked up each time: the board read again brings its own.
            let model = find(&page, "template.classify-model")
                .and_then(|t| t.dyn_into::<HtmlTemplateElement>().ok());
            for entry in entries.iter() {
                let entry: IntersectionObserverEntry = entry.unchecked_into();
                if !entry.is_intersecting() {
                    continue;
                }
                let card = entry.target();
                observer.unobserve(&card);
                if let (Some(model), None) = (&model, find(&card, ".classify")) {
                    if let Ok(copy) = model.content().clone_node_with_deep(true) {
                        let _ = card.append_child(&copy);
                    }
                }
            }
        },
    );
    let options = IntersectionObserverInit::new();
    // A screen ahead, so a scroll finds them there.
    options.set_root_margin("100% 0px");
    let observer =
        IntersectionObserver::new_with_options(handle.as_ref().unchecked_ref(), &options).ok()?;
    observe_cards(&observer, root);
    Some((observer, handle))
}

fn observe_cards(observer: &IntersectionObserver, root: &Element) {
    for card in all(root, "li.board-card") {
        observer.observe(&card);
    }
}

/// The only event listened to while it goes down to its target.
const CAPTURED: &str = "cancel";

/// What the board shows once its script is there (hidden before: a card's link opens its move
/// page).
fn show_tools(root: &Element) {
    if let Some(tools) = find(root, ".board-tools") {
        let _ = tools.remove_attribute("hidden");
    }
    for button in all(root, ".select-column") {
        let _ = button.remove_attribute("hidden");
    }
    if let Some(b) = find(root, ".board") {
        let _ = b.set_attribute("data-ready", "");
    }
}

/// The same page's board read again (by `reload`): its interactions go on, with their undo and
/// their live channel (moves made meanwhile are not missed); what held elements of the old
/// board lets go of them.
fn renew(board: &Rc<RefCell<Board>>) {
    let mut b = board.borrow_mut();
    b.press = None;
    if let Some(drag) = b.drag.take() {
        drag.ghost.remove();
    }
    b.prompt = None;
    b.prompt_round += 1;
    b.sheet_card = None;
    b.selecting = false;
    let root = b.root.clone();
    let equip = b.equip.clone();
    drop(b);
    if let Some(observer) = equip {
        observer.disconnect();
        observe_cards(&observer, &root);
    }
    show_tools(&root);
}

/// What the board holds between events.
struct Board {
    root: HtmlElement,
    campaign: String,
    press: Option<Press>,
    drag: Option<Drag>,
    /// The click the browser sends right after a drag or a long press (in the same task as the
    /// pointer's release) is not a tap.
    no_click: bool,
    /// This page's moves, the last on top, with where their cards were.
    undo: Vec<Done>,
    /// The card whose move menu is open.
    sheet_card: Option<Element>,
    /// A card dropped on the fridge, waiting for "non" or "ghost".
    prompt: Option<Pending>,
    /// Tells the fridge's countdown of an earlier question to stop.
    prompt_round: u32,
    /// A tap selects rather than opens the menu.
    selecting: bool,
    /// Ids of this page's moves: the live channel's echo of a large one reloads nothing.
    mine: Vec<String>,
    /// What puts the classification buttons on cards coming on screen.
    equip: Option<IntersectionObserver>,
}

/// A pointer pressed on a card, not yet a drag.
struct Press {
    card: Element,
    pointer: i32,
    x: f64,
    y: f64,
    touch: bool,
    at: f64,
}

/// A card being dragged: the card itself moves in the lists, a copy follows the pointer.
struct Drag {
    card: Element,
    ghost: HtmlElement,
    pointer: i32,
    dx: f64,
    dy: f64,
    origin: Origin,
}

/// Where a card was, to put it back.
#[derive(Clone)]
struct Origin {
    list: Element,
    next: Option<Element>,
    place: Place,
}

/// A move made from this page: its id and its cards' origins.
struct Done {
    id: String,
    cards: Vec<(Element, Origin)>,
}

/// A card dropped on the fridge whose outcome is asked.
struct Pending {
    card: Element,
    origin: Origin,
    before: Option<String>,
    end: bool,
}

// --- The DOM as the server wrote it ---------------------------------------------------------

fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

fn closest(target: Option<EventTarget>, selector: &str) -> Option<Element> {
    target?.dyn_into::<Element>().ok()?.closest(selector).ok()?
}

/// A card's prospect id: the last part of its link. Ids stay text: the server checks them.
fn card_id(card: &Element) -> Option<String> {
    let href = find(card, "a")?.get_attribute("href")?;
    Some(href.rsplit('/').next()?.to_string()).filter(|id| id.len() == 36)
}

fn card_name(card: &Element) -> String {
    find(card, "a")
        .and_then(|a| a.text_content())
        .unwrap_or_default()
}

fn card_by_id(root: &Element, id: &str) -> Option<Element> {
    // In the columns: the move menu links to the prospect too.
    find(root, &format!(".board .board-card a[href$=\"/{id}\"]"))?
        .closest("li.board-card")
        .ok()?
}

fn column_of(card: &Element) -> Option<Element> {
    card.closest("section.column").ok()?
}

fn stage_of(column: &Element) -> String {
    column.get_attribute("data-stage").unwrap_or_default()
}

fn list_of(root: &Element, stage: &str) -> Option<Element> {
    find(root, &format!("section[data-stage=\"{stage}\"] ol.cards"))
}

/// Where a card is: its column, and in the fridge why.
fn place_of(card: &Element) -> Place {
    let stage = column_of(card).map(|c| stage_of(&c)).unwrap_or_default();
    match stage.as_str() {
        "fridge" if card.class_list().contains("ghost") => Place::FridgeGhost,
        "fridge" => Place::FridgeNo,
        other => Place::parse(other).unwrap_or(Place::WaitingRoom),
    }
}

/// Shows on `card` why it is where `place` is (in the fridge: "non" or "ghost").
fn mark_place(card: &Element, place: Place) {
    let _ = card
        .class_list()
        .toggle_with_force("ghost", place == Place::FridgeGhost);
    for badge in all(card, ".badge:not(.archived)") {
        badge.remove();
    }
    let why = match place {
        Place::FridgeNo => "non",
        Place::FridgeGhost => "ghost",
        _ => return,
    };
    if let Ok(badge) = document().create_element("span") {
        badge.set_class_name("badge");
        badge.set_text_content(Some(why));
        let _ = card.append_child(&badge);
    }
}

fn origin_of(card: &Element) -> Option<Origin> {
    Some(Origin {
        list: card.parent_element()?,
        next: card.next_element_sibling(),
        place: place_of(card),
    })
}

/// Puts `card` in `list` before `next` (at the end when `None`), keeping the focus on it and
/// the stages' totals right.
fn put(card: &Element, list: &Element, next: Option<&Element>) {
    if card.parent_element().as_ref() == Some(list) && card.next_element_sibling().as_ref() == next
    {
        return;
    }
    let focused = document()
        .active_element()
        .is_some_and(|a| card.contains(Some(&a)));
    let was = column_of(card);
    let next = next.filter(|n| n.parent_element().as_ref() == Some(list));
    if list
        .insert_before(card, next.map(|n| n.unchecked_ref()))
        .is_err()
    {
        let _ = list.append_child(card);
    }
    let now = column_of(card);
    if was != now {
        for (column, by) in [(was, -1), (now, 1)] {
            if let Some(count) = column.and_then(|c| find(&c, ".count")) {
                let total: i64 = count
                    .get_attribute("data-total")
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                let _ = count.set_attribute("data-total", &(total + by).to_string());
            }
        }
    }
    if focused {
        focus_card(card);
    }
}

/// Writes each stage's count (and on a phone its tab's) from the cards on screen.
fn recount(root: &Element) {
    let searching = find(root, ".board").is_some_and(|b| b.has_attribute("data-search"));
    for (stage, label) in STAGES {
        let Some(column) = find(root, &format!("section[data-stage=\"{stage}\"]")) else {
            continue;
        };
        let shown = all(&column, "li.board-card").len() as i64;
        let Some(count) = find(&column, ".count") else {
            continue;
        };
        let total = if searching {
            count
                .get_attribute("data-total")
                .and_then(|t| t.parse().ok())
                .unwrap_or(shown)
        } else {
            shown
        };
        let _ = count.set_attribute("data-total", &total.to_string());
        count.set_text_content(Some(&if searching {
            format!("{shown} sur {total}")
        } else {
            total.to_string()
        }));
        if let Some(tab) = find(root, &format!(".stage-tabs a[href=\"#etape-{stage}\"]")) {
            tab.set_text_content(Some(&format!("{label} ({total})")));
        }
    }
}

fn focus_card(card: &Element) {
    if let Some(link) = find(card, "a").and_then(|a| a.dyn_into::<HtmlElement>().ok()) {
        let _ = link.focus();
    }
}

/// Said to screen readers at once (the status line says what the server answered).
fn announce(root: &Element, text: &str) {
    if let Some(p) = find(root, ".board-announce") {
        p.set_text_content(Some(text));
    }
}

fn alert(root: &Element, message: Option<&str>) {
    if let Some(p) = find(root, ".board-alert") {
        p.set_text_content(message);
        if message.is_some() {
            let _ = p.remove_attribute("hidden");
        } else {
            let _ = p.set_attribute("hidden", "");
        }
    }
}

/// The line saying what the last move did, with its "Annuler".
fn status(board: &Rc<RefCell<Board>>, message: &str, undo: bool) {
    let root = board.borrow().root.clone();
    let Some(line) = find(&root, ".board-status") else {
        return;
    };
    line.set_inner_html("");
    let document = document();
    let Ok(notice) = document.create_element("div") else {
        return;
    };
    notice.set_class_name("notice");
    if let Ok(text) = document.create_element("span") {
        text.set_text_content(Some(message));
        let _ = notice.append_child(&text);
    }
    if undo {
        if let Ok(button) = document.create_element("button") {
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-undo", "");
            button.set_class_name("secondary");
            button.set_text_content(Some("Annuler"));
            let _ = notice.append_child(&button);
        }
    }
    let _ = line.append_child(&notice);
}

// --- Pointer: press, drag, drop --------------------------------------------------------------

fn pointer_down(board: &Rc<RefCell<Board>>, e: Event) {
    let Some(e) = e.dyn_ref::<PointerEvent>() else {
        return;
    };
    if e.button() != 0 || !e.is_primary() {
        return;
    }
    let mut b = board.borrow_mut();
    b.no_click = false;
    if b.drag.is_some() || b.prompt.is_some() {
        return;
    }
    let Some(card) = closest(e.target(), "li.board-card") else {
        return;
    };
    if closest(e.target(), "button").is_some() {
        return;
    }
    let touch = e.pointer_type() != "mouse";
    b.press = Some(Press {
        card: card.clone(),
        pointer: e.pointer_id(),
        x: e.client_x() as f64,
        y: e.client_y() as f64,
        touch,
        at: e.time_stamp(),
    });
    if touch {
        // The card lifts when the finger has rested long enough.
        let board = board.clone();
        later(HOLD_MS as i32, move || {
            if let Some(press) = &board.borrow().press {
                if press.card == card {
                    let _ = card.class_list().add_1("held");
                }
            }
        });
    }
}

/// Ignores the click that follows this release, if the browser sends one.
fn no_click(board: &Rc<RefCell<Board>>, b: &mut Board) {
    b.no_click = true;
    let board = board.clone();
    later(0, move || board.borrow_mut().no_click = false);
}

fn pointer_move(board: &Rc<RefCell<Board>>, e: Event) {
    let Some(e) = e.dyn_ref::<PointerEvent>() else {
        return;
    };
    let (x, y) = (e.client_x() as f64, e.client_y() as f64);
    let mut b = board.borrow_mut();
    if let Some(drag) = &b.drag {
        if drag.pointer == e.pointer_id() {
            e.prevent_default();
            drag_to(&b.root, drag, x, y);
        }
        return;
    }
    let Some(press) = &b.press else {
        return;
    };
    if press.pointer != e.pointer_id() {
        return;
    }
    let far = (x - press.x).hypot(y - press.y) > SLOP_PX;
    let held = e.time_stamp() - press.at >= HOLD_MS;
    if press.touch && !held {
        // A finger moving before it rested is a scroll.
        if far {
            let press = b.press.take();
            if let Some(p) = press {
                let _ = p.card.class_list().remove_1("held");
            }
        }
        return;
    }
    if !press.touch && !far {
        return;
    }
    let Some(press) = b.press.take() else {
        return;
    };
    let _ = press.card.class_list().remove_1("held");
    if let Some(drag) = lift(&press, x, y) {
        drag_to(&b.root, &drag, x, y);
        b.drag = Some(drag);
    }
}

/// The drag starts: a copy of the card follows the pointer, the card marks where it would land.
fn lift(press: &Press, x: f64, y: f64) -> Option<Drag> {
    let card = &press.card;
    let origin = origin_of(card)?;
    let rect = card.get_bounding_client_rect();
    let ghost: HtmlElement = card.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    ghost.set_class_name("board-card drag-ghost");
    let _ = ghost.set_attribute("aria-hidden", "true");
    let style = ghost.style();
    let _ = style.set_property("width", &px(rect.width()));
    let _ = style.set_property("left", &px(rect.left()));
    let _ = style.set_property("top", &px(rect.top()));
    document().body()?.append_child(&ghost).ok()?;
    let _ = card.class_list().add_1("dragging");
    Some(Drag {
        card: card.clone(),
        ghost,
        pointer: press.pointer,
        dx: x - rect.left(),
        dy: y - rect.top(),
        origin,
    })
}

/// A length in whole pixels: formatting a float would bring its formatter to the browser.
fn px(length: f64) -> String {
    format!("{}px", length.round() as i64)
}

/// Follows the pointer: the copy under it, the card where it would land, the page scrolled
/// near its edges.
fn drag_to(root: &Element, drag: &Drag, x: f64, y: f64) {
    let style = drag.ghost.style();
    let _ = style.set_property("left", &px(x - drag.dx));
    let _ = style.set_property("top", &px(y - drag.dy));
    let window = window();
    let height = window
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    if y < 48.0 {
        window.scroll_by_with_x_and_y(0.0, -16.0);
    } else if y > height - 48.0 {
        window.scroll_by_with_x_and_y(0.0, 16.0);
    }
    let Some(under) = document().element_from_point(x as f32, y as f32) else {
        return;
    };
    let Some(column) = under.closest("section.column").ok().flatten() else {
        return;
    };
    if !root.contains(Some(&column)) {
        return;
    }
    for c in all(root, "section.column.drop-target") {
        let _ = c.class_list().remove_1("drop-target");
    }
    let _ = column.class_list().add_1("drop-target");
    let Some(list) = find(&column, "ol.cards") else {
        return;
    };
    match under.closest("li.board-card").ok().flatten() {
        Some(over) if over == drag.card => {}
        Some(over) => {
            let rect = over.get_bounding_client_rect();
            let next = if y < rect.top() + rect.height() / 2.0 {
                Some(over)
            } else {
                over.next_element_sibling()
            };
            put(&drag.card, &list, next.as_ref());
        }
        None => {
            // Over the column but no card: above its first card, or below its last.
            let first = list.first_element_child();
            match first {
                Some(first) if y < first.get_bounding_client_rect().top() => {
                    put(&drag.card, &list, Some(&first))
                }
                Some(_) => {
                    let below_last = list
                        .last_element_child()
                        .is_some_and(|l| y > l.get_bounding_client_rect().bottom());
                    if below_last {
                        put(&drag.card, &list, None);
                    }
                }
                None => put(&drag.card, &list, None),
            }
        }
    }
}

fn pointer_up(board: &Rc<RefCell<Board>>, e: Event) {
    let Some(e) = e.dyn_ref::<PointerEvent>() else {
        return;
    };
    let drag = {
        let mut b = board.borrow_mut();
        if let Some(press) = b.press.take() {
            let _ = press.card.class_list().remove_1("held");
            // A finger that rested and left without moving: its tap would open the menu.
            if press.touch && e.time_stamp() - press.at >= HOLD_MS {
                no_click(board, &mut b);
            }
        }
        match b.drag.take() {
            Some(drag) if drag.pointer == e.pointer_id() => drag,
            other => {
                b.drag = other;
                return;
            }
        }
    };
    settle(&board.borrow().root, &drag);
    no_click(board, &mut board.borrow_mut());
    drop_card(board, drag.card, drag.origin);
}

fn pointer_cancel(board: &Rc<RefCell<Board>>, _: Event) {
    let drag = {
        let mut b = board.borrow_mut();
        if let Some(press) = b.press.take() {
            let _ = press.card.class_list().remove_1("held");
        }
        b.drag.take()
    };
    if let Some(drag) = drag {
        let root = board.borrow().root.clone();
        settle(&root, &drag);
        put_back(&drag.card, &drag.origin);
        recount(&root);
    }
}

/// The drag's marks go.
fn settle(root: &Element, drag: &Drag) {
    drag.ghost.remove();
    let _ = drag.card.class_list().remove_1("dragging");
    for c in all(root, "section.column.drop-target") {
        let _ = c.class_list().remove_1("drop-target");
    }
}

fn touch_move(board: &Rc<RefCell<Board>>, e: Event) {
    if board.borrow().drag.is_some() {
        e.prevent_default();
    }
}

fn context_menu(board: &Rc<RefCell<Board>>, e: Event) {
    // A long press on a card lifts it; the browser's menu for its link would cover it.
    let b = board.borrow();
    if b.drag.is_some() || b.press.as_ref().is_some_and(|p| p.touch) {
        e.prevent_default();
    }
}

/// A card let go: moved where it lies, the fridge first asking why.
fn drop_card(board: &Rc<RefCell<Board>>, card: Element, origin: Origin) {
    let root = board.borrow().root.clone();
    recount(&root);
    let Some(list) = card.parent_element() else {
        return;
    };
    if list == origin.list && card.next_element_sibling() == origin.next {
        return;
    }
    let stage = column_of(&card).map(|c| stage_of(&c)).unwrap_or_default();
    let before = card.next_element_sibling().and_then(|n| card_id(&n));
    let end = before.is_none();
    if stage == "fridge" && origin.place.stage() != "fridge" {
        ask_fridge(
            board,
            Pending {
                card,
                origin,
                before,
                end,
            },
        );
        return;
    }
    let to = if stage == "fridge" {
        origin.place
    } else {
        Place::parse(&stage).unwrap_or(origin.place)
    };
    send(board, card, origin, to, before, end);
}

fn put_back(card: &Element, origin: &Origin) {
    put(card, &origin.list, origin.next.as_ref());
    mark_place(card, origin.place);
}

// --- Moves -----------------------------------------------------------------------------------

/// Moves `card` (already where it lands) to `to` on the server; put back with the server's
/// French message if it refuses.
fn send(
    board: &Rc<RefCell<Board>>,
    card: Element,
    origin: Origin,
    to: Place,
    before: Option<String>,
    end: bool,
) {
    let (root, campaign) = {
        let b = board.borrow();
        (b.root.clone(), b.campaign.clone())
    };
    let Some(id) = card_id(&card) else {
        return;
    };
    mark_place(&card, to);
    recount(&root);
    alert(&root, None);
    announce(
        &root,
        &format!("« {} » déplacé vers {}.", card_name(&card), to.label()),
    );
    let key = fresh_key();
    board.borrow_mut().mine.push(key.clone());
    let board = board.clone();
    spawn_local(async move {
        let mut fields = vec![
            ("campaign", campaign),
            ("prospect", id),
            ("from", origin.place.key().to_string()),
            ("to", to.key().to_string()),
            ("end", end.to_string()),
            ("key", key),
        ];
        if let Some(before) = before {
            fields.push(("before", before));
        }
        match call(MOVE_CARD, &fields).await.map(Answer::read) {
            Ok(saved) => {
                board.borrow_mut().undo.push(Done {
                    id: saved.id,
                    cards: vec![(card, origin)],
                });
                status(&board, &saved.message, saved.moved > 0);
            }
            Err(refusal) => refused(&board, &[(card, origin)], refusal),
        }
    });
}

/// A refused move: its cards go back, the server's message is shown; a conflict (moved on
/// another device) reads the board again.
fn refused(board: &Rc<RefCell<Board>>, cards: &[(Element, Origin)], refusal: Refusal) {
    let root = board.borrow().root.clone();
    for (card, origin) in cards.iter().rev() {
        put_back(card, origin);
    }
    recount(&root);
    alert(&root, Some(&refusal.message));
    if !refusal.conflict {
        return;
    }
    // Moved on another device that this page did not hear of (its live channel dropped):
    // the card goes where the server says it is now.
    let campaign = board.borrow().campaign.clone();
    for (card, _) in cards {
        let Some(id) = card_id(card) else {
            continue;
        };
        let (root, card, campaign) = (root.clone(), card.clone(), campaign.clone());
        let board = board.clone();
        spawn_local(async move {
            let fields = [("campaign", campaign), ("prospect", id)];
            let now = call(GET_BOARD_CARD, &fields)
                .await
                .ok()
                .and_then(|page| Place::parse(&text(&page, "place")?));
            // The board read again meanwhile shows where it is.
            if !card.is_connected() {
                return;
            }
            match now.and_then(|place| Some((place, list_of(&root, place.stage())?))) {
                Some((place, list)) => {
                    let first = list.first_element_child();
                    put(&card, &list, first.as_ref());
                    mark_place(&card, place);
                    recount(&root);
                }
                None => reload(&board),
            }
        });
    }
}

/// Moves `card` to the top of `to`'s column, as a tap or a key asks.
fn move_to(board: &Rc<RefCell<Board>>, card: &Element, to: Place) {
    let root = board.borrow().root.clone();
    let Some(origin) = origin_of(card) else {
        return;
    };
    if origin.place == to {
        announce(&root, &format!("Déjà en {}.", to.label()));
        return;
    }
    let Some(list) = list_of(&root, to.stage()) else {
        return;
    };
    let first = list.first_element_child();
    put(card, &list, first.as_ref());
    send(board, card.clone(), origin, to, None, false);
}

/// Moves the selected cards to the bottom of `to`'s column: per place they come from, in
/// chunks under the body limit, all under one key (one undo takes them all back).
fn move_selection(board: &Rc<RefCell<Board>>, to: Place) {
    let (root, campaign) = {
        let b = board.borrow();
        (b.root.clone(), b.campaign.clone())
    };
    let Some(list) = list_of(&root, to.stage()) else {
        return;
    };
    let mut cards: Vec<(Element, Origin)> = Vec::new();
    for card in all(&root, "li.board-card.selected") {
        let _ = card.class_list().remove_1("selected");
        if let Some(origin) = origin_of(&card) {
            if origin.place != to {
                cards.push((card, origin));
            }
        }
    }
    show_selection(&root);
    if cards.is_empty() {
        return;
    }
    for (card, _) in &cards {
        put(card, &list, None);
        mark_place(card, to);
    }
    recount(&root);
    alert(&root, None);
    let key = fresh_key();
    board.borrow_mut().mine.push(key.clone());
    let board = board.clone();
    spawn_local(async move {
        let (mut moved, mut stale) = (0, 0);
        let mut failed = None;
        for place in Place::ALL {
            let ids: Vec<String> = cards
                .iter()
                .filter(|(_, o)| o.place == place)
                .filter_map(|(c, _)| card_id(c))
                .collect();
            for chunk in ids.chunks(BULK_CHUNK) {
                let mut fields = vec![
                    ("campaign".to_string(), campaign.clone()),
                    ("from".to_string(), place.key().to_string()),
                    ("to".to_string(), to.key().to_string()),
                    ("key".to_string(), key.clone()),
                ];
                fields.extend(
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(i, id)| (format!("ids[{i}]"), id.clone())),
                );
                match call(BULK_MOVE, &fields).await.map(Answer::read) {
                    Ok(saved) => {
                        moved += saved.moved;
                        stale += saved.stale;
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
        }
        if let Some(e) = failed {
            // What did move is taken back, so the board is as it was.
            if moved > 0 {
                let _ = call(UNDO_MOVE, &[("id", key.clone())]).await;
            }
            refused(&board, &cards, e);
            return;
        }
        let mut message = match moved {
            1 => format!("1 prospect déplacé vers « {} ».", to.label()),
            n => format!("{n} prospects déplacés vers « {} ».", to.label()),
        };
        if stale > 0 {
            message.push_str(&format!(
                " {stale} avaient été déplacés entre-temps (sur un autre appareil ?) : ils sont restés où ils étaient."
            ));
            reload(&board);
        }
        board.borrow_mut().undo.push(Done { id: key, cards });
        status(&board, &message, moved > 0);
    });
}

/// Undoes this page's last move: its cards go back (where they were, unless moved since).
fn undo_last(board: &Rc<RefCell<Board>>) {
    let Some(done) = board.borrow_mut().undo.pop() else {
        let root = board.borrow().root.clone();
        announce(&root, "Rien à annuler.");
        return;
    };
    let board = board.clone();
    spawn_local(async move {
        match call(UNDO_MOVE, &[("id", done.id.clone())])
            .await
            .map(Answer::read)
        {
            Ok(saved) => {
                let root = board.borrow().root.clone();
                // The live channel repeats it, in the server's order; this is at once.
                // Cards of a board read since: the board is read again.
                let shown = done.cards.iter().all(|(card, _)| card.is_connected());
                if saved.stale == 0 && shown {
                    for (card, origin) in done.cards.iter().rev() {
                        put_back(card, origin);
                    }
                } else {
                    reload(&board);
                }
                recount(&root);
                status(&board, &saved.message, false);
                if let Some((card, _)) = done.cards.first() {
                    announce(&root, &format!("« {} » remis à sa place.", card_name(card)));
                }
            }
            Err(e) => {
                let root = board.borrow().root.clone();
                alert(&root, Some(&e.message));
            }
        }
    });
}

/// Posts `fields` to the server function at `url`, as its own client would, and reads its answer
/// (as the browser's JSON) or its French refusal. The browser's own JSON rather than serde: a
/// smaller module.
async fn call(url: &str, fields: &[(impl AsRef<str>, String)]) -> Result<JsValue, Refusal> {
    use wasm_bindgen_futures::JsFuture;
    let offline = || Refusal {
        conflict: false,
        message: "Le serveur ne répond pas : vérifiez la connexion, puis réessayez.".to_string(),
    };
    let body = web_sys::UrlSearchParams::new().map_err(|_| offline())?;
    for (name, value) in fields {
        body.append(name.as_ref(), value);
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    let headers = web_sys::Headers::new().map_err(|_| offline())?;
    let _ = headers.set("Accept", ANSWER_TYPE);
    init.set_headers(&headers);
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| offline())?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(|_| offline())?)
        .await
        .map_err(|_| offline())?
        .as_string()
        .unwrap_or_default();
    let answer = js_sys::JSON::parse(&text).map_err(|_| offline())?;
    if text.starts_with(REFUSED) || !response.ok() {
        // `{"refused": error}` for a refusal, the error itself for another failure.
        let refused = field(&answer, "refused");
        let error = if refused.is_object() { refused } else { answer };
        return Err(match self::text(&error, "message") {
            Some(message) => Refusal {
                conflict: self::text(&error, "kind").as_deref() == Some("conflict"),
                message,
            },
            None => offline(),
        });
    }
    Ok(answer)
}

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn text(value: &JsValue, name: &str) -> Option<String> {
    field(value, name).as_string()
}

fn number(value: &JsValue, name: &str) -> u64 {
    field(value, name).as_f64().unwrap_or(0.0) as u64
}

/// A call the server refused (or that never reached it), and the server's French reason.
struct Refusal {
    /// The card had moved meanwhile (409).
    conflict: bool,
    message: String,
}

/// What a move answers (`Saved<Moved>`), as far as this page reads it.
struct Answer {
    id: String,
    moved: u64,
    stale: u64,
    message: String,
}

impl Answer {
    fn read(answer: JsValue) -> Answer {
        let value = field(&answer, "value");
        Answer {
            id: text(&value, "id").unwrap_or_default(),
            moved: number(&value, "moved"),
            stale: number(&value, "stale"),
            message: text(&field(&answer, "notice"), "message").unwrap_or_default(),
        }
    }
}

/// A move's id, made here so that its echo on the live channel is known as this page's.
fn fresh_key() -> String {
    window()
        .crypto()
        .map(|c| c.random_uuid())
        .unwrap_or_default()
}

// --- Taps, keys, dialogs ---------------------------------------------------------------------

fn click(board: &Rc<RefCell<Board>>, e: Event) {
    let Some(e) = e.dyn_ref::<MouseEvent>() else {
        return;
    };
    let root = board.borrow().root.clone();
    // The dialogs' and the bars' buttons.
    if let Some(button) = closest(e.target(), "button") {
        clicked(board, &root, &button);
        return;
    }
    let Some(card) = closest(e.target(), "li.board-card") else {
        return;
    };
    if closest(e.target(), "a").is_none() {
        return;
    }
    if std::mem::take(&mut board.borrow_mut().no_click) {
        e.prevent_default();
        return;
    }
    let selecting = board.borrow().selecting;
    if selecting || e.ctrl_key() || e.meta_key() || e.shift_key() {
        e.prevent_default();
        toggle(&root, &card);
        return;
    }
    e.prevent_default();
    open_sheet(board, &root, card);
}

fn clicked(board: &Rc<RefCell<Board>>, root: &Element, button: &Element) {
    let to = button
        .get_attribute("data-to")
        .and_then(|t| Place::parse(&t));
    // A card's own OUI / NON / Ghost / Corbeille.
    if let (Some(card), Some(to)) = (button.closest("li.board-card").ok().flatten(), to) {
        move_to(board, &card, to);
        return;
    }
    if let Some(dialog) = button.closest("dialog").ok().flatten() {
        close(&dialog);
        if dialog.class_list().contains("fridge-prompt") {
            let pending = board.borrow_mut().prompt.take();
            if let Some(p) = pending {
                match to {
                    Some(to) => send(board, p.card, p.origin, to, p.before, p.end),
                    None => {
                        put_back(&p.card, &p.origin);
                        recount(root);
                    }
                }
            }
        } else {
            let card = board.borrow_mut().sheet_card.take();
            if let (Some(card), Some(to)) = (card, to) {
                move_to(board, &card, to);
                focus_card(&card);
            }
        }
        return;
    }
    if let Some(to) = to {
        move_selection(board, to);
    } else if button.has_attribute("data-undo") {
        undo_last(board);
    } else if button.has_attribute("data-clear") {
        for card in all(root, "li.board-card.selected") {
            let _ = card.class_list().remove_1("selected");
        }
        show_selection(root);
    } else if button.class_list().contains("select-column") {
        if let Some(column) = button.closest("section.column").ok().flatten() {
            for card in all(&column, "li.board-card") {
                let _ = card.class_list().add_1("selected");
            }
        }
        show_selection(root);
    } else if button.class_list().contains("select-mode") {
        let selecting = !board.borrow().selecting;
        board.borrow_mut().selecting = selecting;
        let _ = button.set_attribute("aria-pressed", if selecting { "true" } else { "false" });
        announce(
            root,
            if selecting {
                "Sélection multiple : touchez les cartes à déplacer ensemble."
            } else {
                "Sélection multiple terminée."
            },
        );
    }
}

fn toggle(root: &Element, card: &Element) {
    let _ = card.class_list().toggle("selected");
    let n = show_selection(root);
    let state = if card.class_list().contains("selected") {
        "sélectionné"
    } else {
        "désélectionné"
    };
    announce(
        root,
        &format!("« {} » {state} ; {n} en tout.", card_name(card)),
    );
}

/// Shows the selection's bar while cards are selected; how many.
fn show_selection(root: &Element) -> usize {
    let n = all(root, "li.board-card.selected").len();
    if let Some(bar) = find(root, ".board-selection") {
        if n == 0 {
            let _ = bar.set_attribute("hidden", "");
        } else {
            let _ = bar.remove_attribute("hidden");
        }
        if let Some(count) = find(&bar, ".selected-count") {
            count.set_text_content(Some(&match n {
                1 => "1 prospect sélectionné.".to_string(),
                n => format!("{n} prospects sélectionnés."),
            }));
        }
    }
    n
}

fn open_sheet(board: &Rc<RefCell<Board>>, root: &Element, card: Element) {
    let Some(dialog) = find(root, "dialog.move-sheet") else {
        return;
    };
    let place = place_of(&card);
    if let Some(title) = find(&dialog, "h2") {
        title.set_text_content(Some(&format!("Déplacer « {} » vers…", card_name(&card))));
    }
    for button in all(&dialog, "button[data-to]") {
        let here = button.get_attribute("data-to").as_deref() == Some(place.key());
        if here {
            let _ = button.set_attribute("hidden", "");
        } else {
            let _ = button.remove_attribute("hidden");
        }
    }
    if let (Some(link), Some(id)) = (find(&dialog, ".sheet-prospect"), card_id(&card)) {
        let campaign = board.borrow().campaign.clone();
        let _ = link.set_attribute("href", &format!("/campagnes/{campaign}/prospects/{id}"));
    }
    board.borrow_mut().sheet_card = Some(card);
    if let Ok(dialog) = dialog.dyn_into::<HtmlDialogElement>() {
        let _ = dialog.show_modal();
    }
}

/// "Non ou Ghost ?", answered "Ghost" after a few seconds.
fn ask_fridge(board: &Rc<RefCell<Board>>, pending: Pending) {
    let root = board.borrow().root.clone();
    let Some(dialog) = find(&root, "dialog.fridge-prompt") else {
        return;
    };
    let round = {
        let mut b = board.borrow_mut();
        b.prompt = Some(pending);
        b.prompt_round += 1;
        b.prompt_round
    };
    if let Ok(d) = dialog.clone().dyn_into::<HtmlDialogElement>() {
        let _ = d.show_modal();
    }
    countdown(board.clone(), dialog, round, GHOST_AFTER_S);
}

fn countdown(board: Rc<RefCell<Board>>, dialog: Element, round: u32, left: u32) {
    {
        let b = board.borrow();
        if b.prompt_round != round || b.prompt.is_none() || !dialog.is_connected() {
            return;
        }
    }
    if left == 0 {
        if let Some(ghost) = find(&dialog, "button[data-to=\"fridge_ghost\"]") {
            let root = board.borrow().root.clone();
            clicked(&board, &root, &ghost);
        }
        return;
    }
    if let Some(p) = find(&dialog, "#fridge-countdown") {
        p.set_text_content(Some(&format!("Sans réponse, « Ghost » dans {left} s.")));
    }
    later(1_000, move || countdown(board, dialog, round, left - 1));
}

fn close(dialog: &Element) {
    if let Some(d) = dialog.dyn_ref::<HtmlDialogElement>() {
        d.close();
    }
}

/// Escape on a dialog: the fridge's question puts its card back.
fn dialog_cancel(board: &Rc<RefCell<Board>>, e: Event) {
    let Some(dialog) = closest(e.target(), "dialog") else {
        return;
    };
    e.prevent_default();
    if let Some(close_button) = find(&dialog, "button[data-close]") {
        let root = board.borrow().root.clone();
        clicked(board, &root, &close_button);
    }
}

fn key_down(board: &Rc<RefCell<Board>>, e: Event) {
    let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    let Some(card) = closest(e.target(), "li.board-card") else {
        return;
    };
    let root = board.borrow().root.clone();
    let key = e.key();
    let shift = e.shift_key();
    let to = match key.as_str() {
        "o" | "O" => Some(Place::Oven),
        "n" | "N" => Some(Place::FridgeNo),
        "g" | "G" => Some(Place::FridgeGhost),
        "c" | "C" | "Delete" => Some(Place::Trash),
        "s" | "S" => Some(Place::WaitingRoom),
        _ => None,
    };
    if let Some(to) = to {
        e.prevent_default();
        move_to(board, &card, to);
        return;
    }
    match key.as_str() {
        "ArrowDown" | "ArrowUp" if shift => {
            e.prevent_default();
            reorder(board, &card, key == "ArrowUp");
        }
        "ArrowDown" => {
            e.prevent_default();
            if let Some(next) = card.next_element_sibling() {
                focus_card(&next);
            }
        }
        "ArrowUp" => {
            e.prevent_default();
            if let Some(previous) = card.previous_element_sibling() {
                focus_card(&previous);
            }
        }
        "ArrowLeft" | "ArrowRight" => {
            e.prevent_default();
            beside(&root, &card, key == "ArrowRight");
        }
        " " => {
            e.prevent_default();
            toggle(&root, &card);
        }
        "Escape" => {
            for card in all(&root, "li.board-card.selected") {
                let _ = card.class_list().remove_1("selected");
            }
            show_selection(&root);
        }
        _ => {}
    }
}

/// Focus to the card at the same rank in the next column shown to the left or right.
fn beside(root: &Element, card: &Element, right: bool) {
    let columns: Vec<Element> = all(root, "section.column")
        .into_iter()
        .filter(|c| {
            c.dyn_ref::<HtmlElement>()
                .is_some_and(|c| c.offset_parent().is_some())
        })
        .collect();
    let Some(here) = column_of(card).and_then(|c| columns.iter().position(|x| *x == c)) else {
        return;
    };
    let cards = |c: &Element| all(c, "li.board-card");
    let rank = cards(&columns[here])
        .iter()
        .position(|c| c == card)
        .unwrap_or(0);
    let mut i = here;
    loop {
        i = match (right, i) {
            (true, i) if i + 1 < columns.len() => i + 1,
            (false, i) if i > 0 => i - 1,
            _ => {
                announce(root, "Pas d’autre colonne de ce côté.");
                return;
            }
        };
        let list = cards(&columns[i]);
        if let Some(target) = list.get(rank).or(list.last()) {
            focus_card(target);
            return;
        }
    }
}

/// Moves `card` one place up or down in its column.
fn reorder(board: &Rc<RefCell<Board>>, card: &Element, up: bool) {
    let Some(origin) = origin_of(card) else {
        return;
    };
    let next = if up {
        card.previous_element_sibling()
    } else {
        card.next_element_sibling()
            .map(|n| n.next_element_sibling())
            .unwrap_or(None)
    };
    if up && next.is_none() || !up && card.next_element_sibling().is_none() {
        return;
    }
    let before = next.as_ref().and_then(card_id);
    put(card, &origin.list, next.as_ref());
    let place = origin.place;
    let end = before.is_none();
    send(board, card.clone(), origin, place, before, end);
}

/// Ctrl+Z (⌘+Z) undoes this page's last move, unless the rep is typing.
fn undo_key(board: &Rc<RefCell<Board>>, e: Event) {
    let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    if !(e.ctrl_key() || e.meta_key()) || e.shift_key() || !e.key().eq_ignore_ascii_case("z") {
        return;
    }
    let typing = closest(e.target(), "input, textarea, select, [contenteditable]").is_some();
    if typing {
        return;
    }
    e.prevent_default();
    undo_last(board);
}

// --- Moves made elsewhere --------------------------------------------------------------------

/// Follows the board's live channel: cards moved on another device (or by this page, in the
/// server's order) move here; a large move, or a stream that reconnected after missing some,
/// reads the board again. The first message, the counts as the page was read, changes nothing.
fn follow(board: &Rc<RefCell<Board>>) -> Option<Live> {
    let campaign = board.borrow().campaign.clone();
    let source = EventSource::new(&format!("/campagnes/{campaign}/tableau/evenements")).ok()?;
    let mut first = true;
    let board = board.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(event) = e.data().as_string() else {
            return;
        };
        // The counts (first, and after a reconnection) have neither a move nor cards.
        let event = js_sys::JSON::parse(&event).unwrap_or(JsValue::NULL);
        if std::mem::take(&mut first) {
            return;
        }
        let mine = text(&event, "move").is_some_and(|m| board.borrow().mine.contains(&m));
        let cards = field(&event, "cards");
        if js_sys::Array::is_array(&cards) {
            moved_elsewhere(&board, &js_sys::Array::from(&cards));
        } else if !mine {
            reload(&board);
        }
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    Some((source, on_message))
}

/// Each card of a move made elsewhere (`[id, place, id of the card it now sits above]`) goes
/// where it now is, unless the rep holds it.
fn moved_elsewhere(board: &Rc<RefCell<Board>>, cards: &js_sys::Array) {
    let b = board.borrow();
    let dragged = b.drag.as_ref().map(|d| d.card.clone());
    let asked = b.prompt.as_ref().map(|p| p.card.clone());
    let root = b.root.clone();
    drop(b);
    for moved in cards.iter() {
        let moved = js_sys::Array::from(&moved);
        let (Some(id), Some(place)) = (
            moved.get(0).as_string(),
            moved.get(1).as_string().and_then(|p| Place::parse(&p)),
        ) else {
            continue;
        };
        let Some(card) = card_by_id(&root, &id) else {
            continue;
        };
        if Some(&card) == dragged.as_ref() || Some(&card) == asked.as_ref() {
            continue;
        }
        let Some(list) = list_of(&root, place.stage()) else {
            continue;
        };
        let next = moved.get(2).as_string().and_then(|n| card_by_id(&root, &n));
        put(&card, &list, next.as_ref());
        mark_place(&card, place);
    }
    recount(&root);
}
