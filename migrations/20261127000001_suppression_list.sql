-- A rep's suppression list: addresses never to import or add again, because their contact was
-- erased on request or asked not to be contacted. Only a keyed hash is kept (HMAC-SHA-256
-- under SPINE_ADDRESS_KEY, which the database never holds): a copy of this table gives no
-- address back, and without the key no address can be tested against it.
CREATE TABLE suppressed_addresses (
    owner_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address_hash  bytea NOT NULL CHECK (length(address_hash) = 32),
    -- 'erased': the contact is gone for good; 'opted_out': it stays, marked do-not-contact,
    -- and leaves the list if the rep clears the mark.
    reason        text NOT NULL CHECK (reason IN ('erased', 'opted_out')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_user_id, address_hash)
);
