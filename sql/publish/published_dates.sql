-- The business dates a publication table records as published.
select as_of_date from ${publication}
