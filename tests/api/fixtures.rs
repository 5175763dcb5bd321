//! Builders for the data tests need, made through the API as the admin (so fixtures obey the
//! same rules as real data). Every builder starts from sensible defaults; a test sets only what
//! it is about, then calls `create`:
//!
//! ```ignore
//! let company = app.company().name("Alpha Net").create().await;
//! let old = app.plan(&company).name("Old 20").inactive().create().await;
//! let bb = app.catalogue("499.00").await.broadband;
//! let (customer, invoice) = app.customer("ravi", &bb).set("periodMonths", 1).create_with_invoice().await;
//! let collector = app.staff("kiran", Role::Collector).await;
//! ```
//!
//! Builders return global IDs (or the mutation's payload where tests read more of it).

use serde::Serialize;
use serde_json::{json, Value};

use crate::documents::{
    CREATE_COMPANY, CREATE_CUSTOMER, CREATE_EMPLOYEE, CREATE_INVOICE, CREATE_LOCALITY, CREATE_PAYMENT, CREATE_PLAN,
};
use crate::helpers::TestApp;

/// Password of customers made by [`TestApp::customer`].
pub const CUSTOMER_PASSWORD: &str = "customer-pass-1";
/// Password of staff made by [`TestApp::employee`] unless told otherwise.
pub const STAFF_PASSWORD: &str = "staff-password";

/// The `id` of a mutation's payload.
fn id_of(payload: &Value) -> String {
    payload["id"].as_str().unwrap_or_else(|| panic!("no id in {payload:#}")).to_owned()
}

/// `value` as JSON, for the builders' setters.
fn to_json(value: impl Serialize) -> Value {
    serde_json::to_value(value).expect("a JSON value")
}

/// The GSTIN of the default test company (Maharashtra).
pub const COMPANY_GSTIN: &str = "27AAPFU0939F1ZV";

/// A company (`createCompany`).
pub struct CompanyBuilder<'a> {
    app: &'a TestApp,
    input: Value,
}

impl CompanyBuilder<'_> {
    pub fn name(mut self, name: &str) -> Self {
        self.input["name"] = json!(name);
        self
    }

    /// Sets any `CreateCompanyInput` field.
    pub fn set(mut self, field: &str, value: impl Serialize) -> Self {
        self.input[field] = to_json(value);
        self
    }

    /// Creates the company; returns its ID. The default GSTIN goes when another state is set
    /// (a GSTIN belongs to one state).
    pub async fn create(mut self) -> String {
        if self.input["gstin"] == COMPANY_GSTIN && self.input["state"] != "Maharashtra" {
            self.input["gstin"] = Value::Null;
        }
        id_of(&self.app.data(CREATE_COMPANY, json!({ "input": self.input })).await["createCompany"])
    }
}

/// A plan of a company (`createPlan`).
pub struct PlanBuilder<'a> {
    app: &'a TestApp,
    input: Value,
}

impl PlanBuilder<'_> {
    pub fn name(mut self, name: &str) -> Self {
        self.input["name"] = json!(name);
        self
    }

    /// `BROADBAND` or `CABLE_TV`.
    pub fn service_type(mut self, service_type: &str) -> Self {
        self.input["serviceType"] = json!(service_type);
        self
    }

    /// The price per `validityDays` (30 unless set) in rupees, as the API takes `Money` ("499.00").
    pub fn price(mut self, price: &str) -> Self {
        self.input["price"] = json!(price);
        self
    }

    /// Sets any `CreatePlanInput` field: `.set("validityDays", 90)`.
    pub fn set(mut self, field: &str, value: impl Serialize) -> Self {
        self.input[field] = to_json(value);
        self
    }

    /// Not open to new customers (plans are active by default).
    pub fn inactive(mut self) -> Self {
        self.input["isActive"] = json!(false);
        self
    }

    /// Creates the plan; returns its ID.
    pub async fn create(self) -> String {
        id_of(&self.app.data(CREATE_PLAN, json!({ "input": self.input })).await["createPlan"])
    }
}

/// A locality of a company (`createLocality`).
pub struct LocalityBuilder<'a> {
    app: &'a TestApp,
    input: Value,
}

impl LocalityBuilder<'_> {
    pub fn name(mut self, name: &str) -> Self {
        self.input["name"] = json!(name);
        self
    }

    pub fn pincode(mut self, pincode: &str) -> Self {
        self.input["pincode"] = json!(pincode);
        self
    }

    /// Creates the locality; returns its ID.
    pub async fn create(self) -> String {
        id_of(&self.app.data(CREATE_LOCALITY, json!({ "input": self.input })).await["createLocality"])
    }
}

/// A customer (`createCustomer`); the API raises the customer's opening invoice with it.
pub struct CustomerBuilder<'a> {
    app: &'a TestApp,
    input: Value,
}

impl CustomerBuilder<'_> {
    /// Sets one field of `CreateCustomerInput`: `.set("periodMonths", 1)`.
    pub fn set(mut self, field: &str, value: impl Serialize) -> Self {
        self.input[field] = to_json(value);
        self
    }

    /// The `CreateCustomerInput` as it stands (to send it where it must be refused).
    pub fn input(&self) -> Value {
        self.input.clone()
    }

    /// Creates the customer; returns the `createCustomer` payload (see
    /// [`CREATE_CUSTOMER`]: the customer with its invoices).
    pub async fn create(self) -> Value {
        self.app.data(CREATE_CUSTOMER, json!({ "i": self.input })).await["createCustomer"].clone()
    }

    /// Creates the customer; returns (customer ID, ID of its opening invoice).
    pub async fn create_with_invoice(self) -> (String, String) {
        let app = self.app;
        let id = id_of(&self.create().await);
        let invoice = app.first_invoice(&id).await;
        (id, invoice)
    }
}

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Manager,
    Collector,
    Support,
}

impl Role {
    /// The `EmployeeRole` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Manager => "MANAGER",
            Role::Collector => "COLLECTOR",
            Role::Support => "SUPPORT",
        }
    }
}

/// A staff account (`createEmployee`).
pub struct EmployeeBuilder<'a> {
    app: &'a TestApp,
    input: Value,
}

impl EmployeeBuilder<'_> {
    pub fn full_name(mut self, full_name: &str) -> Self {
        self.input["fullName"] = json!(full_name);
        self
    }

    pub fn password(mut self, password: &str) -> Self {
        self.input["password"] = json!(password);
        self
    }

    /// Creates the account; returns its ID.
    pub async fn create(self) -> String {
        id_of(&self.app.data(CREATE_EMPLOYEE, json!({ "i": self.input })).await["createEmployee"])
    }

    /// Creates the account and logs in as it; returns the token.
    pub async fn login(self) -> String {
        let (app, username, password) = (self.app, self.input["username"].clone(), self.input["password"].clone());
        self.create().await;
        app.login(username.as_str().unwrap(), password.as_str().unwrap()).await
    }
}

/// What [`TestApp::catalogue`] made.
pub struct Catalogue {
    /// "Vidarbha Fibernet", in Maharashtra (so customers there pay CGST + SGST).
    pub company: String,
    /// "Home 100", a broadband plan at the price asked for.
    pub broadband: String,
    /// "Basic Pack", a cable plan at ₹250.
    pub cable: String,
}

impl TestApp {
    /// The ID of customer `customer`'s first invoice as `invoices` lists them (a new
    /// customer's opening invoice).
    pub async fn first_invoice(&self, customer: &str) -> String {
        let q = "query($id: ID!) { node(id: $id) { ... on Customer { invoices { id } } } }";
        id_of(&self.data(q, json!({ "id": customer })).await["node"]["invoices"][0])
    }

    /// A company: "Vidarbha Fibernet", in Maharashtra, registered for GST (GSTIN
    /// [`COMPANY_GSTIN`], an address) so that it charges 18 %: `.set("gstin", None::<&str>)` for
    /// one that is not (it charges no tax).
    pub fn company(&self) -> CompanyBuilder<'_> {
        let input = json!({"name": "Vidarbha Fibernet", "state": "Maharashtra", "gstin": COMPANY_GSTIN,
                           "address": "Main Road, Dharampeth\nNagpur 440010"});
        CompanyBuilder { app: self, input }
    }

    /// A plan of `company`: "Home 100", broadband, ₹499.00 a month, active.
    pub fn plan(&self, company: &str) -> PlanBuilder<'_> {
        let input = json!({"companyId": company, "name": "Home 100", "serviceType": "BROADBAND", "price": "499.00"});
        PlanBuilder { app: self, input }
    }

    /// A locality of `company`: Dharampeth, Nagpur, Maharashtra 440010.
    pub fn locality(&self, company: &str) -> LocalityBuilder<'_> {
        let input = json!({"companyId": company, "name": "Dharampeth", "city": "Nagpur", "state": "Maharashtra",
                           "pincode": "440010"});
        LocalityBuilder { app: self, input }
    }

    /// A customer `username` on `plan`: "Customer {username}", mobile 9822012345, in Nagpur
    /// (Maharashtra 440001), prepaid for 3 months from 2026-04-01, password
    /// [`CUSTOMER_PASSWORD`].
    pub fn customer(&self, username: &str, plan: &str) -> CustomerBuilder<'_> {
        let input = json!({
            "username": username, "password": CUSTOMER_PASSWORD, "fullName": format!("Customer {username}"),
            "mobile": "9822012345", "address": "12 Civil Lines", "city": "Nagpur", "state": "Maharashtra",
            "pincode": "440001", "planId": plan, "startDate": "2026-04-01", "periodMonths": 3
        });
        CustomerBuilder { app: self, input }
    }

    /// A staff account `username` with `role`; its full name is its username and its password
    /// [`STAFF_PASSWORD`].
    pub fn employee(&self, username: &str, role: Role) -> EmployeeBuilder<'_> {
        let input =
            json!({"username": username, "fullName": username, "role": role.as_str(), "password": STAFF_PASSWORD});
        EmployeeBuilder { app: self, input }
    }

    /// A staff account of `role` with the defaults of [`TestApp::employee`], logged in:
    /// returns its token.
    pub async fn staff(&self, username: &str, role: Role) -> String {
        self.employee(username, role).login().await
    }

    /// The usual company and its two plans, the broadband one at `broadband_price` (once per
    /// app: company names are unique).
    pub async fn catalogue(&self, broadband_price: &str) -> Catalogue {
        let company = self.company().create().await;
        let broadband = self.plan(&company).price(broadband_price).create().await;
        let cable = self.plan(&company).name("Basic Pack").service_type("CABLE_TV").price("250").create().await;
        Catalogue { company, broadband, cable }
    }

    /// A [`catalogue`](TestApp::catalogue) at ₹499.00 and a customer on its broadband plan,
    /// whose opening invoice is 499.00 × 3 months + 18 % GST = 1766.46; returns (customer ID,
    /// invoice ID). Once per app, like the catalogue.
    pub async fn customer_with_invoice(&self, username: &str) -> (String, String) {
        let plan = self.catalogue("499.00").await.broadband;
        self.customer(username, &plan).create_with_invoice().await
    }

    /// Raises an invoice (`CreateInvoiceInput`); returns the `createInvoice` payload.
    pub async fn invoice(&self, input: Value) -> Value {
        self.data(CREATE_INVOICE, json!({ "i": input })).await["createInvoice"].clone()
    }

    /// Records a payment (`CreatePaymentInput`); returns the `createPayment` payload.
    pub async fn pay(&self, input: Value) -> Value {
        self.data(CREATE_PAYMENT, json!({ "i": input })).await["createPayment"].clone()
    }
}
