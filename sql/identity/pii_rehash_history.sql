-- CRM_PII_KEY changed: the customer view of every published date holds hashes made with the old key.
-- Run before tonight's golden rebuild, while identity.customer_golden still pairs each raw value with
-- its old hash: every old hash becomes the new key's hash of the same value ($ipad / $opad, as in
-- golden.sql). A hash whose value no golden record holds any more is cleared, never kept.
create or replace temp table rehash as
select distinct
    id_hash as old_hash,
    sha256($opad || unhex(sha256($ipad || encode(id_no)))) as new_hash
from identity.customer_golden
where id_hash is not null
union
select distinct
    phone_hash as old_hash,
    sha256($opad || unhex(sha256($ipad || encode(phone)))) as new_hash
from identity.customer_golden
where phone_hash is not null;

update marts.customer_history set
    id_hash = (
        select r.new_hash from rehash as r
        where r.old_hash = customer_history.id_hash
    ),
    phone_hash = (
        select r.new_hash from rehash as r
        where r.old_hash = customer_history.phone_hash
    );

drop table rehash;
