//! A PDF's pages read into words: `pdfinfo` checks the file, `pdftoppm` draws each page,
//! Tesseract reads it (French and English, word boxes as TSV); a table cell where a code was
//! expected but not read is drawn alone and read again as one line. Each is a process of its
//! own: a crash or a hostile file never takes the server with it, and the runtime only awaits
//! them.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use tokio::{io::AsyncReadExt, process::Command, sync::Semaphore, task::JoinSet};

use crate::{PageWords, Word};

/// What a catalogue may be, and how it is read.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_bytes: u64,
    pub max_pages: u32,
    /// Pages read at once (each is one process at a time; the cores, at most).
    pub parallel: usize,
    /// Resolution of the page images Tesseract reads.
    pub dpi: u32,
    /// What takes the products from the words read.
    pub extractor: Extractor,
    /// What reads the words of each page drawn.
    pub ocr: Ocr,
}

/// What reads a page image's words.
#[derive(Debug, Clone, Default)]
pub enum Ocr {
    /// Tesseract, in a process of its own (`fra+eng`).
    #[default]
    Tesseract,
    /// Google Cloud Vision's `images:annotate` (`vision`).
    GoogleVision(crate::vision::Vision),
}

/// What takes a catalogue's products from its pages' words.
#[derive(Debug, Clone, Default)]
pub enum Extractor {
    /// `extract`: local and deterministic.
    #[default]
    Local,
    /// An OpenAI-compatible LLM, its answers checked (`llm`).
    Llm(crate::llm::Llm),
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 50 * 1024 * 1024,
            max_pages: 200,
            parallel: std::thread::available_parallelism().map_or(1, |n| n.get()),
            dpi: 300,
            extractor: Extractor::Local,
            ocr: Ocr::Tesseract,
        }
    }
}

/// Why a catalogue could not be read; its message is for the rep.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("Ce fichier n’est pas un PDF (il ne commence pas par « %PDF »).")]
    NotPdf,
    #[error("Le fichier dépasse {max_mb} Mo.")]
    TooLarge { max_mb: u64 },
    #[error("Ce PDF est protégé par un mot de passe : enregistrez-en une copie sans protection.")]
    Encrypted,
    #[error("Ce PDF est illisible ou endommagé.")]
    Corrupt,
    #[error("Ce PDF n’a aucune page.")]
    NoPage,
    #[error("Ce PDF a {pages} pages : {max} au plus.")]
    TooManyPages { pages: u32, max: u32 },
    #[error(
        "La page {page} de ce PDF est plus grande qu’une affiche A2 : ce n’est pas un catalogue."
    )]
    PageTooLarge { page: u32 },
    /// A service the reading depends on, busy or refusing: said as it is (French).
    #[error("{0}")]
    Service(String),
    /// A tool missing or failing: the server's fault, not the file's.
    #[error("La lecture du catalogue a échoué ({tool}) : {detail}")]
    Tool { tool: &'static str, detail: String },
    #[error("Lecture du fichier impossible : {0}")]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// A stable name for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotPdf => "not_pdf",
            Self::TooLarge { .. } => "too_large",
            Self::Encrypted => "encrypted",
            Self::Corrupt => "corrupt",
            Self::NoPage => "no_page",
            Self::TooManyPages { .. } => "too_many_pages",
            Self::PageTooLarge { .. } => "page_too_large",
            Self::Tool { .. } => "tool",
            Self::Service(_) => "service",
            Self::Io(_) => "io",
        }
    }

    /// The file's fault (the rep can do something), not the server's.
    pub fn is_the_files(&self) -> bool {
        !matches!(self, Self::Tool { .. } | Self::Service(_) | Self::Io(_))
    }
}

/// Checks `pdf` and reads its pages into words, the page images written to `work` as
/// `page-N.png`; `on_page(done, total)` after each page.
pub async fn read(
    pdf: &Path,
    work: &Path,
    limits: &Limits,
    on_page: impl Fn(u32, u32) + Send + Sync + 'static,
) -> Result<Vec<PageWords>, ReadError> {
    let pages = check(pdf, limits).await?;
    tokio::fs::create_dir_all(work).await?;
    let gate = Arc::new(Semaphore::new(limits.parallel.max(1)));
    let on_page = Arc::new(on_page);
    let done = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let mut reading = JoinSet::new();
    for page in 1..=pages {
        let (gate, on_page, done) = (gate.clone(), on_page.clone(), done.clone());
        let (pdf, work, dpi) = (pdf.to_path_buf(), work.to_path_buf(), limits.dpi);
        let ocr = limits.ocr.clone();
        reading.spawn(async move {
            let _turn = gate.acquire_owned().await;
            let words = read_page(&pdf, &work, page, dpi, &ocr).await?;
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            on_page(n, pages);
            Ok::<_, ReadError>(words)
        });
    }
    let mut read = Vec::with_capacity(pages as usize);
    while let Some(page) = reading.join_next().await {
        let page = page.map_err(|e| ReadError::Tool {
            tool: "lecture",
            detail: e.to_string(),
        })?;
        // Dropping the set kills the other pages' processes (`kill_on_drop`).
        read.push(page?);
    }
    read.sort_by_key(|p| p.page);
    Ok(read)
}

/// The number of pages of `pdf`, once it is known to be a PDF Spine can read.
pub async fn check(pdf: &Path, limits: &Limits) -> Result<u32, ReadError> {
    let mut file = tokio::fs::File::open(pdf).await?;
    if file.metadata().await?.len() > limits.max_bytes {
        return Err(ReadError::TooLarge {
            max_mb: limits.max_bytes / (1024 * 1024),
        });
    }
    let mut head = [0u8; 1024];
    let n = file.read(&mut head).await?;
    // The header may follow a few bytes of junk (readers look within the first 1,024).
    if !head[..n].windows(5).any(|w| w == b"%PDF-") {
        return Err(ReadError::NotPdf);
    }
    // Pages past the last are not listed: one call tells the count and each page's size.
    let out = run(
        Command::new("pdfinfo")
            .args(["-f", "1", "-l", &limits.max_pages.to_string()])
            .arg(pdf),
        "pdfinfo",
    )
    .await?;
    let text = String::from_utf8_lossy(&out.stdout);
    let errors = String::from_utf8_lossy(&out.stderr);
    // Only a password locks a PDF: one that merely restricts copying or printing
    // ("Encrypted: yes (print:yes copy:no …)") draws as any other.
    if errors.contains("Incorrect password") {
        return Err(ReadError::Encrypted);
    }
    if !out.status.success() {
        return Err(ReadError::Corrupt);
    }
    let pages = text
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse::<u32>().ok())
        .ok_or(ReadError::Corrupt)?;
    match pages {
        0 => return Err(ReadError::NoPage),
        n if n > limits.max_pages => {
            return Err(ReadError::TooManyPages {
                pages: n,
                max: limits.max_pages,
            })
        }
        _ => {}
    }
    // Each page drawn at 300 dpi: one of a poster's size would take gigabytes.
    for line in text.lines() {
        let Some((page, size)) = line
            .strip_prefix("Page")
            .and_then(|rest| rest.split_once("size:"))
        else {
            continue;
        };
        let mut sides = size
            .split_whitespace()
            .filter_map(|v| v.parse::<f64>().ok());
        if let (Some(w), Some(h)) = (sides.next(), sides.next()) {
            if w.max(h) > MAX_PAGE_PT {
                return Err(ReadError::PageTooLarge {
                    page: page.trim().parse().unwrap_or(0),
                });
            }
        }
    }
    Ok(pages)
}

/// The longest side of a page, in points: A2 (594 mm).
const MAX_PAGE_PT: f64 = 1684.0;

/// How long one process may run (a page drawn or read takes seconds).
const PROCESS_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);

/// Draws page `page` into `work/page-N.png` and reads its words.
async fn read_page(
    pdf: &Path,
    work: &Path,
    page: u32,
    dpi: u32,
    ocr: &Ocr,
) -> Result<PageWords, ReadError> {
    let root = work.join(format!("page-{page}"));
    if !draw(pdf, &root, page, dpi, None, Format::Grey).await? {
        return Err(ReadError::Corrupt);
    }
    let image: PathBuf = root.with_extension("png");
    if let Ocr::GoogleVision(vision) = ocr {
        let mut drawn = tokio::fs::read(&image).await?;
        // Vision takes requests of 10 MB (the image in base64): a large page goes as a JPEG.
        if drawn.len() > VISION_PNG_MAX {
            let light = work.join(format!("vision-{page}"));
            if draw(pdf, &light, page, dpi, None, Format::GreyJpeg).await? {
                let jpeg = light.with_extension("jpg");
                drawn = tokio::fs::read(&jpeg).await?;
                let _ = tokio::fs::remove_file(&jpeg).await;
            }
        }
        let words = vision
            .read(&drawn)
            .await
            .map_err(|e| ReadError::Service(e.to_string()))?;
        return Ok(PageWords { page, dpi, words });
    }
    let out = run(
        Command::new("tesseract")
            .arg(&image)
            .args(["stdout", "-l", "fra+eng", "tsv"])
            // One thread per process: OpenMP's threads fight over two cores (measured 5× slower),
            // pages run side by side instead.
            .env("OMP_THREAD_LIMIT", "1"),
        "tesseract",
    )
    .await?;
    if !out.status.success() {
        return Err(ReadError::Tool {
            tool: "tesseract",
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let mut words = parse_tsv(&String::from_utf8_lossy(&out.stdout));
    for doubt in crate::extract::doubtful_cells(&words) {
        reread(pdf, work, page, dpi, doubt, &mut words).await?;
    }
    Ok(PageWords { page, dpi, words })
}

/// Reads a doubtful cell again, alone and as one line (`--psm 7`): its words replace those
/// OCR read there the first time when this reading finds a code (a digit in it).
async fn reread(
    pdf: &Path,
    work: &Path,
    page: u32,
    dpi: u32,
    doubt: crate::extract::Doubt,
    words: &mut Vec<Word>,
) -> Result<(), ReadError> {
    let root = work.join(format!("cell-{page}-{}-{}", doubt.left, doubt.top));
    let region = [doubt.left, doubt.top, doubt.width, doubt.height].map(u64::from);
    if !draw(pdf, &root, page, dpi, Some(region), Format::Grey).await? {
        return Ok(());
    }
    let image = root.with_extension("png");
    let out = run(
        Command::new("tesseract")
            .arg(&image)
            .args(["stdout", "--psm", "7", "-l", "fra+eng", "tsv"])
            .env("OMP_THREAD_LIMIT", "1"),
        "tesseract",
    )
    .await?;
    let _ = tokio::fs::remove_file(&image).await;
    let again = parse_tsv(&String::from_utf8_lossy(&out.stdout));
    let code = again
        .iter()
        .any(|w| w.text.chars().any(|c| c.is_ascii_digit()));
    if !out.status.success() || !code {
        return Ok(());
    }
    let inside = |w: &Word| {
        let (cx, cy) = (w.left + w.width / 2, w.top + w.height / 2);
        cx >= doubt.left
            && cx < doubt.left + doubt.width
            && cy >= doubt.top
            && cy < doubt.top + doubt.height
    };
    let Some(line) = words.iter().find(|w| inside(w)).map(|w| w.line) else {
        return Ok(());
    };
    words.retain(|w| !inside(w));
    words.extend(again.into_iter().map(|w| Word {
        left: w.left + doubt.left,
        top: w.top + doubt.top,
        line,
        ..w
    }));
    Ok(())
}

/// Draws the region `area` (PDF points, top left) of page `page` of `pdf` as a JPEG at `dpi`
/// into `out`: a product's crop for the review grid, light enough for a tablet.
pub async fn crop(
    pdf: &Path,
    page: u32,
    area: crate::PdfBox,
    dpi: u32,
    out: &Path,
) -> Result<(), ReadError> {
    let px = |pt: f64| ((pt.max(0.0) * f64::from(dpi)) / 72.0).round() as u64;
    let root = out.with_extension("");
    let region = [px(area.x), px(area.y), px(area.w), px(area.h)];
    if !draw(pdf, &root, page, dpi, Some(region), Format::Jpeg).await? {
        return Err(ReadError::Corrupt);
    }
    // pdftoppm names it root.jpg.
    let drawn = root.with_extension("jpg");
    if drawn != out {
        tokio::fs::rename(&drawn, out).await?;
    }
    Ok(())
}

/// The largest page image sent to Vision as a PNG (7 MB: 9.3 MB in base64).
const VISION_PNG_MAX: usize = 7 * 1024 * 1024;

/// How `pdftoppm` writes a drawing: grey PNG for OCR, JPEG for the eye, grey JPEG for an OCR
/// service that takes smaller files.
#[derive(Clone, Copy)]
enum Format {
    Grey,
    Jpeg,
    GreyJpeg,
}

/// Draws page `page` of `pdf` at `dpi`, whole or its `region` (x, y, width, height in pixels
/// at that resolution), into `root` with the format's extension; whether pdftoppm could.
async fn draw(
    pdf: &Path,
    root: &Path,
    page: u32,
    dpi: u32,
    region: Option<[u64; 4]>,
    format: Format,
) -> Result<bool, ReadError> {
    let n = page.to_string();
    let mut command = Command::new("pdftoppm");
    command.args(["-r", &dpi.to_string(), "-singlefile", "-f", &n, "-l", &n]);
    match format {
        Format::Grey => command.args(["-gray", "-png"]),
        Format::Jpeg => command.arg("-jpeg"),
        Format::GreyJpeg => command.args(["-gray", "-jpeg"]),
    };
    if let Some([x, y, w, h]) = region {
        for (flag, value) in [("-x", x), ("-y", y), ("-W", w.max(1)), ("-H", h.max(1))] {
            command.arg(flag).arg(value.to_string());
        }
    }
    let out = run(command.arg(pdf).arg(root), "pdftoppm").await?;
    Ok(out.status.success())
}

async fn run(command: &mut Command, tool: &'static str) -> Result<std::process::Output, ReadError> {
    let output = command
        .kill_on_drop(true)
        .stdin(std::process::Stdio::null())
        .output();
    // Past the limit the process is dropped, and so killed.
    match tokio::time::timeout(PROCESS_TIME_LIMIT, output).await {
        Ok(done) => done.map_err(|e| ReadError::Tool {
            tool,
            detail: e.to_string(),
        }),
        Err(_) => Err(ReadError::Tool {
            tool,
            detail: "délai dépassé".into(),
        }),
    }
}

/// The words of Tesseract's TSV output (level 5 rows), in reading order.
pub fn parse_tsv(tsv: &str) -> Vec<Word> {
    tsv.lines()
        .skip(1)
        .filter_map(|row| {
            let f: Vec<&str> = row.splitn(12, '\t').collect();
            if f.len() < 12 || f[0] != "5" {
                return None;
            }
            let n = |i: usize| f[i].trim().parse::<u32>().ok();
            let text = f[11].trim();
            let conf = f[10].trim().parse::<f32>().ok()?;
            if text.is_empty() || conf < 0.0 {
                return None;
            }
            Some(Word {
                text: text.to_string(),
                conf,
                left: n(6)?,
                top: n(7)?,
                width: n(8)?,
                height: n(9)?,
                line: (n(2)?, n(3)?, n(4)?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_rows_become_words_with_their_boxes_and_lines() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n\
                   5\t1\t2\t1\t3\t1\t397\t295\t50\t30\t96.5\tRéf.\n\
                   5\t1\t2\t1\t3\t2\t462\t295\t180\t30\t91\tBR299126\n\
                   5\t1\t2\t1\t3\t3\t700\t295\t10\t30\t95\t \n";
        assert_eq!(
            parse_tsv(tsv),
            vec![
                Word {
                    text: "Réf.".into(),
                    conf: 96.5,
                    left: 397,
                    top: 295,
                    width: 50,
                    height: 30,
                    line: (2, 1, 3)
                },
                Word {
                    text: "BR299126".into(),
                    conf: 91.0,
                    left: 462,
                    top: 295,
                    width: 180,
                    height: 30,
                    line: (2, 1, 3)
                },
            ]
        );
    }
}
