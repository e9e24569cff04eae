-- Choice questions (议事表决): what a vote asks (a JSON linli_domain::consultation::QuestionKind)
-- and the options it froze when it opened (a JSON array of strings). A ballot then holds yes,
-- no, abstain, or the chosen option indexes as a JSON array ("[2,0]", in order of preference
-- for a ranked question). SQLite rebuilds the ballots table to widen its CHECK; PostgreSQL
-- replaces the constraint in place (same name as the one 0006 created), which leaves the same
-- table, columns, keys and index. PostgreSQL twin, as in 0001.

ALTER TABLE votes ADD COLUMN kind TEXT NOT NULL DEFAULT '{"kind":"yes_no"}';
ALTER TABLE votes ADD COLUMN options TEXT NOT NULL DEFAULT '[]';

ALTER TABLE ballots DROP CONSTRAINT ballots_choice_check;
ALTER TABLE ballots ADD CONSTRAINT ballots_choice_check
    CHECK (choice IN ('yes', 'no', 'abstain') OR choice LIKE '[%]');
