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
