-- Files uploaded in the Prospects tab, waiting for the rep to confirm their mapping; and what an
-- import filled in contacts the rep already had, so that undoing it gives that back.

CREATE TABLE import_uploads (
    id            uuid PRIMARY KEY,
    owner_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    campaign_id   uuid NOT NULL,
    file_name     text NOT NULL CHECK (length(file_name) <= 255),
    size_bytes    bigint NOT NULL,
    -- Header, proposed mapping and first rows, read once at upload.
    preview       jsonb NOT NULL,
    -- The import started from it: set once, so a second tap opens the same import.
    batch_id      uuid,
    claimed_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT import_uploads_campaign_fkey FOREIGN KEY (owner_user_id, campaign_id)
        REFERENCES campaigns (owner_user_id, id) ON DELETE CASCADE
);
CREATE INDEX import_uploads_created_idx ON import_uploads (created_at);

-- The fields an import filled in a contact it found already known (field -> value put), and
-- the extra columns it added: undoing the import empties those that still hold that value.
CREATE TABLE import_fills (
    batch_id    uuid NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    prospect_id uuid NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    fields      jsonb NOT NULL,
    extra       jsonb NOT NULL,
    PRIMARY KEY (batch_id, prospect_id)
);
CREATE INDEX import_fills_prospect_idx ON import_fills (prospect_id);
