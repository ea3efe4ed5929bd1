-- Helpers shared by the parse_*.sql steps (temporary macros of this connection).
-- v: trimmed value, empty -> NULL. num: a finite number or NULL.
create or replace temp macro v(x) as nullif(trim(x), '');
create or replace temp macro num(x) as case when isfinite(try_cast(x as double)) then try_cast(x as double) end;
create or replace temp macro ymd(x) as try_strptime(x, '%Y%m%d')::date;
create or replace temp macro iso_date(x) as try_strptime(x, '%Y-%m-%d')::date;
create or replace temp macro slash_ymd(x) as try_strptime(x, '%Y/%m/%d')::date;
create or replace temp macro dmy(x) as try_strptime(x, '%d/%m/%Y')::date;
create or replace temp macro iso_ts(x) as try_strptime(
    x, ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M']
);
-- One failure message or NULL.
create or replace temp macro need_key(raw, field) as case when raw is null then field || ': missing key' end;
create or replace temp macro bad_date(raw, parsed, field) as case when raw is not null and parsed is null then field || ': unparseable date' end;
create or replace temp macro bad_num(raw, parsed, field) as case when raw is not null and parsed is null then field || ': unparseable number' end;
create or replace temp macro bad_code(raw, parsed, field) as case when raw is not null and parsed is null then field || ': unknown code' end;
-- Fields of quarantine.raw_line: csv-quoted when needed; ID/phone fields masked.
create or replace temp macro q(x) as case
    when x is null then ''
    when contains(x, ',') or contains(x, '"') or contains(x, chr(10)) then '"' || replace(x, '"', '""') || '"'
    else x end;
create or replace temp macro m(x) as case when x is null then '' else '***' end;
