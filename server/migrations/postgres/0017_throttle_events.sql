-- The throttle table began with failed logins and binding codes; it now also counts sign-ups,
-- requests, notes, comments and photos against their limits. Its name says what it holds.
ALTER TABLE auth_failures RENAME TO throttle_events;
-- PostgreSQL keeps the old names of the objects that came with the table (its primary key and
-- the sequence of its identity column); they follow the table's new name too.
ALTER INDEX auth_failures_pkey RENAME TO throttle_events_pkey;
ALTER SEQUENCE auth_failures_id_seq RENAME TO throttle_events_id_seq;
DROP INDEX auth_failures_lookup;
CREATE INDEX throttle_events_lookup ON throttle_events(scope, subject, at);
