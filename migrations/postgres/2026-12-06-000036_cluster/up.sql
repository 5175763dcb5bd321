-- Several servers on one database (src/cluster/).
--
-- Live events, for the other servers: every committed write that announces something adds its
-- events here (kind and row id; the row is read afresh) and NOTIFYs `isp_events` in the same
-- transaction. A server that lost its LISTEN connection reads on from the last id it saw. Rows
-- older than an hour are pruned.
CREATE TABLE cluster_events (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    -- The server that published it (it has delivered the event to its own subscribers).
    origin TEXT NOT NULL,
    -- When the row was written (not when its transaction began): the listener's settling window.
    created_at TIMESTAMP NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC')
);
CREATE INDEX cluster_events_created_at ON cluster_events (created_at);

-- Background jobs run on one server at a time: the holder renews its lease; when it stops
-- renewing (the server died), another server claims the job once `expires_at` has passed.
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- A login being checked now, on any server: counted against its (username, address) pair by
-- the attempts after it, so parallel guesses through several servers cannot pass the limit;
-- it becomes a failure (pending = false) or goes.
ALTER TABLE login_failures ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
