-- A column of the board in its order: the board's page, a move's ends and the card a moved
-- card lands above are read from this index rather than by sorting the whole campaign.
CREATE INDEX campaign_prospects_board_idx
    ON campaign_prospects (owner_user_id, campaign_id, stage, position, added_at, prospect_id);
