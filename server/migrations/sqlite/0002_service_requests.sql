-- Service requests (办事): the catalogue, the requests, and their timelines.
-- Portable SQL, as in 0001. JSON documents (questions, answers) are TEXT.

-- The catalogue (Open311 "services"). Time limits follow hotline practice: urgent matters
-- within hours, ordinary ones within 7 days, complex ones within 15.
CREATE TABLE request_categories (
    code                TEXT    PRIMARY KEY,
    name_zh             TEXT    NOT NULL,
    name_en             TEXT    NOT NULL,
    description_zh      TEXT    NOT NULL,
    description_en      TEXT    NOT NULL,
    response_hours      INTEGER NOT NULL CHECK (response_hours > 0),
    resolution_hours    INTEGER NOT NULL CHECK (resolution_hours >= response_hours),
    -- The extra questions: a JSON array of linli_domain::catalogue::Question.
    questions           TEXT    NOT NULL,
    sort_order          INTEGER NOT NULL
);

CREATE TABLE service_requests (
    id                  INTEGER PRIMARY KEY,
    tracking_year       INTEGER NOT NULL,
    tracking_seq        INTEGER NOT NULL,
    category_code       TEXT    NOT NULL REFERENCES request_categories(code),
    -- NULL once the author's account is deleted: the request stays, anonymised.
    author_id           INTEGER REFERENCES users(id) ON DELETE SET NULL,
    household_id        INTEGER REFERENCES households(id),
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    -- The answers to the category's questions: a JSON object.
    answers             TEXT    NOT NULL,
    lat                 DOUBLE PRECISION,
    lon                 DOUBLE PRECISION,
    address             TEXT,
    contact_preference  TEXT    NOT NULL CHECK (contact_preference IN ('phone', 'app')),
    hide_name           INTEGER NOT NULL CHECK (hide_name IN (0, 1)),
    status              TEXT    NOT NULL,
    handler             TEXT,
    submitted_at        BIGINT  NOT NULL,
    respond_by          BIGINT  NOT NULL,
    resolve_by          BIGINT  NOT NULL,
    responded_at        BIGINT,
    resolved_at         BIGINT,
    satisfied           INTEGER CHECK (satisfied IN (0, 1)),
    UNIQUE (tracking_year, tracking_seq)
);
CREATE INDEX service_requests_author ON service_requests(author_id, submitted_at);
CREATE INDEX service_requests_queue ON service_requests(status, resolve_by);
CREATE INDEX service_requests_month ON service_requests(submitted_at, category_code);

-- The timeline: every status change and note, with who (by role) and when.
CREATE TABLE request_events (
    id                  INTEGER PRIMARY KEY,
    request_id          INTEGER NOT NULL REFERENCES service_requests(id),
    at                  BIGINT  NOT NULL,
    actor_role          TEXT    NOT NULL CHECK (actor_role IN ('resident', 'staff')),
    actor_id            INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action              TEXT    NOT NULL,
    from_status         TEXT,
    to_status           TEXT,
    note                TEXT    NOT NULL,
    -- Internal notes are for staff only.
    public              INTEGER NOT NULL CHECK (public IN (0, 1))
);
CREATE INDEX request_events_request ON request_events(request_id, at);

INSERT INTO request_categories
    (code, name_zh, name_en, description_zh, description_en, response_hours, resolution_hours, questions, sort_order)
VALUES
    ('repairs', '物业维修', 'Repairs', '房屋、管道、门窗、电梯等需要维修。', 'Homes, pipes, doors, windows, lifts that need repair.', 24, 168, '[{"key": "where", "label_zh": "在哪里", "label_en": "Where", "kind": {"type": "single"}, "required": true, "options": [{"key": "home", "label_zh": "家里", "label_en": "At home"}, {"key": "stairwell", "label_zh": "楼道", "label_en": "Stairwell"}, {"key": "lift", "label_zh": "电梯", "label_en": "Lift"}, {"key": "outdoor", "label_zh": "室外", "label_en": "Outdoors"}]}, {"key": "floor", "label_zh": "几楼", "label_en": "Which floor", "kind": {"type": "number", "min": -3, "max": 40}, "required": false}]', 1),
    ('sanitation', '环境卫生', 'Sanitation', '垃圾、异味、虫害、卫生死角。', 'Rubbish, smells, pests, neglected corners.', 24, 72, '[{"key": "kinds", "label_zh": "什么问题", "label_en": "What is wrong", "kind": {"type": "multiple", "max_choices": 3}, "required": true, "options": [{"key": "rubbish", "label_zh": "垃圾堆放", "label_en": "Rubbish"}, {"key": "smell", "label_zh": "异味", "label_en": "Smell"}, {"key": "pests", "label_zh": "虫鼠", "label_en": "Pests"}, {"key": "water", "label_zh": "积水", "label_en": "Standing water"}]}]', 2),
    ('public_facilities', '公共设施', 'Public facilities', '路灯、座椅、健身器材、道路等公共设施损坏。', 'Broken street lights, benches, fitness equipment, paths.', 24, 168, '[]', 3),
    ('safety', '安全隐患', 'Safety hazards', '消防通道堵塞、电线老化、高空坠物等隐患。', 'Blocked fire exits, old wiring, falling objects and other hazards.', 1, 24, '[{"key": "hazard", "label_zh": "哪类隐患", "label_en": "Kind of hazard", "kind": {"type": "single"}, "required": true, "options": [{"key": "fire_exit", "label_zh": "消防通道堵塞", "label_en": "Blocked fire exit"}, {"key": "wiring", "label_zh": "电线电路", "label_en": "Electrical wiring"}, {"key": "falling", "label_zh": "高空坠物", "label_en": "Falling objects"}, {"key": "gas", "label_zh": "燃气", "label_en": "Gas"}, {"key": "other", "label_zh": "其他", "label_en": "Other"}]}]', 4),
    ('disputes', '邻里纠纷', 'Neighbour disputes', '噪音、漏水、占用公共空间等邻里矛盾调解。', 'Mediation of noise, leaks, use of shared space between neighbours.', 48, 360, '[]', 5),
    ('elderly_help', '养老助老', 'Help for the elderly', '为老人求助：送餐、陪诊、上门探访。', 'Help for older residents: meals, going to the doctor, home visits.', 4, 48, '[{"key": "for_whom", "label_zh": "为谁求助", "label_en": "Who needs help", "kind": {"type": "text"}, "required": false}]', 6),
    ('household_services', '家政服务', 'Household services', '保洁、小修、助餐等便民服务。', 'Cleaning, small repairs, meals and other household services.', 24, 168, '[{"key": "service", "label_zh": "需要什么服务", "label_en": "Service needed", "kind": {"type": "single"}, "required": true, "options": [{"key": "cleaning", "label_zh": "保洁", "label_en": "Cleaning"}, {"key": "small_repair", "label_zh": "小修", "label_en": "Small repairs"}, {"key": "meals", "label_zh": "助餐", "label_en": "Meals"}]}]', 7),
    ('policy', '政策咨询', 'Policy questions', '社保、医保、户籍、补贴等政策问题。', 'Questions about social insurance, residence, subsidies and other policies.', 24, 120, '[]', 8),
    ('other', '其他', 'Other', '以上都不是的事。', 'Anything else.', 48, 360, '[]', 9);
