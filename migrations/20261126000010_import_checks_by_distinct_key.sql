-- The statement checks of 20261126000009 joined every new row to campaigns (or users): with no
-- statistics on a transition table the planner may scan campaigns once per new row (2.8 s for
-- 100,000 links beside 343 campaigns, in the bench). Each distinct key is now checked once:
-- an import names one owner and one campaign.

CREATE OR REPLACE FUNCTION campaign_prospects_check_campaigns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    WITH keys AS MATERIALIZED (
             SELECT DISTINCT owner_user_id, campaign_id FROM new_links),
         found AS (
             SELECT c.id FROM campaigns c
             JOIN keys k ON c.owner_user_id = k.owner_user_id AND c.id = k.campaign_id
             FOR KEY SHARE OF c)
    SELECT (SELECT count(*) FROM keys) - (SELECT count(*) FROM found) INTO missing;
    IF missing > 0 THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'campaign_prospects: the campaign does not exist for this owner',
            CONSTRAINT = 'campaign_prospects_campaign_fkey';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION prospects_check_owners() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    WITH keys AS MATERIALIZED (SELECT DISTINCT owner_user_id FROM new_prospects),
         found AS (
             SELECT u.id FROM users u JOIN keys k ON u.id = k.owner_user_id
             FOR KEY SHARE OF u)
    SELECT (SELECT count(*) FROM keys) - (SELECT count(*) FROM found) INTO missing;
    IF missing > 0 THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'prospects: the owner does not exist',
            CONSTRAINT = 'prospects_owner_user_id_fkey';
    END IF;
    RETURN NULL;
END $$;
