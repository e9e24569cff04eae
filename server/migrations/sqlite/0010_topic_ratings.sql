-- 民事民评: households rate how a decided topic was carried out, 1 to 5 stars, one rating per
-- household and topic (rating again replaces it). Staff's reports on carrying it out are topic
-- events of kind 'implementation_update'. Only the figures are public, never who gave what.
CREATE TABLE topic_ratings (
    topic_id            INTEGER NOT NULL REFERENCES topics(id),
    household_id        INTEGER NOT NULL REFERENCES households(id),
    user_id             INTEGER REFERENCES users(id) ON DELETE SET NULL,
    stars               INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    rated_at            BIGINT  NOT NULL,
    PRIMARY KEY (topic_id, household_id)
);
