//! `spine extract-catalogue`: a scanned catalogue read into products from the command line,
//! with no database and no Redis.

use serde_json::Value;

const FILES: &str = "../catalogue/tests/files";

/// Runs `spine extract-catalogue FILE` with the database and Redis out of reach.
fn extract(file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_spine"))
        .arg("extract-catalogue")
        .arg(file)
        .env(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/unreachable",
        )
        .env("REDIS_URL", "redis://127.0.0.1:1")
        .env("SPINE_LOG", "error")
        .output()
        .unwrap()
}

#[test]
fn the_command_line_reads_a_scanned_catalogue_into_products_without_a_database() {
    let out = extract(std::path::Path::new(&format!("{FILES}/sample-grid.pdf")));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let truth: Value =
        serde_json::from_slice(&std::fs::read(format!("{FILES}/sample-grid.json")).unwrap())
            .unwrap();
    let products = printed["products"].as_array().unwrap();
    let expected = truth["products"].as_array().unwrap();
    // Every product printed is one of the catalogue's, at its price, on its page: none invented.
    for p in products {
        let t = expected
            .iter()
            .find(|t| t["reference"] == p["reference"])
            .unwrap_or_else(|| panic!("invented: {p}"));
        let cents = (t["price_eur"].as_f64().unwrap() * 100.0).round() as i64;
        assert_eq!(p["price_cents"], cents, "{p}");
        assert_eq!(p["page"], t["page"], "{p}");
        assert_eq!(p["currency"], "EUR");
        // Its box lies on the A4 page, in points from the top left.
        let b = &p["box"];
        let (x, y, w, h) = (
            b["x"].as_f64().unwrap(),
            b["y"].as_f64().unwrap(),
            b["w"].as_f64().unwrap(),
            b["h"].as_f64().unwrap(),
        );
        assert!(x >= 0.0 && y >= 0.0 && w > 0.0 && h > 0.0, "{p}");
        assert!(x + w <= 595.3 && y + h <= 842.0, "{p}");
    }
    assert!(products.len() >= expected.len() - 1, "{printed}");
    // The first card, field by field (its reference printed without "Réf.").
    let first = &products[0];
    assert_eq!(first["reference"], "BR299126");
    assert_eq!(first["name"], "Tablier isotherme lot de 4");
    // (Tesseract reads its comma as a semicolon.)
    let description = first["description"].as_str().unwrap();
    assert!(
        description.starts_with("Finition satinée") && description.ends_with("Fabriqué en France."),
        "{description}"
    );
    assert_eq!(first["price_cents"], 1425);
}

#[test]
fn a_file_that_is_not_a_readable_pdf_is_refused_in_french_with_status_2() {
    let dir = std::env::temp_dir().join(format!("spine-extract-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes, code, message) in [
        (
            "notes.pdf",
            &b"Prenom;Nom\nClaire;Martin\n"[..],
            "not_pdf",
            "Ce fichier n’est pas un PDF (il ne commence pas par « %PDF »).",
        ),
        (
            "broken.pdf",
            &b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"[..],
            "corrupt",
            "Ce PDF est illisible ou endommagé.",
        ),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = extract(&file);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["error"]["code"], code, "{name}");
        assert_eq!(printed["error"]["message"], message, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
