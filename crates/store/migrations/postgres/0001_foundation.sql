-- Foundation: tenants, territory, agencies, accounts, sessions, audit chain, jobs, outbox.
-- Ids are UUIDv7 (uuid here, 16-byte BLOB on SQLite). Times are UTC microseconds (BIGINT).

CREATE TABLE tenants (
    id UUID PRIMARY KEY,
    ine_code TEXT NOT NULL UNIQUE,
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE areas (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL CHECK (kind IN ('district', 'neighbourhood')),
    code TEXT NOT NULL,
    parent_id UUID REFERENCES areas(id),
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    UNIQUE (tenant_id, kind, code)
);

CREATE TABLE agencies (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    system TEXT NOT NULL,
    area_id UUID REFERENCES areas(id),
    email TEXT,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name_es)
);
CREATE INDEX agencies_tenant ON agencies (tenant_id, system);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    agency_id UUID REFERENCES agencies(id),
    password_hash TEXT NOT NULL,
    preferred_lang TEXT,
    totp_secret BYTEA,
    totp_last_step BIGINT,
    mfa_required BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_at BIGINT,
    password_changed_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, username)
);

CREATE TABLE recovery_codes (
    user_id UUID NOT NULL REFERENCES users(id),
    code_hash BYTEA NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    user_id UUID NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    mfa_passed BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash BYTEA PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    user_id UUID NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_attempts (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL,
    username_key TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (tenant_id, username_key, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

CREATE TABLE audit_heads (
    tenant_id UUID PRIMARY KEY REFERENCES tenants(id),
    seq BIGINT NOT NULL,
    hash BYTEA NOT NULL
);

CREATE TABLE audit_events (
    tenant_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    id UUID NOT NULL,
    at BIGINT NOT NULL,
    actor_id UUID,
    actor_name TEXT NOT NULL,
    actor_role TEXT,
    actor_agency UUID,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    subject_id TEXT,
    basis TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request_id TEXT,
    ip TEXT,
    detail TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_name, seq);
CREATE INDEX audit_events_entity ON audit_events (tenant_id, entity_type, entity_id);
CREATE INDEX audit_events_subject ON audit_events (tenant_id, subject_id);

-- The trail is append-only through Elkarlan: no update, no delete.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    tenant_id UUID,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    locked_until BIGINT,
    locked_by TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE periodic_runs (
    name TEXT NOT NULL,
    slot BIGINT NOT NULL,
    runner TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (name, slot)
);

CREATE TABLE email_outbox (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'dead')),
    attempts BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX email_outbox_status ON email_outbox (status, created_at);

CREATE TABLE idempotency_keys (
    tenant_id UUID NOT NULL,
    user_id UUID NOT NULL,
    key TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, key)
);
