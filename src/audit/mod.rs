//! The audit log: who changed money, accounts or customer status, when, and what. Rows are
//! written in the same transaction as the change and can never be deleted or rewritten
//! (database triggers refuse it), except that erasure after a customer's KYC retention blanks
//! the personal values in the entries about them, once ([`erasure`]).

pub mod diff;
pub mod erasure;
pub mod graphql;
pub mod model;
pub mod repo;

use crate::auth::Principal;

/// Who did something, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    /// The server itself (first-start setup, scheduled jobs).
    pub fn system() -> Actor {
        Actor { kind: model::SYSTEM, id: None, name: "system".to_owned() }
    }

    /// The staff member's row id, when a staff member acts.
    pub fn employee_id(&self) -> Option<i64> {
        if self.kind == crate::auth::model::EMPLOYEE {
            self.id
        } else {
            None
        }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Self {
        Actor { kind: p.kind(), id: Some(p.id()), name: p.username().to_owned() }
    }
}
