-- A published result never changes: the one published at the close is revision 1, and each
-- correction adds the next revision with its reason. Every revision keeps the result exactly as
-- it was published (a JSON linli_domain::revision::PublishedResult), so earlier ones stay
-- readable as they were, whatever the ballots and the roll say later.
CREATE TABLE result_revisions (
    vote_id             BIGINT  NOT NULL REFERENCES votes(id),
    number              BIGINT  NOT NULL CHECK (number >= 1),
    published_at        BIGINT  NOT NULL,
    published_by        BIGINT  REFERENCES users(id),
    reason              TEXT    NOT NULL,
    -- A JSON linli_domain::revision::Correction, for staff and the audit; NULL for revision 1.
    correction          TEXT,
    result              TEXT    NOT NULL,
    PRIMARY KEY (vote_id, number)
);

-- Append-only, whatever code runs against the database. PostgreSQL triggers call a function:
-- each one refuses, with the same message as the SQLite trigger.
CREATE FUNCTION result_revisions_never_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published result revision never changes';
END;
$$;
CREATE TRIGGER result_revisions_never_change BEFORE UPDATE ON result_revisions
    FOR EACH ROW EXECUTE FUNCTION result_revisions_never_change();

CREATE FUNCTION result_revisions_never_go() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published result revision is never deleted';
END;
$$;
CREATE TRIGGER result_revisions_never_go BEFORE DELETE ON result_revisions
    FOR EACH ROW EXECUTE FUNCTION result_revisions_never_go();

-- A ballot a correction voided stays where it is (its receipt was published), but no longer
-- counts from that revision on.
ALTER TABLE ballots ADD COLUMN voided_in_revision BIGINT;
