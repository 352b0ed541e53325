-- The audit log outlives the reps it names: deleting a user keeps every row (what was done to
-- which entity, when) but not who did it nor the data before and after, which may be personal.
ALTER TABLE audit_log
    ALTER COLUMN owner_user_id DROP NOT NULL,
    ALTER COLUMN actor_user_id DROP NOT NULL,
    DROP CONSTRAINT audit_log_owner_user_id_fkey,
    DROP CONSTRAINT audit_log_actor_user_id_fkey,
    ADD CONSTRAINT audit_log_owner_user_id_fkey
        FOREIGN KEY (owner_user_id) REFERENCES users (id) ON DELETE SET NULL,
    ADD CONSTRAINT audit_log_actor_user_id_fkey
        FOREIGN KEY (actor_user_id) REFERENCES users (id) ON DELETE SET NULL;

CREATE FUNCTION audit_log_forget_user() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_log SET before = NULL, after = NULL
     WHERE owner_user_id = OLD.id OR actor_user_id = OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER users_forget_in_audit_log BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_log_forget_user();
