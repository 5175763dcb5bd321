-- The customer status the network was last told about, per login: a server that finds a
-- customer's status differs from it queues the NAS requests the change calls for and sets it, in
-- one transaction and only if no other server set it first. A change committed while no server
-- was running (or before its requests were queued) is found at the next start. NULL: nothing
-- told yet (a new login; the first read sets it without telling anything).
ALTER TABLE network_credentials ADD COLUMN told_status TEXT;
UPDATE network_credentials SET told_status = (SELECT status FROM customers WHERE customers.id = network_credentials.customer_id);
