-- Distributors and campaigns (one trade show worked for one distributor), owned by one rep,
-- and the audit log every mutation of owned data writes in its own transaction.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (its dictionary could change); searches need one fixed function.
CREATE FUNCTION spine_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

-- Show dates are French local dates: "today" is today in Paris.
CREATE FUNCTION spine_today() RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT (now() AT TIME ZONE 'Europe/Paris')::date $$;

CREATE TABLE distributors (
    id            uuid PRIMARY KEY,
    owner_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    website       text CHECK (length(website) <= 300),
    notes         text CHECK (length(notes) <= 2000),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX distributors_owner_name_key ON distributors (owner_user_id, spine_fold(name));
-- Lets campaigns point at a distributor of the same owner only.
ALTER TABLE distributors ADD CONSTRAINT distributors_owner_id_key UNIQUE (owner_user_id, id);

CREATE TABLE campaigns (
    id             uuid PRIMARY KEY,
    owner_user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    distributor_id uuid NOT NULL,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 160),
    venue          text CHECK (length(venue) <= 160),
    city           text CHECK (length(city) <= 120),
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    archived_at    timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaigns_dates_ordered CHECK (ends_on >= starts_on),
    CONSTRAINT campaigns_distributor_fkey FOREIGN KEY (owner_user_id, distributor_id)
        REFERENCES distributors (owner_user_id, id) ON DELETE RESTRICT
);
-- The list is always one owner's, ordered by start date then id (keyset pagination).
CREATE INDEX campaigns_owner_start_idx ON campaigns (owner_user_id, starts_on, id);
CREATE INDEX campaigns_distributor_idx ON campaigns (owner_user_id, distributor_id);

CREATE TABLE audit_log (
    id            uuid PRIMARY KEY,
    owner_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entity_type   text NOT NULL,
    entity_id     uuid NOT NULL,
    action        text NOT NULL,
    before        jsonb,
    after         jsonb,
    at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_log_entity_idx ON audit_log (owner_user_id, entity_type, entity_id, at DESC);
