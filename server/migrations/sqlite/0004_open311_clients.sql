-- Open311 GeoReport v2 write access: the clients that may send requests (a 12345 hotline, a
-- city platform), the tokens handed back for what they sent, and which client sent a request.
-- Portable SQL, as in 0001.

-- A client's API key is shown once, when it is created; only its SHA-256 (hex) is kept, so a
-- leaked database hands out no keys. A revoked client's key is refused.
CREATE TABLE open311_clients (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    key_hash        TEXT    NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL,
    revoked_at      BIGINT
);

-- The spec's tokens: a client may look up the request it sent by the token it was given.
-- Linli knows the request at once, so request_id is set in the same transaction; it may be
-- NULL only for a server that files requests later.
CREATE TABLE open311_tokens (
    id              INTEGER PRIMARY KEY,
    token           TEXT    NOT NULL UNIQUE,
    request_id      INTEGER REFERENCES service_requests(id),
    created_at      BIGINT  NOT NULL
);

-- NULL for requests sent through the app.
ALTER TABLE service_requests ADD COLUMN open311_client_id INTEGER REFERENCES open311_clients(id);
