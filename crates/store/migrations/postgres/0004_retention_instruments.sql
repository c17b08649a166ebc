-- Retention periods per record type, applied by the job worker, and tenant versions of the
-- needs-assessment instrument (version 1 is built in).

CREATE TABLE retention_periods (
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    record_type TEXT NOT NULL,
    days BIGINT NOT NULL CHECK (days >= 30),
    updated_by UUID REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, record_type)
);

-- When the person's identifying data was removed at the end of its retention period.
ALTER TABLE people ADD COLUMN anonymised_at BIGINT;
CREATE INDEX cases_closed ON cases (tenant_id, status, closed_at);

CREATE TABLE assessment_instruments (
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    version BIGINT NOT NULL CHECK (version >= 2),
    -- The domains as JSON: code, data category and, for new domains, names in eu/es/en.
    domains TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, version)
);
