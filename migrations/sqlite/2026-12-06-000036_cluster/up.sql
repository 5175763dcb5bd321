-- Several servers on one database (src/cluster/) is PostgreSQL's business: on SQLite one
-- process serves and these tables stay empty. They exist so that both databases have one schema.
CREATE TABLE cluster_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    origin TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX cluster_events_created_at ON cluster_events (created_at);

CREATE TABLE job_leases (
    job TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- A login being checked now, on any server: counted against its (username, address) pair by
-- the attempts after it, so parallel guesses through several servers cannot pass the limit;
-- it becomes a failure (pending = false) or goes.
ALTER TABLE login_failures ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
