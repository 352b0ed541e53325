//! Extraction quality on the catalogues with a ground truth (`catalogue/tests/files/`: the
//! shared fixtures and the layouts drawn by `catalogue/tests/generate/`; or the directory
//! `CATALOGUE_FIXTURES` names): for each `X.pdf` beside its `X.json`, the pages are read (Poppler,
//! Tesseract) and extracted as `spine extract-catalogue` does, then held to the truth: products
//! found / expected, exact reference, exact price (`round(price_eur × 100)`), name similarity
//! (normalised Levenshtein ratio) and invented products. Prints the figures and the goals
//! (≥ 95 % exact references and prices, names ≥ 0.9 on average, 0 invented); asserts nothing.
//!
//! `cargo bench -p catalogue --bench quality` (or `bench/catalogue-quality.sh`).

use std::path::{Path, PathBuf};

use catalogue::{extract, read, Limits, Product};
use serde::Deserialize;
use strsim::normalized_levenshtein;

#[derive(Deserialize)]
struct Truth {
    products: Vec<TruthProduct>,
}

#[derive(Deserialize)]
struct TruthProduct {
    name: String,
    reference: String,
    price_eur: f64,
    page: u32,
}

#[derive(Default)]
struct Score {
    expected: usize,
    found: usize,
    exact_reference: usize,
    exact_price: usize,
    name_similarity: f64,
    invented: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::var_os("CATALOGUE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/files"));
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf") && p.with_extension("json").exists())
        .collect();
    pdfs.sort();
    anyhow::ensure!(
        !pdfs.is_empty(),
        "no catalogue with its truth in {}",
        dir.display()
    );
    println!(
        "catalogue extraction quality: {} catalogues in {}",
        pdfs.len(),
        dir.display()
    );
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>7} {:>9}",
        "", "found", "exact ref", "exact €", "names", "invented"
    );
    let mut total = Score::default();
    for pdf in &pdfs {
        let truth: Truth = serde_json::from_slice(&std::fs::read(pdf.with_extension("json"))?)?;
        let work = std::env::temp_dir().join(format!("spine-quality-{}", std::process::id()));
        let pages = read(pdf, &work, &Limits::default(), |_, _| {}).await?;
        let _ = std::fs::remove_dir_all(&work);
        let score = score(&truth.products, &extract(&pages));
        let name = pdf.file_stem().unwrap_or_default().to_string_lossy();
        print_row(&name, &score);
        total.expected += score.expected;
        total.found += score.found;
        total.exact_reference += score.exact_reference;
        total.exact_price += score.exact_price;
        total.name_similarity += score.name_similarity;
        total.invented += score.invented;
    }
    print_row("all", &total);
    let pct = |n: usize| 100.0 * n as f64 / total.expected.max(1) as f64;
    let names = total.name_similarity / total.found.max(1) as f64;
    let holds = |ok: bool| if ok { "holds" } else { "FAILS" };
    println!(
        "  exact references {:.1} %, exact prices {:.1} % (goal ≥ 95 %: {}); names {:.3} \
         (goal ≥ 0.9: {}); invented {} (goal 0: {})",
        pct(total.exact_reference),
        pct(total.exact_price),
        holds(pct(total.exact_reference) >= 95.0 && pct(total.exact_price) >= 95.0),
        names,
        holds(names >= 0.9),
        total.invented,
        holds(total.invented == 0)
    );
    Ok(())
}

fn print_row(name: &str, s: &Score) {
    println!(
        "{:<24} {:>4}/{:<4} {:>9} {:>9} {:>7.3} {:>9}",
        name,
        s.found,
        s.expected,
        s.exact_reference,
        s.exact_price,
        s.name_similarity / s.found.max(1) as f64,
        s.invented
    );
}

/// Each expected product matched to an extracted one of its page: by reference, else by the
/// closest name (a misread reference is still a product found); what is left is invented.
fn score(truth: &[TruthProduct], extracted: &[Product]) -> Score {
    let mut left: Vec<&Product> = extracted.iter().collect();
    let mut score = Score {
        expected: truth.len(),
        ..Score::default()
    };
    let mut unmatched = Vec::new();
    for t in truth {
        match left
            .iter()
            .position(|p| p.page == t.page && p.reference == t.reference)
        {
            Some(i) => {
                let p = left.remove(i);
                tally(&mut score, t, p);
            }
            None => unmatched.push(t),
        }
    }
    for t in unmatched {
        let best = left
            .iter()
            .enumerate()
            .filter(|(_, p)| p.page == t.page)
            .map(|(i, p)| (i, normalized_levenshtein(&p.name, &t.name)))
            .filter(|(_, similarity)| *similarity >= 0.6)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = best {
            let p = left.remove(i);
            tally(&mut score, t, p);
        }
    }
    score.invented = left.len();
    score
}

fn tally(score: &mut Score, t: &TruthProduct, p: &Product) {
    score.found += 1;
    score.exact_reference += usize::from(p.reference == t.reference);
    score.exact_price += usize::from(p.price_cents == (t.price_eur * 100.0).round() as i64);
    score.name_similarity += normalized_levenshtein(&p.name, &t.name);
}
