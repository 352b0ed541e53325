//! The mixer: one personal mail per prospect, from a template and the products that prospect
//! liked (server only: Markdown and sanitising stay out of the browser's build). `template`
//! checks and merges templates, `render` makes a mail of them, `opt_out` signs the footer's
//! link, `repo` keeps interests, templates and queued mails, `api` and `html` are the pages.

pub mod api;
pub mod html;
pub mod opt_out;
pub mod render;
pub mod repo;
pub mod template;
pub mod ui;
