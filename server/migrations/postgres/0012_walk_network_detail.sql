-- The walking network as the service circle routes on it. An imported network (OpenStreetMap)
-- splits ways only at junctions, so an edge carries its own line and length; the demo's straight
-- edges leave both empty (the length is then the distance between the two nodes).
-- `closed`: a gate or path that cannot be walked through (locked gate, construction); routing
-- skips it, the map still draws it.
ALTER TABLE walk_edges ADD COLUMN length_m DOUBLE PRECISION;
-- A JSON array of [lon, lat] pairs from `from_node` to `to_node`, both included.
ALTER TABLE walk_edges ADD COLUMN geometry TEXT;
ALTER TABLE walk_edges ADD COLUMN closed BIGINT NOT NULL DEFAULT 0 CHECK (closed IN (0, 1));
-- Where a node came from, for an import run again over the same file.
ALTER TABLE walk_nodes ADD COLUMN osm_id BIGINT;
