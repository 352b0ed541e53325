//! The `spine` binary's library: configuration, the axum router, start-up and subcommands.

pub mod assets;
pub mod auth;
pub mod board_page;
pub mod catalogue_files;
pub mod cli;
pub mod exports;
pub mod health;
pub mod limits;
pub mod live_events;
pub mod mixer_pages;
pub mod opt_out;
pub mod plain_forms;
pub mod prospect_files;
pub mod security;
pub mod seed;
pub mod sending_pages;
pub mod server_pages;
pub mod shutdown;
pub mod startup;
pub mod telemetry;
pub mod uploads;
