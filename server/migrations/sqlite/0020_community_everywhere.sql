-- The community's id on every table of community data, so that a city can partition its
-- data by community (declarative partitioning, or a distributed PostgreSQL with community_id as
-- the distribution column; ARCHITECTURE.md, "A city on PostgreSQL"). Each row takes the
-- community of the row it belongs to: a building its compound's, a ballot its vote's, and so
-- on down; a request sent without a household (its sender's account since deleted) the first
-- community's, the one a server of one community serves. Written in this order, each table's
-- parent already has its column. SQLite cannot make an added column NOT NULL, so here it
-- may be NULL; PostgreSQL's twin requires it, and the tests run on both. New rows are given it by the statements that insert them.
--
-- City-wide tables have none: accounts and sessions (a person may live in one community and
-- work in another), throttle events, request categories, Open311 clients and the walking
-- network (streets run across communities' edges; facilities already carry their community).

ALTER TABLE buildings ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE buildings SET community_id = (SELECT p.community_id FROM compounds p WHERE p.id = buildings.compound_id);

ALTER TABLE stairwells ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE stairwells SET community_id = (SELECT p.community_id FROM buildings p WHERE p.id = stairwells.building_id);

ALTER TABLE households ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE households SET community_id = (SELECT p.community_id FROM stairwells p WHERE p.id = households.stairwell_id);

ALTER TABLE binding_codes ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE binding_codes SET community_id = (SELECT p.community_id FROM households p WHERE p.id = binding_codes.household_id);

ALTER TABLE household_members ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE household_members SET community_id = (SELECT p.community_id FROM households p WHERE p.id = household_members.household_id);

ALTER TABLE service_requests ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE service_requests SET community_id = COALESCE(
    (SELECT p.community_id FROM households p WHERE p.id = service_requests.household_id),
    (SELECT MIN(id) FROM communities));

ALTER TABLE request_events ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE request_events SET community_id = (SELECT p.community_id FROM service_requests p WHERE p.id = request_events.request_id);

ALTER TABLE request_photos ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE request_photos SET community_id = (SELECT p.community_id FROM service_requests p WHERE p.id = request_photos.request_id);

ALTER TABLE request_followers ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE request_followers SET community_id = (SELECT p.community_id FROM service_requests p WHERE p.id = request_followers.request_id);

ALTER TABLE access_log ADD COLUMN community_id INTEGER REFERENCES communities(id);
-- Append-only: its refusal is lifted for the backfill alone, then put back as it was.
DROP TRIGGER access_log_no_update;
UPDATE access_log SET community_id = (SELECT p.community_id FROM service_requests p WHERE p.id = access_log.request_id);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

ALTER TABLE topics ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE topics SET community_id = (SELECT p.community_id FROM households p WHERE p.id = topics.household_id);

ALTER TABLE topic_cosigns ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE topic_cosigns SET community_id = (SELECT p.community_id FROM topics p WHERE p.id = topic_cosigns.topic_id);

ALTER TABLE topic_events ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE topic_events SET community_id = (SELECT p.community_id FROM topics p WHERE p.id = topic_events.topic_id);

ALTER TABLE topic_comments ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE topic_comments SET community_id = (SELECT p.community_id FROM topics p WHERE p.id = topic_comments.topic_id);

ALTER TABLE topic_documents ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE topic_documents SET community_id = (SELECT p.community_id FROM topics p WHERE p.id = topic_documents.topic_id);

ALTER TABLE topic_ratings ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE topic_ratings SET community_id = (SELECT p.community_id FROM topics p WHERE p.id = topic_ratings.topic_id);

ALTER TABLE consultation_audit ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE consultation_audit SET community_id = (SELECT p.community_id FROM topics p WHERE p.id = consultation_audit.topic_id);

ALTER TABLE comment_reports ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE comment_reports SET community_id = (SELECT p.community_id FROM topic_comments p WHERE p.id = comment_reports.comment_id);

ALTER TABLE votes ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE votes SET community_id = (SELECT p.community_id FROM topics p WHERE p.id = votes.topic_id);

ALTER TABLE vote_roll ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE vote_roll SET community_id = (SELECT p.community_id FROM votes p WHERE p.id = vote_roll.vote_id);

ALTER TABLE ballots ADD COLUMN community_id INTEGER REFERENCES communities(id);
UPDATE ballots SET community_id = (SELECT p.community_id FROM votes p WHERE p.id = ballots.vote_id);

ALTER TABLE result_revisions ADD COLUMN community_id INTEGER REFERENCES communities(id);
-- Append-only: its refusal is lifted for the backfill alone, then put back as it was.
DROP TRIGGER result_revisions_never_change;
UPDATE result_revisions SET community_id = (SELECT p.community_id FROM votes p WHERE p.id = result_revisions.vote_id);
CREATE TRIGGER result_revisions_never_change BEFORE UPDATE ON result_revisions
BEGIN
    SELECT RAISE(ABORT, 'a published result revision never changes');
END;
