//! Spine's own health: readiness checks and the heartbeat job's records.

#[cfg(feature = "ssr")]
pub mod repo;
