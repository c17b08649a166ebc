-- Foundation: tenants, territory, agencies, accounts, sessions, audit chain, jobs, outbox.
-- Ids are UUIDv7 (16-byte BLOB here, uuid on PostgreSQL). Times are UTC microseconds (INTEGER).

CREATE TABLE tenants (
    id BLOB PRIMARY KEY,
    ine_code TEXT NOT NULL UNIQUE,
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE areas (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL CHECK (kind IN ('district', 'neighbourhood')),
    code TEXT NOT NULL,
    parent_id BLOB REFERENCES areas(id),
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    UNIQUE (tenant_id, kind, code)
);

CREATE TABLE agencies (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    name_eu TEXT NOT NULL,
    name_es TEXT NOT NULL,
    system TEXT NOT NULL,
    area_id BLOB REFERENCES areas(id),
    email TEXT,
    active INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name_es)
);
CREATE INDEX agencies_tenant ON agencies (tenant_id, system);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    agency_id BLOB REFERENCES agencies(id),
    password_hash TEXT NOT NULL,
    preferred_lang TEXT,
    totp_secret BLOB,
    totp_last_step INTEGER,
    mfa_required INTEGER NOT NULL,
    active INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL,
    locked_at INTEGER,
    password_changed_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, username)
);

CREATE TABLE recovery_codes (
    user_id BLOB NOT NULL REFERENCES users(id),
    code_hash BLOB NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    mfa_passed INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_attempts (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL,
    username_key TEXT NOT NULL,
    ip TEXT NOT NULL,
    at INTEGER NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (tenant_id, username_key, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

CREATE TABLE audit_heads (
    tenant_id BLOB PRIMARY KEY REFERENCES tenants(id),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL
);

CREATE TABLE audit_events (
    tenant_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    id BLOB NOT NULL,
    at INTEGER NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    actor_role TEXT,
    actor_agency BLOB,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    subject_id TEXT,
    basis TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request_id TEXT,
    ip TEXT,
    detail TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_name, seq);
CREATE INDEX audit_events_entity ON audit_events (tenant_id, entity_type, entity_id);
CREATE INDEX audit_events_subject ON audit_events (tenant_id, subject_id);

-- The trail is append-only through Elkarlan: no update, no delete.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

CREATE TABLE jobs (
    id BLOB PRIMARY KEY,
    tenant_id BLOB,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    run_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    locked_until INTEGER,
    locked_by TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE periodic_runs (
    name TEXT NOT NULL,
    slot INTEGER NOT NULL,
    runner TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (name, slot)
);

CREATE TABLE email_outbox (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'dead')),
    attempts INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX email_outbox_status ON email_outbox (status, created_at);

CREATE TABLE idempotency_keys (
    tenant_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, key)
);
