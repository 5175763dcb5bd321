//! Tax invoices and credit notes as documents a customer can be sent (CGST Rules 46 and 53):
//! [`source`] reads what a document shows, [`html`] and [`pdf`] render it the same way.

pub mod html;
pub mod model;
pub mod pdf;
pub mod source;
pub mod text;
pub mod words;
