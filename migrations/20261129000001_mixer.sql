-- The mixer (#15): what each prospect liked at the show, the rep's mail templates, and what
-- every prospecting mail ends with.

-- The products a prospect liked in a campaign, each with the rep's note. A product is one of
-- the campaign's published products (checked by Spine when it is added); it goes with its
-- product, and with the prospect's place in the campaign.
CREATE TABLE prospect_product_interests (
    owner_user_id uuid NOT NULL,
    campaign_id   uuid NOT NULL,
    prospect_id   uuid NOT NULL,
    product_id    uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, prospect_id, product_id),
    CONSTRAINT prospect_product_interests_link_fkey FOREIGN KEY (campaign_id, prospect_id)
        REFERENCES campaign_prospects (campaign_id, prospect_id) ON DELETE CASCADE
);
CREATE INDEX prospect_product_interests_product_idx ON prospect_product_interests (product_id);

-- The rep's note on a prospect for this campaign (what was said at the stand).
ALTER TABLE campaign_prospects
    ADD COLUMN note text NOT NULL DEFAULT '' CHECK (length(note) <= 4000);

-- The rep's templates, reusable across campaigns: Markdown with merge fields, checked at save.
CREATE TABLE email_templates (
    id            uuid PRIMARY KEY,
    owner_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    subject       text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 50000),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_templates_owner_idx ON email_templates (owner_user_id, updated_at DESC);

-- Every prospecting mail ends with the rep's signature (Graph does not add Outlook's) and a
-- footer naming the sender: their company, if they give it (else the campaign's distributor).
ALTER TABLE rep_settings
    ADD COLUMN signature text NOT NULL DEFAULT '' CHECK (length(signature) <= 4000),
    ADD COLUMN sender_company text NOT NULL DEFAULT '' CHECK (length(sender_company) <= 300);

-- A mixer's mail: its round (1 the first mail to a prospect in a campaign, 2 a follow-up, …)
-- and the template it came from (kept when the template is deleted: the mail is the truth).
ALTER TABLE outbox_emails
    ADD COLUMN round       smallint CHECK (round BETWEEN 1 AND 9),
    ADD COLUMN template_id uuid;
CREATE INDEX outbox_emails_prospect_idx ON outbox_emails (campaign_id, prospect_id)
    WHERE prospect_id IS NOT NULL;
