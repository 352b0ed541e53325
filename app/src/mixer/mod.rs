//! The mixer: one personal mail per prospect, from a template and the products that prospect
//! liked. `template` checks and merges templates, `render` makes a mail of them (server only:
//! Markdown and sanitising stay out of the browser's build), `opt_out` signs the footer's link.

#[cfg(feature = "ssr")]
pub mod opt_out;
#[cfg(feature = "ssr")]
pub mod render;
pub mod template;
