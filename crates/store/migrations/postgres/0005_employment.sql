-- Neighbourhood employment plans and training itineraries: programmes co-designed with partner
-- entities, training actions with their sessions, referral lists imported from the employment
-- service's office, itineraries, enrolments with attendance, placements and their follow-ups.

CREATE TABLE programmes (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    year BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'running', 'closed')),
    promoter_agency UUID NOT NULL REFERENCES agencies(id),
    places BIGINT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    target_groups TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX programmes_tenant ON programmes (tenant_id, year);

CREATE TABLE programme_partners (
    programme_id UUID NOT NULL REFERENCES programmes(id),
    agency_id UUID NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (programme_id, agency_id)
);
CREATE INDEX programme_partners_agency ON programme_partners (agency_id);

CREATE TABLE programme_areas (
    programme_id UUID NOT NULL REFERENCES programmes(id),
    area_id UUID NOT NULL REFERENCES areas(id),
    PRIMARY KEY (programme_id, area_id)
);

CREATE TABLE programme_funding (
    programme_id UUID NOT NULL REFERENCES programmes(id),
    position BIGINT NOT NULL,
    source TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (programme_id, position)
);

-- Co-designed with the partner entities: the steps a programme's itineraries start from.
CREATE TABLE itinerary_templates (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES programmes(id),
    name TEXT NOT NULL,
    steps TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by UUID REFERENCES users(id),
    updated_at BIGINT NOT NULL
);
CREATE INDEX itinerary_templates_programme ON itinerary_templates (programme_id);

CREATE TABLE training_actions (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    programme_id UUID NOT NULL REFERENCES programmes(id),
    provider_agency UUID NOT NULL REFERENCES agencies(id),
    title_eu TEXT NOT NULL,
    title_es TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'open', 'in_progress', 'finished', 'cancelled')),
    hours BIGINT NOT NULL,
    places BIGINT NOT NULL,
    location TEXT NOT NULL,
    area_id UUID REFERENCES areas(id),
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
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX training_actions_programme ON training_actions (programme_id);
CREATE INDEX training_actions_provider ON training_actions (provider_agency);

CREATE TABLE training_sessions (
    id UUID PRIMARY KEY,
    action_id UUID NOT NULL REFERENCES training_actions(id),
    number BIGINT NOT NULL,
    held_on TEXT NOT NULL,
    time_from TEXT NOT NULL,
    time_to TEXT NOT NULL,
    UNIQUE (action_id, number)
);
CREATE INDEX training_sessions_day ON training_sessions (held_on);

-- What an eligibility check needs beyond the person's record: employment data, kept by the
-- employment service.
CREATE TABLE employment_profiles (
    person_id UUID PRIMARY KEY REFERENCES people(id),
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    unemployed_since TEXT,
    income_guarantee BIGINT,
    disability_percent BIGINT,
    isced BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE itineraries (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    person_id UUID NOT NULL REFERENCES people(id),
    programme_id UUID REFERENCES programmes(id),
    professional_id UUID NOT NULL REFERENCES users(id),
    agency_id UUID NOT NULL REFERENCES agencies(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'dropped_out')),
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX itineraries_person ON itineraries (person_id);
CREATE INDEX itineraries_programme ON itineraries (programme_id);

CREATE TABLE itinerary_steps (
    id UUID PRIMARY KEY,
    itinerary_id UUID NOT NULL REFERENCES itineraries(id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'skipped')),
    planned_on TEXT,
    started_on TEXT,
    completed_on TEXT,
    version BIGINT NOT NULL,
    UNIQUE (itinerary_id, position)
);

-- One row per referral on a list from the employment service's office: re-importing the same
-- list finds the references already there and adds nothing.
CREATE TABLE referral_imports (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    programme_id UUID NOT NULL REFERENCES programmes(id),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_total BIGINT NOT NULL,
    people_created BIGINT NOT NULL,
    people_matched BIGINT NOT NULL,
    already_imported BIGINT NOT NULL,
    imported_by UUID NOT NULL REFERENCES users(id),
    imported_at BIGINT NOT NULL
);

CREATE TABLE inbound_referrals (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    programme_id UUID NOT NULL REFERENCES programmes(id),
    reference TEXT NOT NULL,
    person_id UUID NOT NULL REFERENCES people(id),
    import_id UUID NOT NULL REFERENCES referral_imports(id),
    referred_on TEXT NOT NULL,
    notes TEXT,
    UNIQUE (tenant_id, programme_id, reference)
);
CREATE INDEX inbound_referrals_person ON inbound_referrals (person_id);

CREATE TABLE enrolments (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    action_id UUID NOT NULL REFERENCES training_actions(id),
    person_id UUID NOT NULL REFERENCES people(id),
    itinerary_id UUID REFERENCES itineraries(id),
    status TEXT NOT NULL CHECK (status IN ('enrolled', 'completed', 'dropped_out')),
    enrolled_on TEXT NOT NULL,
    closed_on TEXT,
    dropout_reason TEXT,
    certificate TEXT,
    enrolled_by UUID NOT NULL REFERENCES users(id),
    version BIGINT NOT NULL,
    UNIQUE (action_id, person_id)
);
CREATE INDEX enrolments_person ON enrolments (person_id);

CREATE TABLE attendance (
    enrolment_id UUID NOT NULL REFERENCES enrolments(id),
    session_id UUID NOT NULL REFERENCES training_sessions(id),
    mark TEXT NOT NULL CHECK (mark IN ('present', 'absent', 'excused')),
    recorded_by UUID NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (enrolment_id, session_id)
);

-- The clause and commitment links are filled by procurement and agreements; nullable until then.
CREATE TABLE placements (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    person_id UUID NOT NULL REFERENCES people(id),
    itinerary_id UUID REFERENCES itineraries(id),
    employer TEXT,
    contract_type TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    weekly_hours_centi BIGINT NOT NULL,
    esco_code TEXT NOT NULL,
    sector TEXT NOT NULL,
    social_clause_id UUID,
    agreement_commitment_id UUID,
    recorded_by UUID NOT NULL REFERENCES users(id),
    recorded_agency UUID NOT NULL REFERENCES agencies(id),
    recorded_at BIGINT NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX placements_person ON placements (person_id);

CREATE TABLE follow_ups (
    id UUID PRIMARY KEY,
    placement_id UUID NOT NULL REFERENCES placements(id),
    months BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    checked_on TEXT,
    still_employed BIGINT,
    same_employer BIGINT,
    evidence TEXT,
    note TEXT,
    recorded_by UUID REFERENCES users(id),
    reminded_at BIGINT,
    UNIQUE (placement_id, months)
);
CREATE INDEX follow_ups_due ON follow_ups (due_on) WHERE checked_on IS NULL;
