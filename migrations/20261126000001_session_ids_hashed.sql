-- Sessions are found by a SHA-256 of their id (hex): a copy of this table (backup, leak) hands
-- out no live session. Rows stored under clear ids can no longer be found, so they go, and
-- their reps sign in once more.
DELETE FROM sessions;
ALTER TABLE sessions RENAME COLUMN id TO id_hash;
ALTER TABLE sessions ADD CONSTRAINT sessions_id_hash_is_sha256 CHECK (id_hash ~ '^[0-9a-f]{64}$');
