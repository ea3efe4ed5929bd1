-- The lifetime value's population parameters, one set per night they were fitted on (weekly): BG/NBD
-- (r, alpha, a, b) and Gamma-Gamma (p, q, v) per kind (card, fx) with the mean spend used where the
-- spend model cannot say, and per loan product (kind 'write_off') the write-off share.
create schema if not exists marts;
create table if not exists marts.ltv_params (fitted_on date, kind varchar, name varchar, value double);
