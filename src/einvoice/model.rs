use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::einvoice_registrations;
use crate::series::model::DocumentType;

crate::row_and_new! {
    table = einvoice_registrations;

    /// What the Invoice Registration Portal returned for one document: written once.
    #[derive(Debug, Clone, Queryable)]
    pub struct EinvoiceRow {
        pub id: i64,
        ..NewEinvoice
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewEinvoice {
        pub company_id: i64,
        pub document: DocumentType,
        pub document_id: i64,
        /// 64 lower-case hex characters.
        pub irn: String,
        pub ack_no: String,
        /// When the portal acknowledged it (UTC).
        pub ack_date: NaiveDateTime,
        /// The signed QR code (a JWS) as returned.
        pub signed_qr: String,
        /// The staff member who recorded it.
        pub recorded_by: Option<i64>,
        pub created_at: NaiveDateTime,
    }
}
