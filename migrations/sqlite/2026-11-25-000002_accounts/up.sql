-- Staff accounts, login sessions, failed-login records for throttling, and the audit log.
CREATE TABLE employees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    full_name TEXT NOT NULL,
    mobile TEXT,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('ADMIN', 'MANAGER', 'COLLECTOR', 'SUPPORT')),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    -- argon2id PHC string; never leaves the server.
    password_hash TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX employees_username_key ON employees (lower(username));
CREATE INDEX employees_role_idx ON employees (role, id);

-- A login. The token itself is never stored, only its SHA-256.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    principal_kind TEXT NOT NULL CHECK (principal_kind IN ('EMPLOYEE', 'CUSTOMER')),
    principal_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_principal_idx ON sessions (principal_kind, principal_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_username_idx ON login_failures (username, failed_at);
CREATE INDEX login_failures_address_idx ON login_failures (address, failed_at);

-- Who changed money, accounts or customer status, when, and what. Append-only.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('EMPLOYEE', 'CUSTOMER', 'SYSTEM')),
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    operation TEXT NOT NULL,
    -- Global IDs of the objects touched, space separated.
    target_ids TEXT NOT NULL,
    details TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_kind, actor_id, id);
CREATE INDEX audit_log_operation_idx ON audit_log (operation, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
