-- Retention periods per record type, applied by the job worker, and tenant versions of the
-- needs-assessment instrument (version 1 is built in).

CREATE TABLE retention_periods (
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    record_type TEXT NOT NULL,
    days INTEGER NOT NULL CHECK (days >= 30),
    updated_by BLOB REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, record_type)
);

-- When the person's identifying data was removed at the end of its retention period.
ALTER TABLE people ADD COLUMN anonymised_at INTEGER;
CREATE INDEX cases_closed ON cases (tenant_id, status, closed_at);

CREATE TABLE assessment_instruments (
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    version INTEGER NOT NULL CHECK (version >= 2),
    -- The domains as JSON: code, data category and, for new domains, names in eu/es/en.
    domains TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

-- The rectification history: each registration, change and merge of a person with the record
-- before and after. Kept here, not in the append-only audit trail (which records only which
-- fields changed), so that retention can erase it with the person's data.
CREATE TABLE person_history (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    at INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    change TEXT NOT NULL
);
CREATE INDEX person_history_person ON person_history (person_id, at);

-- Trigrams by person: rewriting, merging and anonymising a person remove theirs.
CREATE INDEX person_trigrams_person ON person_trigrams (person_id);
