//! A show's scanned catalogue (an image-only PDF: no text layer, slightly skewed, noisy) read
//! into products.
//!
//! [`ocr`] runs Poppler (`pdfinfo`, `pdftoppm`) and Tesseract in processes of their own, a page
//! per process and pages in parallel up to a limit, awaited without blocking the runtime; it
//! gives each page's words with their boxes. [`extract`] turns those words into products,
//! deterministically, whatever the layout: product cards in a grid, a table "Réf | Désignation |
//! Prix HT", or a free-text list ("Code article : … Prix : … € HT"). It never invents a product:
//! one needs a reference, a name and a price.

pub mod extract;
pub mod llm;
pub mod ocr;
pub mod vision;

use serde::{Deserialize, Serialize};

pub use extract::extract;
pub use ocr::{read, Extractor, Limits, Ocr, ReadError};

/// A word as Tesseract read it, its box in the page image's pixels (origin top left).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    /// 0 to 100.
    pub conf: f32,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// Tesseract's block, paragraph and line: words of one line share them.
    pub line: LineKey,
}

/// Tesseract's block, paragraph and line numbers.
pub type LineKey = (u32, u32, u32);

/// A page's words, and the resolution of the image they were read from.
#[derive(Debug, Clone, PartialEq)]
pub struct PageWords {
    /// 1-based.
    pub page: u32,
    pub dpi: u32,
    pub words: Vec<Word>,
}

/// A region of a page in PDF points (1/72 inch), origin top left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PdfBox {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// A product read from a catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// As printed, without its label ("Réf.", "Code article :").
    pub reference: String,
    pub name: String,
    pub description: String,
    /// Excluding tax when the catalogue says so (HT), in cents; always > 0.
    pub price_cents: i64,
    /// ISO 4217: "EUR".
    pub currency: String,
    /// 1-based.
    pub page: u32,
    /// Where the product is printed on its page: its name, reference, description and price.
    #[serde(rename = "box")]
    pub bbox: PdfBox,
    /// How sure the reading is of each field, 0 to 1 (Tesseract's word confidences).
    pub confidence: Confidence,
}

/// Per field, the lowest confidence of its words, 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Confidence {
    pub reference: f32,
    pub name: f32,
    pub description: f32,
    pub price: f32,
}

/// What `spine extract-catalogue` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    pub products: Vec<Product>,
}
