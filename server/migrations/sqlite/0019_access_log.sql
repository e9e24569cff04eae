-- The access log: each time staff opened a resident's personal data on purpose (so far, the
-- full phone number behind a request), who did it, when and why. Admins browse it; the
-- resident finds their own rows in the export of their data. Append-only: the triggers refuse
-- any change or removal, so that a staff member cannot erase their own tracks through Linli.
CREATE TABLE access_log (
    id          INTEGER PRIMARY KEY,
    at          BIGINT  NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES users(id),
    action      TEXT    NOT NULL CHECK (action IN ('open_contact')),
    purpose     TEXT    NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES service_requests(id),
    -- The resident whose data was opened; a deleted account's tombstone keeps the row valid.
    subject_id  INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX access_log_subject ON access_log(subject_id, at);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
