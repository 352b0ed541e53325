-- Internal API tokens, recorded by id (never the token itself) so they can be revoked: at
-- sign-out for those a browser session issued, or by `spine token --revoke`.
CREATE TABLE api_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the browser session that asked for it; NULL for `spine token`.
    session_key text CHECK (session_key ~ '^[0-9a-f]{64}$'),
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
CREATE INDEX api_tokens_session_idx ON api_tokens (session_key) WHERE session_key IS NOT NULL;
CREATE INDEX api_tokens_expires_at_idx ON api_tokens (expires_at);
