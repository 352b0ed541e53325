//! A show's scanned catalogue: uploaded to a campaign, read by a job (OCR, then extraction into
//! staged products, `ingesting`), reviewed and published by the rep.

#[cfg(feature = "ssr")]
pub mod ingesting;
#[cfg(feature = "ssr")]
pub mod repo;
