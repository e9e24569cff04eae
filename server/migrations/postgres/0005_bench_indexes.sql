-- The staff queue at scale (100,000 requests: see BENCHMARKS.md). Without a status filter the
-- queue lists the requests still open, nearest resolution deadline first. They are a small
-- share of all requests, and no index gave them in deadline order, so every page read and
-- sorted the whole table. These partial indexes hold only the open requests, in the queue's
-- order, and by category in that order. Their condition is the queue's own, word for word,
-- which is what lets the planner use them (PostgreSQL, like SQLite, needs the query's WHERE
-- to imply the index's).
CREATE INDEX service_requests_open_queue ON service_requests(resolve_by, id)
    WHERE status NOT IN ('closed', 'rejected', 'withdrawn');
CREATE INDEX service_requests_open_category ON service_requests(category_code, resolve_by, id)
    WHERE status NOT IN ('closed', 'rejected', 'withdrawn');
