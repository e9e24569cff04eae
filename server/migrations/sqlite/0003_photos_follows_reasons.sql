-- Photos on requests and on their resolution, residents following a request ("me too", 附议),
-- and the structured reason a request was turned down. Portable SQL, as in 0001.

-- Photos are stored re-encoded (no metadata survives) beside a thumbnail, in the same
-- database as the request they belong to, so one transaction writes both or neither.
CREATE TABLE request_photos (
    id                  INTEGER PRIMARY KEY,
    request_id          INTEGER NOT NULL REFERENCES service_requests(id),
    -- The timeline entry the photo came with: the submission, or a staff action.
    event_id            INTEGER NOT NULL REFERENCES request_events(id),
    media_type          TEXT    NOT NULL,
    width               INTEGER NOT NULL,
    height              INTEGER NOT NULL,
    image               BLOB    NOT NULL,
    thumbnail           BLOB    NOT NULL,
    created_at          BIGINT  NOT NULL
);
CREATE INDEX request_photos_event ON request_photos(event_id);
CREATE INDEX request_photos_request ON request_photos(request_id);

-- A resident who has the same problem follows the existing request instead of sending another.
CREATE TABLE request_followers (
    request_id          INTEGER NOT NULL REFERENCES service_requests(id),
    user_id             INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    followed_at         BIGINT  NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
CREATE INDEX request_followers_user ON request_followers(user_id, followed_at);

-- linli_domain::request::RejectReason for reject events; NULL otherwise.
ALTER TABLE request_events ADD COLUMN reason TEXT;

-- Similar requests are looked up by category among the last 30 days.
CREATE INDEX service_requests_similar ON service_requests(category_code, submitted_at);
