use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::notifications;
use crate::text_enum;

text_enum! {
    /// What a notification is about.
    pub enum NotificationKind {
        /// A complaint was assigned to you (staff).
        ComplaintAssigned => "COMPLAINT_ASSIGNED",
        /// Your complaint moved on (customer).
        ComplaintStatusChanged => "COMPLAINT_STATUS_CHANGED",
        /// Your payment was received (customer).
        PaymentReceived => "PAYMENT_RECEIVED",
        /// An invoice was sent to you (customer).
        InvoiceIssued => "INVOICE_ISSUED",
        /// Your plan ends within 7, 3 or 1 days (customer).
        PlanExpiring => "PLAN_EXPIRING",
        /// Somebody asked for a connection on the website (staff).
        ConnectionRequest => "CONNECTION_REQUEST",
        /// An invoice of yours is past its due date and unpaid (customer).
        InvoiceOverdue => "INVOICE_OVERDUE",
        /// Your service was suspended for unpaid dues (customer).
        ServiceSuspended => "SERVICE_SUSPENDED",
        /// Your service is active again after a payment (customer).
        ServiceReactivated => "SERVICE_REACTIVATED",
    }
}

text_enum! {
    /// Where a notification stands with the operator's webhook.
    pub enum WebhookStatus {
        /// No webhook is configured.
        None => "NONE",
        /// Waiting to be delivered (or retried).
        Pending => "PENDING",
        Delivered => "DELIVERED",
        /// Given up after repeated failures (`webhookLastError` says why).
        Failed => "FAILED",
    }
}

/// Who a notification is for: `kind` is `EMPLOYEE` or `CUSTOMER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient {
    pub kind: &'static str,
    pub id: i64,
}

impl Recipient {
    pub fn employee(id: i64) -> Self {
        Recipient { kind: crate::auth::model::EMPLOYEE, id }
    }
    pub fn customer(id: i64) -> Self {
        Recipient { kind: crate::auth::model::CUSTOMER, id }
    }
}

crate::row_and_new! {
    table = notifications;

    /// A row of `notifications`.
    #[derive(Debug, Clone, Queryable)]
    pub struct NotificationRow {
        pub id: i64,
        ..NewNotification
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewNotification {
        pub recipient_kind: String,
        pub recipient_id: i64,
        pub kind: NotificationKind,
        pub title: String,
        pub body: String,
        pub subject_id: Option<String>,
        pub dedupe_key: Option<String>,
        pub read_at: Option<NaiveDateTime>,
        pub created_at: NaiveDateTime,
        pub webhook_status: WebhookStatus,
        pub webhook_attempts: i32,
        pub webhook_next_at: Option<NaiveDateTime>,
        pub webhook_last_error: Option<String>,
    }
}

impl NotificationRow {
    pub fn is_for(&self, recipient: Recipient) -> bool {
        self.recipient_kind == recipient.kind && self.recipient_id == recipient.id
    }
}
