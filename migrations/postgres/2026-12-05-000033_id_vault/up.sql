-- Identity document numbers (mostly Aadhaar numbers) leave `customers` for a vault of their
-- own: encrypted (ChaCha20-Poly1305 under ISP_ID_VAULT_KEY), found by keyed hashes, shown
-- masked. `customers.id_proof_no` becomes `id_proof_token`, the vault row's reference.
CREATE TABLE id_vault (
    token TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    key_id TEXT NOT NULL,
    number_hash TEXT NOT NULL,
    last4_hash TEXT NOT NULL,
    masked TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX id_vault_number_hash_idx ON id_vault (number_hash);
CREATE INDEX id_vault_last4_hash_idx ON id_vault (last4_hash);
CREATE INDEX id_vault_key_id_idx ON id_vault (key_id);

-- SQL cannot encrypt: the numbers on file wait here, and the server moves them into the vault
-- at its next start (`id_vault::service::backfill`), emptying this table.
CREATE TABLE id_proof_unvaulted (
    customer_id BIGINT PRIMARY KEY NOT NULL,
    id_proof_no TEXT NOT NULL
);
INSERT INTO id_proof_unvaulted (customer_id, id_proof_no)
SELECT id, id_proof_no FROM customers WHERE id_proof_no IS NOT NULL AND TRIM(id_proof_no) <> '';
UPDATE customers SET id_proof_no = NULL WHERE id_proof_no IS NOT NULL;
ALTER TABLE customers RENAME COLUMN id_proof_no TO id_proof_token;
CREATE UNIQUE INDEX customers_id_proof_token_idx ON customers (id_proof_token);
