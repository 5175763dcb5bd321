//! Live events at `/graphql/ws` (both `graphql-transport-ws` and the older `graphql-ws`):
//! new and changed complaints, new connection requests, and the viewer's notifications.
//!
//! Events come from [`Events`] after their transaction commits. Each event is checked against
//! the subscriber's rights (a customer gets only their own) and login: logged out, deactivated
//! or given another role since subscribing ends the subscription with an error. Events resolve
//! afresh (the subscription's loaders do not cache). A subscriber that falls more than
//! `events::CAPACITY` events behind gets an error (code `LAGGED`), then the newest events; so
//! does every subscriber when this server may have missed events other servers on the same
//! PostgreSQL committed (its listener was away too long, `cluster::listener`).

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, Result, Subscription};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::socket_limits::{Slot, SocketFeed, SubscriptionLimits};
use super::websocket_login::WebsocketLogin;
use crate::auth::guard::{require, Require};
use crate::auth::permissions::Permission;
use crate::auth::RequestAuth;
use crate::complaints::graphql::{Complaint, ComplaintFilterInput};
use crate::connection_requests::graphql::ConnectionRequest;
use crate::db::Db;
use crate::error::codes;
use crate::events::{Event, Events};
use crate::notifications::graphql::{viewer, Notification};

#[derive(Default)]
pub struct SubscriptionRoot;

/// Events as they come, or how many were missed.
fn live(events: &Events) -> impl Stream<Item = Result<Arc<Event>, u64>> {
    stream::unfold(events.subscribe(), |mut rx| async move {
        match rx.recv().await {
            // Another server's events may be lost (see `cluster::listener`): as if lagging.
            Ok(event) if matches!(*event, Event::Missed) => Some((Err(0), rx)),
            Ok(event) => Some((Ok(event), rx)),
            Err(RecvError::Lagged(missed)) => Some((Err(missed), rx)),
            Err(RecvError::Closed) => None,
        }
    })
}

/// Whether the subscriber may still receive events: over a websocket the token is checked
/// again for every event (once per socket: its subscriptions share the outcome), and the
/// account must be as it was when the subscription started (not logged out, deactivated, or
/// given another role). `Err` says why not; the stream ends.
async fn still_allowed(ctx: &Context<'_>, event: &Arc<Event>) -> Result<(), async_graphql::Error> {
    let (Some(login), Some(db)) = (ctx.data_opt::<WebsocketLogin>(), ctx.data_opt::<Db>()) else { return Ok(()) };
    let check = || async {
        let auth = crate::auth::session::authenticate(db, Some(&login.token), login.client_address.clone()).await;
        auth.map(|a| (a.principal, a.no_login)).map_err(|_| ())
    };
    let now = match ctx.data_opt::<Arc<SocketFeed>>() {
        Some(socket) => socket.login_at(event, check).await,
        None => check().await,
    };
    let Ok(now) = now else {
        return Err(ended(codes::UNAUTHENTICATED, "your session could not be checked; subscribe again"));
    };
    match (now, ctx.data_opt::<RequestAuth>().and_then(|a| a.principal.as_ref())) {
        ((None, why), _) => {
            Err(ended(codes::UNAUTHENTICATED, why.message()).extend_with(|_, e| e.set("reason", why.reason())))
        }
        ((Some(now), _), Some(then)) if &now == then => Ok(()),
        _ => Err(ended(codes::FORBIDDEN, "your access changed; subscribe again")),
    }
}

/// A place for one more subscription of the caller on this socket (see `socket_limits`);
/// `None` off a websocket, where nothing is counted.
fn take_place(ctx: &Context<'_>) -> Result<Option<Slot>> {
    let (Some(socket), Some(limits)) = (ctx.data_opt::<Arc<SocketFeed>>(), ctx.data_opt::<SubscriptionLimits>()) else {
        return Ok(None);
    };
    let Some(who) = ctx.data_opt::<RequestAuth>().and_then(|a| a.principal.as_ref()) else { return Ok(None) };
    limits.acquire(socket, who).map(Some).map_err(|message| {
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", codes::TOO_MANY_REQUESTS))
    })
}

fn lagged() -> async_graphql::Error {
    async_graphql::Error::new("you fell behind and missed events; refetch the list to catch up (newer events follow)")
        .extend_with(|_, e| e.set("code", codes::LAGGED))
}

/// An error that ends the subscription.
fn ended(code: &'static str, message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code);
        e.set("ended", true);
    })
}

/// The events `pick` keeps (as the values it makes of them), for as long as the subscriber may
/// still receive them ([`still_allowed`]), with a `LAGGED` error where it fell behind. The
/// subscription holds its place under the socket's and account's caps while it lives.
fn feed<'a, T, F>(ctx: &Context<'a>, pick: F) -> Result<impl Stream<Item = Result<T>> + 'a>
where
    F: Fn(&Event) -> Option<T> + Send + Sync + 'a,
    T: Send + 'a,
{
    let place = take_place(ctx)?;
    let ctx = ctx.clone();
    let pick = Arc::new(pick);
    Ok(live(ctx.data_unchecked::<Events>())
        .filter_map(move |item| {
            let (ctx, pick) = (ctx.clone(), Arc::clone(&pick));
            async move {
                let (value, event) = match item {
                    Err(_missed) => return Some(Err(lagged())),
                    Ok(event) => (pick(&event)?, event),
                };
                if let Err(e) = still_allowed(&ctx, &event).await {
                    return Some(Err(e));
                }
                Some(Ok(value))
            }
        })
        .map(move |item| {
            let _held = &place;
            item
        })
        .take_until_logged_out())
}

/// The live complaints of one kind (`created` or updated) the caller may see, filtered.
fn complaints<'a>(
    ctx: &Context<'a>,
    filter: Option<ComplaintFilterInput>,
    created: bool,
) -> Result<impl Stream<Item = Result<Complaint>> + 'a> {
    let filter = filter.unwrap_or_default().into_filter()?;
    let access = require(ctx, Permission::ReadComplaints)?;
    feed(ctx, move |event| {
        let row = match (event, created) {
            (Event::ComplaintCreated(row), true) | (Event::ComplaintUpdated(row), false) => row,
            _ => return None,
        };
        let visible = access.reaches(row.customer_id) && filter.matches(row);
        visible.then(|| Complaint(row.clone()))
    })
}

/// Ends a stream right after it reported an error that ends it ([`ended`]), without waiting
/// for another event.
trait TakeUntilLoggedOut: Stream + Sized {
    fn take_until_logged_out(self) -> impl Stream<Item = Self::Item>;
}

impl<S, T> TakeUntilLoggedOut for S
where
    S: Stream<Item = Result<T>> + Send,
{
    fn take_until_logged_out(self) -> impl Stream<Item = Result<T>> {
        stream::unfold((Box::pin(self), false), |(mut inner, ended)| async move {
            if ended {
                return None;
            }
            let item = inner.next().await?;
            let ends = matches!(&item, Err(e) if e.extensions.as_ref().and_then(|x| x.get("ended")).is_some());
            Some((item, (inner, ends)))
        })
    }
}

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Each complaint filed from now on (optionally only those matching `filter`). Staff see
    /// all; a customer only their own.
    #[graphql(guard = "Require(Permission::ReadComplaints)")]
    async fn complaint_created<'a>(
        &self,
        ctx: &Context<'a>,
        filter: Option<ComplaintFilterInput>,
    ) -> Result<impl Stream<Item = Result<Complaint>> + 'a> {
        complaints(ctx, filter, true)
    }

    /// Each change to a complaint from now on (status, assignment, priority, text), as the
    /// complaint after the change; `filter` applies to that state.
    #[graphql(guard = "Require(Permission::ReadComplaints)")]
    async fn complaint_updated<'a>(
        &self,
        ctx: &Context<'a>,
        filter: Option<ComplaintFilterInput>,
    ) -> Result<impl Stream<Item = Result<Complaint>> + 'a> {
        complaints(ctx, filter, false)
    }

    /// Each connection request from the website from now on (staff who manage customers).
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn connection_request_created<'a>(
        &self,
        ctx: &Context<'a>,
    ) -> Result<impl Stream<Item = Result<ConnectionRequest>> + 'a> {
        feed(ctx, |event| match event {
            Event::ConnectionRequestCreated(row) => Some(ConnectionRequest(row.clone())),
            _ => None,
        })
    }

    /// Your notifications as they are made (staff or customer).
    async fn notification_received<'a>(
        &self,
        ctx: &Context<'a>,
    ) -> Result<impl Stream<Item = Result<Notification>> + 'a> {
        let me = viewer(ctx)?;
        feed(ctx, move |event| match event {
            Event::NotificationCreated(row) if row.is_for(me) => Some(Notification(row.clone())),
            _ => None,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    pub(crate) use crate::events::tests::complaint;

    #[tokio::test]
    async fn a_lagging_subscriber_is_told_what_it_missed_and_goes_on() {
        let events = Events::with_capacity(2);
        let stream = live(&events);
        futures_util::pin_mut!(stream);
        for id in 1..=5 {
            events.publish(complaint(id)); // never waits for the subscriber
        }
        assert_eq!(stream.next().await.map(|r| r.err()), Some(Some(3)), "3 events missed");
        for expected in [4, 5] {
            match stream.next().await {
                Some(Ok(event)) => assert!(matches!(&*event, Event::ComplaintCreated(r) if r.id == expected)),
                other => panic!("expected event {expected}, got {other:?}"),
            }
        }
    }
}
