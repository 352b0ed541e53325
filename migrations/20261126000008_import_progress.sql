-- An import too large to run within the request runs as a job: the upload keeps the rep's
-- mapping for it, how far the job has read (shown live, and again to a page that reconnects),
-- and why it stopped when the file was refused.
ALTER TABLE import_uploads
    ADD COLUMN columns   jsonb,
    ADD COLUMN rows_read integer NOT NULL DEFAULT 0,
    ADD COLUMN error     text;
