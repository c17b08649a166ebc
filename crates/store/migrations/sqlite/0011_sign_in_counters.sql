-- Sign-in throttling. One row per account name, per client address and per account's second
-- factor, changed only by single upserts and updates so that concurrent attempts, on one server
-- or several, are each counted. Replaces the attempts log that was read before anything was
-- recorded, and the account's failure counter that the password step reset.

CREATE TABLE sign_in_counters (
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address', 'second_factor')),
    subject TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    consecutive INTEGER NOT NULL,
    locked_at INTEGER,
    locked_until INTEGER,
    next_lock_micros INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX sign_in_counters_updated ON sign_in_counters (updated_at);

DROP TABLE login_attempts;
ALTER TABLE users DROP COLUMN failed_logins;
