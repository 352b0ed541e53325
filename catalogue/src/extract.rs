//! Products from a page's words, whatever the layout. Every product is anchored on its
//! reference, printed after a label ("Réf. PX-3363", "Code article : 4021") or alone in a table
//! row that ends with a price. Around it:
//!
//! - **a row** (a table): the designation's cells on the same line, after the reference or
//!   before it ("name — description", wrapping onto the lines below), the price at its end;
//! - **a stack** (product cards, lists): the lines aligned with the reference, the name just
//!   above it (or just below it when the reference heads the card), the description below,
//!   the price on the reference's line, below, on the name's line, or apart at the card's
//!   right (the price whose nearest reference to its left and above is this one).
//!
//! Scans are skewed: the page's slope is measured on Tesseract's lines and heights are compared
//! once it is taken out; distances are in the page's text height, or a line's own when it is
//! set larger. Nothing is guessed: no reference, name or price, no product.

use std::sync::LazyLock;

use regex::Regex;

use crate::{Confidence, LineKey, PageWords, PdfBox, Product, Word};

/// A price as printed: "38,50 €", "1 234,50 € HT", "Prix : 12,00 HT". A currency or "HT" is
/// required, so "1,5 L" or "18/10" never reads as one.
static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\d{1,3}(?:[ \u{a0}\u{202f}.]\d{3})+|\d+)[,.](\d{2})\s*(?:(?:€|eur(?:os?)?\b)\s*(?:h\.?t\.?|ttc)?|h\.?t\.?\b)",
    )
    .expect("price pattern")
});

/// A reference after its label: "Réf. BR299126", "Référence : KO-7490", "Code article : 4021",
/// "Article n° 12". Words such as "code" or "article" need their colon, so that prose does not
/// read as a label.
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:\b(?:r[ée]f(?:[ée]rence)?\b[.,]?\s*(?:n[°o]\.?\s*)?:?|(?:code\s+article|code|article|art\.)\s*(?:n[°o]\.?\s*)?:)\s*)([A-Za-z0-9][A-Za-z0-9\-/.]*)",
    )
    .expect("reference pattern")
});

/// A table cell holding only a reference: letters and digits, a hyphen or a slash, a digit at
/// least.
static CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^[A-Z0-9][A-Z0-9\-/.]{2,}$").expect("code pattern"));

/// The products of `pages`, in page order and, on a page, in reading order of their anchors.
pub fn extract(pages: &[PageWords]) -> Vec<Product> {
    pages.iter().flat_map(page_products).collect()
}

/// Words of a line that follow one another (a gap wider than a word's height or so splits a
/// line into the cells or columns it crosses).
#[derive(Debug, Clone)]
struct Segment {
    words: Vec<Word>,
    text: String,
    left: f64,
    right: f64,
    /// Top and bottom with the page's skew taken out.
    top: f64,
    bottom: f64,
    /// The median height of its words.
    height: f64,
}

impl Segment {
    fn middle(&self) -> f64 {
        (self.top + self.bottom) / 2.0
    }

    fn conf(&self) -> f32 {
        self.words.iter().map(|w| w.conf).fold(100.0, f32::min) / 100.0
    }
}

/// A reference found: in which segment, the reference, and where its label started.
#[derive(Debug, Clone)]
struct Anchor {
    segment: usize,
    reference: String,
    /// Byte offset of the label (or the code) in the segment's text: what precedes it may be
    /// the name.
    start: usize,
    /// Byte offset after the reference.
    end: usize,
    /// A code alone in a table cell (its designation may be in a cell to its left).
    lone: bool,
}

fn page_products(page: &PageWords) -> Vec<Product> {
    let segments = segments(&page.words);
    // The page's body text height: what "close" and "aligned" are measured in (a reference
    // is often printed smaller than its name).
    let mut heights: Vec<f64> = segments.iter().map(|s| s.height).collect();
    heights.sort_by(f64::total_cmp);
    let Some(scale) = heights.get(heights.len() / 2).copied() else {
        return Vec::new();
    };
    let anchors = anchors(&segments);
    let mut products: Vec<Product> = Vec::new();
    for (i, anchor) in anchors.iter().enumerate() {
        let next_top = anchors
            .iter()
            .enumerate()
            .filter(|(j, a)| {
                *j != i && segments[a.segment].top > segments[anchor.segment].bottom - 1.0
            })
            .map(|(_, a)| segments[a.segment].top)
            .fold(f64::INFINITY, f64::min);
        let found = row_product(&segments, &anchors, anchor, next_top)
            .or_else(|| stack_product(&segments, &anchors, anchor, scale));
        let Some(found) = found else { continue };
        if products.iter().any(|p| p.reference == anchor.reference) {
            continue;
        }
        products.push(found.into_product(page, &anchor.reference));
    }
    products
}

/// What a product was read from.
struct Found<'a> {
    name: Vec<&'a Segment>,
    name_text: String,
    description: Vec<&'a Segment>,
    description_text: String,
    price: (&'a Segment, i64),
    reference: &'a Segment,
}

impl Found<'_> {
    fn into_product(self, page: &PageWords, reference: &str) -> Product {
        let all: Vec<&Segment> = self
            .name
            .iter()
            .chain(&self.description)
            .copied()
            .chain([self.reference, self.price.0])
            .collect();
        let words = all.iter().flat_map(|s| &s.words);
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        for w in words {
            x0 = x0.min(w.left);
            y0 = y0.min(w.top);
            x1 = x1.max(w.left + w.width);
            y1 = y1.max(w.top + w.height);
        }
        let pt = |px: u32| f64::from(px) * 72.0 / f64::from(page.dpi.max(1));
        let round = |v: f64| (v * 10.0).round() / 10.0;
        let conf = |segs: &[&Segment]| segs.iter().map(|s| s.conf()).fold(1.0, f32::min);
        Product {
            reference: reference.to_string(),
            name: tidy(&self.name_text),
            description: tidy(&self.description_text),
            price_cents: self.price.1,
            currency: "EUR".into(),
            page: page.page,
            bbox: PdfBox {
                x: round(pt(x0)),
                y: round(pt(y0)),
                w: round(pt(x1.saturating_sub(x0))),
                h: round(pt(y1.saturating_sub(y0))),
            },
            confidence: Confidence {
                reference: self.reference.conf(),
                name: conf(&self.name),
                description: conf(&self.description),
                price: self.price.0.conf(),
            },
        }
    }
}

/// A table row: the reference, then the designation's cells, then the price, on one line;
/// the designation may wrap onto the lines below, above the next row.
fn row_product<'a>(
    segments: &'a [Segment],
    anchors: &[Anchor],
    anchor: &Anchor,
    next_top: f64,
) -> Option<Found<'a>> {
    let at = &segments[anchor.segment];
    // Only a reference that starts its cell leads a row.
    if !at.text[..anchor.start].trim().is_empty() || !at.text[anchor.end..].trim().is_empty() {
        return None;
    }
    let mut row: Vec<&Segment> = segments
        .iter()
        .filter(|s| !std::ptr::eq(*s, at) && same_row(s, at))
        .filter(|s| s.left > at.right || anchor.lone)
        .collect();
    row.sort_by(|a, b| a.left.total_cmp(&b.left));
    let price_at = row
        .iter()
        .position(|s| s.left > at.right && price_in(&s.text).is_some())?;
    let designation: Vec<&Segment> = row[..price_at].to_vec();
    // Another reference before the price: cards side by side, not a row.
    if designation.iter().any(|d| {
        anchors
            .iter()
            .any(|a| std::ptr::eq(&segments[a.segment], *d))
    }) {
        return None;
    }
    let first = designation.first()?;
    let price_seg = row[price_at];
    // The designation's column ends at the reference's, or at the price's.
    let column_end = if first.left < at.left {
        at.left
    } else {
        price_seg.left
    };
    let (price_start, cents) = price_in(&price_seg.text)?;
    let mut text = designation
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    // What a long cell pushed into the price's segment belongs to the designation.
    let spill = price_seg.text[..price_start].trim();
    if !spill.is_empty() {
        text.push(' ');
        text.push_str(spill);
    }
    let mut wrapped: Vec<&Segment> = segments
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.top > at.bottom - at.height * 0.3
                && s.top < next_top - at.height * 0.3
                && s.left >= first.left - at.height
                && s.right <= column_end
                && !anchors.iter().any(|a| a.segment == *i)
                && price_in(&s.text).is_none()
                // A line with a reference or a price on it is a row of its own.
                && !segments
                    .iter()
                    .any(|o| same_row(o, s) && (price_in(&o.text).is_some() || CODE.is_match(o.text.trim())))
        })
        .map(|(_, s)| s)
        .collect();
    wrapped.sort_by(|a, b| a.top.total_cmp(&b.top));
    for s in &wrapped {
        text.push(' ');
        text.push_str(&s.text);
    }
    let (name, description) = split_designation(&text);
    let mut parts = designation.clone();
    parts.extend(&wrapped);
    Some(Found {
        name: parts.clone(),
        name_text: name,
        description: if description.is_empty() {
            Vec::new()
        } else {
            parts
        },
        description_text: description,
        price: (price_seg, cents),
        reference: at,
    })
}

/// A stack: the name on the lines just above the reference (or before it on its line), the
/// description and the price on the lines below, all aligned with it.
fn stack_product<'a>(
    segments: &'a [Segment],
    anchors: &[Anchor],
    anchor: &Anchor,
    scale: f64,
) -> Option<Found<'a>> {
    let at = &segments[anchor.segment];
    let h = scale.max(at.height).max(1.0);
    let aligned = |s: &Segment| (s.left - at.left).abs() <= 1.5 * h;
    let is_anchor = |i: usize| anchors.iter().any(|a| a.segment == i);
    // Segments that lead another product: a reference, or the line just above one.
    let leads_another = |i: usize| {
        let s = &segments[i];
        is_anchor(i)
            || anchors.iter().any(|a| {
                let other = &segments[a.segment];
                a.segment != anchor.segment
                    && other.top > s.bottom - 0.3 * h
                    && other.top - s.bottom < 1.2 * h.max(s.height)
                    && (other.left - s.left).abs() <= 1.5 * h
            })
    };

    // The name: before the label on its line, else the aligned lines right above.
    let before = at.text[..anchor.start].trim();
    let mut name: Vec<&Segment> = Vec::new();
    let name_text = if !before.is_empty() {
        name.push(at);
        before.to_string()
    } else {
        let mut edge = at.top;
        loop {
            let above = segments
                .iter()
                .enumerate()
                .filter(|(i, s)| {
                    !is_anchor(*i)
                        && aligned(s)
                        && s.bottom <= edge + 0.3 * h
                        // A name set larger sits further above (its leading is larger).
                        && edge - s.bottom < 1.6 * h.max(s.height)
                        && price_in(&s.text).is_none()
                })
                .max_by(|a, b| a.1.bottom.total_cmp(&b.1.bottom));
            // A name wraps onto two lines at most, in one type size: a smaller line above it
            // is the end of the product before.
            let Some((_, s)) = above.filter(|(_, s)| match name.first() {
                None => true,
                Some(first) => name.len() < 2 && s.height >= 0.85 * first.height,
            }) else {
                break;
            };
            name.insert(0, s);
            edge = s.top;
        }
        name.iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };

    // The price: after the reference on its line or row, else on the lines below.
    let mut price: Option<(&Segment, i64)> = price_in(&at.text[anchor.end..]).map(|(_, c)| (at, c));
    let mut row: Vec<&Segment> = segments
        .iter()
        .filter(|s| s.left > at.right && same_row(s, at))
        .collect();
    row.sort_by(|a, b| a.left.total_cmp(&b.left));
    if price.is_none() {
        price = row
            .iter()
            .find_map(|s| price_in(&s.text).map(|(_, c)| (*s, c)));
    }
    let mut description: Vec<&Segment> = Vec::new();
    let mut description_text = String::new();
    let mut edge = at.bottom;
    let mut below: Vec<(usize, &Segment)> = segments
        .iter()
        .enumerate()
        .filter(|(_, s)| aligned(s) && s.top > at.bottom - 0.3 * h)
        .collect();
    below.sort_by(|a, b| a.1.top.total_cmp(&b.1.top));
    for (i, s) in below {
        if s.top - edge > 2.0 * h.max(s.height) || leads_another(i) {
            break;
        }
        edge = s.bottom;
        match price_in(&s.text) {
            Some((start, cents)) => {
                let lead = without_price_label(&s.text[..start]);
                if !lead.is_empty() {
                    description.push(s);
                    push_line(&mut description_text, lead);
                }
                if price.is_none() {
                    price = Some((s, cents));
                }
            }
            None => {
                description.push(s);
                push_line(&mut description_text, &s.text);
            }
        }
    }
    // Nothing above: the reference heads its card, the name is the first line below it.
    let (mut name, mut name_text) = (name, name_text);
    if name_text.trim().is_empty() && !description.is_empty() {
        let first = description.remove(0);
        name = vec![first];
        name_text = first.text.clone();
        description_text = description
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
    }
    // A price printed at the end of the name's line.
    if price.is_none() {
        price = name.iter().find_map(|n| {
            segments
                .iter()
                .filter(|s| s.left > n.right && same_row(s, n))
                .find_map(|s| price_in(&s.text).map(|(_, c)| (s, c)))
        });
    }
    // A price printed apart, lower down or at the card's right: the one whose nearest
    // reference to its left and above is this one.
    if price.is_none() {
        let owner = |p: &Segment| {
            anchors
                .iter()
                .filter(|a| {
                    let o = &segments[a.segment];
                    o.left <= p.left + h && o.top <= p.top + 0.3 * h && p.top - o.top < 15.0 * h
                })
                .max_by(|a, b| {
                    let (a, b) = (&segments[a.segment], &segments[b.segment]);
                    a.left.total_cmp(&b.left).then(a.top.total_cmp(&b.top))
                })
                .map(|a| a.segment)
        };
        price = segments
            .iter()
            .filter(|s| s.top > at.top - 0.3 * h && s.top < edge + 6.0 * h && s.left >= at.left - h)
            .filter_map(|s| price_in(&s.text).map(|(_, c)| (s, c)))
            .find(|(s, _)| owner(s) == Some(anchor.segment));
    }
    let price = price?;
    if name_text.trim().is_empty() {
        return None;
    }
    Some(Found {
        name,
        name_text,
        description,
        description_text,
        price,
        reference: at,
    })
}

/// `text` without the "Prix :" (or "Tarif", "Prix HT") that ends it.
fn without_price_label(text: &str) -> &str {
    let text = text.trim().trim_end_matches(':').trim_end();
    let lower = text.to_lowercase();
    for label in [
        "prix unitaire ht",
        "prix unitaire",
        "prix ht",
        "prix",
        "tarif",
    ] {
        if lower.ends_with(label) && lower.is_char_boundary(lower.len() - label.len()) {
            let cut = text.len() - label.len();
            if text.is_char_boundary(cut) {
                return text[..cut].trim_end();
            }
        }
    }
    text
}

fn push_line(text: &mut String, line: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(line.trim());
}

/// Two segments on one line of the (deskewed) page.
fn same_row(a: &Segment, b: &Segment) -> bool {
    (a.middle() - b.middle()).abs() < 0.6 * a.height.max(b.height)
}

/// "Name — description" (a dash between spaces); the whole as the name when there is none.
fn split_designation(text: &str) -> (String, String) {
    for dash in [" — ", " – ", " - "] {
        if let Some((name, description)) = text.split_once(dash) {
            return (name.trim().to_string(), description.trim().to_string());
        }
    }
    (text.trim().to_string(), String::new())
}

/// Spaces made single, and the punctuation OCR hangs on the ends dropped.
fn tidy(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| matches!(c, '|' | '—' | '–' | ':' | ';' | ',') || c.is_whitespace())
        .to_string()
}

/// Where the first price of `text` starts, and its value in cents (> 0).
fn price_in(text: &str) -> Option<(usize, i64)> {
    let caps = PRICE.captures(text)?;
    let whole: String = caps[1].chars().filter(char::is_ascii_digit).collect();
    let cents = whole.parse::<i64>().ok()?.checked_mul(100)? + caps[2].parse::<i64>().ok()?;
    (cents > 0).then(|| (caps.get(0).map_or(0, |m| m.start()), cents))
}

/// A region of the page image that OCR may have misread, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doubt {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

/// Cells worth a second reading: on a table row with a designation and a price to its right
/// but no reference read, the short first cell (a code OCR garbled, often where the table's
/// rules touch it: "LM738133" read "jtm73en33").
pub fn doubtful_cells(words: &[Word]) -> Vec<Doubt> {
    let segments = segments(words);
    let anchors = anchors(&segments);
    let mut doubts = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        if anchors.iter().any(|a| a.segment == i) || s.words.len() > 2 {
            continue;
        }
        let row: Vec<&Segment> = segments
            .iter()
            .filter(|o| !std::ptr::eq(*o, s) && same_row(o, s))
            .collect();
        let first = row.iter().all(|o| o.left > s.right);
        let price = row
            .iter()
            .filter(|o| price_in(&o.text).is_some())
            .map(|o| o.left)
            .fold(f64::INFINITY, f64::min);
        let designation = row
            .iter()
            .any(|o| o.left < price && price_in(&o.text).is_none());
        let referenced = row.iter().any(|o| {
            anchors
                .iter()
                .any(|a| std::ptr::eq(&segments[a.segment], *o))
        });
        if !first || !price.is_finite() || !designation || referenced || price_in(&s.text).is_some()
        {
            continue;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        for w in &s.words {
            x0 = x0.min(w.left);
            y0 = y0.min(w.top);
            x1 = x1.max(w.left + w.width);
            y1 = y1.max(w.top + w.height);
        }
        let margin = 8;
        doubts.push(Doubt {
            left: x0.saturating_sub(margin),
            top: y0.saturating_sub(margin),
            width: x1 - x0 + 2 * margin,
            height: y1 - y0 + 2 * margin,
        });
    }
    doubts
}

/// The references of the page: labelled ones anywhere, and lone codes leading a table row.
fn anchors(segments: &[Segment]) -> Vec<Anchor> {
    let mut found = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        if let Some(caps) = LABELLED.captures(&s.text) {
            let code = caps.get(1).expect("group 1");
            let reference = code.as_str().trim_end_matches(['.', ':', '/', '-']);
            if reference.chars().any(|c| c.is_ascii_digit()) && looks_printed(reference) {
                found.push(Anchor {
                    segment: i,
                    reference: as_printed(reference),
                    start: caps.get(0).map_or(0, |m| m.start()),
                    end: code.start() + reference.len(),
                    lone: false,
                });
                continue;
            }
        }
        let text = s.text.trim();
        let lone_code = CODE.is_match(text)
            && text.chars().any(|c| c.is_ascii_digit())
            && looks_printed(text)
            && (text.chars().any(|c| c.is_ascii_alphabetic()) || text.len() >= 4);
        // A row with a price to the code's right and a designation beside it.
        let on_priced_row = || {
            let row: Vec<&Segment> = segments
                .iter()
                .filter(|o| !std::ptr::eq(*o, s) && same_row(o, s))
                .collect();
            row.iter()
                .any(|o| o.left > s.right && price_in(&o.text).is_some())
                && row.iter().any(|o| price_in(&o.text).is_none())
        };
        if lone_code && price_in(text).is_none() && on_priced_row() {
            found.push(Anchor {
                segment: i,
                reference: as_printed(text),
                start: s.text.len() - s.text.trim_start().len(),
                end: s.text.trim_end().len(),
                lone: true,
            });
        }
    }
    // Reading order: rows from the top (within half a line, a scan's skew aside), each from
    // the left.
    found.sort_by(|a, b| segments[a.segment].top.total_cmp(&segments[b.segment].top));
    let mut rows: Vec<Vec<Anchor>> = Vec::new();
    for anchor in found {
        let s = &segments[anchor.segment];
        match rows.last_mut() {
            Some(row) if same_row(&segments[row[0].segment], s) => row.push(anchor),
            _ => rows.push(vec![anchor]),
        }
    }
    for row in &mut rows {
        row.sort_by(|a, b| {
            segments[a.segment]
                .left
                .total_cmp(&segments[b.segment].left)
        });
    }
    rows.into_iter().flatten().collect()
}

/// Letters OCR reads in lower case for capitals of the same shape.
fn same_shape(c: char) -> bool {
    "ckopsuvwxz".contains(c)
}

/// A code as a catalogue prints them: digits, capitals, and at most lower-case letters that
/// are capitals misread ("Px-3363"); a word with a digit in it is not one.
fn looks_printed(code: &str) -> bool {
    code.chars()
        .filter(char::is_ascii_lowercase)
        .all(same_shape)
        && (code.chars().any(|c| c.is_ascii_uppercase())
            || !code.chars().any(|c| c.is_ascii_lowercase()))
}

/// `code` in capitals when OCR read some of them in lower case.
fn as_printed(code: &str) -> String {
    code.to_ascii_uppercase()
}

/// The page's lines cut into segments at wide gaps, with the skew taken out of their heights.
fn segments(words: &[Word]) -> Vec<Segment> {
    let slope = skew(words);
    let deskew = |w: &Word| f64::from(w.top) - slope * f64::from(w.left);
    let mut lines: Vec<(LineKey, Vec<&Word>)> = Vec::new();
    // A table's rules read as bars.
    let rules = |w: &&Word| w.text.chars().all(|c| matches!(c, '|' | '¦' | '[' | ']'));
    for w in words.iter().filter(|w| !rules(w)) {
        match lines.iter_mut().find(|(key, _)| *key == w.line) {
            Some((_, line)) => line.push(w),
            None => lines.push((w.line, vec![w])),
        }
    }
    let mut segments = Vec::new();
    for (_, mut line) in lines {
        line.sort_by_key(|w| w.left);
        let mut heights: Vec<u32> = line.iter().map(|w| w.height).collect();
        heights.sort_unstable();
        let h = f64::from(heights[heights.len() / 2]);
        let mut current: Vec<&Word> = Vec::new();
        for w in line {
            if let Some(last) = current.last() {
                let gap = f64::from(w.left) - f64::from(last.left + last.width);
                if gap > 1.5 * h {
                    segments.push(segment(&current, deskew));
                    current.clear();
                }
            }
            current.push(w);
        }
        if !current.is_empty() {
            segments.push(segment(&current, deskew));
        }
    }
    segments
}

fn segment(words: &[&Word], deskew: impl Fn(&Word) -> f64) -> Segment {
    let mut heights: Vec<u32> = words.iter().map(|w| w.height).collect();
    heights.sort_unstable();
    let height = f64::from(heights[heights.len() / 2]);
    let tops: Vec<f64> = words.iter().map(|w| deskew(w)).collect();
    let mut sorted = tops.clone();
    sorted.sort_by(f64::total_cmp);
    // The median word: an accent or a comma does not stretch the line.
    let top = sorted[sorted.len() / 2];
    Segment {
        words: words.iter().map(|w| (*w).clone()).collect(),
        text: words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        left: f64::from(words[0].left),
        right: words
            .iter()
            .map(|w| f64::from(w.left + w.width))
            .fold(0.0, f64::max),
        top,
        bottom: top + height,
        height,
    }
}

/// The page's slope (pixels down per pixel right): the median over Tesseract's long lines of
/// the slope between their first and last words.
fn skew(words: &[Word]) -> f64 {
    let mut lines: Vec<(LineKey, &Word, &Word)> = Vec::new();
    for w in words {
        match lines.iter_mut().find(|(key, _, _)| *key == w.line) {
            Some((_, first, last)) => {
                if w.left < first.left {
                    *first = w;
                }
                if w.left > last.left {
                    *last = w;
                }
            }
            None => lines.push((w.line, w, w)),
        }
    }
    let mut slopes: Vec<f64> = lines
        .iter()
        .filter(|(_, a, b)| b.left > a.left + 300)
        .map(|(_, a, b)| {
            let centre = |w: &Word| f64::from(w.top) + f64::from(w.height) / 2.0;
            (centre(b) - centre(a)) / (f64::from(b.left) - f64::from(a.left))
        })
        .filter(|s| s.abs() < 0.1)
        .collect();
    if slopes.is_empty() {
        return 0.0;
    }
    slopes.sort_by(f64::total_cmp);
    slopes[slopes.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words laid out as `(text, left, top)` on lines, each word 30 px high, 20 px per char.
    fn page(lines: &[&[(&str, u32, u32)]]) -> PageWords {
        let mut words = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            for (text, left, top) in line.iter() {
                words.push(Word {
                    text: text.to_string(),
                    conf: 90.0,
                    left: *left,
                    top: *top,
                    width: 20 * text.chars().count() as u32,
                    height: 30,
                    line: (1, 1, n as u32),
                });
            }
        }
        PageWords {
            page: 1,
            dpi: 300,
            words,
        }
    }

    /// Each product's reference, name, description and price.
    fn fields(products: &[Product]) -> Vec<(&str, &str, &str, i64)> {
        products
            .iter()
            .map(|p| {
                (
                    p.reference.as_str(),
                    p.name.as_str(),
                    p.description.as_str(),
                    p.price_cents,
                )
            })
            .collect()
    }

    /// A line of words from `left`, a space (10 px) between them.
    fn line(text: &str, left: u32, top: u32) -> Vec<(&str, u32, u32)> {
        let mut x = left;
        text.split(' ')
            .map(|w| {
                let at = (w, x, top);
                x += 20 * w.chars().count() as u32 + 10;
                at
            })
            .collect()
    }

    #[test]
    fn prices_are_read_the_french_way_and_need_a_currency_or_ht() {
        assert_eq!(price_in("14,25 € HT").map(|p| p.1), Some(1425));
        assert_eq!(price_in("1 234,50 €").map(|p| p.1), Some(123_450));
        assert_eq!(price_in("Prix : 12,00 HT").map(|p| p.1), Some(1200));
        assert_eq!(price_in("Casserole 1,5 L"), None);
        assert_eq!(price_in("inox 18/10"), None);
        assert_eq!(price_in("0,00 €"), None);
    }

    #[test]
    fn a_product_card_reads_its_name_above_and_its_description_and_price_below() {
        let name = line("Tablier isotherme lot de 4", 400, 240);
        let reference = line("Réf. BR299126", 400, 290);
        let description = line("Finition satinée. Fabriqué en France.", 400, 340);
        let price = line("14,25 € HT", 400, 390);
        // A neighbouring card in the next column, on the same lines.
        let other = line("Mandoline 50 cl", 1600, 240);
        let other_ref = line("Réf. KO-7490", 1600, 290);
        let other_price = line("31,25 € HT", 1600, 340);
        let mut first = name.clone();
        first.extend(other);
        let mut second = reference.clone();
        second.extend(other_ref);
        let mut third = description.clone();
        third.extend(other_price);
        let products = extract(&[page(&[&first, &second, &third, &price])]);
        assert_eq!(products.len(), 2, "{products:#?}");
        let p = &products[0];
        assert_eq!(
            (
                p.reference.as_str(),
                p.name.as_str(),
                p.description.as_str(),
                p.price_cents
            ),
            (
                "BR299126",
                "Tablier isotherme lot de 4",
                "Finition satinée. Fabriqué en France.",
                1425
            )
        );
        assert_eq!(p.currency, "EUR");
        // 400 px at 300 dpi = 96 pt.
        assert_eq!((p.bbox.x, p.bbox.y), (96.0, 57.6));
        let q = &products[1];
        assert_eq!(
            (
                q.reference.as_str(),
                q.name.as_str(),
                q.description.as_str(),
                q.price_cents
            ),
            ("KO-7490", "Mandoline 50 cl", "", 3125)
        );
    }

    #[test]
    fn a_table_row_reads_its_designation_as_name_and_description_even_wrapped() {
        let header = [
            ("Réf.", 60, 100),
            ("Désignation", 300, 100),
            ("Prix", 1600, 100),
            ("HT", 1700, 100),
        ];
        let mut row1 = vec![("PX-3363", 60, 200)];
        row1.extend(line("Bêche en lin 1,5 L — Garantie 5 ans.", 300, 200));
        row1.extend(line("38,50 €", 1600, 200));
        let mut row2 = vec![("LM738133", 60, 300)];
        row2.extend(line("Blender Ø 20 cm — Compatible tous", 300, 300));
        row2.extend(line("238,00 €", 1600, 300));
        let wrap = line("feux dont induction.", 300, 340);
        let products = extract(&[page(&[&header, &row1, &row2, &wrap])]);
        let read = fields(&products);
        assert_eq!(
            read,
            vec![
                ("PX-3363", "Bêche en lin 1,5 L", "Garantie 5 ans.", 3850),
                (
                    "LM738133",
                    "Blender Ø 20 cm",
                    "Compatible tous feux dont induction.",
                    23_800
                ),
            ]
        );
    }

    #[test]
    fn a_list_with_labels_reads_the_code_and_the_price_on_their_lines() {
        let name = line("Nappe inox 5,5 L", 100, 100);
        let code = line("Code article : 4021-B", 100, 140);
        let price = line("Prix : 373,00 € HT", 100, 180);
        let description = line("Fabriqué en France.", 100, 220);
        let products = extract(&[page(&[&name, &code, &price, &description])]);
        assert_eq!(products.len(), 1, "{products:#?}");
        let p = &products[0];
        assert_eq!(
            (
                p.reference.as_str(),
                p.name.as_str(),
                p.description.as_str(),
                p.price_cents
            ),
            ("4021-B", "Nappe inox 5,5 L", "Fabriqué en France.", 37_300)
        );
    }

    #[test]
    fn nothing_without_a_reference_a_name_and_a_price_is_a_product() {
        let title = line("Catalogue 2027 — p. 1", 100, 50);
        let orphan_price = line("12,00 € HT", 100, 400);
        let header = line("Réf. Désignation", 100, 600);
        let no_price = line("Tablier", 100, 800);
        let no_price_ref = line("Réf. AB-1234", 100, 840);
        assert!(extract(&[page(&[
            &title,
            &orphan_price,
            &header,
            &no_price,
            &no_price_ref
        ])])
        .is_empty());
    }

    #[test]
    fn a_reference_misread_keeps_its_capitals_and_a_rule_is_not_text() {
        let mut row = vec![("|", 40, 200), ("Px-3363", 60, 200)];
        row.extend(line("Bêche — Garantie 5 ans.", 300, 200));
        row.extend(line("38,50 €", 1600, 200));
        let name = line("Spatule 50 cl", 100, 500);
        let reference = line("Réf, AT888298", 100, 540);
        let price = line("22,50 € HT", 100, 580);
        // Prose is no reference: lower-case words with a digit.
        let mut prose = vec![("ab12cd", 60, 800)];
        prose.extend(line("Texte — suite", 300, 800));
        prose.extend(line("10,00 €", 1600, 800));
        let products = extract(&[page(&[&row, &name, &reference, &price, &prose])]);
        let read: Vec<_> = products
            .iter()
            .map(|p| (p.reference.as_str(), p.name.as_str()))
            .collect();
        assert_eq!(
            read,
            vec![("PX-3363", "Bêche"), ("AT888298", "Spatule 50 cl")]
        );
    }

    #[test]
    fn a_card_with_its_reference_on_top_or_its_price_at_its_right_is_read_whole() {
        // Reference on top, then name, description, price further down.
        let a = [
            line("Réf. VX-620-E", 100, 300),
            line("Sucrier céramique 28 cm", 100, 360),
            line("Résiste au four.", 100, 420),
            line("6,50 € HT", 100, 520),
        ];
        // Name, reference, description; the price alone at the card's bottom right.
        let b = [
            line("Sucrier bambou 1 L", 900, 300),
            line("Réf. TC-196-D", 900, 360),
            line("Empilable.", 900, 420),
            line("10,90 € HT", 1400, 560),
        ];
        let lines: Vec<&[(&str, u32, u32)]> = a.iter().chain(&b).map(|l| l.as_slice()).collect();
        let products = extract(&[page(&lines)]);
        let read = fields(&products);
        assert_eq!(
            read,
            vec![
                (
                    "VX-620-E",
                    "Sucrier céramique 28 cm",
                    "Résiste au four.",
                    650
                ),
                ("TC-196-D", "Sucrier bambou 1 L", "Empilable.", 1090),
            ]
        );
    }

    #[test]
    fn a_table_with_its_reference_in_the_middle_reads_the_designation_on_its_left() {
        let header = line("Désignation Réf. Prix unitaire HT", 100, 100);
        let mut row = line("Chaise bistrot en teck – Traité anti-UV.", 100, 200);
        row.push(("482.57B", 1500, 200));
        row.extend(line("1 249,00 €", 1960, 200));
        let products = extract(&[page(&[&header, &row])]);
        let read = fields(&products);
        assert_eq!(
            read,
            vec![(
                "482.57B",
                "Chaise bistrot en teck",
                "Traité anti-UV.",
                124_900
            )]
        );
    }

    #[test]
    fn a_table_row_whose_code_was_garbled_asks_for_a_second_reading_of_that_cell_only() {
        let mut garbled = vec![("jtm73en33", 60, 300)];
        garbled.extend(line("Blender — Idéale.", 300, 300));
        garbled.extend(line("238,00 €", 1600, 300));
        let mut read = vec![("PX-3363", 60, 200)];
        read.extend(line("Bêche — Garantie 5 ans.", 300, 200));
        read.extend(line("38,50 €", 1600, 200));
        // No code column at all: nothing to read again.
        let mut plain = line("Nappe en lin — Lavable.", 60, 400);
        plain.extend(line("12,00 €", 1600, 400));
        let page = page(&[&read, &garbled, &plain]);
        assert_eq!(
            doubtful_cells(&page.words),
            vec![Doubt {
                left: 52,
                top: 292,
                width: 20 * 9 + 16,
                height: 30 + 16
            }]
        );
    }

    #[test]
    fn a_skewed_scan_keeps_a_row_together() {
        // 1° down to the right: 28 px over the 1,600 px from the reference to the price.
        let mut row = vec![("CF-7965", 60, 200)];
        row.extend(line("Seau en lin — Résiste à 250 °C.", 300, 204));
        row.extend(line("16,50 €", 1660, 228));
        let mut row2 = vec![("KO-9861", 60, 280)];
        row2.extend(line("Casserole — Finition satinée.", 300, 284));
        row2.extend(line("22,25 €", 1660, 308));
        let products = extract(&[page(&[&row, &row2])]);
        let read: Vec<_> = products
            .iter()
            .map(|p| (p.reference.as_str(), p.price_cents))
            .collect();
        assert_eq!(read, vec![("CF-7965", 1650), ("KO-9861", 2225)]);
    }
}
