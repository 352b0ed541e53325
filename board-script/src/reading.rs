//! The line a catalogue's reading shows as its pages are read: written by the server
//! (`app::catalog::html`, which includes this file) and by the script as it follows.

/// "Lecture : 2 pages lues sur 3…", then, every page read, the search for products.
pub fn reading_text(done: i32, total: i32) -> String {
    if done >= total {
        "Pages lues : recherche des produits…".to_string()
    } else {
        let read = if done <= 1 { "page lue" } else { "pages lues" };
        format!("Lecture : {done} {read} sur {total}…")
    }
}
