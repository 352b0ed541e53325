-- The pipeline board: in each campaign a prospect sits in a stage (waiting room, oven, fridge,
-- trash) with, once the rep classified the reply, its outcome, at a position in its column.
ALTER TABLE campaign_prospects
    ADD COLUMN outcome  text CHECK (outcome IN ('oui', 'non', 'ghost')),
    -- Cards of a column sort by position, then by when they joined the campaign (an import's
    -- cards all start at 0, in the file's order).
    ADD COLUMN position double precision NOT NULL DEFAULT 0,
    ADD COLUMN moved_at timestamptz,
    -- The oven holds the yeses; the fridge the noes and the ghosts (no answer).
    ADD CONSTRAINT campaign_prospects_outcome_fits_stage CHECK (
        (stage = 'oven' AND outcome = 'oui')
        OR (stage = 'fridge' AND outcome IN ('non', 'ghost'))
        OR (stage IN ('waiting_room', 'trash') AND outcome IS NULL));

-- A card's place as the board and the audit log name it: the stage, and for the fridge why.
CREATE FUNCTION spine_board_place(stage text, outcome text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE stage WHEN 'fridge' THEN CASE outcome WHEN 'ghost' THEN 'fridge_ghost'
                                                             ELSE 'fridge_no' END
                            ELSE stage END $$;

-- And back: the stage and the outcome of a place.
CREATE FUNCTION spine_board_stage(place text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN place LIKE 'fridge%' THEN 'fridge' ELSE place END $$;
CREATE FUNCTION spine_board_outcome(place text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE place WHEN 'oven' THEN 'oui' WHEN 'fridge_no' THEN 'non'
                            WHEN 'fridge_ghost' THEN 'ghost' END $$;

-- A move is undone by its id: its cards' entries are found without reading the whole log.
CREATE INDEX audit_log_moves_idx ON audit_log (owner_user_id, (after->>'move'))
    WHERE action = 'move';
