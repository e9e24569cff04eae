-- Each HTTP request is for one community, found from the address it was sent to
-- (ARCHITECTURE.md, "Which community a request is for"): a community may be given the host
-- name it is served at. A database whose only community has none serves it at any address,
-- as an embedded Linli always has.
ALTER TABLE communities ADD COLUMN hostname TEXT;
CREATE UNIQUE INDEX communities_hostname ON communities(hostname);

-- Staff work for particular communities: staff powers hold only at those communities'
-- addresses. Accounts stay city-wide (one person may live in one community and work in
-- another). Everyone who was staff until now worked for every community of the database.
CREATE TABLE staff_communities (
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    community_id BIGINT NOT NULL REFERENCES communities(id),
    PRIMARY KEY (user_id, community_id)
);
INSERT INTO staff_communities (user_id, community_id)
    SELECT u.id, c.id FROM users u CROSS JOIN communities c WHERE u.role = 'staff';

-- Every query of community data now filters on its community first, so the indexes that
-- serve the busy ones lead with it; each replaces the one it extends. The open-queue partial
-- indexes keep the queue's condition word for word (0005 says why).
DROP INDEX service_requests_queue;
CREATE INDEX service_requests_queue ON service_requests(community_id, status, resolve_by);
DROP INDEX service_requests_month;
CREATE INDEX service_requests_month ON service_requests(community_id, submitted_at, category_code);
DROP INDEX service_requests_similar;
CREATE INDEX service_requests_similar ON service_requests(community_id, category_code, submitted_at);
DROP INDEX service_requests_open_queue;
CREATE INDEX service_requests_open_queue ON service_requests(community_id, resolve_by, id)
    WHERE status NOT IN ('closed', 'rejected', 'withdrawn');
DROP INDEX service_requests_open_category;
CREATE INDEX service_requests_open_category ON service_requests(community_id, category_code, resolve_by, id)
    WHERE status NOT IN ('closed', 'rejected', 'withdrawn');
CREATE INDEX service_requests_public ON service_requests(community_id, submitted_at, id);
DROP INDEX topics_status;
CREATE INDEX topics_status ON topics(community_id, status, created_at);
CREATE INDEX households_community ON households(community_id);
-- An idempotency key names one sending in one community.
DROP INDEX service_requests_idempotency;
CREATE UNIQUE INDEX service_requests_idempotency
    ON service_requests (community_id, author_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX facilities_community ON facilities(community_id, category);
