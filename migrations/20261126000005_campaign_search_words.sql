-- The campaign search matches words, whatever the punctuation, accents and case, in the name,
-- the venue and the city: "equip hotel" finds "Equip'Hôtel", "lyon" finds a show at Lyon.
-- Punctuation (ASCII and the typographic marks French text uses) becomes a space.
CREATE FUNCTION spine_search_text(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT btrim(regexp_replace(spine_fold(value), '[[:punct:][:space:]’‘«»“”–—…·]+', ' ', 'g')) $$;

-- Every word of the search, as LIKE patterns (no word holds % or _: both are punctuation).
CREATE FUNCTION spine_search_patterns(query text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT coalesce(array_agg('%' || w || '%'), '{}')
          FROM unnest(string_to_array(spine_search_text(query), ' ')) AS w WHERE w <> '' $$;
