-- Deliberation (民事民商): documents staff attach to a topic (plans, quotes: PDF, JPEG or PNG,
-- kept as sent, since they are the community's own public papers), and residents' reports of
-- comments for the moderators (one per account and comment). Portable SQL, as in 0001.

CREATE TABLE topic_documents (
    id                  INTEGER PRIMARY KEY,
    topic_id            INTEGER NOT NULL REFERENCES topics(id),
    title               TEXT    NOT NULL,
    content_type        TEXT    NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    bytes               BLOB    NOT NULL,
    size                BIGINT  NOT NULL,
    uploaded_by         INTEGER REFERENCES users(id),
    uploaded_at         BIGINT  NOT NULL
);
CREATE INDEX topic_documents_topic ON topic_documents(topic_id);

CREATE TABLE comment_reports (
    comment_id          INTEGER NOT NULL REFERENCES topic_comments(id),
    reporter_id         INTEGER NOT NULL REFERENCES users(id),
    at                  BIGINT  NOT NULL,
    PRIMARY KEY (comment_id, reporter_id)
);
