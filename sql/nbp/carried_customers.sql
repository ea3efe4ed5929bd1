-- Customers of temp table nbp_dates whose rows were carried tonight (sql/nbp/carry.sql counts rows).
select count(*) from nbp_dates
where carried
