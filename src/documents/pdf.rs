//! A document as an A4 PDF, with DejaVu Sans embedded (subset to the glyphs used).
//!
//! Why krilla (0.8): of the maintained pure-Rust PDF writers it is the one built for text
//! fidelity — it comes from the typst authors, subsets TrueType fonts (a 700 KB font becomes a
//! few KB per document) and writes ToUnicode maps, so `pdftotext`, screen readers and search
//! read back exactly what was drawn, ₹ included. printpdf (0.12) is also maintained and subsets
//! fonts (through allsorts), but its default features bring an HTML/layout engine
//! (azul-layout, fontconfig) we do not need for one fixed layout; genpdf's last release is
//! 0.2.0 of June 2021, built on printpdf 0.3. Layout here is ours: a few blocks of text
//! and rules, measured with skrifa (the font library krilla uses).

use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

use super::model::TaxDocument;
use super::text::printed;
use super::upi::Qr;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;
const BOTTOM: f32 = PAGE_H - 50.0;
const BODY: f32 = 9.5;
const LEADING: f32 = 13.0;

/// Side of the UPI QR code, in points (about 34 mm: a module is 0.7–0.9 mm).
const QR_SIZE: f32 = 96.0;
/// Room left to sign in above the signatory's name.
const SIGNING_SPACE: f32 = 36.0;

/// One thing drawn on a page.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        y: f32,
    },
    /// A QR code with its top left corner at (`x`, `y`), `size` points wide, which is also a
    /// link to `uri`.
    Qr {
        x: f32,
        y: f32,
        size: f32,
        code: Qr,
        uri: String,
    },
}

/// Lays text out on pages: a cursor, word wrapping and page breaks.
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
    regular: skrifa::FontRef<'static>,
    bold: skrifa::FontRef<'static>,
}

impl Layout {
    fn new() -> Result<Layout, String> {
        let font = |bytes: &'static [u8]| skrifa::FontRef::new(bytes).map_err(|e| format!("bad embedded font: {e}"));
        Ok(Layout { pages: vec![Vec::new()], y: MARGIN, regular: font(REGULAR)?, bold: font(BOLD)? })
    }

    /// Width of `text` at `size` points.
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let font = if bold { &self.bold } else { &self.regular };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars().map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g)).unwrap_or(size * 0.6)).sum()
    }

    /// `text` broken into lines no wider than `width` (a word longer than a line is cut).
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if self.width(&candidate, size, bold) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if self.width(&piece, size, bold) > width {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Moves down by `height`, starting a new page when it would not fit.
    fn advance(&mut self, height: f32) -> f32 {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
        self.y += height;
        self.y
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.push(Op::Text { x, y, size, bold, text: text.to_owned() });
    }

    /// `text` wrapped into the column from `x` of `width`, one line per row.
    fn paragraph(&mut self, x: f32, width: f32, size: f32, bold: bool, text: &str) {
        for line in self.wrap(text, size, bold, width) {
            let y = self.advance(LEADING);
            self.text(x, y, size, bold, &line);
        }
    }

    /// A row of `label` (wrapped in the left column) and `value` right-aligned at the margin.
    fn row(&mut self, label: &str, value: &str, bold: bool) {
        let value_w = self.width(value, BODY, bold);
        let label_w = PAGE_W - 2.0 * MARGIN - value_w.max(90.0) - 12.0;
        let lines = self.wrap(label, BODY, bold, label_w);
        for (i, line) in lines.iter().enumerate() {
            let y = self.advance(LEADING);
            self.text(MARGIN, y, BODY, bold, line);
            if i == 0 {
                self.text(PAGE_W - MARGIN - value_w, y, BODY, bold, value);
            }
        }
    }

    fn rule(&mut self) {
        let y = self.advance(5.0);
        self.push(Op::Rule { y });
    }

    /// Room for a block `height` high that is not split across pages: its top.
    fn block(&mut self, height: f32) -> f32 {
        self.advance(height) - height
    }
}

/// The PDF for `doc`.
pub fn render(doc: &TaxDocument) -> Result<Vec<u8>, String> {
    let p = printed(doc);
    let mut l = Layout::new()?;
    let y = l.advance(18.0);
    l.text(MARGIN, y, 16.0, true, p.title);
    if p.cancelled {
        let w = l.width("CANCELLED", 16.0, true);
        l.text(PAGE_W - MARGIN - w, y, 16.0, true, "CANCELLED");
    }
    l.advance(6.0);
    let column = (PAGE_W - 2.0 * MARGIN - 20.0) / 2.0;
    // Supplier and recipient side by side; the taller decides where the next block starts.
    let top = l.y;
    let mut bottoms = Vec::new();
    for (i, (heading, lines)) in [("Supplier", &p.supplier), ("Recipient", &p.recipient)].into_iter().enumerate() {
        l.y = top;
        let page_before = l.pages.len();
        let x = MARGIN + i as f32 * (column + 20.0);
        l.paragraph(x, column, BODY, true, heading);
        for (n, line) in lines.iter().enumerate() {
            l.paragraph(x, column, BODY, n == 0, line);
        }
        bottoms.push((l.pages.len() - page_before, l.y));
    }
    // Addresses are short; should one still run over a page, continue below the longer.
    l.y = bottoms.iter().map(|b| b.1).fold(top, f32::max);
    l.advance(6.0);
    l.rule();
    for (label, value) in &p.facts {
        l.row(label, value, false);
    }
    l.rule();
    let y = l.advance(LEADING);
    l.text(MARGIN, y, BODY, true, "Description");
    l.text(PAGE_W - MARGIN - 150.0, y, BODY, true, p.code_heading);
    let w = l.width("Amount", BODY, true);
    l.text(PAGE_W - MARGIN - w, y, BODY, true, "Amount");
    l.rule();
    for (description, sac, amount) in &p.items {
        let lines = l.wrap(description, BODY, false, PAGE_W - 2.0 * MARGIN - 170.0);
        for (i, line) in lines.iter().enumerate() {
            let y = l.advance(LEADING);
            l.text(MARGIN, y, BODY, false, line);
            if i == 0 {
                l.text(PAGE_W - MARGIN - 150.0, y, BODY, false, sac);
                let w = l.width(amount, BODY, false);
                l.text(PAGE_W - MARGIN - w, y, BODY, false, amount);
            }
        }
    }
    l.rule();
    let last = p.totals.len().saturating_sub(1);
    for (i, (label, amount)) in p.totals.iter().enumerate() {
        l.row(label, amount, i == last);
    }
    l.advance(4.0);
    l.paragraph(MARGIN, PAGE_W - 2.0 * MARGIN, BODY, true, &format!("Amount in words: {}", p.in_words));
    if !p.after.is_empty() {
        l.rule();
        for (label, value) in &p.after {
            l.row(label, value, false);
        }
    }
    // The UPI QR code (left) and the signatory (right), side by side, on one page.
    if p.pay.is_some() || p.signatory.is_some() {
        l.advance(12.0);
        let pay_h = p.pay.as_ref().map_or(0.0, |pay| QR_SIZE + 4.0 + LEADING * pay.lines.len() as f32);
        let sign_h = p.signatory.as_ref().map_or(0.0, |s| SIGNING_SPACE + LEADING * s.len() as f32);
        let top = l.block(pay_h.max(sign_h));
        if let Some(pay) = &p.pay {
            if let Some(code) = super::upi::qr(&pay.uri) {
                l.push(Op::Qr { x: MARGIN, y: top, size: QR_SIZE, code, uri: pay.uri.clone() });
            }
            let mut y = top + QR_SIZE + 4.0;
            for (i, line) in pay.lines.iter().enumerate() {
                y += LEADING;
                l.text(MARGIN, y, BODY, i == 0, line);
            }
        }
        if let Some(lines) = &p.signatory {
            let mut y = top + LEADING;
            for (i, line) in lines.iter().enumerate() {
                if i == 1 {
                    y += SIGNING_SPACE;
                }
                let w = l.width(line, BODY, i == 0);
                l.text(PAGE_W - MARGIN - w, y, BODY, i == 0, line);
                y += LEADING;
            }
        }
    }
    l.advance(10.0);
    for line in &p.footer {
        l.paragraph(MARGIN, PAGE_W - 2.0 * MARGIN, 8.0, false, line);
    }
    draw(&l.pages)
}

fn draw(pages: &[Vec<Op>]) -> Result<Vec<u8>, String> {
    let font = |bytes: &'static [u8]| Font::new(bytes.into(), 0).ok_or("the embedded font cannot be read");
    let (regular, bold) = (font(REGULAR)?, font(BOLD)?);
    let settings = || PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size");
    let mut document = Document::new();
    let count = pages.len();
    for (n, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings()?);
        let mut links = Vec::new();
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, bold: b, text } => {
                    surface.set_fill(Some(Fill::default()));
                    surface.set_stroke(None);
                    let f = if *b { bold.clone() } else { regular.clone() };
                    surface.draw_text(Point::from_xy(*x, *y), f, *size, text, false, TextDirection::Auto);
                }
                Op::Rule { y } => {
                    let mut path = PathBuilder::new();
                    path.move_to(MARGIN, *y);
                    path.line_to(PAGE_W - MARGIN, *y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { width: 0.5, ..Stroke::default() }));
                        surface.draw_path(&path);
                    }
                }
                Op::Qr { x, y, size, code, uri } => {
                    let module = size / code.width as f32;
                    let mut path = PathBuilder::new();
                    for (mx, my, run) in code.runs() {
                        let (left, top) = (x + mx as f32 * module, y + my as f32 * module);
                        if let Some(rect) = Rect::from_xywh(left, top, run as f32 * module, module) {
                            path.push_rect(rect);
                        }
                    }
                    if let Some(path) = path.finish() {
                        surface.set_fill(Some(Fill::default()));
                        surface.set_stroke(None);
                        surface.draw_path(&path);
                    }
                    if let Some(rect) = Rect::from_xywh(*x, *y, *size, *size) {
                        links.push((rect, uri.clone()));
                    }
                }
            }
        }
        if count > 1 {
            surface.set_fill(Some(Fill::default()));
            surface.set_stroke(None);
            let label = format!("Page {} of {count}", n + 1);
            surface.draw_text(
                Point::from_xy(MARGIN, PAGE_H - 25.0),
                regular.clone(),
                8.0,
                &label,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        // A tap on the QR code opens the UPI app, for a customer reading the PDF on a phone.
        for (rect, uri) in links {
            let target = Target::Action(LinkAction::new(uri).into());
            page.add_annotation(Annotation::new_link(LinkAnnotation::new(rect, target), Some("Pay by UPI".to_owned())));
        }
        page.finish();
    }
    document.finish().map_err(|e| format!("the PDF could not be written: {e:?}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::documents::model::{DocumentKind, Line, Party, TaxLine};

    pub(crate) fn sample() -> TaxDocument {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        TaxDocument {
            kind: DocumentKind::TaxInvoice,
            number: "INV/26-27/000123".into(),
            date: day(20),
            supplier: Party {
                name: "Vidarbha Fibernet".into(),
                address_lines: vec!["Main Road, Nagpur".into()],
                gstin: Some("27AAPFU0939F1ZV".into()),
                state: "Maharashtra".into(),
                state_code: Some("27".into()),
                phone: Some("9822000000".into()),
                email: None,
            },
            recipient: Party {
                name: "Śrīnivās Deshmukh & Sons <Ltd>".into(),
                address_lines: vec!["12 Civil Lines".into(), "Nagpur, Maharashtra 440001".into()],
                gstin: Some("27AABCU9603R1ZN".into()),
                state: "Maharashtra".into(),
                state_code: Some("27".into()),
                phone: None,
                email: None,
            },
            place_of_supply: "Maharashtra".into(),
            place_of_supply_code: Some("27".into()),
            original_invoice: None,
            lines: vec![Line {
                description: "Home 100 (100 Mbps)".into(),
                sac: "9984".into(),
                period: Some((day(1), day(30))),
                amount_paise: 100_000,
                rate_bp: 1800,
                goods: None,
            }],
            discount_paise: 0,
            taxable_paise: 100_000,
            taxes: vec![
                TaxLine { name: "CGST".to_owned(), rate_bp: 900, amount_paise: 9_000 },
                TaxLine { name: "SGST".to_owned(), rate_bp: 900, amount_paise: 9_000 },
            ],
            total_paise: 118_000,
            paid_paise: Some(0),
            balance_paise: Some(118_000),
            due_date: Some(day(27)),
            reason: None,
            issued_by: None,
            cancelled: false,
            customer_number: None,
            caf_no: None,
            signatory: None,
            amended: None,
            notes: Vec::new(),
            upi: None,
        }
    }

    #[test]
    fn a_document_is_a_small_pdf() {
        let pdf = render(&sample()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        eprintln!("sample PDF: {} bytes", pdf.len());
        assert!(pdf.len() < 100_000, "fonts are subset: {} bytes", pdf.len());
    }

    #[test]
    fn long_documents_continue_on_new_pages() {
        let mut doc = sample();
        let line = doc.lines[0].clone();
        doc.lines = (0..200)
            .map(|i| Line { description: format!("{} item {i} {}", line.description, "x".repeat(300)), ..line.clone() })
            .collect();
        let pdf = render(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }

    /// The QR code drawn in the PDF is the one a phone reads: the page is rendered by poppler's
    /// `pdftoppm` (where installed) and scanned.
    #[test]
    fn the_upi_qr_code_is_drawn_and_linked() {
        let mut doc = sample();
        doc.signatory = Some(crate::documents::model::Signatory { name: Some("Asha Deshmukh".into()) });
        doc.upi = crate::documents::upi::payment("vidarbha@okaxis", "Vidarbha Fibernet", 118_000, &doc.number);
        let uri = doc.upi.as_ref().unwrap().uri.clone();
        let pdf = render(&doc).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains(&format!("/URI({uri})")), "the code links to the payment");
        if let Some(read) = scan_pdf(&pdf) {
            assert_eq!(read, [uri]);
        }
        doc.upi = None;
        assert!(!String::from_utf8_lossy(&render(&doc).unwrap()).contains("upi://"));
    }

    /// The QR codes on the first page of `pdf`, read from a 150 dpi rendering; `None` when
    /// `pdftoppm` is not installed.
    pub(crate) fn scan_pdf(pdf: &[u8]) -> Option<Vec<String>> {
        let pdftoppm = std::path::Path::new("/usr/bin/pdftoppm");
        if !pdftoppm.exists() {
            eprintln!("pdftoppm missing: the QR code in the PDF is not scanned");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("doc.pdf");
        std::fs::write(&file, pdf).unwrap();
        let out = std::process::Command::new(pdftoppm)
            .args(["-gray", "-r", "150", "-f", "1", "-l", "1"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
        Some(scan_pgm(&out.stdout))
    }

    /// The QR codes in a binary PGM (P5) image.
    pub(crate) fn scan_pgm(pgm: &[u8]) -> Vec<String> {
        // Header: "P5", width, height, maxval, each after whitespace, then one byte a pixel.
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while pgm[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !pgm[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
        }
        at += 1;
        assert_eq!(fields[0], "P5");
        let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
        let pixels = &pgm[at..];
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
        image.detect_grids().iter().filter_map(|g| g.decode().ok()).map(|(_, content)| content).collect()
    }
}
