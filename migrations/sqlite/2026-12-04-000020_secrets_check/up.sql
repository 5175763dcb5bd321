-- A value sealed under ISP_SECRETS_KEY when the server first starts with a key
-- (`src/secrets_check.rs`): every later start must open it, so a server given another key stops
-- instead of sealing new secrets that the right key cannot open. One row at most.
CREATE TABLE secrets_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
