//! The GraphQL schema: per-area roots merged into one, with limits and error codes.

pub mod access;
pub mod context;
pub mod errors;
pub mod ids;
pub mod input_fields;
pub mod loader_cache;
pub mod loaders;
pub mod node;
pub mod pagination;
pub mod parse;
pub mod query_guard;
pub mod request_hooks;
pub mod scalars;
pub mod shown;
pub mod socket_limits;
pub mod subscriptions;
pub mod websocket_login;

use async_graphql::{MergedObject, Schema};

use crate::addons::graphql::{AddonMutation, AddonQuery};
use crate::amendments::graphql::AmendmentMutation;
use crate::audit::graphql::AuditQuery;
use crate::auth::graphql::{AuthMutation, AuthQuery};
use crate::auth::AuthSettings;
use crate::billing_cycle::graphql::{BillingCycleMutation, BillingCycleQuery, BillingPreviewQuery};
use crate::companies::graphql::{CompanyMutation, CompanyQuery};
use crate::complaints::graphql::ComplaintQuery;
use crate::complaints::mutations::ComplaintMutation;
use crate::connection_requests::graphql::{ConnectionRequestMutation, ConnectionRequestQuery, RequestLimit};
use crate::credit_notes::graphql::CreditNoteQuery;
use crate::customers::graphql::CustomerQuery;
use crate::customers::mutations::CustomerMutation;
use crate::dashboard::graphql::DashboardQuery;
use crate::db::Db;
use crate::downloads::graphql::DownloadQuery;
use crate::einvoice::graphql::EinvoiceMutation;
use crate::employees::graphql::{EmployeeMutation, EmployeeQuery};
use crate::events::Events;
use crate::expenses::graphql::{ExpenseMutation, ExpenseQuery};
use crate::gateways::graphql::{GatewayMutation, GatewayQuery};
use crate::gst_periods::graphql::{GstPeriodMutation, GstPeriodQuery};
use crate::gstr1::graphql::Gstr1Query;
use crate::id_vault::graphql::{IdVaultMutation, IdVaultQuery};
use crate::invoices::graphql::InvoiceQuery;
use crate::invoices::mutations::InvoiceMutation;
use crate::ledger::graphql::LedgerQuery;
use crate::localities::graphql::{LocalityMutation, LocalityQuery};
use crate::network::graphql::NetworkQuery;
use crate::network::mutations::NetworkMutation;
use crate::notifications::graphql::{NotificationMutation, NotificationQuery};
use crate::notifications::Outbox;
use crate::payments::graphql::PaymentQuery;
use crate::payments::mutations::PaymentMutation;
use crate::plans::graphql::{PlanMutation, PlanQuery};
use crate::refunds::graphql::{RefundMutation, RefundQuery};
use crate::reports::graphql::ReportQuery;
use crate::service_pauses::mutations::ServicePauseMutation;

/// Deepest selection nesting accepted (GraphiQL's introspection query fits well within it).
pub const MAX_DEPTH: usize = 20;
/// Deepest nesting the parser reads at all (protects its stack).
pub const MAX_RECURSION: usize = 96;
/// Largest query cost accepted; connection fields cost their page size times their selection.
pub const MAX_COMPLEXITY: usize = 20_000;

/// The root types are named `Query`, `Mutation` and `Subscription`, as codegen tools and most
/// public schemas expect.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    node::NodeQuery,
    AuthQuery,
    EmployeeQuery,
    AuditQuery,
    CompanyQuery,
    LocalityQuery,
    PlanQuery,
    CustomerQuery,
    InvoiceQuery,
    PaymentQuery,
    LedgerQuery,
    RefundQuery,
    CreditNoteQuery,
    Gstr1Query,
    GstPeriodQuery,
    ExpenseQuery,
    GatewayQuery,
    DashboardQuery,
    ReportQuery,
    DownloadQuery,
    BillingCycleQuery,
    BillingPreviewQuery,
    AddonQuery,
    ComplaintQuery,
    ConnectionRequestQuery,
    NotificationQuery,
    IdVaultQuery,
    NetworkQuery,
);

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    AuthMutation,
    EmployeeMutation,
    CompanyMutation,
    LocalityMutation,
    PlanMutation,
    CustomerMutation,
    ServicePauseMutation,
    InvoiceMutation,
    GstPeriodMutation,
    AmendmentMutation,
    PaymentMutation,
    RefundMutation,
    AddonMutation,
    ComplaintMutation,
    ConnectionRequestMutation,
    NotificationMutation,
    ExpenseMutation,
    GatewayMutation,
    BillingCycleMutation,
    EinvoiceMutation,
    IdVaultMutation,
    NetworkMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, subscriptions::SubscriptionRoot>;

/// What resolvers find in the schema's data.
#[derive(Clone)]
pub struct SchemaData {
    pub db: Db,
    pub auth: AuthSettings,
    pub events: Events,
    pub outbox: Outbox,
    pub connection_requests_per_hour: RequestLimit,
    pub subscription_limits: socket_limits::SubscriptionLimits,
    /// How long one operation may run (`ISP_REQUEST_TIMEOUT_SECONDS`).
    pub request_timeout: RequestTimeout,
    /// Runs the billing cycle, one run at a time.
    pub billing: crate::billing_cycle::scheduler::Runner,
    pub gateways: crate::gateways::service::GatewaySettings,
    /// How download links are made.
    pub download_links: crate::downloads::links::Settings,
    /// The identity vault's keys (`ISP_ID_VAULT_KEY`).
    pub id_vault: crate::id_vault::key::IdVault,
    /// Where the dashboard and the reports read (a replica with `DATABASE_READ_URL`).
    pub reporting: context::ReportingDb,
}

/// How long one GraphQL operation may run before it is stopped and answered with an error.
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeout(pub std::time::Duration);

/// The schema with [`request_hooks::RequestHooks`] (websockets, and printing the SDL when
/// `data` is `None`). Its hooks enforce [`MAX_COMPLEXITY`], naming the query's cost.
pub fn build_schema(data: Option<SchemaData>) -> AppSchema {
    builder(data).extension(request_hooks::RequestHooks).finish()
}

/// The same schema without any extension, for `POST /graphql`: async-graphql resolves each
/// field by a shorter path when a schema has no extensions (no per-field extension chain or
/// type lookup), which was a large share of a profile request's CPU. The HTTP handler does
/// what the hooks do: parse, default deny, error codes (`parse::parse_and_check`,
/// `request_hooks::code_errors`).
pub fn build_http_schema(data: SchemaData) -> AppSchema {
    // Without extensions the complexity limit is async-graphql's own, whose error does not
    // say the cost; the HTTP handler then asks the hooked schema for the full answer.
    builder(Some(data)).limit_complexity(MAX_COMPLEXITY).finish()
}

fn builder(
    data: Option<SchemaData>,
) -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, subscriptions::SubscriptionRoot> {
    let mut builder = Schema::build(QueryRoot::default(), MutationRoot::default(), subscriptions::SubscriptionRoot)
        .limit_depth(MAX_DEPTH)
        // The parser's own nesting guard sits above MAX_DEPTH, so that a deep query is
        // refused by the depth rule with its clearer message.
        .limit_recursive_depth(MAX_RECURSION)
        // Business dates (invoice and due dates, plan periods) use it; listed from day one.
        .register_output_type::<scalars::Date>();
    if let Some(d) = data {
        builder = builder
            .data(d.db)
            .data(d.auth)
            .data(d.events)
            .data(d.outbox)
            .data(d.connection_requests_per_hour)
            .data(d.subscription_limits)
            .data(d.request_timeout)
            .data(d.billing)
            .data(d.gateways)
            .data(d.download_links)
            .data(d.id_vault)
            .data(d.reporting);
    }
    builder
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None).sdl()
}
