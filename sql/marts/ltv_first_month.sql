-- The first month of contribution history (the start of the delivered data).
select min(month) from marts.contribution_monthly
