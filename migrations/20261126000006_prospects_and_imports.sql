-- Prospects (a rep's contacts, one per address), their link to campaigns, and the imports
-- that brought them: each batch with its figures and each rejected row with its line.

-- Lets rows of other tables point at a campaign of the same owner only.
ALTER TABLE campaigns ADD CONSTRAINT campaigns_owner_id_key UNIQUE (owner_user_id, id);

CREATE TABLE import_batches (
    id                 uuid PRIMARY KEY,
    owner_user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    campaign_id        uuid NOT NULL,
    file_name          text NOT NULL CHECK (length(file_name) <= 255),
    -- 'web' (the Prospects tab) or 'cli' (spine import-prospects).
    source             text NOT NULL CHECK (source IN ('web', 'cli')),
    rows               integer NOT NULL,
    valid              integer NOT NULL,
    duplicates_in_file integer NOT NULL,
    new_prospects      integer NOT NULL,
    already_known      integer NOT NULL,
    linked             integer NOT NULL,
    rejected           integer NOT NULL,
    -- Column header -> field, as imported.
    mapping            jsonb NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    undone_at          timestamptz,
    CONSTRAINT import_batches_campaign_fkey FOREIGN KEY (owner_user_id, campaign_id)
        REFERENCES campaigns (owner_user_id, id) ON DELETE CASCADE
);
CREATE INDEX import_batches_campaign_idx ON import_batches (owner_user_id, campaign_id, created_at);

CREATE TABLE import_rejections (
    batch_id uuid NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    -- Where the record starts in the file, as a text editor (or Excel) numbers it.
    line     bigint NOT NULL,
    -- 'missing email', 'invalid email', 'suppressed'.
    code     text NOT NULL,
    PRIMARY KEY (batch_id, line)
);

CREATE TABLE prospects (
    id              uuid PRIMARY KEY,
    owner_user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Trimmed and lowercased, checked by the import.
    email           text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
    civility        text NOT NULL DEFAULT '' CHECK (length(civility) <= 40),
    first_name      text NOT NULL DEFAULT '' CHECK (length(first_name) <= 200),
    last_name       text NOT NULL DEFAULT '' CHECK (length(last_name) <= 200),
    company         text NOT NULL DEFAULT '' CHECK (length(company) <= 300),
    job_title       text NOT NULL DEFAULT '' CHECK (length(job_title) <= 300),
    phone           text NOT NULL DEFAULT '' CHECK (length(phone) <= 60),
    mobile          text NOT NULL DEFAULT '' CHECK (length(mobile) <= 60),
    postal_code     text NOT NULL DEFAULT '' CHECK (length(postal_code) <= 20),
    city            text NOT NULL DEFAULT '' CHECK (length(city) <= 200),
    country         text NOT NULL DEFAULT '' CHECK (length(country) <= 100),
    notes           text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    -- The file's other columns (header -> value): nothing a rep imported is lost.
    extra           jsonb NOT NULL DEFAULT '{}',
    -- Sending must skip this contact.
    do_not_contact  boolean NOT NULL DEFAULT false,
    -- Where the address came from (French rules on B2B prospecting): an import (its batch,
    -- file and show) or a hand entry, and when. Kept as text so it outlives the batch.
    origin          text NOT NULL CHECK (origin IN ('import', 'hand')),
    -- No foreign key: checking one per row costs an import of 100,000 rows about 0.3 s, and
    -- the batch only goes with its campaign; the file and show names say the origin.
    origin_batch_id uuid,
    origin_file     text,
    origin_show     text,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX prospects_owner_email_key ON prospects (owner_user_id, email);
ALTER TABLE prospects ADD CONSTRAINT prospects_owner_id_key UNIQUE (owner_user_id, id);

-- No index on the batch columns: every imported row would pay for it, and undoing a batch
-- (rare) reads one rep's rows or one campaign's links anyway.

-- A prospect worked at a campaign, on the pipeline board from the waiting room.
CREATE TABLE campaign_prospects (
    owner_user_id uuid NOT NULL,
    campaign_id   uuid NOT NULL,
    prospect_id   uuid NOT NULL,
    stage         text NOT NULL DEFAULT 'waiting_room'
        CHECK (stage IN ('waiting_room', 'oven', 'fridge', 'trash')),
    -- The import that linked it (NULL: by hand); no foreign key, as for origin_batch_id (a
    -- link goes with its campaign, as the batch does).
    batch_id      uuid,
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, prospect_id),
    CONSTRAINT campaign_prospects_campaign_fkey FOREIGN KEY (owner_user_id, campaign_id)
        REFERENCES campaigns (owner_user_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_prospects_prospect_fkey FOREIGN KEY (owner_user_id, prospect_id)
        REFERENCES prospects (owner_user_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_prospects_prospect_idx ON campaign_prospects (prospect_id);
