use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::addon_bills;
use crate::text_enum;

text_enum! {
    /// What the one-off charge is for.
    pub enum AddonType {
        /// A router, ONT or set-top box sold to the customer.
        RouterSale => "ROUTER_SALE",
        /// Reconnecting a disconnected line.
        Reconnection => "RECONNECTION",
        /// Moving the connection to a new address.
        Shifting => "SHIFTING",
        /// Installation work beyond the plan's.
        Installation => "INSTALLATION",
        Other => "OTHER",
    }
}

impl AddonType {
    /// The kind as a document prints it: `ROUTER_SALE` is "Equipment sale" (a router, ONT or
    /// set-top box), the others their names in plain words.
    pub fn in_words(self) -> &'static str {
        match self {
            AddonType::RouterSale => "Equipment sale",
            AddonType::Reconnection => "Reconnection",
            AddonType::Shifting => "Connection shifting",
            AddonType::Installation => "Installation",
            AddonType::Other => "Other",
        }
    }
}

text_enum! {
    /// Where an add-on is billed.
    pub enum AddonBillOn {
        /// On an invoice of its own, raised at once.
        OwnInvoice => "OWN_INVOICE",
        /// Added to the customer's next invoice.
        NextInvoice => "NEXT_INVOICE",
    }
}

text_enum! {
    /// Whether an add-on is on an invoice yet.
    pub enum AddonStatus {
        /// Waiting for the customer's next invoice.
        Pending => "PENDING",
        /// On an invoice (`invoice`).
        Billed => "BILLED",
    }
}

crate::row_and_new! {
    table = addon_bills;

    /// A row of `addon_bills`. Amounts in paise; taxes computed when the add-on was made.
    #[derive(Debug, Clone, Queryable)]
    pub struct AddonRow {
        pub id: i64,
        ..NewAddon
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewAddon {
        pub customer_id: i64,
        pub addon_type: AddonType,
        pub description: String,
        pub amount_paise: i64,
        pub cgst_paise: i64,
        pub sgst_paise: i64,
        pub igst_paise: i64,
        pub bill_on: AddonBillOn,
        pub invoice_id: Option<i64>,
        pub created_by: Option<i64>,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
    }
}

impl AddonRow {
    /// Amount plus GST.
    pub fn total(&self) -> i64 {
        self.amount_paise + self.cgst_paise + self.sgst_paise + self.igst_paise
    }
}

/// Narrows `addonBills`.
#[derive(Debug, Clone, Default)]
pub struct AddonFilter {
    pub customer_id: Option<i64>,
    /// `Some(true)`: only pending ones; `Some(false)`: only billed ones.
    pub pending: Option<bool>,
    pub addon_type: Option<AddonType>,
}
