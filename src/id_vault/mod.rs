//! Identity document numbers (`idProofNo`, mostly Aadhaar numbers) in a vault of their own:
//! their shapes and masked form (`rules`), the key that seals them (`key`, `ISP_ID_VAULT_KEY`),
//! the `id_vault` table (`model`, `repo`; `customers.id_proof_token` names a row), sealing,
//! revealing (audited), moving numbers from before the vault, rotation and the start-up check
//! (`service`), taking every number out again to revert the vault's migration (`unseal`),
//! erasure after the KYC retention and the personal-data export (`retention`), and
//! `revealIdProof`, `exportPersonalData` and the masked lookup (`graphql`).

pub mod graphql;
pub mod key;
pub mod model;
pub mod repo;
pub mod retention;
pub mod rules;
pub mod service;
pub mod unseal;
