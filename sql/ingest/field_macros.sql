-- Field-level checks of optional party fields: a bad value is nulled and noted, the record is kept.
-- A phone: digits (any script) with spaces, dashes, dots, brackets and a leading +, 7 to 15 digits.
create or replace temp macro phone_ok(x) as
regexp_full_match(x, '\+?[\p{Nd}\s().\-]+')
and length(regexp_replace(x, '[^\p{Nd}]', '', 'g')) between 7 and 15;
create or replace temp macro email_ok(x) as regexp_full_match(x, '[^@\s]+@[^@\s]+\.[^@\s]+');
create or replace temp macro bad_phone(raw, field) as case
    when raw is not null and not phone_ok(raw) then field || ': not a phone number'
end;
create or replace temp macro bad_email(raw, field) as case
    when raw is not null and not email_ok(raw) then field || ': not an e-mail address'
end;
