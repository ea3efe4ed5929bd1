-- tenure_band(months): the tenure segments of the lifetime value's new-business part (months since the
-- customer's first account or FX deal). Cross-selling is front-loaded: a customer in its first year opens
-- most of the products it will ever open, a customer of five years almost none.
create or replace temp macro tenure_band(months) as
case
    when months < 6 then '00-05'
    when months < 12 then '06-11'
    when months < 24 then '12-23'
    when months < 60 then '24-59'
    else '60+'
end;
