-- card_holder.csv (UTF-8, ISO dates) -> staging.party shape. Sex 男/女 -> M/F.
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(holder_id) as holder_id,
        v(holder_name) as holder_name,
        v(id_type) as id_type,
        v(id_number) as id_number,
        v(dob) as dob,
        v(sex) as sex,
        v(phone) as phone,
        v(email) as email,
        v(bill_address) as bill_address,
        v(member_since) as member_since
    from raw_file
),

typed as (
    select
        *,
        case upper(id_type)
            when 'IDCARD' then 'RESIDENT' when 'PASSPORT' then 'PASSPORT' when 'OTHER' then 'OTHER'
        end as id_type_t,
        iso_date(dob) as dob_t,
        case sex when '男' then 'M' when '女' then 'F' end as sex_t,
        iso_date(member_since) as member_since_t
    from src
),

checked as (
    select
        *,
        -- Only a missing key rejects the row; a bad optional field is nulled and noted (__nulled).
        list_filter([need_key(holder_id, 'holder_id')], lambda x: x is not null) as __errors,
        list_filter([
            bad_code(id_type, id_type_t, 'id_type'),
            bad_date(dob, dob_t, 'dob'),
            bad_code(sex, sex_t, 'sex'),
            bad_phone(phone, 'phone'),
            bad_email(email, 'email'),
            bad_date(member_since, member_since_t, 'member_since')
        ], lambda x: x is not null) as __nulled
    from typed
)

select
    __line,
    'card' as system,
    holder_id as source_key,
    holder_name as name,
    null::varchar as name_latin,
    id_type_t as id_type,
    id_number as id_no,
    dob_t as birth_date,
    sex_t as gender,
    case when phone_ok(phone) then phone end as phone,
    case when email_ok(email) then email end as email,
    bill_address as address,
    null::varchar as employer,
    null::varchar as nationality,
    member_since_t as since_date,
    null::varchar as branch,
    __errors,
    __nulled,
    case when len(__errors) > 0 or len(__nulled) > 0 then concat_ws(
        ',',
        q(holder_id), q(holder_name), q(id_type), m(id_number), q(dob), q(sex), m(phone), q(email),
        q(bill_address), q(member_since)
    ) end as __raw
from checked;
