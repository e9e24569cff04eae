-- Foundation schema: the community's structure, accounts, sessions, household binding,
-- throttling, facilities and the walking network.
-- Portable SQL on purpose (a PostgreSQL twin of each migration can follow): integer ids,
-- times as BIGINT unix seconds (UTC), flags as INTEGER 0/1, no engine-specific functions.
-- Floor areas are integers in hundredths of a square metre, so the Civil Code Art. 278
-- tallies can be computed exactly.

CREATE TABLE communities (
    id              INTEGER PRIMARY KEY,
    name_zh         TEXT    NOT NULL,
    name_en         TEXT    NOT NULL,
    city_zh         TEXT    NOT NULL,
    city_en         TEXT    NOT NULL,
    district_zh     TEXT    NOT NULL,
    district_en     TEXT    NOT NULL,
    street_office_zh TEXT   NOT NULL,
    street_office_en TEXT   NOT NULL,
    center_lat      DOUBLE PRECISION NOT NULL,
    center_lon      DOUBLE PRECISION NOT NULL
);

-- 小区: a gated compound.
CREATE TABLE compounds (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES communities(id),
    name_zh         TEXT    NOT NULL,
    name_en         TEXT    NOT NULL,
    built_year      INTEGER NOT NULL,
    center_lat      DOUBLE PRECISION NOT NULL,
    center_lon      DOUBLE PRECISION NOT NULL
);

-- The walkable network: street corners, compound paths, gates and building doors.
CREATE TABLE walk_nodes (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('street', 'path', 'gate', 'door', 'facility')),
    lat             DOUBLE PRECISION NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    compound_id     INTEGER REFERENCES compounds(id)
);

-- Undirected edges; length is derived from the coordinates by the routing code.
CREATE TABLE walk_edges (
    id              INTEGER PRIMARY KEY,
    from_node       INTEGER NOT NULL REFERENCES walk_nodes(id),
    to_node         INTEGER NOT NULL REFERENCES walk_nodes(id),
    kind            TEXT    NOT NULL CHECK (kind IN ('street', 'path', 'gate')),
    name_zh         TEXT,
    name_en         TEXT,
    CHECK (from_node <> to_node)
);
CREATE INDEX walk_edges_from ON walk_edges(from_node);
CREATE INDEX walk_edges_to ON walk_edges(to_node);

-- 楼栋
CREATE TABLE buildings (
    id              INTEGER PRIMARY KEY,
    compound_id     INTEGER NOT NULL REFERENCES compounds(id),
    number          INTEGER NOT NULL,
    floors          INTEGER NOT NULL CHECK (floors > 0),
    has_elevator    INTEGER NOT NULL CHECK (has_elevator IN (0, 1)),
    lat             DOUBLE PRECISION NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    door_node_id    INTEGER REFERENCES walk_nodes(id),
    UNIQUE (compound_id, number)
);

-- 单元: a stairwell unit of a building.
CREATE TABLE stairwells (
    id              INTEGER PRIMARY KEY,
    building_id     INTEGER NOT NULL REFERENCES buildings(id),
    number          INTEGER NOT NULL,
    UNIQUE (building_id, number)
);

-- 户: a household, one exclusive unit with its floor area.
CREATE TABLE households (
    id              INTEGER PRIMARY KEY,
    stairwell_id    INTEGER NOT NULL REFERENCES stairwells(id),
    floor           INTEGER NOT NULL,
    room            TEXT    NOT NULL,
    floor_area_centi_m2 INTEGER NOT NULL CHECK (floor_area_centi_m2 > 0),
    UNIQUE (stairwell_id, room)
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    phone           TEXT    NOT NULL UNIQUE,
    password_hash   TEXT    NOT NULL,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('resident', 'staff', 'admin')),
    created_at      BIGINT  NOT NULL
);

-- Server-side sessions; the cookie holds a random token, the table only its SHA-256.
CREATE TABLE sessions (
    token_hash      TEXT    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- One-time binding codes the community hands out, one per household and relation.
CREATE TABLE binding_codes (
    code            TEXT    PRIMARY KEY,
    household_id    INTEGER NOT NULL REFERENCES households(id),
    relation        TEXT    NOT NULL CHECK (relation IN ('owner', 'member')),
    created_at      BIGINT  NOT NULL,
    used_at         BIGINT,
    used_by         INTEGER REFERENCES users(id)
);
CREATE INDEX binding_codes_household ON binding_codes(household_id);

-- Verified membership of a household: owners (业主) vote in owners' legal decisions.
CREATE TABLE household_members (
    household_id    INTEGER NOT NULL REFERENCES households(id),
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    relation        TEXT    NOT NULL CHECK (relation IN ('owner', 'member')),
    verified_at     BIGINT  NOT NULL,
    PRIMARY KEY (household_id, user_id)
);
CREATE INDEX household_members_user ON household_members(user_id);

-- Failed logins and binding attempts, by account and by client address, for throttling.
CREATE TABLE auth_failures (
    id              INTEGER PRIMARY KEY,
    scope           TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    at              BIGINT  NOT NULL
);
CREATE INDEX auth_failures_lookup ON auth_failures(scope, subject, at);

-- Places of the 15-minute service circle.
CREATE TABLE facilities (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES communities(id),
    category        TEXT    NOT NULL,
    name_zh         TEXT    NOT NULL,
    name_en         TEXT    NOT NULL,
    address_zh      TEXT    NOT NULL,
    address_en      TEXT    NOT NULL,
    lat             DOUBLE PRECISION NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    opening_hours   TEXT    NOT NULL,
    phone           TEXT,
    node_id         INTEGER REFERENCES walk_nodes(id)
);
CREATE INDEX facilities_category ON facilities(category);
