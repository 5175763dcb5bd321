-- The walled garden's payment page (`/pay`, issue #27 item 7).

-- The company's own payment link at its gateway (a payment page), shown beside the UPI QR code;
-- `{customer}` and `{amount}` in it are filled in for the customer on the page.
ALTER TABLE companies ADD COLUMN pay_link TEXT;

-- Each look-up by customer number and mobile, by client address: a few an hour per address, seen
-- by every server on the database, so the page cannot be used to walk customer numbers.
CREATE TABLE pay_lookups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL,
    looked_up_at TIMESTAMP NOT NULL
);
CREATE INDEX pay_lookups_address_idx ON pay_lookups (address, looked_up_at);

-- The page recognises a customer by the address of their open (walled-garden) session.
CREATE INDEX radius_sessions_framed_ip_idx ON radius_sessions (framed_ip, stopped_at);
