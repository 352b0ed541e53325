-- A heartbeat job writes here: it proves a job pushed by the web server reached a worker.
CREATE TABLE worker_heartbeats (
    id     uuid PRIMARY KEY,
    ran_at timestamptz NOT NULL DEFAULT now(),
    runs   integer NOT NULL DEFAULT 1
);
