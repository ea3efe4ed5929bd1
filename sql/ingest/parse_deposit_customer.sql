-- deposit_customer.csv (GB18030 decoded upstream; dates YYYYMMDD) -> staging.party shape.
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(cust_no) as cust_no,
        v(cust_name) as cust_name,
        v(cert_type) as cert_type,
        v(cert_no) as cert_no,
        v(birth_date) as birth_date,
        v(gender) as gender,
        v(mobile_no) as mobile_no,
        v(address) as address,
        v(open_branch) as open_branch,
        v(open_date) as open_date
    from raw_file
),

typed as (
    select
        *,
        case upper(cert_type)
            when 'A' then 'RESIDENT' when 'B' then 'PASSPORT' when 'C' then 'PERMIT' when 'Z' then 'OTHER'
        end as id_type_t,
        ymd(birth_date) as birth_date_t,
        case upper(gender) when 'M' then 'M' when 'F' then 'F' end as gender_t,
        ymd(open_date) as open_date_t
    from src
),

checked as (
    select
        *,
        -- Only a missing key rejects the row; a bad optional field is nulled and noted (__nulled).
        list_filter([need_key(cust_no, 'cust_no')], lambda x: x is not null) as __errors,
        list_filter([
            bad_code(cert_type, id_type_t, 'cert_type'),
            bad_date(birth_date, birth_date_t, 'birth_date'),
            bad_code(gender, gender_t, 'gender'),
            bad_phone(mobile_no, 'mobile_no'),
            bad_date(open_date, open_date_t, 'open_date')
        ], lambda x: x is not null) as __nulled
    from typed
)

select
    __line,
    'deposit' as system,
    cust_no as source_key,
    cust_name as name,
    null::varchar as name_latin,
    id_type_t as id_type,
    cert_no as id_no,
    birth_date_t as birth_date,
    gender_t as gender,
    case when phone_ok(mobile_no) then mobile_no end as phone,
    null::varchar as email,
    address,
    null::varchar as employer,
    null::varchar as nationality,
    open_date_t as since_date,
    open_branch as branch,
    __errors,
    __nulled,
    case when len(__errors) > 0 or len(__nulled) > 0 then concat_ws(
        ',',
        q(cust_no), q(cust_name), q(cert_type), m(cert_no), q(birth_date), q(gender), m(mobile_no),
        q(address), q(open_branch), q(open_date)
    ) end as __raw
from checked;
