-- The map's own base layer: a compound's boundary (its wall or fence) and a building's
-- footprint, each as the coordinates of a GeoJSON Polygon (a JSON array of rings, each ring an
-- array of [lon, lat] pairs, closed: the first pair repeated last; outer ring first).
-- NULL when not known (imported data without outlines); the map then draws only the point.
ALTER TABLE compounds ADD COLUMN boundary TEXT;
ALTER TABLE buildings ADD COLUMN footprint TEXT;
