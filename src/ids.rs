//! Global IDs: the opaque text (`base64url("<Type>:<row id>")`) that names one row of one type
//! across the whole API. Services, audit entries, notifications and webhooks all build them
//! here, so the type names live in one place; the GraphQL layer only wraps them in `ID`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The types a global ID can name; each is the GraphQL type's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    AddonBill,
    AuditEntry,
    Company,
    Complaint,
    ConnectionRequest,
    CreditNote,
    Customer,
    Employee,
    Expense,
    GatewayPayment,
    Invoice,
    Locality,
    NasDevice,
    NasRequest,
    NetworkSession,
    Notification,
    Payment,
    PaymentGateway,
    Plan,
    ReceiptVoucher,
    Refund,
    Transaction,
}

impl Kind {
    const ALL: [Kind; 22] = [
        Kind::AddonBill,
        Kind::AuditEntry,
        Kind::Company,
        Kind::Complaint,
        Kind::ConnectionRequest,
        Kind::CreditNote,
        Kind::Customer,
        Kind::Employee,
        Kind::Expense,
        Kind::GatewayPayment,
        Kind::Invoice,
        Kind::Locality,
        Kind::NasDevice,
        Kind::NasRequest,
        Kind::NetworkSession,
        Kind::Notification,
        Kind::Payment,
        Kind::PaymentGateway,
        Kind::Plan,
        Kind::ReceiptVoucher,
        Kind::Refund,
        Kind::Transaction,
    ];

    /// The type's name, as it appears inside the ID and in the schema.
    pub fn name(self) -> &'static str {
        match self {
            Kind::AddonBill => "AddonBill",
            Kind::AuditEntry => "AuditEntry",
            Kind::Company => "Company",
            Kind::Complaint => "Complaint",
            Kind::ConnectionRequest => "ConnectionRequest",
            Kind::CreditNote => "CreditNote",
            Kind::Customer => "Customer",
            Kind::Employee => "Employee",
            Kind::Expense => "Expense",
            Kind::GatewayPayment => "GatewayPayment",
            Kind::Invoice => "Invoice",
            Kind::Locality => "Locality",
            Kind::NasDevice => "NasDevice",
            Kind::NasRequest => "NasRequest",
            Kind::NetworkSession => "NetworkSession",
            Kind::Notification => "Notification",
            Kind::Payment => "Payment",
            Kind::PaymentGateway => "PaymentGateway",
            Kind::Plan => "Plan",
            Kind::ReceiptVoucher => "ReceiptVoucher",
            Kind::Refund => "Refund",
            Kind::Transaction => "Transaction",
        }
    }

    fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a global ID's text holds, once decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// One of our types and a row id.
    Known(Kind, i64),
    /// Well formed, but of a type this server does not issue (an old or foreign ID).
    Foreign(String),
}

/// The global ID of row `id` of type `kind`.
pub fn encode(kind: Kind, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name()))
}

/// The type and row id inside `text`, or `None` when it is not a global ID at all.
pub fn decode(text: &str) -> Option<Decoded> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
    let (kind, key) = text.split_once(':')?;
    let key: i64 = key.parse().ok()?;
    Some(match Kind::parse(kind) {
        Some(k) => Decoded::Known(k, key),
        None => Decoded::Foreign(kind.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_carry_their_type() {
        for kind in Kind::ALL {
            assert_eq!(decode(&encode(kind, 42)), Some(Decoded::Known(kind, 42)));
        }
        // The text is stable: IDs already handed out keep working.
        assert_eq!(encode(Kind::Plan, 7), "UGxhbjo3");
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Widget:3")), Some(Decoded::Foreign("Widget".into())));
        assert_eq!(decode("zzz"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Plan:x")), None);
    }
}
