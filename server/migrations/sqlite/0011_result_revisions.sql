-- A published result never changes: the one published at the close is revision 1, and each
-- correction adds the next revision with its reason. Every revision keeps the result exactly as
-- it was published (a JSON linli_domain::revision::PublishedResult), so earlier ones stay
-- readable as they were, whatever the ballots and the roll say later.
CREATE TABLE result_revisions (
    vote_id             INTEGER NOT NULL REFERENCES votes(id),
    number              INTEGER NOT NULL CHECK (number >= 1),
    published_at        BIGINT  NOT NULL,
    published_by        INTEGER REFERENCES users(id),
    reason              TEXT    NOT NULL,
    -- A JSON linli_domain::revision::Correction, for staff and the audit; NULL for revision 1.
    correction          TEXT,
    result              TEXT    NOT NULL,
    PRIMARY KEY (vote_id, number)
);

-- Append-only, whatever code runs against the file.
CREATE TRIGGER result_revisions_never_change BEFORE UPDATE ON result_revisions
BEGIN
    SELECT RAISE(ABORT, 'a published result revision never changes');
END;

CREATE TRIGGER result_revisions_never_go BEFORE DELETE ON result_revisions
BEGIN
    SELECT RAISE(ABORT, 'a published result revision is never deleted');
END;

-- A ballot a correction voided stays where it is (its receipt was published), but no longer
-- counts from that revision on.
ALTER TABLE ballots ADD COLUMN voided_in_revision INTEGER;
