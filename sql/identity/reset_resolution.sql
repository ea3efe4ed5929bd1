-- A full night re-matches every record: clear the previous assignments first (ids survive through
-- the previous state read before this runs).
delete from identity.customer_map;

delete from identity.party_matched;
