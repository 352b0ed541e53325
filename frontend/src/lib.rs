//! The browser entry point: hydrates the server-rendered page, loading the code of lazy pages
//! as they are needed.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        app::ui::lazy::show_reload_banner();
    }));
    leptos::mount::hydrate_lazy(app::App);
}

/// Room in the WASM's read-only data for `wasm-split`: it lays out each chunk's data again,
/// with alignment padding, and when that comes out longer than the original segment it keeps
/// all of the data in the main chunk (13 KB more over the wire for every page, seen with 60
/// bytes of padding too many). Nothing refers to these bytes, so no chunk carries them.
#[used]
static SPLIT_DATA_SLACK: [u8; 1024] = [0x5a; 1024];
