//! Who may call `/radius/*` (read from the settings; apart from the handlers so that the
//! settings need not import them).

use super::proxies::TrustedProxies;

/// The rlm_rest login (HTTP Basic) and the addresses it may come from.
#[derive(Debug, Clone)]
pub struct Access {
    pub user: String,
    pub password: String,
    pub allow: TrustedProxies,
}
