-- Personal data (个人信息保护法): which privacy notice an account agreed to at sign-up and when,
-- and when an account was deleted. A deleted account's row stays as a tombstone with no
-- personal data (no number, no name, no password), because its named ballots must stay on the
-- record; everything else of it is anonymised or removed (store::personal::delete_account).
ALTER TABLE users ADD COLUMN privacy_consent_at BIGINT;
ALTER TABLE users ADD COLUMN privacy_notice TEXT;
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
