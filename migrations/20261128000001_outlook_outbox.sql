-- Sending from the rep's own Outlook mailbox: the rep's sending settings, the Graph grant
-- (refresh token sealed), the outbox (the truth about every mail), each attempt's log, and
-- the pace of each mailbox shared by every worker process.

-- "Mon compte": how fast and when the rep's mailbox may send prospecting mails.
CREATE TABLE rep_settings (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    daily_cap    integer NOT NULL DEFAULT 100 CHECK (daily_cap BETWEEN 1 AND 10000),
    -- Minutes after local midnight.
    window_start smallint NOT NULL DEFAULT 480 CHECK (window_start BETWEEN 0 AND 1439),
    window_end   smallint NOT NULL DEFAULT 1140 CHECK (window_end BETWEEN 1 AND 1440),
    weekdays_only boolean NOT NULL DEFAULT true,
    -- An IANA name, checked by Spine.
    time_zone    text NOT NULL DEFAULT 'Europe/Paris' CHECK (length(time_zone) <= 64),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (window_end > window_start)
);

-- The rep's consent to send as them (Mail.Send): one mailbox per rep. Tokens are sealed
-- (XChaCha20-Poly1305 under SPINE_GRANT_KEY, which the database never holds; key_id names the
-- key for rotation); a disconnected or refused grant keeps no token.
CREATE TABLE graph_grants (
    user_id          uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tid              uuid NOT NULL,
    oid              uuid NOT NULL,
    address          text NOT NULL CHECK (length(address) <= 320),
    refresh_token    bytea,
    access_token     bytea,
    access_expires_at timestamptz,
    key_id           text NOT NULL,
    scopes           text NOT NULL,
    status           text NOT NULL CHECK (status IN ('active', 'needs_consent', 'revoked')),
    connected_at     timestamptz NOT NULL DEFAULT now(),
    refreshed_at     timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (status = 'active' OR (refresh_token IS NULL AND access_token IS NULL))
);

CREATE TABLE outbox_emails (
    id               uuid PRIMARY KEY,
    owner_user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- NULL for a test the rep sends to themselves.
    campaign_id      uuid,
    prospect_id      uuid,
    kind             text NOT NULL CHECK (kind IN ('prospecting', 'test')),
    -- 'unknown': it may have left (the answer never came); the rep decides.
    status           text NOT NULL CHECK (status IN
        ('draft', 'ready', 'sending', 'sent', 'failed', 'cancelled', 'unknown', 'bounced')),
    idempotency_key  text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    to_address       text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 320),
    to_name          text NOT NULL DEFAULT '' CHECK (length(to_name) <= 300),
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    html_body        text NOT NULL CHECK (length(html_body) <= 1000000),
    text_body        text NOT NULL CHECK (length(text_body) <= 1000000),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- While 'sending': the attempt in flight and how long its worker holds it.
    attempt_id       uuid,
    lease_until      timestamptz,
    provider_request_id text,
    error_class      text,
    -- In French, for the rep.
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    UNIQUE (owner_user_id, idempotency_key),
    CONSTRAINT outbox_emails_campaign_fkey FOREIGN KEY (owner_user_id, campaign_id)
        REFERENCES campaigns (owner_user_id, id) ON DELETE CASCADE,
    -- Erasing a contact erases its mails (and, by theirs, their logs).
    CONSTRAINT outbox_emails_prospect_fkey FOREIGN KEY (owner_user_id, prospect_id)
        REFERENCES prospects (owner_user_id, id) ON DELETE CASCADE,
    CHECK (kind = 'test' OR (campaign_id IS NOT NULL AND prospect_id IS NOT NULL))
);
CREATE INDEX outbox_emails_due_idx ON outbox_emails (owner_user_id, next_attempt_at)
    WHERE status = 'ready';
CREATE INDEX outbox_emails_sending_idx ON outbox_emails (lease_until) WHERE status = 'sending';
CREATE INDEX outbox_emails_campaign_idx ON outbox_emails (owner_user_id, campaign_id, created_at);

-- Every attempt: when, how long, what came back. No body, no token.
CREATE TABLE email_send_logs (
    id           bigserial PRIMARY KEY,
    email_id     uuid NOT NULL REFERENCES outbox_emails (id) ON DELETE CASCADE,
    owner_user_id uuid NOT NULL,
    attempt      integer NOT NULL,
    started_at   timestamptz NOT NULL,
    duration_ms  integer NOT NULL,
    status_code  integer,
    -- 'sent', 'throttled', 'unavailable', 'not_sent', 'token_refreshed', 'needs_consent',
    -- 'refused', 'unknown', 'lease_lost'.
    outcome      text NOT NULL,
    request_id   text,
    worker       text NOT NULL
);
CREATE INDEX email_send_logs_email_idx ON email_send_logs (email_id, id);
CREATE INDEX email_send_logs_owner_idx ON email_send_logs (owner_user_id, started_at);

-- Each mailbox's pace, locked (FOR UPDATE) by the worker that claims its next mail, so that
-- every worker process keeps to it together.
CREATE TABLE send_pace (
    owner_user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- Exchange's pace: no request before this.
    exchange_next_at timestamptz NOT NULL DEFAULT 'epoch',
    -- The rep's pace (window, daily cap, spread): no prospecting mail before this.
    paced_next_at    timestamptz NOT NULL DEFAULT 'epoch',
    -- The rep's local day the count is of.
    day              date,
    sent_on_day      integer NOT NULL DEFAULT 0
);

-- A mail the rep marked as come back undelivered flags its prospect.
ALTER TABLE prospects ADD COLUMN bounced_at timestamptz;
