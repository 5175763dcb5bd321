use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::addon_bills;
use crate::text_enum;

text_enum! {
    /// What the one-off charge is for.
    pub enum AddonType {
        /// A router or ONT sold to the customer (goods: HSN 8517 unless given, counted in NOS).
        RouterSale => "ROUTER_SALE",
        /// A set-top box sold to the customer (goods: HSN 8528 unless given, counted in NOS).
        SetTopBoxSale => "SET_TOP_BOX_SALE",
        /// Cable sold to the customer (goods: HSN 8544 unless given, measured in MTR).
        CableSale => "CABLE_SALE",
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
    /// The HSN code and unit of the goods this kind sells, when it sells goods: routers and
    /// ONTs 8517, set-top boxes 8528, cable 8544. (The caller may give another code.)
    pub fn goods(self) -> Option<(&'static str, Uqc)> {
        match self {
            AddonType::RouterSale => Some(("8517", Uqc::Nos)),
            AddonType::SetTopBoxSale => Some(("8528", Uqc::Nos)),
            AddonType::CableSale => Some(("8544", Uqc::Mtr)),
            AddonType::Reconnection | AddonType::Shifting | AddonType::Installation | AddonType::Other => None,
        }
    }

    /// The kind as a document prints it: `ROUTER_SALE` is "Equipment sale" (a router, ONT or
    /// set-top box), the others their names in plain words.
    pub fn in_words(self) -> &'static str {
        match self {
            AddonType::RouterSale => "Equipment sale",
            AddonType::SetTopBoxSale => "Set-top box sale",
            AddonType::CableSale => "Cable sale",
            AddonType::Reconnection => "Reconnection",
            AddonType::Shifting => "Connection shifting",
            AddonType::Installation => "Installation",
            AddonType::Other => "Other",
        }
    }
}

text_enum! {
    /// The unit goods are counted in (GST's unit quantity code, UQC).
    pub enum Uqc {
        /// Numbers (a router, a set-top box).
        Nos => "NOS",
        /// Pieces.
        Pcs => "PCS",
        /// Sets (a router with its adapter and cables as one).
        Set => "SET",
        /// Units.
        Unt => "UNT",
        /// Metres (cable).
        Mtr => "MTR",
        /// Rolls (a drum of cable).
        Rol => "ROL",
        /// Boxes.
        Box => "BOX",
    }
}

impl Uqc {
    /// The code with its name, as the GST offline tool's HSN sheet writes it (`NOS-NUMBERS`).
    pub fn with_name(self) -> &'static str {
        match self {
            Uqc::Nos => "NOS-NUMBERS",
            Uqc::Pcs => "PCS-PIECES",
            Uqc::Set => "SET-SETS",
            Uqc::Unt => "UNT-UNITS",
            Uqc::Mtr => "MTR-METERS",
            Uqc::Rol => "ROL-ROLLS",
            Uqc::Box => "BOX-BOX",
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
        /// Goods: their HSN code; `None` for a service (SAC 9984).
        pub hsn: Option<String>,
        /// How many (goods; 1 for a service); `amount_paise` is for all of them.
        pub quantity: i64,
        /// Goods: the unit `quantity` counts; `None` for a service.
        pub uqc: Option<Uqc>,
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
