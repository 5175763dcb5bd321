//! `/pay`: the walled garden's payment page, where the NAS sends a suspended customer's
//! browser. `GET` recognises the customer by the address of their open session
//! ([`crate::network::pay_page::by_address`]); anyone else gets a form, `POST`ed back with the
//! customer number and mobile ([`crate::network::pay_page::by_number`], limited per address:
//! `429` with `Retry-After` when used up). The page: the first name, what they owe, the UPI QR
//! code and `upi://` link, the company's payment link when it has one. One small HTML page with
//! inline CSS and no script; nothing cached.

use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::AppState;
use crate::documents::html::escape;
use crate::network::pay_page::{self, Lookup, Payer, LOOKUP_WINDOW_MINUTES};

/// Look-ups by customer number and mobile allowed from one address in
/// [`LOOKUP_WINDOW_MINUTES`] (`ISP_PAY_LOOKUPS_PER_HOUR`).
#[derive(Debug, Clone, Copy)]
pub struct LookupLimit(pub i64);

/// The form's fields.
#[derive(Debug, Deserialize)]
pub struct PayForm {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    mobile: String,
}

/// Longest field read from the form; longer is a pair that is not found.
const MAX_FIELD_CHARS: usize = 32;

const NOT_FOUND: &str = "We could not find a connection with that customer number and mobile number. \
                         Please check both (they are on your bill) and try again, or call us.";

pub async fn get(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let address = super::client_address(&state, connect_info.as_ref(), &headers);
    let lookup = address.clone();
    match state.db.read(move |conn| pay_page::by_address(conn, &lookup)).await {
        Ok(Some(payer)) => page(StatusCode::OK, &payer_body(&payer)),
        Ok(None) => page(StatusCode::OK, &form_body(None)),
        Err(e) => unavailable(&e),
    }
}

pub async fn post(
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<PayForm>, FormRejection>,
) -> Response {
    let address = super::client_address(&state, connect_info.as_ref(), &headers);
    // A body that is not the form is a pair that is not found (and counts as a look-up).
    let form = form.map_or(PayForm { customer: String::new(), mobile: String::new() }, |Form(f)| f);
    let limit = state.pay_lookups.0;
    let (customer, mobile) = (bounded(form.customer), bounded(form.mobile));
    let now = crate::clock::now();
    let found = state.db.write(move |conn| pay_page::by_number(conn, &address, &customer, &mobile, limit, now)).await;
    match found {
        Ok(Lookup::Found(payer)) => page(StatusCode::OK, &payer_body(&payer)),
        Ok(Lookup::NotFound) => page(StatusCode::OK, &form_body(Some(NOT_FOUND))),
        Ok(Lookup::TooMany) => {
            let message = "Too many tries from your connection. Please try again in an hour, or call us.";
            let mut response = page(StatusCode::TOO_MANY_REQUESTS, &notice_body(message));
            let wait = HeaderValue::from(LOOKUP_WINDOW_MINUTES * 60);
            response.headers_mut().insert(header::RETRY_AFTER, wait);
            response
        }
        Err(e) => unavailable(&e),
    }
}

/// A field as typed, or nothing when it is too long to be one.
fn bounded(value: String) -> String {
    if value.chars().count() > MAX_FIELD_CHARS {
        String::new()
    } else {
        value
    }
}

fn unavailable(e: &crate::error::AppError) -> Response {
    tracing::warn!(error = %e.message(), "the payment page could not read the database");
    let mut response =
        page(StatusCode::SERVICE_UNAVAILABLE, &notice_body("We are busy right now. Please try again in a minute."));
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(super::RETRY_AFTER_SECONDS));
    response
}

const STYLE: &str = "body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
color:#1b1b1b;background:#f4f5f7}main{max-width:26rem;margin:0 auto;padding:1.25rem}\
h1{font-size:1.3rem;margin:.2rem 0 1rem}.card{background:#fff;border-radius:12px;padding:1.25rem;\
box-shadow:0 1px 3px #0002}.amount{font-size:2.2rem;font-weight:700;margin:.25rem 0 1rem}\
.qr svg{width:100%;max-width:16rem;height:auto;display:block;margin:0 auto}\
a.button,button{display:block;width:100%;box-sizing:border-box;text-align:center;padding:.85rem;\
margin:.75rem 0 0;border:0;border-radius:8px;background:#0b57d0;color:#fff;font:inherit;\
font-weight:600;text-decoration:none}a.button.alt{background:#e8eefb;color:#0b57d0}\
label{display:block;margin:.75rem 0 .25rem;font-weight:600}input{width:100%;box-sizing:border-box;\
padding:.7rem;font:inherit;border:1px solid #bbb;border-radius:8px}.note{color:#555;font-size:.9rem}\
.error{color:#a00000}";

/// A whole page around `body`, never cached, shown in no frame, loading nothing.
fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>Pay your bill</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>"
    );
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
        ),
    ];
    (status, headers, html).into_response()
}

/// What a customer owes and how to pay it.
fn payer_body(payer: &Payer) -> String {
    let name = escape(&payer.first_name);
    let company = escape(&payer.company);
    let mut b = format!("<h1>Hello {name}</h1><div class=\"card\">");
    if payer.owed_paise <= 0 {
        b.push_str("<p class=\"paid\">Nothing to pay: thank you.</p>");
        if payer.status == crate::customers::model::CustomerStatus::Suspended {
            b.push_str("<p class=\"note\">Your connection comes back in a moment. If it does not, switch your router off and on.</p>");
        }
        b.push_str(&format!("<p class=\"note\">{company}</p></div>"));
        return b;
    }
    let amount = crate::money::grouped_rupees(payer.owed_paise);
    b.push_str(&format!("<p>Amount due to {company}</p><p class=\"amount\" id=\"amount\">₹{amount}</p>"));
    match &payer.upi {
        Some(uri) => {
            let href = escape(uri);
            if let Some(svg) = crate::documents::upi::svg(uri) {
                b.push_str(&format!("<div class=\"qr\" id=\"upi-qr\">{svg}</div>"));
            }
            b.push_str("<p class=\"note\">Scan with any UPI app, or on this phone:</p>");
            b.push_str(&format!("<a class=\"button\" id=\"upi-link\" href=\"{href}\">Pay ₹{amount} by UPI</a>"));
        }
        None if payer.link.is_none() => {
            b.push_str("<p class=\"note\">Please pay at our office or call us.</p>");
        }
        None => {}
    }
    if let Some(link) = &payer.link {
        let class = if payer.upi.is_some() { "button alt" } else { "button" };
        b.push_str(&format!(
            "<a class=\"{class}\" id=\"gateway-link\" href=\"{}\" rel=\"noreferrer\">Pay by card, net banking or wallet</a>",
            escape(link)
        ));
    }
    b.push_str(
        "<p class=\"note\">Your connection comes back within seconds of the payment. If it does not, switch your \
         router off and on.</p></div>",
    );
    b
}

/// The form for the customer number and mobile, with `message` above it.
fn form_body(message: Option<&str>) -> String {
    let mut b = String::from("<h1>Pay your bill</h1><div class=\"card\">");
    match message {
        Some(m) => b.push_str(&format!("<p class=\"error\" id=\"message\">{}</p>", escape(m))),
        None => b.push_str("<p>Enter your customer number and mobile number to see what is due.</p>"),
    }
    b.push_str(
        "<form method=\"post\" action=\"/pay\"><label for=\"customer\">Customer number</label>\
         <input id=\"customer\" name=\"customer\" inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"32\" required>\
         <label for=\"mobile\">Mobile number</label>\
         <input id=\"mobile\" name=\"mobile\" type=\"tel\" inputmode=\"tel\" autocomplete=\"tel\" maxlength=\"32\" required>\
         <button type=\"submit\">Show my bill</button></form></div>",
    );
    b
}

fn notice_body(message: &str) -> String {
    format!("<h1>Pay your bill</h1><div class=\"card\"><p class=\"error\" id=\"message\">{}</p></div>", escape(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::model::CustomerStatus;

    fn payer(owed_paise: i64) -> Payer {
        Payer {
            first_name: "<img src=x>".to_owned(),
            company: "A & B \"Net\"".to_owned(),
            owed_paise,
            status: CustomerStatus::Suspended,
            upi: Some("upi://pay?pa=ab@okaxis&am=1234.50&tn=<x>".to_owned()),
            link: Some("https://pay.example/p?c=1&a=2".to_owned()),
        }
    }

    #[test]
    fn what_the_page_shows_is_escaped() {
        let body = payer_body(&payer(123_450));
        assert!(body.contains("Hello &lt;img src=x&gt;"), "{body}");
        assert!(body.contains("A &amp; B &quot;Net&quot;"), "{body}");
        assert!(body.contains("₹1,234.50"), "{body}");
        assert!(body.contains("href=\"upi://pay?pa=ab@okaxis&amp;am=1234.50&amp;tn=&lt;x&gt;\""), "{body}");
        assert!(body.contains("href=\"https://pay.example/p?c=1&amp;a=2\""), "{body}");
        assert!(!body.contains("<img") && !body.contains("<x>"), "{body}");
    }

    #[test]
    fn nothing_owed_offers_no_payment() {
        let body = payer_body(&payer(0));
        assert!(body.contains("Nothing to pay"), "{body}");
        assert!(!body.contains("upi://") && !body.contains("https://pay.example"), "{body}");
    }
}
