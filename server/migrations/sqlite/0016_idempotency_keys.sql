-- A resident's app names each request it sends (the Idempotency-Key header), so that sending
-- it again (an answer lost on a patchy connection, a queue kept while offline) creates it once.
-- The fingerprint is the SHA-256 of what was sent: the same key with something else is refused.
ALTER TABLE service_requests ADD COLUMN idempotency_key TEXT;
ALTER TABLE service_requests ADD COLUMN idempotency_fingerprint TEXT;
CREATE UNIQUE INDEX service_requests_idempotency
    ON service_requests (author_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
