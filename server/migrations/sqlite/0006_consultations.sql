-- Consultations (议事): topics, co-signatures, their history, comments, votes, the frozen roll,
-- ballots and the audit log. Portable SQL, as in 0001.

CREATE TABLE topics (
    id                  INTEGER PRIMARY KEY,
    author_id           INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- The proposing household: it counts as the first co-signature.
    household_id        INTEGER NOT NULL REFERENCES households(id),
    title               TEXT    NOT NULL,
    background          TEXT    NOT NULL,
    -- A JSON array of the options proposed.
    options             TEXT    NOT NULL,
    scope_kind          TEXT    NOT NULL CHECK (scope_kind IN ('community', 'compound', 'building', 'stairwell')),
    scope_id            INTEGER,
    status              TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL
);
CREATE INDEX topics_status ON topics(status, created_at);

-- One co-signature per household and topic, whoever of the household signs.
CREATE TABLE topic_cosigns (
    topic_id            INTEGER NOT NULL REFERENCES topics(id),
    household_id        INTEGER NOT NULL REFERENCES households(id),
    user_id             INTEGER REFERENCES users(id) ON DELETE SET NULL,
    signed_at           BIGINT  NOT NULL,
    PRIMARY KEY (topic_id, household_id)
);

-- The public history of a topic: proposal, review steps (四议), decisions, the vote.
CREATE TABLE topic_events (
    id                  INTEGER PRIMARY KEY,
    topic_id            INTEGER NOT NULL REFERENCES topics(id),
    at                  BIGINT  NOT NULL,
    actor_role          TEXT    NOT NULL CHECK (actor_role IN ('resident', 'staff')),
    kind                TEXT    NOT NULL,
    note                TEXT    NOT NULL
);
CREATE INDEX topic_events_topic ON topic_events(topic_id, at);

CREATE TABLE topic_comments (
    id                  INTEGER PRIMARY KEY,
    topic_id            INTEGER NOT NULL REFERENCES topics(id),
    parent_id           INTEGER REFERENCES topic_comments(id),
    author_id           INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_role         TEXT    NOT NULL CHECK (author_role IN ('resident', 'staff')),
    official            INTEGER NOT NULL CHECK (official IN (0, 1)),
    body                TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL,
    -- Hidden by a moderator, with the reason shown in its place; never deleted.
    hidden_at           BIGINT,
    hidden_by           INTEGER REFERENCES users(id),
    hidden_reason       TEXT
);
CREATE INDEX topic_comments_topic ON topic_comments(topic_id, created_at);

-- One vote per topic in this version; a yes/no/abstain question.
CREATE TABLE votes (
    id                  INTEGER PRIMARY KEY,
    topic_id            INTEGER NOT NULL UNIQUE REFERENCES topics(id),
    question            TEXT    NOT NULL,
    electorate          TEXT    NOT NULL CHECK (electorate IN ('households', 'owners')),
    -- A JSON linli_domain::ballot::DecisionRule.
    rule                TEXT    NOT NULL,
    secret              INTEGER NOT NULL CHECK (secret IN (0, 1)),
    live_tally          INTEGER NOT NULL CHECK (live_tally IN (0, 1)),
    opened_at           BIGINT  NOT NULL,
    closes_at           BIGINT  NOT NULL,
    closed_at           BIGINT,
    opened_by           INTEGER REFERENCES users(id)
);

-- The roll, frozen when the vote opens: each eligible unit (a household) with its area.
-- `voted` is all a secret ballot leaves here; no time, so it cannot be matched to a ballot.
CREATE TABLE vote_roll (
    vote_id             INTEGER NOT NULL REFERENCES votes(id),
    household_id        INTEGER NOT NULL REFERENCES households(id),
    area_centi_m2       BIGINT  NOT NULL,
    voted               INTEGER NOT NULL DEFAULT 0 CHECK (voted IN (0, 1)),
    PRIMARY KEY (vote_id, household_id)
);

-- Ballots. Named: the unit and voter are kept (one per unit, enforced here). Secret: neither,
-- the weight is copied so the tally needs no link; the receipt hash is the only handle.
CREATE TABLE ballots (
    id                  INTEGER PRIMARY KEY,
    vote_id             INTEGER NOT NULL REFERENCES votes(id),
    household_id        INTEGER REFERENCES households(id),
    voter_id            INTEGER REFERENCES users(id),
    area_centi_m2       BIGINT  NOT NULL,
    choice              TEXT    NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    receipt_hash        TEXT    NOT NULL UNIQUE,
    UNIQUE (vote_id, household_id)
);
CREATE INDEX ballots_vote ON ballots(vote_id);

-- Append-only: every staff action and every ballot event (never the secret choice or voter).
CREATE TABLE consultation_audit (
    id                  INTEGER PRIMARY KEY,
    topic_id            INTEGER NOT NULL REFERENCES topics(id),
    at                  BIGINT  NOT NULL,
    actor_id            INTEGER REFERENCES users(id),
    action              TEXT    NOT NULL,
    detail              TEXT    NOT NULL
);
CREATE INDEX consultation_audit_topic ON consultation_audit(topic_id, at);
