-- A catalogue is read by one job at a time: two would draw the same page images and stage
-- the same products at once.
CREATE UNIQUE INDEX ingestion_jobs_one_at_a_time ON ingestion_jobs (catalog_id)
    WHERE status IN ('queued', 'running');
