-- Reps, the Microsoft accounts they sign in with, and their browser sessions.

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    email         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);
CREATE INDEX users_email_idx ON users (lower(email));

-- One row per (tenant, object id): the identity Microsoft guarantees stable. Never keyed by
-- email, which can change and can exist in two tenants.
CREATE TABLE oauth_accounts (
    provider           text NOT NULL DEFAULT 'microsoft',
    tid                uuid NOT NULL,
    oid                uuid NOT NULL,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email              text,
    preferred_username text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, tid, oid)
);
CREATE INDEX oauth_accounts_user_idx ON oauth_accounts (user_id);

-- tower-sessions records; expired rows are swept periodically.
CREATE TABLE sessions (
    id         text PRIMARY KEY,
    data       jsonb NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
