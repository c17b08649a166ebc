-- Coordination of social inclusion: people, consent, cases with their team, referrals,
-- service capacity, emergency access. Personal data; every table carries tenant_id.

CREATE TABLE people (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    given_name TEXT NOT NULL,
    surname1 TEXT NOT NULL,
    surname2 TEXT,
    search_key TEXT NOT NULL,
    document_kind TEXT,
    -- The number sealed with the installation key, a keyed hash to find duplicates, and a
    -- masked form to show.
    document_sealed BLOB,
    document_hash BLOB,
    document_masked TEXT,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    nationality TEXT,
    languages TEXT NOT NULL,
    preferred_lang TEXT NOT NULL,
    area_id BLOB REFERENCES areas(id),
    phone TEXT,
    email TEXT,
    merged_into BLOB REFERENCES people(id),
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX people_tenant_key ON people (tenant_id, search_key);
CREATE INDEX people_document ON people (tenant_id, document_hash);
CREATE INDEX people_birth ON people (tenant_id, birth_date);

-- Trigrams of each person's search key: typo-tolerant search with one portable index.
CREATE TABLE person_trigrams (
    tenant_id BLOB NOT NULL,
    trigram TEXT NOT NULL,
    person_id BLOB NOT NULL REFERENCES people(id),
    PRIMARY KEY (tenant_id, trigram, person_id)
);

CREATE TABLE consents (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    purpose TEXT NOT NULL,
    recipients TEXT NOT NULL,
    categories TEXT NOT NULL,
    evidence TEXT NOT NULL,
    given_at INTEGER NOT NULL,
    expires_at INTEGER,
    withdrawn_at INTEGER,
    recorded_by BLOB NOT NULL REFERENCES users(id),
    recorded_agency BLOB REFERENCES agencies(id),
    version INTEGER NOT NULL
);
CREATE INDEX consents_person ON consents (tenant_id, person_id);

CREATE TABLE cases (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    lead_user_id BLOB NOT NULL REFERENCES users(id),
    lead_agency_id BLOB NOT NULL REFERENCES agencies(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'active', 'on_hold', 'closed')),
    closure_reason TEXT,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX cases_person ON cases (tenant_id, person_id);
CREATE INDEX cases_lead ON cases (tenant_id, lead_user_id);

-- The team: agencies, and the professionals named for them.
CREATE TABLE case_team (
    case_id BLOB NOT NULL REFERENCES cases(id),
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    user_id BLOB REFERENCES users(id),
    joined_at INTEGER NOT NULL,
    left_at INTEGER
);
CREATE INDEX case_team_case ON case_team (case_id);
CREATE INDEX case_team_user ON case_team (user_id, case_id);
CREATE INDEX case_team_agency ON case_team (agency_id, case_id);

CREATE TABLE referrals (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    case_id BLOB NOT NULL REFERENCES cases(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    from_agency BLOB NOT NULL REFERENCES agencies(id),
    from_user BLOB NOT NULL REFERENCES users(id),
    to_agency BLOB NOT NULL REFERENCES agencies(id),
    answered_by BLOB REFERENCES users(id),
    reason TEXT NOT NULL,
    urgency TEXT NOT NULL,
    categories TEXT NOT NULL,
    status TEXT NOT NULL,
    decline_reason TEXT,
    outcome TEXT,
    due_at INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    answered_at INTEGER,
    started_at INTEGER,
    completed_at INTEGER,
    withdrawn_at INTEGER,
    reminded_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX referrals_inbox ON referrals (tenant_id, to_agency, status);
CREATE INDEX referrals_case ON referrals (case_id);
CREATE INDEX referrals_due ON referrals (status, due_at);

-- What a receiving service publishes so nobody is sent to a dead end.
CREATE TABLE service_capacity (
    agency_id BLOB PRIMARY KEY REFERENCES agencies(id),
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    open_places INTEGER NOT NULL,
    waiting_list INTEGER NOT NULL,
    expected_wait_days INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE break_glass (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    case_id BLOB NOT NULL REFERENCES cases(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    reviewed_at INTEGER,
    reviewed_by BLOB REFERENCES users(id),
    review_outcome TEXT
);
CREATE INDEX break_glass_user ON break_glass (user_id, case_id, expires_at);
CREATE INDEX break_glass_review ON break_glass (tenant_id, reviewed_at);

-- In-app notifications (referral received, reminders).
CREATE TABLE notifications (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    agency_id BLOB REFERENCES agencies(id),
    user_id BLOB REFERENCES users(id),
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_agency ON notifications (tenant_id, agency_id, read_at);
