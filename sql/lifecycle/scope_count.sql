-- Customers whose lifecycle is recomputed tonight (temp table lifecycle_scope).
select count(*) as customers from lifecycle_scope
