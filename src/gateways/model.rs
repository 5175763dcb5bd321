//! Rows of `payment_gateways`, `gateway_payments` and `gateway_events`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{gateway_events, gateway_payments, payment_gateways};
use crate::payments::model::PaymentMethod;
use crate::text_enum;

text_enum! {
    /// Who runs the gateway; it decides how notifications are signed and read.
    pub enum Provider {
        /// `X-Razorpay-Signature`: hex HMAC-SHA256 of the body.
        Razorpay => "RAZORPAY",
        /// `x-webhook-signature`: base64 HMAC-SHA256 of the timestamp and the body.
        Cashfree => "CASHFREE",
        /// Stored for its settings; its notifications are not accepted yet (README).
        Phonepe => "PHONEPE",
        /// Stored for its settings; its notifications are not accepted yet (README).
        Paytm => "PAYTM",
        /// Our own scheme for any other provider: hex HMAC-SHA256 of `<timestamp>.<body>`.
        GenericHmac => "GENERIC_HMAC",
    }
}

impl Provider {
    /// The provider's part of the webhook path (`/webhooks/<this>/<gatewayId>`).
    pub fn path(self) -> &'static str {
        match self {
            Provider::Razorpay => "razorpay",
            Provider::Cashfree => "cashfree",
            Provider::Phonepe => "phonepe",
            Provider::Paytm => "paytm",
            Provider::GenericHmac => "generic",
        }
    }

    pub fn from_path(path: &str) -> Option<Provider> {
        Provider::ALL.iter().copied().find(|p| p.path() == path)
    }
}

text_enum! {
    /// What became of a notification.
    pub enum EventOutcome {
        /// Its money is a payment of ours.
        Recorded => "RECORDED",
        /// Its money is kept as an unmatched gateway payment.
        Unmatched => "UNMATCHED",
        /// The same payment (the same id or UTR, with the same amount, currency and customer)
        /// was already reported by an earlier notification.
        Duplicate => "DUPLICATE",
        /// Not a captured payment (a failure, an authorisation, another event): nothing to record.
        Ignored => "IGNORED",
    }
}

crate::row_and_new! {
    table = payment_gateways;

    /// A row of `payment_gateways`; the webhook secret is sealed (see [`crate::secrets`]).
    #[derive(Debug, Clone, Queryable)]
    pub struct GatewayRow {
        pub id: i64,
        ..NewGateway
    }

    #[derive(Debug, Clone, Insertable)]
    pub struct NewGateway {
        pub company_id: i64,
        pub provider: Provider,
        pub key_id: String,
        pub webhook_secret_sealed: String,
        pub is_active: bool,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
    }
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = payment_gateways)]
pub struct GatewayChanges {
    pub key_id: Option<String>,
    pub webhook_secret_sealed: Option<String>,
    pub is_active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

crate::row_and_new! {
    table = gateway_payments;

    /// A row of `gateway_payments`: money a gateway reported as captured. `payment_id` is the
    /// payment of ours it became; `None` while it is unmatched (`unmatched_reason` says why).
    /// `gateway_payment_id` is exactly what the gateway signed; `conflict_no` is how many rows held
    /// that id before this one (the same id reported again with other money is kept, not dropped).
    #[derive(Debug, Clone, Queryable)]
    pub struct GatewayPaymentRow {
        pub id: i64,
        ..NewGatewayPayment
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewGatewayPayment {
        pub gateway_id: i64,
        pub gateway_payment_id: String,
        pub amount_paise: i64,
        pub currency: String,
        pub method: PaymentMethod,
        pub utr: Option<String>,
        pub customer_ref: Option<String>,
        pub invoice_ref: Option<String>,
        pub payment_id: Option<i64>,
        pub unmatched_reason: Option<String>,
        pub paid_at: NaiveDateTime,
        pub assigned_by: Option<i64>,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
        pub conflict_no: i32,
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = gateway_events)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewGatewayEvent {
    pub gateway_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub outcome: EventOutcome,
    pub gateway_payment_id: Option<i64>,
    pub received_at: NaiveDateTime,
    /// How many rows held this event id before (an id delivered again with other money).
    pub conflict_no: i32,
}

impl GatewayRow {
    /// The fields `updatePaymentGateway` records from → to; the webhook secret is hidden (the
    /// log says it changed, never what it is, sealed or not).
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{hidden, name, v};
        vec![
            ("provider", name(&self.provider)),
            ("keyId", v(&self.key_id)),
            ("webhookSecret", hidden(&self.webhook_secret_sealed)),
            ("isActive", v(&self.is_active)),
        ]
    }
}
