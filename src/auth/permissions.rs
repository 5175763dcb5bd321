//! The permission matrix: which role may do what, as data in one place.
//!
//! Resolvers name a [`Permission`] through the [`Require`] guard; what a customer may see of
//! a permission is always only their own data ([`Access::Own`]), which the resolver then
//! scopes by. The README's table is rendered from [`RULES`] (a test keeps them equal).

use super::{Principal, Role};
use crate::error::{AppError, AppResult};

/// Something a caller may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ReadReferenceData,
    WriteReferenceData,
    ReadCustomers,
    WriteCustomers,
    ReadBilling,
    RecordPayments,
    WriteBilling,
    ReadComplaints,
    WriteComplaints,
    ManageStaff,
    ReadAuditLog,
    FileReturns,
    ReadDashboard,
    ReadReports,
    ManageExpenses,
    ManageGateways,
    RevealIdProof,
    ExportPersonalData,
    ManageNetwork,
}

/// How much of a permission's data a caller gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything.
    All,
    /// Only what belongs to this customer (row id).
    Own(i64),
}

impl Access {
    /// The customer the caller is limited to: a customer themselves, `None` for staff.
    pub fn own(self) -> Option<i64> {
        match self {
            Access::All => None,
            Access::Own(own) => Some(own),
        }
    }

    /// Whether the caller may have what belongs to customer `customer`.
    pub fn reaches(self, customer: i64) -> bool {
        self.own().is_none_or(|own| own == customer)
    }

    /// The customer a list is filtered on: staff get the one they asked for (`requested`, or
    /// all); a customer always gets themselves. `None` when a customer asks for someone else's
    /// data: the list is then empty, as if there were none.
    pub fn scope(self, requested: Option<i64>) -> Option<Option<i64>> {
        match self.own() {
            None => Some(requested),
            Some(own) => requested.is_none_or(|r| r == own).then_some(Some(own)),
        }
    }
}

/// One row of the matrix.
pub struct Rule {
    pub permission: Permission,
    /// What the row means, for the README.
    pub description: &'static str,
    pub roles: &'static [Role],
    /// Whether a customer has this permission for their own data.
    pub customer_own: bool,
}

use Role::{Admin, Collector, Manager, Support};

/// The permission matrix.
pub const RULES: &[Rule] = &[
    Rule {
        permission: Permission::ReadReferenceData,
        description: "read companies, localities, plans",
        roles: &[Admin, Manager, Collector, Support],
        customer_own: true,
    },
    Rule {
        permission: Permission::WriteReferenceData,
        description: "change companies, localities, plans",
        roles: &[Admin, Manager],
        customer_own: false,
    },
    Rule {
        permission: Permission::ReadCustomers,
        description: "read customers",
        roles: &[Admin, Manager, Collector, Support],
        customer_own: true,
    },
    Rule {
        permission: Permission::WriteCustomers,
        description: "create and change customers, their status, pause their service",
        roles: &[Admin, Manager],
        customer_own: false,
    },
    Rule {
        permission: Permission::ReadBilling,
        description: "read invoices, payments, ledger",
        roles: &[Admin, Manager, Collector],
        customer_own: true,
    },
    Rule {
        permission: Permission::RecordPayments,
        description: "record payments",
        roles: &[Admin, Manager, Collector],
        customer_own: false,
    },
    Rule {
        permission: Permission::WriteBilling,
        description: "raise and cancel invoices, refunds, add-on bills; run and preview the billing cycle",
        roles: &[Admin, Manager],
        customer_own: false,
    },
    Rule {
        permission: Permission::ReadComplaints,
        description: "read complaints",
        roles: &[Admin, Manager, Support],
        customer_own: true,
    },
    Rule {
        permission: Permission::WriteComplaints,
        description: "file, assign and update complaints",
        roles: &[Admin, Manager, Support],
        customer_own: true,
    },
    Rule {
        permission: Permission::ManageStaff,
        description: "staff accounts: create, change, reset passwords",
        roles: &[Admin],
        customer_own: false,
    },
    Rule {
        permission: Permission::ReadAuditLog,
        description: "read the audit log",
        roles: &[Admin],
        customer_own: false,
    },
    Rule {
        permission: Permission::FileReturns,
        description: "GST returns: GSTR-1 as JSON and CSV, closing months, amending issued invoices",
        roles: &[Admin, Manager],
        customer_own: false,
    },
    Rule {
        permission: Permission::ReadDashboard,
        description: "open the dashboard (each figure also needs the permission for its data)",
        roles: &[Admin, Manager, Collector, Support],
        customer_own: false,
    },
    Rule {
        permission: Permission::ReadReports,
        description: "reports and their CSV downloads",
        roles: &[Admin, Manager],
        customer_own: false,
    },
    Rule {
        permission: Permission::ManageExpenses,
        description: "record and read expenses; profit (net) on the dashboard",
        roles: &[Admin, Manager],
        customer_own: false,
    },
    Rule {
        permission: Permission::ManageGateways,
        description: "set up payment gateways (their secrets are write-only)",
        roles: &[Admin],
        customer_own: false,
    },
    Rule {
        permission: Permission::RevealIdProof,
        description:
            "see a customer's identity document number in full (`revealIdProof`, audited; a customer sees their own)",
        roles: &[Admin, Manager],
        customer_own: false,
    },
    Rule {
        permission: Permission::ExportPersonalData,
        description: "export a customer's personal data as JSON (`exportPersonalData`, audited)",
        roles: &[Admin, Manager],
        customer_own: true,
    },
    Rule {
        permission: Permission::ManageNetwork,
        description: "NAS devices, who is online, the disconnect requests sent to NAS devices",
        roles: &[Admin, Manager],
        customer_own: false,
    },
];

fn rule(permission: Permission) -> &'static Rule {
    RULES.iter().find(|r| r.permission == permission).expect("every permission has a rule")
}

/// What `principal` may do under `permission`: `FORBIDDEN` when nothing.
pub fn access(principal: &Principal, permission: Permission) -> AppResult<Access> {
    let rule = rule(permission);
    match principal {
        Principal::Employee { role, .. } if rule.roles.contains(role) => Ok(Access::All),
        Principal::Customer { id, .. } if rule.customer_own => Ok(Access::Own(*id)),
        _ => Err(AppError::Forbidden(format!("you are not allowed to {}", rule.description))),
    }
}

/// The matrix as a Markdown table (it stands in the README).
pub fn markdown_table() -> String {
    let roles = [Admin, Manager, Collector, Support];
    let mut out = String::from("| permission | ADMIN | MANAGER | COLLECTOR | SUPPORT | customer (own data) |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for rule in RULES {
        let mark = |yes: bool| if yes { "yes" } else { "—" };
        let cells: Vec<&str> = roles.iter().map(|r| mark(rule.roles.contains(r))).collect();
        out.push_str(&format!("| {} | {} | {} |\n", rule.description, cells.join(" | "), mark(rule.customer_own)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_reaches_only_their_own() {
        assert!(Access::All.reaches(7) && Access::Own(7).reaches(7) && !Access::Own(7).reaches(8));
        assert_eq!(Access::All.scope(None), Some(None));
        assert_eq!(Access::All.scope(Some(8)), Some(Some(8)));
        assert_eq!(Access::Own(7).scope(None), Some(Some(7)));
        assert_eq!(Access::Own(7).scope(Some(7)), Some(Some(7)));
        assert_eq!(Access::Own(7).scope(Some(8)), None);
    }

    fn employee(role: Role) -> Principal {
        Principal::Employee { id: 1, username: "u".into(), full_name: "U".into(), role }
    }

    #[test]
    fn matrix_is_enforced() {
        assert_eq!(access(&employee(Role::Admin), Permission::ManageStaff).unwrap(), Access::All);
        assert!(access(&employee(Role::Manager), Permission::ManageStaff).is_err());
        assert!(access(&employee(Role::Manager), Permission::ReadAuditLog).is_err());
        assert_eq!(access(&employee(Role::Collector), Permission::RecordPayments).unwrap(), Access::All);
        assert!(access(&employee(Role::Collector), Permission::WriteCustomers).is_err());
        assert!(access(&employee(Role::Support), Permission::ReadBilling).is_err());
        assert_eq!(access(&employee(Role::Support), Permission::WriteComplaints).unwrap(), Access::All);
        let customer = Principal::Customer { id: 7, username: "c".into(), full_name: "C".into() };
        assert_eq!(access(&customer, Permission::ReadBilling).unwrap(), Access::Own(7));
        assert!(access(&customer, Permission::RecordPayments).is_err());
    }

    #[test]
    fn readme_shows_the_matrix() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        assert!(
            readme.contains(&markdown_table()),
            "README.md's permission table differs from RULES; paste this in:\n{}",
            markdown_table()
        );
    }
}
