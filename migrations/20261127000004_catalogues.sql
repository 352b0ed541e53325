-- Scanned catalogues of a campaign's show, read into products the rep reviews and publishes.

-- A catalogue uploaded to a campaign. Its file is stored once per content, under the data
-- directory (catalogues/<sha256>.pdf), never in the web root.
CREATE TABLE catalogs (
    id            uuid PRIMARY KEY,
    owner_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    campaign_id   uuid NOT NULL,
    file_name     text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    pages         integer NOT NULL CHECK (pages > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT catalogs_campaign_fkey FOREIGN KEY (owner_user_id, campaign_id)
        REFERENCES campaigns (owner_user_id, id) ON DELETE CASCADE
);
CREATE INDEX catalogs_campaign_idx ON catalogs (owner_user_id, campaign_id, created_at DESC);

-- A reading of a catalogue (OCR, then extraction), page by page.
CREATE TABLE ingestion_jobs (
    id             uuid PRIMARY KEY,
    owner_user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    catalog_id     uuid NOT NULL REFERENCES catalogs (id) ON DELETE CASCADE,
    status         text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    pages_done     integer NOT NULL DEFAULT 0 CHECK (pages_done >= 0),
    pages_total    integer NOT NULL CHECK (pages_total > 0),
    products_found integer,
    -- For the rep, in French.
    error          text,
    attempts       integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz
);
CREATE INDEX ingestion_jobs_catalog_idx ON ingestion_jobs (catalog_id, created_at DESC);

-- A page as read: its image (data-directory relative path) and Tesseract's words with their
-- boxes in the image's pixels ([text, conf, left, top, width, height] each).
CREATE TABLE catalog_pages (
    catalog_id uuid NOT NULL REFERENCES catalogs (id) ON DELETE CASCADE,
    page       integer NOT NULL CHECK (page > 0),
    image      text NOT NULL,
    dpi        integer NOT NULL CHECK (dpi > 0),
    words      jsonb NOT NULL,
    PRIMARY KEY (catalog_id, page)
);

-- A product read from a catalogue: staged until the rep publishes it (or rejects it).
CREATE TABLE products (
    id            uuid PRIMARY KEY,
    owner_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    catalog_id    uuid NOT NULL REFERENCES catalogs (id) ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'staged'
                  CHECK (status IN ('staged', 'published', 'rejected')),
    reference     text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    price_cents   bigint NOT NULL CHECK (price_cents > 0),
    currency      text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    -- Where it is printed: its page and box in PDF points from the top left.
    page          integer NOT NULL CHECK (page > 0),
    box_x         double precision NOT NULL,
    box_y         double precision NOT NULL,
    box_w         double precision NOT NULL CHECK (box_w > 0),
    box_h         double precision NOT NULL CHECK (box_h > 0),
    -- Per field, 0 to 1.
    confidence    jsonb NOT NULL,
    -- The fields the rep edited: reading the catalogue again leaves them as the rep wrote them.
    edited        text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz,
    UNIQUE (catalog_id, reference)
);
CREATE INDEX products_owner_idx ON products (owner_user_id, status);

-- Images of a product: the crop of the page region it was read from.
CREATE TABLE product_assets (
    product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('crop')),
    -- Data-directory relative.
    path       text NOT NULL,
    PRIMARY KEY (product_id, kind)
);
