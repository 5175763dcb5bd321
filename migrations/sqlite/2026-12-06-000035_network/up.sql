-- The network obeys the bill (issue #27): PPPoE/IPoE credentials answered to FreeRADIUS, plan
-- speeds, what a suspended customer gets, the NAS devices told to drop sessions, and the
-- sessions FreeRADIUS accounts for.

-- A customer's network login. The password is sealed under ISP_SECRETS_KEY (RADIUS needs it back
-- in clear for CHAP); usernames are unique ignoring case, a static address is one customer's.
CREATE TABLE network_credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    username TEXT NOT NULL,
    password_sealed TEXT NOT NULL,
    static_ip TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX network_credentials_customer_idx ON network_credentials (customer_id);
CREATE UNIQUE INDEX network_credentials_username_idx ON network_credentials (lower(username));
CREATE UNIQUE INDEX network_credentials_static_ip_idx ON network_credentials (static_ip);

-- A plan's speed in kbit/s (both NULL: no limit is sent).
ALTER TABLE plans ADD COLUMN upload_kbps INTEGER;
ALTER TABLE plans ADD COLUMN download_kbps INTEGER;

-- Per company: the reply attribute a plan's speed becomes, and what a SUSPENDED customer gets
-- (WALLED_GARDEN: accepted into the pool named here; REJECT: refused).
ALTER TABLE companies ADD COLUMN radius_rate_attribute TEXT NOT NULL DEFAULT 'Mikrotik-Rate-Limit';
ALTER TABLE companies ADD COLUMN radius_suspended TEXT NOT NULL DEFAULT 'WALLED_GARDEN';
ALTER TABLE companies ADD COLUMN radius_walled_pool TEXT NOT NULL DEFAULT 'walled-garden';

-- Access servers (routers, BRAS, OLTs) that take RFC 5176 Disconnect/CoA requests.
CREATE TABLE nas_devices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    coa_port INTEGER NOT NULL,
    secret_sealed TEXT NOT NULL,
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (coa_port BETWEEN 1 AND 65535)
);
CREATE UNIQUE INDEX nas_devices_name_idx ON nas_devices (lower(name));
CREATE UNIQUE INDEX nas_devices_address_idx ON nas_devices (address);

-- Sessions from FreeRADIUS accounting, one row per (NAS, Acct-Session-Id). `last_seconds` and
-- `last_record` are the latest record applied (Acct-Session-Time, START/INTERIM/STOP): a record
-- not after them is a retry and changes nothing.
CREATE TABLE radius_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nas_address TEXT NOT NULL,
    acct_session_id TEXT NOT NULL,
    username TEXT NOT NULL,
    customer_id BIGINT REFERENCES customers (id),
    framed_ip TEXT,
    calling_station_id TEXT,
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    stopped_at TIMESTAMP,
    last_seconds BIGINT NOT NULL,
    last_record TEXT NOT NULL,
    input_octets BIGINT NOT NULL,
    output_octets BIGINT NOT NULL,
    terminate_cause TEXT
);
CREATE UNIQUE INDEX radius_sessions_key_idx ON radius_sessions (nas_address, acct_session_id);
CREATE INDEX radius_sessions_customer_idx ON radius_sessions (customer_id, started_at);
CREATE INDEX radius_sessions_open_idx ON radius_sessions (stopped_at, id);

-- Bytes per customer per business day, from the accounting records' increments.
CREATE TABLE radius_usage_daily (
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    day DATE NOT NULL,
    input_octets BIGINT NOT NULL,
    output_octets BIGINT NOT NULL,
    PRIMARY KEY (customer_id, day)
);

-- Disconnect-Request / CoA-Request sent to a NAS after a status change committed, with retries.
CREATE TABLE nas_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nas_id BIGINT NOT NULL REFERENCES nas_devices (id),
    session_id BIGINT NOT NULL REFERENCES radius_sessions (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX nas_requests_due_idx ON nas_requests (status, next_attempt_at);
CREATE INDEX nas_requests_customer_idx ON nas_requests (customer_id, id);
CREATE INDEX nas_requests_nas_idx ON nas_requests (nas_id);
CREATE INDEX nas_requests_session_idx ON nas_requests (session_id);
