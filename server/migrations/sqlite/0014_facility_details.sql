-- What a resident asks of a facility before walking there: what it offers and whether a
-- wheelchair gets in; staff keep the list current and retire what has closed (kept, not
-- deleted, so old links say "closed" rather than "not found").
ALTER TABLE facilities ADD COLUMN services_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE facilities ADD COLUMN services_en TEXT NOT NULL DEFAULT '';
-- OpenStreetMap's wheelchair=* values: yes, limited, no; NULL when nobody has checked.
ALTER TABLE facilities ADD COLUMN wheelchair TEXT CHECK (wheelchair IN ('yes', 'limited', 'no'));
ALTER TABLE facilities ADD COLUMN updated_at BIGINT;
ALTER TABLE facilities ADD COLUMN retired_at BIGINT;
CREATE INDEX facilities_position ON facilities(lat, lon);
