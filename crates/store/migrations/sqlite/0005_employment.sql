-- Neighbourhood employment plans and training itineraries: programmes co-designed with partner
-- entities, training actions with their sessions, referral lists imported from the employment
-- service's office, itineraries, enrolments with attendance, placements and their follow-ups.

CREATE TABLE programmes (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    year INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'running', 'closed')),
    promoter_agency BLOB NOT NULL REFERENCES agencies(id),
    places INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    target_groups TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX programmes_tenant ON programmes (tenant_id, year);

CREATE TABLE programme_partners (
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (programme_id, agency_id)
);
CREATE INDEX programme_partners_agency ON programme_partners (agency_id);

CREATE TABLE programme_areas (
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    area_id BLOB NOT NULL REFERENCES areas(id),
    PRIMARY KEY (programme_id, area_id)
);

CREATE TABLE programme_funding (
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    position INTEGER NOT NULL,
    source TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (programme_id, position)
);

-- Co-designed with the partner entities: the steps a programme's itineraries start from.
CREATE TABLE itinerary_templates (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    name TEXT NOT NULL,
    steps TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_by BLOB REFERENCES users(id),
    updated_at INTEGER NOT NULL
);
CREATE INDEX itinerary_templates_programme ON itinerary_templates (programme_id);

CREATE TABLE training_actions (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    provider_agency BLOB NOT NULL REFERENCES agencies(id),
    title_eu TEXT NOT NULL,
    title_es TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'open', 'in_progress', 'finished', 'cancelled')),
    hours INTEGER NOT NULL,
    places INTEGER NOT NULL,
    location TEXT NOT NULL,
    area_id BLOB REFERENCES areas(id),
    esco_code TEXT NOT NULL,
    skills TEXT NOT NULL,
    certificate TEXT,
    language TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    weekdays TEXT NOT NULL,
    time_from TEXT NOT NULL,
    time_to TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX training_actions_programme ON training_actions (programme_id);
CREATE INDEX training_actions_provider ON training_actions (provider_agency);

CREATE TABLE training_sessions (
    id BLOB PRIMARY KEY,
    action_id BLOB NOT NULL REFERENCES training_actions(id),
    number INTEGER NOT NULL,
    held_on TEXT NOT NULL,
    time_from TEXT NOT NULL,
    time_to TEXT NOT NULL,
    UNIQUE (action_id, number)
);
CREATE INDEX training_sessions_day ON training_sessions (held_on);

-- What an eligibility check needs beyond the person's record: employment data, kept by the
-- employment service.
CREATE TABLE employment_profiles (
    person_id BLOB PRIMARY KEY REFERENCES people(id),
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    unemployed_since TEXT,
    income_guarantee INTEGER,
    disability_percent INTEGER,
    isced INTEGER,
    updated_at INTEGER NOT NULL
);

CREATE TABLE itineraries (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    programme_id BLOB REFERENCES programmes(id),
    professional_id BLOB NOT NULL REFERENCES users(id),
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'dropped_out')),
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX itineraries_person ON itineraries (person_id);
CREATE INDEX itineraries_programme ON itineraries (programme_id);

CREATE TABLE itinerary_steps (
    id BLOB PRIMARY KEY,
    itinerary_id BLOB NOT NULL REFERENCES itineraries(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'skipped')),
    planned_on TEXT,
    started_on TEXT,
    completed_on TEXT,
    version INTEGER NOT NULL,
    UNIQUE (itinerary_id, position)
);

-- One row per referral on a list from the employment service's office: re-importing the same
-- list finds the references already there and adds nothing.
CREATE TABLE referral_imports (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_total INTEGER NOT NULL,
    people_created INTEGER NOT NULL,
    people_matched INTEGER NOT NULL,
    already_imported INTEGER NOT NULL,
    imported_by BLOB NOT NULL REFERENCES users(id),
    imported_at INTEGER NOT NULL
);

CREATE TABLE inbound_referrals (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    reference TEXT NOT NULL,
    person_id BLOB NOT NULL REFERENCES people(id),
    import_id BLOB NOT NULL REFERENCES referral_imports(id),
    referred_on TEXT NOT NULL,
    notes TEXT,
    UNIQUE (tenant_id, programme_id, reference)
);
CREATE INDEX inbound_referrals_person ON inbound_referrals (person_id);

CREATE TABLE enrolments (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    action_id BLOB NOT NULL REFERENCES training_actions(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    itinerary_id BLOB REFERENCES itineraries(id),
    status TEXT NOT NULL CHECK (status IN ('enrolled', 'completed', 'dropped_out')),
    enrolled_on TEXT NOT NULL,
    closed_on TEXT,
    dropout_reason TEXT,
    certificate TEXT,
    enrolled_by BLOB NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL,
    UNIQUE (action_id, person_id)
);
CREATE INDEX enrolments_person ON enrolments (person_id);

CREATE TABLE attendance (
    enrolment_id BLOB NOT NULL REFERENCES enrolments(id),
    session_id BLOB NOT NULL REFERENCES training_sessions(id),
    mark TEXT NOT NULL CHECK (mark IN ('present', 'absent', 'excused')),
    recorded_by BLOB NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (enrolment_id, session_id)
);

-- The clause and commitment links are filled by procurement and agreements; nullable until then.
CREATE TABLE placements (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    itinerary_id BLOB REFERENCES itineraries(id),
    employer TEXT,
    contract_type TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    weekly_hours_centi INTEGER NOT NULL,
    esco_code TEXT NOT NULL,
    sector TEXT NOT NULL,
    social_clause_id BLOB,
    agreement_commitment_id BLOB,
    recorded_by BLOB NOT NULL REFERENCES users(id),
    recorded_agency BLOB NOT NULL REFERENCES agencies(id),
    recorded_at INTEGER NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX placements_person ON placements (person_id);

CREATE TABLE follow_ups (
    id BLOB PRIMARY KEY,
    placement_id BLOB NOT NULL REFERENCES placements(id),
    months INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    checked_on TEXT,
    still_employed INTEGER,
    same_employer INTEGER,
    evidence TEXT,
    note TEXT,
    recorded_by BLOB REFERENCES users(id),
    reminded_at INTEGER,
    UNIQUE (placement_id, months)
);
CREATE INDEX follow_ups_due ON follow_ups (due_on) WHERE checked_on IS NULL;
