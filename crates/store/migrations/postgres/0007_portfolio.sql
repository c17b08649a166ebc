-- The area's strategic projects: objectives, neighbourhoods, partners, budget by year, the
-- programmes, agreements and contracts that belong to them, and milestones.

CREATE TABLE projects (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    objectives TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'closed')),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, code),
    CHECK (ends_on >= starts_on)
);

CREATE TABLE project_areas (
    project_id UUID NOT NULL REFERENCES projects(id),
    area_id UUID NOT NULL REFERENCES areas(id),
    PRIMARY KEY (project_id, area_id)
);

CREATE TABLE project_partners (
    project_id UUID NOT NULL REFERENCES projects(id),
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (project_id, organisation_id)
);

CREATE TABLE project_budgets (
    project_id UUID NOT NULL REFERENCES projects(id),
    year BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    planned_cents BIGINT NOT NULL CHECK (planned_cents >= 0),
    executed_cents BIGINT NOT NULL CHECK (executed_cents >= 0),
    PRIMARY KEY (project_id, year)
);

CREATE TABLE project_links (
    project_id UUID NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL CHECK (kind IN ('programme', 'agreement', 'contract')),
    target_id UUID NOT NULL,
    UNIQUE (project_id, kind, target_id)
);

CREATE TABLE project_milestones (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects(id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT
);
CREATE INDEX project_milestones_project ON project_milestones(project_id);
