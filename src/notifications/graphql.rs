//! The `Notification` type, the viewer's `notifications`, `markNotificationsRead` and
//! `sendPlanExpiryReminders`.

use async_graphql::{Context, Object, Result, ID};

use super::model::{NotificationKind, NotificationRow, Recipient, WebhookStatus};
use super::repo;
use crate::auth::guard::principal;
use crate::auth::guard::Require;
use crate::auth::permissions::Permission;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::graphql::context::db;
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::DateTime;

/// A message for one staff member or customer.
pub struct Notification(pub NotificationRow);

impl Notification {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Notification;
}

/// Who the caller is, as a notification recipient.
pub fn viewer(ctx: &Context<'_>) -> AppResult<Recipient> {
    Ok(match principal(ctx)? {
        Principal::Employee { id, .. } => Recipient::employee(*id),
        Principal::Customer { id, .. } => Recipient::customer(*id),
    })
}

#[Object]
impl Notification {
    /// Opaque ID, unique across all types.
    async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    async fn kind(&self) -> Result<NotificationKind> {
        Ok(self.0.kind)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The ID of what it is about (a complaint, payment, invoice, customer or connection
    /// request); fetch it with `node(id:)`.
    async fn subject_id(&self) -> Option<ID> {
        self.0.subject_id.clone().map(ID)
    }
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }
    async fn read_at(&self) -> Option<DateTime> {
        self.0.read_at.map(DateTime)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// Delivery to the operator's SMS/WhatsApp webhook.
    async fn webhook_status(&self) -> Result<WebhookStatus> {
        Ok(self.0.webhook_status)
    }
    async fn webhook_attempts(&self) -> i32 {
        self.0.webhook_attempts
    }
    /// Why the last delivery try failed, if it did (staff only; `null` for customers).
    async fn webhook_last_error(&self, ctx: &Context<'_>) -> Option<&str> {
        match principal(ctx) {
            Ok(Principal::Employee { .. }) => self.0.webhook_last_error.as_deref(),
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// Your notifications (staff or customer), oldest first; `last:` gives the newest.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those not yet read.", default)] unread_only: bool,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Notification>> {
        let recipient = viewer(ctx)?;
        let window = PageArgs::new(first, after, last, before).window()?;
        let page = db(ctx).read(move |conn| repo::page(conn, recipient, unread_only, window)).await?;
        Ok(connection(page, |row| row.id, Notification))
    }
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks your notifications read: those in `ids`, or all of them when `ids` is left out.
    /// Returns how many changed.
    async fn mark_notifications_read(&self, ctx: &Context<'_>, ids: Option<Vec<ID>>) -> Result<i32> {
        let recipient = viewer(ctx)?;
        let ids = ids
            .map(|ids| ids.iter().map(|id| expect_id("ids", Notification::KIND, id)).collect::<AppResult<Vec<_>>>())
            .transpose()?;
        let changed =
            db(ctx).write(move |conn| repo::mark_read(conn, recipient, ids.as_deref(), crate::clock::now())).await?;
        Ok(i32::try_from(changed).unwrap_or(i32::MAX))
    }

    /// Sends the plan-expiry reminders due now (plans ending within 7, 3 or 1 days; each
    /// reminder once). The server also does this every hour by itself. Returns how many were sent.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn send_plan_expiry_reminders(&self, ctx: &Context<'_>) -> Result<i32> {
        let sent = super::reminders::run(db(ctx), ctx.data_unchecked(), ctx.data_unchecked()).await?;
        Ok(i32::try_from(sent).unwrap_or(i32::MAX))
    }
}
