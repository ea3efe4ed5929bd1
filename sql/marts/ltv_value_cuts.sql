-- The 12-month contribution that puts a customer in TOP and in GOLD on the month-end window_end (the
-- lowest of each tier there): the new-business segments' value bands, fitted with the other parameters.
-- Needs macro tiers_at (sql/marts/tier_macro.sql).
select
    min(contribution_12m) filter (where tier = 'TOP') as cut_top,
    min(contribution_12m) filter (where tier = 'GOLD') as cut_gold
from tiers_at($window_end, $top_share, $gold_share)
