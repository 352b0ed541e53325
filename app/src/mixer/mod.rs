//! The mixer: one personal mail per prospect, from a template and the products that prospect
//! liked. `template` checks and merges templates.

pub mod template;
