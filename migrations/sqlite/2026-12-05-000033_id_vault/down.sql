-- Refused while the vault holds numbers: only the server can decrypt them, so SQL cannot put
-- them back in clear. Numbers still waiting to be vaulted go back to `customers.id_proof_no`.
CREATE TEMP TABLE id_numbers_are_in_the_vault_so_this_cannot_be_reverted (
    none INTEGER CONSTRAINT id_numbers_are_in_the_vault_so_this_cannot_be_reverted CHECK (none = 0)
);
INSERT INTO id_numbers_are_in_the_vault_so_this_cannot_be_reverted SELECT 1 FROM id_vault;
DROP TABLE id_numbers_are_in_the_vault_so_this_cannot_be_reverted;
DROP INDEX customers_id_proof_token_idx;
ALTER TABLE customers RENAME COLUMN id_proof_token TO id_proof_no;
UPDATE customers SET id_proof_no = (SELECT u.id_proof_no FROM id_proof_unvaulted u WHERE u.customer_id = customers.id)
WHERE id IN (SELECT customer_id FROM id_proof_unvaulted);
DROP TABLE id_proof_unvaulted;
DROP TABLE id_vault;
