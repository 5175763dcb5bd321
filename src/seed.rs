//! `isp-billing seed-demo`: fills an empty database with realistic demo data (companies,
//! localities with Indian names, broadband and cable plans, staff, customers spread over
//! statuses, and a year of monthly invoices with their payments), in batched inserts inside
//! one write transaction, so GraphiQL exploration and benchmarks have something real.

use std::collections::{HashMap, HashSet};

use anyhow::Context as _;
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::auth::Role;
use crate::companies::model::NewCompany;
use crate::customers::model::{BillingType, CustomerStatus, IdProofType, NewCustomer};
use crate::customers::rules;
use crate::db::schema::{
    companies, customers, employees, expenses, id_vault, invoices, localities, payment_allocations, payments, plans,
    transactions,
};
use crate::db::{Db, DbConn};
use crate::employees::model::NewEmployee;
use crate::enums::ServiceType;
use crate::error::{AppError, AppResult};
use crate::expenses::model::NewExpense;
use crate::invoices::model::{InvoiceStatus, NewInvoice};
use crate::invoices::rules::{balance, gst, invoice_number, same_state, total, Amounts};
use crate::ledger::model::{NewTransaction, TransactionType};
use crate::localities::model::NewLocality;
use crate::payments::model::{NewAllocation, NewPayment, PaymentMethod, PaymentStatus};
use crate::plans::model::NewPlan;

/// Password of every demo staff member and customer.
pub const DEMO_PASSWORD: &str = "demo-password";

/// What `seed-demo` made.
#[derive(Debug, Default)]
pub struct Summary {
    pub companies: usize,
    pub localities: usize,
    pub plans: usize,
    pub employees: usize,
    pub customers: usize,
    pub invoices: usize,
    pub payments: usize,
    pub expenses: usize,
}

const FIRST_NAMES: &[&str] = &[
    "Aarav", "Aditi", "Akash", "Anita", "Arjun", "Asha", "Bharat", "Deepa", "Gaurav", "Geeta", "Harish", "Isha",
    "Jayant", "Kavita", "Kiran", "Lakshmi", "Manoj", "Meena", "Nikhil", "Neha", "Omkar", "Pooja", "Prakash", "Priya",
    "Rahul", "Rekha", "Sachin", "Sarita", "Suresh", "Swati", "Tushar", "Usha", "Vikas", "Vandana",
];
const LAST_NAMES: &[&str] = &[
    "Deshmukh", "Patil", "Joshi", "Kulkarni", "Sharma", "Verma", "Gupta", "Wankhede", "Bhosale", "Pawar", "Chavan",
    "Jadhav", "Rao", "Iyer", "Nair", "Khan", "Shaikh", "Agrawal", "Thakre", "Meshram",
];
/// (locality, PIN code) in Nagpur.
const NAGPUR: &[(&str, &str)] = &[
    ("Dharampeth", "440010"),
    ("Sitabuldi", "440012"),
    ("Sadar", "440001"),
    ("Civil Lines", "440001"),
    ("Ramdaspeth", "440010"),
    ("Manish Nagar", "440015"),
    ("Pratap Nagar", "440022"),
    ("Mahal", "440032"),
    ("Itwari", "440002"),
    ("Wardhaman Nagar", "440008"),
    ("Trimurti Nagar", "440022"),
    ("Khamla", "440025"),
];
/// (locality, PIN code) in Pune.
const PUNE: &[(&str, &str)] = &[
    ("Kothrud", "411038"),
    ("Aundh", "411007"),
    ("Baner", "411045"),
    ("Shivajinagar", "411005"),
    ("Hadapsar", "411028"),
    ("Viman Nagar", "411014"),
    ("Wakad", "411057"),
    ("Kharadi", "411014"),
    ("Deccan Gymkhana", "411004"),
    ("Karve Nagar", "411052"),
    ("Sinhagad Road", "411041"),
    ("Camp", "411001"),
];
/// (name, speed, data limit, monthly price in rupees).
const BROADBAND: &[(&str, &str, &str, i64)] = &[
    ("Basic 30", "30 Mbps", "Unlimited", 399),
    ("Home 100", "100 Mbps", "Unlimited", 599),
    ("Family 200", "200 Mbps", "Unlimited", 899),
    ("Giga 500", "500 Mbps", "Unlimited", 1499),
    ("Business 300", "300 Mbps", "3000 GB", 2499),
];
/// (name, monthly price in rupees).
const CABLE: &[(&str, i64)] = &[("Basic Pack", 250), ("Family Pack", 350), ("Sports Pack", 450), ("HD Premium", 650)];

/// Inserts all `rows` into `table`, many rows per statement. (A multi-row insert does not
/// compile on the multi-backend connection, so it goes to the backend's own connection.)
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr, $per_statement:expr) => {{
        let conn: &mut DbConn = $conn;
        for chunk in $rows.chunks($per_statement) {
            match conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConn::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
    }};
}

/// Fills `db` (which must hold no companies yet) with `customer_count` demo customers.
pub async fn seed_demo(db: &Db, customer_count: usize, seed: u64) -> anyhow::Result<Summary> {
    seed_demo_with(db, customer_count, seed, false, None).await
}

/// As [`seed_demo`]; with `renewal_day`, every customer renews automatically and their
/// current period ends today, so today's billing run renews every customer still served (the
/// billing-cycle benchmark's day). With `id_vault_key`, every customer has a (made-up,
/// valid) Aadhaar number in the vault; without, none.
pub async fn seed_demo_with(
    db: &Db,
    customer_count: usize,
    seed: u64,
    renewal_day: bool,
    id_vault_key: Option<crate::id_vault::key::IdVaultKey>,
) -> anyhow::Result<Summary> {
    let password_hash = crate::auth::password::hash(DEMO_PASSWORD.to_owned()).await?;
    let summary = db
        .write(move |conn| fill(conn, customer_count, seed, renewal_day, &password_hash, id_vault_key.as_ref()))
        .await
        .map_err(anyhow::Error::from)
        .context("seeding the demo data")?;
    // After a bulk load PostgreSQL has no statistics and no visibility map until autovacuum
    // comes round: the planner guesses, and index-only scans read the heap. Do it now.
    db.read(|conn| {
        if let DbConn::Pg(c) = conn {
            diesel::sql_query("VACUUM ANALYZE").execute(c)?;
        }
        Ok(())
    })
    .await
    .map_err(anyhow::Error::from)
    .context("analysing the demo data")?;
    Ok(summary)
}

fn fill(
    conn: &mut DbConn,
    customer_count: usize,
    seed: u64,
    renewal_day: bool,
    password_hash: &str,
    id_vault_key: Option<&crate::id_vault::key::IdVaultKey>,
) -> AppResult<Summary> {
    let existing: i64 = companies::table.count().get_result(conn)?;
    if existing > 0 {
        return Err(AppError::Conflict(
            "seed-demo fills an empty database, and this one has companies already; point DATABASE_URL at a new file"
                .into(),
        ));
    }
    if let DbConn::Pg(c) = conn {
        // The whole load is one transaction, so its tables have no statistics until it ends
        // and grow from nothing meanwhile: a plan PostgreSQL kept for a prepared statement
        // while a table was small (a scan) would stay while it grows to 100,000s of rows.
        // Plan every execution for the rows there are now.
        diesel::sql_query("SET LOCAL plan_cache_mode = force_custom_plan").execute(c)?;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let now = crate::clock::now();
    let today = crate::clock::today();
    let mut summary = Summary::default();

    // Companies, localities, plans.
    let company = |name: &str, gstin: Option<&str>, prefixes: (&str, &str, &str)| NewCompany {
        name: name.to_owned(),
        gstin: gstin.map(str::to_owned),
        state: "Maharashtra".to_owned(),
        address: Some("Main Road".to_owned()),
        phone: Some("9822000000".to_owned()),
        email: None,
        gst_rate_bp: 1800,
        created_at: now,
        updated_at: now,
        invoice_numbering: crate::series::model::InvoiceNumbering::FinancialYear,
        invoice_prefix: prefixes.0.to_owned(),
        credit_note_prefix: prefixes.1.to_owned(),
        debit_note_prefix: prefixes.2.to_owned(),
        grace_days: 7,
        postpaid_limit_days: 30,
        signatory_name: Some("A. Deshmukh".to_owned()),
        // No UPI address: a QR code on a demo invoice must not pay anyone real.
        upi_vpa: None,
        einvoicing: false,
    };
    let company_rows = [
        company("Vidarbha Fibernet", Some("27AAPFU0939F1ZV"), ("INV", "CN", "DN")),
        // Not registered under GST: its bills of supply charge no tax.
        company("Sahyadri Cable Network", None, ("SCN", "SCC", "SCD")),
    ];
    insert_all!(conn, companies::table, company_rows, 100);
    let company_ids: Vec<i64> = companies::table.order(companies::id).select(companies::id).load(conn)?;
    summary.companies = company_ids.len();

    let mut new_localities = Vec::new();
    for (company_id, (city, list)) in company_ids.iter().zip([("Nagpur", NAGPUR), ("Pune", PUNE)]) {
        for (name, pincode) in list {
            new_localities.push(NewLocality {
                company_id: *company_id,
                name: (*name).to_owned(),
                city: city.to_owned(),
                state: "Maharashtra".to_owned(),
                pincode: (*pincode).to_owned(),
                created_at: now,
                updated_at: now,
            });
        }
    }
    insert_all!(conn, localities::table, new_localities, 500);
    let locality_rows: Vec<(i64, i64)> =
        localities::table.order(localities::id).select((localities::id, localities::company_id)).load(conn)?;
    summary.localities = locality_rows.len();

    let mut new_plans = Vec::new();
    for company_id in &company_ids {
        for (name, speed, limit, price) in BROADBAND {
            new_plans.push(NewPlan {
                company_id: *company_id,
                name: (*name).to_owned(),
                description: Some(format!("{speed} home broadband")),
                service_type: ServiceType::Broadband,
                speed: Some((*speed).to_owned()),
                data_limit: Some((*limit).to_owned()),
                price_paise: price * 100,
                validity_days: 30,
                is_active: true,
                created_at: now,
                updated_at: now,
            });
        }
        for (name, price) in CABLE {
            new_plans.push(NewPlan {
                company_id: *company_id,
                name: (*name).to_owned(),
                description: Some("Cable TV channels".to_owned()),
                service_type: ServiceType::CableTv,
                speed: None,
                data_limit: None,
                price_paise: price * 100,
                validity_days: 30,
                is_active: true,
                created_at: now,
                updated_at: now,
            });
        }
    }
    insert_all!(conn, plans::table, new_plans, 500);
    let plan_rows: Vec<(i64, i64, ServiceType, i64)> = plans::table
        .order(plans::id)
        .select((plans::id, plans::company_id, plans::service_type, plans::price_paise))
        .load(conn)?;
    summary.plans = plan_rows.len();

    // Staff: a manager, support and collectors, all with the demo password.
    let staff: Vec<(String, &str, Role)> = vec![
        ("manager".into(), "Meena Kulkarni", Role::Manager),
        ("support".into(), "Asha Nair", Role::Support),
        ("collector1".into(), "Kiran Pawar", Role::Collector),
        ("collector2".into(), "Sachin Jadhav", Role::Collector),
        ("collector3".into(), "Rahul Meshram", Role::Collector),
        ("collector4".into(), "Vikas Chavan", Role::Collector),
    ];
    let new_staff: Vec<NewEmployee> = staff
        .iter()
        .map(|(username, name, role)| NewEmployee {
            username: username.clone(),
            full_name: (*name).to_owned(),
            mobile: None,
            email: None,
            role: *role,
            is_active: true,
            password_hash: password_hash.to_owned(),
            password_changed_at: now,
            created_at: now,
            updated_at: now,
        })
        .collect();
    insert_all!(conn, employees::table, new_staff, 500);
    let collectors: Vec<i64> = employees::table
        .filter(employees::role.eq(Role::Collector))
        .order(employees::id)
        .select(employees::id)
        .load(conn)?;
    summary.employees = new_staff.len();

    // Customers.
    let mut numbers = HashSet::new();
    let mut new_customers = Vec::with_capacity(customer_count);
    let mut vault_rows = Vec::new();
    let mut signups = Vec::with_capacity(customer_count);
    for n in 0..customer_count {
        let &(plan_id, company_id, service_type, _) = plan_rows.choose(&mut rng).expect("plans");
        let company_localities: Vec<i64> =
            locality_rows.iter().filter(|(_, c)| *c == company_id).map(|(id, _)| *id).collect();
        let locality_id = *company_localities.choose(&mut rng).expect("localities");
        let mut customer_id = rules::random_customer_id(&mut rng);
        while !numbers.insert(customer_id.clone()) {
            customer_id = rules::random_customer_id(&mut rng);
        }
        let status = match rng.random_range(0..100) {
            0..80 => CustomerStatus::Active,
            80..88 => CustomerStatus::Deactive,
            88..95 => CustomerStatus::Suspended,
            _ => CustomerStatus::Terminated,
        };
        let period_months: i32 = *[1, 1, 1, 3, 6, 12].choose(&mut rng).expect("periods");
        // Signed up up to 400 days ago and billed every period since: the service dates are
        // the current period's, so the billing cycle renews them when it ends (not before).
        let signed_up = today - Days::new(rng.random_range(0..400));
        let span = rules::DAYS_PER_MONTH * u64::from(period_months.unsigned_abs());
        let periods = (today - signed_up).num_days().unsigned_abs() / span;
        let (signed_up, start_date) = if renewal_day {
            (today - Days::new((periods + 1) * span), today - Days::new(span))
        } else {
            (signed_up, signed_up + Days::new(periods * span))
        };
        signups.push(signed_up);
        let first = *FIRST_NAMES.choose(&mut rng).expect("names");
        let last = *LAST_NAMES.choose(&mut rng).expect("names");
        // Drawn with or without a vault key, so the rest of the data is the same either way.
        let aadhaar = demo_aadhaar(&mut rng);
        let id_proof = id_vault_key.map(|key| crate::id_vault::service::sealed(key, IdProofType::AadharCard, &aadhaar));
        vault_rows.extend(id_proof.clone());
        new_customers.push(NewCustomer {
            customer_id,
            username: format!("cust{n:05}"),
            password_hash: password_hash.to_owned(),
            password_changed_at: now,
            full_name: format!("{first} {last}"),
            nickname: None,
            email: Some(format!("{}.{}{n}@example.in", first.to_lowercase(), last.to_lowercase())),
            mobile: format!("{}{:09}", rng.random_range(6..=9), rng.random_range(0..1_000_000_000u32)),
            alternate_mobile: None,
            customer_gst_no: None,
            id_proof_type: id_proof.as_ref().map(|_| IdProofType::AadharCard),
            id_proof_token: id_proof.as_ref().map(|row| row.token.clone()),
            house_number: Some(format!("{}", rng.random_range(1..400))),
            address: "Near the main square".to_owned(),
            locality_id: Some(locality_id),
            city: if company_id == company_ids[0] { "Nagpur" } else { "Pune" }.to_owned(),
            state: "Maharashtra".to_owned(),
            pincode: if company_id == company_ids[0] { "440010" } else { "411038" }.to_owned(),
            service_type,
            no_of_connections: 1,
            company_id,
            auto_renew: rng.random_bool(0.6) || renewal_day,
            never_suspend: false,
            caf_no: format!("CAF{:08}", n + 1),
            mac_address: None,
            mac_address_detail: None,
            ip_address: None,
            vendor: None,
            modem_no: None,
            modem_no_detail: None,
            stb_modem_security_paise: if service_type == ServiceType::CableTv { 150_000 } else { 0 },
            plan_id,
            period_months,
            start_date,
            end_date: rules::end_date(start_date, period_months).unwrap_or(start_date),
            billing_type: if rng.random_bool(0.8) { BillingType::Prepaid } else { BillingType::Postpaid },
            assigned_employee_id: collectors.choose(&mut rng).copied(),
            status,
            created_at: now,
            updated_at: now,
        });
    }
    insert_all!(conn, id_vault::table, vault_rows, 400);
    insert_all!(conn, customers::table, new_customers, 400);
    let customer_rows: Vec<(i64, String)> = customers::table.select((customers::id, customers::username)).load(conn)?;
    let customer_ids: HashMap<String, i64> = customer_rows.into_iter().map(|(id, u)| (u, id)).collect();
    summary.customers = new_customers.len();
    // TERMINATED customers were terminated on the day their last period began (their KYC
    // retention runs from it): one statement per day.
    let mut terminated: std::collections::BTreeMap<NaiveDate, Vec<i64>> = std::collections::BTreeMap::new();
    for c in new_customers.iter().filter(|c| c.status == CustomerStatus::Terminated) {
        terminated.entry(c.start_date).or_default().push(customer_ids[&c.username]);
    }
    for (day, ids) in terminated {
        diesel::update(customers::table.filter(crate::db::fragments::id_in("customers.id", &ids)))
            .set(customers::terminated_at.eq(day.and_hms_opt(10, 0, 0)))
            .execute(conn)?;
    }

    // An invoice per period since each customer signed up, most of them paid.
    let prices: HashMap<i64, i64> = plan_rows.iter().map(|(id, _, _, price)| (*id, *price)).collect();
    let mut per_day: HashMap<NaiveDate, u32> = HashMap::new();
    let mut new_invoices = Vec::new();
    // (invoice number, customer, amount paid, paid at, collector)
    let mut paid: Vec<(String, i64, i64, NaiveDateTime, Option<i64>)> = Vec::new();
    for (c, signed_up) in new_customers.iter().zip(&signups) {
        let customer = customer_ids[&c.username];
        let span = Days::new(rules::DAYS_PER_MONTH * u64::from(c.period_months.unsigned_abs()));
        let mut date = *signed_up;
        while date < c.end_date {
            let bill = prices[&c.plan_id] * i64::from(c.period_months);
            let rate = if c.company_id == company_ids[0] { 1800 } else { 0 };
            let tax = gst(bill, rate, same_state(&c.state, "Maharashtra"));
            let amounts = Amounts { bill, tax, installation: 0, discount: 0 };
            let total = total(&amounts).map_err(|e| AppError::Internal(e.message.into()))?;
            let counter = per_day.entry(date).or_insert(0);
            *counter += 1;
            let stamp =
                date.and_hms_opt(0, 0, 0).expect("midnight") + chrono::Duration::seconds(i64::from(*counter % 86_400));
            let number = invoice_number(stamp, 1 + *counter / 86_400);
            let age_days = (today - date).num_days();
            let paid_amount = match (age_days, rng.random_range(0..100)) {
                (a, _) if a < 7 => 0,
                (_, 0..88) => total,
                (_, 88..94) => total / 2,
                _ => 0,
            };
            let status = if paid_amount >= total {
                InvoiceStatus::Paid
            } else if age_days > 7 {
                InvoiceStatus::Overdue
            } else if age_days > 1 {
                InvoiceStatus::Sent
            } else {
                InvoiceStatus::Draft
            };
            if paid_amount > 0 {
                let at = (date + Days::new(rng.random_range(0..7)))
                    .and_hms_opt(rng.random_range(9..20), 0, 0)
                    .expect("time");
                paid.push((number.clone(), customer, paid_amount, at, c.assigned_employee_id));
            }
            new_invoices.push(NewInvoice {
                invoice_number: number,
                customer_id: customer,
                bill_paise: bill,
                cgst_paise: tax.cgst,
                sgst_paise: tax.sgst,
                igst_paise: tax.igst,
                installation_paise: 0,
                discount_paise: 0,
                total_paise: total,
                paid_paise: paid_amount,
                balance_paise: balance(total, paid_amount),
                invoice_date: date,
                due_date: crate::invoices::rules::due_date(date),
                billing_period_start: Some(date),
                billing_period_end: date.checked_add_days(span),
                status,
                sent_at: (status != InvoiceStatus::Draft).then_some(now),
                created_at: now,
                updated_at: now,
                company_id: c.company_id,
                place_of_supply: c.state.clone(),
                customer_gstin: c.customer_gst_no.clone(),
                gst_rate_bp: rate,
                series: "INV".to_owned(),
                serial: None,
                billing_run_id: None,
                issued_at: (status != InvoiceStatus::Draft).then_some(now),
            });
            date = date + span;
        }
    }
    insert_all!(conn, invoices::table, new_invoices, 1000);
    summary.invoices = new_invoices.len();
    let invoice_ids: HashMap<String, i64> = invoices::table
        .select((invoices::invoice_number, invoices::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();

    let methods = [
        PaymentMethod::Cash,
        PaymentMethod::Cash,
        PaymentMethod::Cash,
        PaymentMethod::Phonepe,
        PaymentMethod::Googlepay,
        PaymentMethod::Paytm,
        PaymentMethod::NetBanking,
        PaymentMethod::Cheque,
    ];
    let new_payments: Vec<NewPayment> = paid
        .iter()
        .enumerate()
        .map(|(i, (number, customer, amount, at, collector))| {
            let method = *methods.choose(&mut rng).expect("methods");
            let cash = method == PaymentMethod::Cash;
            NewPayment {
                payment_id: format!("PAY{:012}", 100_000_000_000u64 + i as u64),
                customer_id: *customer,
                invoice_id: Some(invoice_ids[number]),
                amount_paise: *amount,
                method,
                payment_reference: (!cash).then(|| format!("REF{:012}", 500_000_000_000u64 + i as u64)),
                remarks: None,
                status: PaymentStatus::Completed,
                collected_by: if cash { *collector } else { None },
                paid_at: *at,
                created_at: now,
                updated_at: now,
                allocated_paise: *amount,
            }
        })
        .collect();
    insert_all!(conn, payments::table, new_payments, 1000);
    summary.payments = new_payments.len();
    let payment_ids: HashMap<String, i64> =
        payments::table.select((payments::payment_id, payments::id)).load::<(String, i64)>(conn)?.into_iter().collect();
    let allocations: Vec<NewAllocation> = new_payments
        .iter()
        .map(|p| NewAllocation {
            payment_id: payment_ids[&p.payment_id],
            invoice_id: p.invoice_id.expect("demo payments name their invoice"),
            amount_paise: p.amount_paise,
            created_at: p.paid_at,
        })
        .collect();
    insert_all!(conn, payment_allocations::table, allocations, 1000);
    let ledger = demo_ledger(&new_invoices, &invoice_ids, &new_payments, &payment_ids);
    insert_all!(conn, transactions::table, ledger, 1000);
    let expenses = demo_expenses(&company_ids, customer_count, today, now, &mut rng);
    insert_all!(conn, expenses::table, expenses, 1000);
    summary.expenses = expenses.len();
    // Each issued invoice's record, as a server takes it when an invoice is issued.
    crate::documents::source::backfill(conn)?;
    Ok(summary)
}

/// A year of each company's monthly running costs, roughly in proportion to its customers.
fn demo_expenses(
    company_ids: &[i64],
    customer_count: usize,
    today: NaiveDate,
    now: NaiveDateTime,
    rng: &mut StdRng,
) -> Vec<NewExpense> {
    use crate::expenses::model::ExpenseCategory;
    // (category, day of month, rupees per customer per month)
    const MONTHLY: [(ExpenseCategory, u32, i64); 6] = [
        (ExpenseCategory::Bandwidth, 5, 120),
        (ExpenseCategory::Salary, 1, 60),
        (ExpenseCategory::Rent, 3, 10),
        (ExpenseCategory::Electricity, 10, 8),
        (ExpenseCategory::Maintenance, 15, 12),
        (ExpenseCategory::Equipment, 20, 25),
    ];
    let per_company = (customer_count / company_ids.len().max(1)).max(1) as i64;
    let mut out = Vec::new();
    for months_back in 0..12u32 {
        let Some(month) = crate::clock::month_start(today).checked_sub_months(chrono::Months::new(months_back)) else {
            continue;
        };
        for company_id in company_ids {
            for (category, day, rupees) in MONTHLY {
                let Some(date) = month.with_day(day).filter(|d| *d <= today) else { continue };
                let paise = rupees * per_company * rng.random_range(90..=110);
                out.push(NewExpense {
                    company_id: *company_id,
                    category,
                    amount_paise: paise.min(crate::money::MAX_INPUT_PAISE),
                    expense_date: date,
                    paid_by: Some("Bank transfer".to_owned()),
                    notes: None,
                    created_by: None,
                    created_at: now,
                    updated_at: now,
                });
            }
        }
    }
    out
}

/// The ledger of the demo data: each customer's invoices and payments in time order, with
/// running balances.
fn demo_ledger(
    invoices: &[NewInvoice],
    invoice_ids: &HashMap<String, i64>,
    payments: &[NewPayment],
    payment_ids: &HashMap<String, i64>,
) -> Vec<NewTransaction> {
    // (customer, time, order within the time, entry)
    let mut events: Vec<(i64, NaiveDateTime, u8, NewTransaction)> = Vec::new();
    let entry = |customer, kind: TransactionType, amount: i64, change, at| NewTransaction {
        transaction_id: String::new(),
        customer_id: customer,
        transaction_type: kind,
        amount_paise: amount,
        balance_change_paise: change,
        balance_after_paise: 0,
        invoice_id: None,
        payment_id: None,
        refund_id: None,
        description: String::new(),
        recorded_by: None,
        created_at: at,
        credit_note_id: None,
    };
    for i in invoices {
        let at = i.invoice_date.and_hms_opt(0, 0, 0).expect("midnight");
        let mut e = entry(i.customer_id, TransactionType::Invoice, i.total_paise, i.total_paise, at);
        e.invoice_id = Some(invoice_ids[&i.invoice_number]);
        e.description = format!("Invoice {}", i.invoice_number);
        events.push((i.customer_id, at, 0, e));
    }
    for p in payments {
        let mut e = entry(p.customer_id, TransactionType::Payment, p.amount_paise, -p.amount_paise, p.paid_at);
        e.payment_id = Some(payment_ids[&p.payment_id]);
        e.invoice_id = p.invoice_id;
        e.description = format!("Payment {} by {}", p.payment_id, p.method);
        events.push((p.customer_id, p.paid_at, 1, e));
    }
    events.sort_by_key(|(customer, at, order, _)| (*customer, *at, *order));
    let mut balance = 0;
    let mut current = None;
    events
        .into_iter()
        .enumerate()
        .map(|(n, (customer, _, _, mut e))| {
            if current != Some(customer) {
                current = Some(customer);
                balance = 0;
            }
            balance += e.balance_change_paise;
            e.balance_after_paise = balance;
            e.transaction_id = format!("TXN{:012}", 200_000_000_000u64 + n as u64);
            e
        })
        .collect()
}

/// A made-up Aadhaar number that passes the checks: 11 random digits (not starting with 0 or 1)
/// and the Verhoeff check digit.
fn demo_aadhaar(rng: &mut impl Rng) -> String {
    let body = format!("{}{:010}", rng.random_range(2..=9), rng.random_range(0..10_000_000_000u64));
    let check = crate::id_vault::rules::verhoeff_check_digit(&body).unwrap_or('0');
    format!("{body}{check}")
}
