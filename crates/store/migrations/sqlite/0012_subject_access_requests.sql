-- The register of subject access requests (GDPR arts. 12 and 15): the DPO produces a person's
-- copy only from a request in progress, which the copy completes. The requester's name is
-- kept here, never in the audit trail.

CREATE TABLE subject_access_requests (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    person_id BLOB NOT NULL REFERENCES people(id),
    requester TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('person', 'legal_representative', 'authorised')),
    identity_check TEXT NOT NULL,
    received_on TEXT NOT NULL,
    deadline_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'in_progress', 'completed', 'refused')),
    registered_by BLOB NOT NULL REFERENCES users(id),
    registered_at INTEGER NOT NULL,
    closed_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX subject_access_requests_tenant ON subject_access_requests (tenant_id, status, deadline_on);
CREATE INDEX subject_access_requests_person ON subject_access_requests (person_id);
