-- The review of a catalogue's products: approved before they are published, duplicates merged
-- into the product they repeat, and the published ones found by name, reference or words of
-- their description, whatever the accents and case.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE products DROP CONSTRAINT products_status_check;
ALTER TABLE products ADD CONSTRAINT products_status_check
    CHECK (status IN ('staged', 'approved', 'published', 'rejected', 'merged'));

-- A merged product stays (its reference read again stays merged) and names the product kept.
ALTER TABLE products ADD COLUMN merged_into uuid REFERENCES products (id) ON DELETE CASCADE;
ALTER TABLE products ADD CONSTRAINT products_merged_check
    CHECK ((status = 'merged') = (merged_into IS NOT NULL));

-- Words for the search: folded (accents, case, punctuation) for the trigram index, which
-- finds parts of words and references ("lm738" finds "LM738133"); stems for full text
-- ("chaises" finds "Chaise").
ALTER TABLE products
    ADD COLUMN search_text text GENERATED ALWAYS AS
        (spine_search_text(reference || ' ' || name || ' ' || description)) STORED,
    ADD COLUMN search_doc tsvector GENERATED ALWAYS AS
        (to_tsvector('french'::regconfig, spine_fold(name || ' ' || description))) STORED;
CREATE INDEX products_search_text_idx ON products USING gin (search_text gin_trgm_ops)
    WHERE status = 'published';
CREATE INDEX products_search_doc_idx ON products USING gin (search_doc)
    WHERE status = 'published';
CREATE INDEX products_catalog_idx ON products (catalog_id, page, box_y, box_x);

-- A catalogue's file is kept once per campaign: the same file sent again (a double tap) is
-- the catalogue already there.
CREATE UNIQUE INDEX catalogs_campaign_file_key ON catalogs (owner_user_id, campaign_id, sha256);
