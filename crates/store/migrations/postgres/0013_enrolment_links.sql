-- One-time enrolment links: a new account's holder chooses their own password through a link
-- sent to their e-mail address, so no administrator ever knows it. Only the SHA-256 of the
-- link's token is kept. One live link per account: issuing a new one replaces (voids) the
-- previous one, and using a link deletes it.

CREATE TABLE enrolment_links (
    user_id UUID PRIMARY KEY REFERENCES users(id),
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    token_hash BYTEA NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX enrolment_links_expires ON enrolment_links (expires_at);
