-- Choice questions (议事表决): what a vote asks (a JSON linli_domain::consultation::QuestionKind)
-- and the options it froze when it opened (a JSON array of strings). A ballot then holds yes,
-- no, abstain, or the chosen option indexes as a JSON array ("[2,0]", in order of preference
-- for a ranked question). SQLite cannot alter a CHECK, so the ballots table is rebuilt as is,
-- with the wider check. Portable SQL, as in 0001.

ALTER TABLE votes ADD COLUMN kind TEXT NOT NULL DEFAULT '{"kind":"yes_no"}';
ALTER TABLE votes ADD COLUMN options TEXT NOT NULL DEFAULT '[]';

CREATE TABLE ballots_v2 (
    id                  INTEGER PRIMARY KEY,
    vote_id             INTEGER NOT NULL REFERENCES votes(id),
    household_id        INTEGER REFERENCES households(id),
    voter_id            INTEGER REFERENCES users(id),
    area_centi_m2       BIGINT  NOT NULL,
    choice              TEXT    NOT NULL CHECK (choice IN ('yes', 'no', 'abstain') OR choice LIKE '[%]'),
    receipt_hash        TEXT    NOT NULL UNIQUE,
    UNIQUE (vote_id, household_id)
);
INSERT INTO ballots_v2 (id, vote_id, household_id, voter_id, area_centi_m2, choice, receipt_hash)
    SELECT id, vote_id, household_id, voter_id, area_centi_m2, choice, receipt_hash FROM ballots;
DROP TABLE ballots;
ALTER TABLE ballots_v2 RENAME TO ballots;
CREATE INDEX ballots_vote ON ballots(vote_id);
