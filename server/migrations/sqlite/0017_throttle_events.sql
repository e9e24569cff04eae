-- The throttle table began with failed logins and binding codes; it now also counts sign-ups,
-- requests, notes, comments and photos against their limits. Its name says what it holds.
ALTER TABLE auth_failures RENAME TO throttle_events;
DROP INDEX auth_failures_lookup;
CREATE INDEX throttle_events_lookup ON throttle_events(scope, subject, at);
