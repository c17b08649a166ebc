-- Casework: needs assessments by life domain, the joint plan, notes with a confidentiality
-- level, and coordination meetings whose agreed actions become plan actions.

CREATE TABLE assessments (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    case_id BLOB NOT NULL REFERENCES cases(id),
    instrument_version INTEGER NOT NULL,
    assessed_by BLOB NOT NULL REFERENCES users(id),
    assessed_agency BLOB NOT NULL REFERENCES agencies(id),
    assessed_at INTEGER NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX assessments_case ON assessments (case_id, assessed_at);

CREATE TABLE assessment_domains (
    assessment_id BLOB NOT NULL REFERENCES assessments(id),
    domain TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('none', 'low', 'moderate', 'severe')),
    PRIMARY KEY (assessment_id, domain)
);

CREATE TABLE meetings (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    held_on TEXT NOT NULL,
    minutes TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX meetings_tenant ON meetings (tenant_id, held_on);

CREATE TABLE meeting_agencies (
    meeting_id BLOB NOT NULL REFERENCES meetings(id),
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (meeting_id, agency_id)
);

CREATE TABLE meeting_cases (
    meeting_id BLOB NOT NULL REFERENCES meetings(id),
    case_id BLOB NOT NULL REFERENCES cases(id),
    PRIMARY KEY (meeting_id, case_id)
);
CREATE INDEX meeting_cases_case ON meeting_cases (case_id);

CREATE TABLE plan_goals (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    case_id BLOB NOT NULL REFERENCES cases(id),
    domain TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'achieved', 'dropped')),
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX plan_goals_case ON plan_goals (case_id);

CREATE TABLE plan_actions (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    case_id BLOB NOT NULL REFERENCES cases(id),
    goal_id BLOB REFERENCES plan_goals(id),
    meeting_id BLOB REFERENCES meetings(id),
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    user_id BLOB REFERENCES users(id),
    description TEXT NOT NULL,
    due_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'done', 'cancelled')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX plan_actions_case ON plan_actions (case_id);
CREATE INDEX plan_actions_agency ON plan_actions (tenant_id, agency_id, status);

CREATE TABLE case_notes (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    case_id BLOB NOT NULL REFERENCES cases(id),
    author_id BLOB NOT NULL REFERENCES users(id),
    author_agency BLOB NOT NULL REFERENCES agencies(id),
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('team', 'agency', 'author')),
    clinical INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at);
