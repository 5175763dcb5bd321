//! A document as a self-contained, printable HTML page (no external resources).

use super::model::TaxDocument;
use super::text::{printed, Pay};

/// `text` with HTML's special characters escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:13px;margin:24px;color:#111}\
h1{font-size:20px;margin:0 0 12px}table{border-collapse:collapse;width:100%}\
td,th{border:1px solid #999;padding:4px 6px;vertical-align:top}th{background:#eee;text-align:left}\
.num{text-align:right;white-space:nowrap}.parties{display:flex;gap:24px;margin:12px 0}\
.parties div{flex:1}.cancelled{color:#b00;font-size:18px;font-weight:bold;border:2px solid #b00;\
padding:4px 8px;display:inline-block}footer{margin-top:16px;font-size:11px;color:#555}\
.close{display:flex;justify-content:space-between;align-items:flex-end;gap:24px;margin-top:16px;\
page-break-inside:avoid}.upi svg{width:120px;height:120px;display:block}.upi p{margin:2px 0}\
.signatory{margin-left:auto;text-align:right}.signatory .space{height:40px}\
@page{size:A4;margin:15mm}";

/// The page for `doc`.
pub fn render(doc: &TaxDocument) -> String {
    let p = printed(doc);
    let e = |t: &str| escape(t);
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!("<title>{} {}</title><style>{STYLE}</style></head><body>\n", p.title, e(&doc.number)));
    h.push_str(&format!("<h1>{}</h1>\n", p.title));
    if p.cancelled {
        h.push_str("<p class=\"cancelled\">CANCELLED</p>\n");
    }
    let block = |title: &str, lines: &[String]| {
        let mut b = format!("<div><strong>{title}</strong><br><strong>{}</strong>", escape(&lines[0]));
        for l in &lines[1..] {
            b.push_str(&format!("<br>{}", escape(l)));
        }
        b.push_str("</div>");
        b
    };
    h.push_str(&format!(
        "<section class=\"parties\">{}{}</section>\n",
        block("Supplier", &p.supplier),
        block("Recipient", &p.recipient)
    ));
    h.push_str("<table class=\"facts\">");
    for (label, value) in &p.facts {
        h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", e(label), e(value)));
    }
    h.push_str(&format!(
        "</table>\n<br><table class=\"items\"><tr><th>Description</th><th>{}</th><th class=\"num\">Amount</th></tr>",
        p.code_heading
    ));
    for (description, sac, amount) in &p.items {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            e(description),
            e(sac),
            e(amount)
        ));
    }
    for (label, amount) in &p.totals {
        h.push_str(&format!("<tr><th colspan=\"2\">{}</th><td class=\"num\">{}</td></tr>", e(label), e(amount)));
    }
    h.push_str("</table>\n");
    h.push_str(&format!("<p><strong>Amount in words:</strong> {}</p>\n", e(&p.in_words)));
    if !p.after.is_empty() {
        h.push_str("<table class=\"after\">");
        for (label, value) in &p.after {
            h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", e(label), e(value)));
        }
        h.push_str("</table>\n");
    }
    if p.pay.is_some() || p.signatory.is_some() {
        h.push_str("<section class=\"close\">");
        if let Some(pay) = &p.pay {
            h.push_str(&pay_block(pay));
        }
        if let Some(lines) = &p.signatory {
            // For <supplier>, room to sign, the name if any, "Authorised signatory".
            h.push_str(&format!(
                "<div class=\"signatory\"><strong>{}</strong><div class=\"space\"></div>",
                e(&lines[0])
            ));
            for line in &lines[1..] {
                h.push_str(&format!("<div>{}</div>", e(line)));
            }
            h.push_str("</div>");
        }
        h.push_str("</section>\n");
    }
    h.push_str("<footer>");
    for line in &p.footer {
        h.push_str(&format!("<p>{}</p>", e(line)));
    }
    h.push_str("</footer>\n</body></html>\n");
    h
}

/// The UPI QR code as an inline SVG (one rectangle per run of dark modules, a 4-module quiet
/// zone), linked to its `upi://pay` link (a phone opens its UPI app on a tap), with the lines
/// under it. The link is also in `data-upi` for scripts.
fn pay_block(pay: &Pay) -> String {
    let uri = escape(&pay.uri);
    let mut b = format!("<div class=\"upi\" data-upi=\"{uri}\">");
    if let Some(svg) = super::upi::svg(&pay.uri) {
        b.push_str(&format!("<a href=\"{uri}\">{svg}</a>"));
    }
    for line in &pay.lines {
        b.push_str(&format!("<p>{}</p>", escape(line)));
    }
    b.push_str("</div>");
    b
}
