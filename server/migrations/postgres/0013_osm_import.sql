-- Where an imported facility came from in OpenStreetMap ('node/123' or 'way/456'), so that
-- importing a file again replaces what the last import brought and leaves the facilities that
-- staff entered (NULL here) alone.
ALTER TABLE facilities ADD COLUMN osm_ref TEXT;
CREATE UNIQUE INDEX facilities_osm_ref ON facilities(community_id, osm_ref);
