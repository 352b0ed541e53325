-- A form that creates something carries a key of its own: posting it twice (a double tap,
-- or a post before the page's code arrived and one after) creates once and answers the
-- second post with the first result. Keys are one owner's, for one kind of record (a key
-- replayed on another form finds nothing), and are swept after a day.
CREATE TABLE idempotency_keys (
    owner_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope         text NOT NULL,
    key           uuid NOT NULL,
    -- What the first post created; set in the same transaction as the creation.
    result        uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_user_id, scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
