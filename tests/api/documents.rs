//! The GraphQL documents tests share: the fixtures send them to set up data, and the feature
//! files send the same ones where the operation itself is under test. A document used by one
//! file only stays in that file.

/// Logs in; variables `u` (username) and `p` (password).
pub const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";

pub const CREATE_COMPANY: &str = "mutation($input: CreateCompanyInput!) {
    createCompany(input: $input) { id name gstin state address phone email gstRate createdAt updatedAt }
}";
pub const CREATE_PLAN: &str = "mutation($input: CreatePlanInput!) {
    createPlan(input: $input) { id name description serviceType speed dataLimit price validityDays isActive company { id name } }
}";
pub const CREATE_LOCALITY: &str = "mutation($input: CreateLocalityInput!) {
    createLocality(input: $input) { id name city state pincode company { id name } }
}";

pub const CREATE_EMPLOYEE: &str =
    "mutation($i: CreateEmployeeInput!) { createEmployee(input: $i) { id username role isActive } }";

pub const CREATE_CUSTOMER: &str = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) {
    id customerId cafNo username fullName mobile state status serviceType billingType periodMonths startDate endDate
    plan { name } company { name }
    invoices { invoiceNumber status billAmount cgstTax sgstTax igstTax installationCharges discount totalAmount
               paidAmount balanceAmount invoiceDate dueDate billingPeriodStart billingPeriodEnd }
} }";

pub const CREATE_INVOICE: &str = "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) {
    id invoiceNumber status billAmount cgstTax sgstTax igstTax totalAmount paidAmount balanceAmount dueDate } }";
pub const CREATE_PAYMENT: &str = "mutation($i: CreatePaymentInput!) { createPayment(input: $i) {
    id paymentId status amount allocatedAmount advanceAmount refundedAmount
    invoice { id status paidAmount balanceAmount } } }";
pub const SET_INVOICE_STATUS: &str =
    "mutation($id: ID!, $s: InvoiceStatus!) { updateInvoiceStatus(id: $id, status: $s) { id status sentAt } }";
pub const CREATE_REFUND: &str = "mutation($i: CreateRefundInput!) { createRefund(input: $i) {
    id refundId amount reason approvedBy { fullName } payment { refundedAmount } } }";

/// Everything the money invariants ([`crate::helpers::check_invariants`]) need about one
/// customer; variable `id` (the customer).
pub const ACCOUNT: &str = "query($id: ID!) { node(id: $id) { ... on Customer {
    balance advanceAmount
    invoices(first: 100) { id status totalAmount paidAmount balanceAmount }
    transactions(first: 100) { transactionId transactionType amount balanceChange balanceAfter }
    payments(first: 100) { id status amount allocatedAmount refundedAmount advanceAmount
                           allocations { invoice { id } amount } }
} } }";

pub const CREATE_COMPLAINT: &str = "mutation($i: CreateComplaintInput!) { createComplaint(input: $i) {
    id complaintId status priority category resolvedAt customer { fullName } assignedEmployee { fullName } } }";
pub const UPDATE_COMPLAINT: &str =
    "mutation($id: ID!, $i: UpdateComplaintInput!) { updateComplaint(id: $id, input: $i) {
    id status resolvedAt assignedEmployee { fullName } } }";

/// The website's form (public: no token needed).
pub const CREATE_CONNECTION_REQUEST: &str =
    "mutation($i: CreateConnectionRequestInput!) { createConnectionRequest(input: $i) { reference message } }";
