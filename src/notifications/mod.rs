//! Notifications: stored per recipient (a staff member or a customer), made by events in the
//! same transaction (complaint assigned or status changed, payment received, invoice issued,
//! plan expiring in 7/3/1 days, new connection request), pushed to the recipient's
//! `notificationReceived` subscription after the commit, and, when an operator configures
//! `ISP_WEBHOOK_URL`, delivered to their SMS or WhatsApp gateway by a background worker
//! (HMAC-signed, retried with backoff, status stored) that never delays the transaction.

pub mod graphql;
pub mod model;
pub mod reminders;
pub mod repo;
pub mod webhook;

use model::{NewNotification, NotificationKind, NotificationRow, Recipient, WebhookStatus};

/// What a transaction needs to make notifications: whether they go to the webhook too.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outbox {
    pub webhook: bool,
}

impl Outbox {
    /// A notification for `recipient`, ready to insert with [`repo::insert`].
    pub fn draft(
        &self,
        recipient: Recipient,
        kind: NotificationKind,
        title: String,
        body: String,
        subject_id: Option<String>,
    ) -> NewNotification {
        NewNotification {
            recipient_kind: recipient.kind.to_owned(),
            recipient_id: recipient.id,
            kind,
            title,
            body,
            subject_id,
            dedupe_key: None,
            read_at: None,
            created_at: crate::clock::now(),
            webhook_status: if self.webhook { WebhookStatus::Pending } else { WebhookStatus::None },
            webhook_attempts: 0,
            webhook_next_at: self.webhook.then(crate::clock::now),
            webhook_last_error: None,
        }
    }
}

impl Outbox {
    /// Stores a notification for `recipient` in the caller's transaction.
    pub fn notify(
        &self,
        conn: &mut crate::db::DbConn,
        recipient: Recipient,
        kind: NotificationKind,
        title: String,
        body: String,
        subject_id: Option<String>,
    ) -> crate::error::AppResult<Vec<NotificationRow>> {
        let new = self.draft(recipient, kind, title, body, subject_id);
        Ok(repo::insert(conn, &new)?.into_iter().collect())
    }
}
