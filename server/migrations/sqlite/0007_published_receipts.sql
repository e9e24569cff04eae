-- The receipt hashes a closed vote published, frozen at the close: its ballots can no longer
-- change, and reading 10,000 of them row by row on every view of the result cost more than the
-- rest of the page. One hash a line, sorted. NULL while the vote is open.
ALTER TABLE votes ADD COLUMN published_receipts TEXT;
