-- Helpers shared by the parse_*.sql steps (temporary macros of this connection).
-- ws: every kind of whitespace a key can carry at its ends (ASCII controls, NBSP U+00A0, the
-- Unicode spaces U+2000..U+200A, ideographic space U+3000, zero-width U+200B..U+200D, U+2060, BOM).
create or replace temp macro ws() as (
    chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || chr(32) || chr(133) || chr(160)
    || chr(5760) || chr(6158) || chr(8192) || chr(8193) || chr(8194) || chr(8195) || chr(8196)
    || chr(8197) || chr(8198) || chr(8199) || chr(8200) || chr(8201) || chr(8202) || chr(8203)
    || chr(8204) || chr(8205) || chr(8232) || chr(8233) || chr(8239) || chr(8287) || chr(8288)
    || chr(12288) || chr(65279)
);
-- v: value trimmed of every kind of whitespace, empty -> NULL (a key with a trailing TAB or NBSP is
-- the same key). num: a finite number or NULL.
-- trim with a character set costs ~10 us a value: skipped when neither end is whitespace (most values).
create or replace temp macro v(x) as case
    when not contains(ws(), x[1]) and not contains(ws(), x[-1]) then x
    else nullif(trim(x, ws()), '')
end;
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
create or replace temp macro bad_date(raw, parsed, field) as case
    when raw is not null and parsed is null then field || ': unparseable date'
end;
create or replace temp macro bad_num(raw, parsed, field) as case
    when raw is not null and parsed is null then field || ': unparseable number'
end;
create or replace temp macro bad_code(raw, parsed, field) as case
    when raw is not null and parsed is null then field || ': unknown code'
end;
-- Fields of quarantine.raw_line: csv-quoted when needed; ID/phone fields masked.
create or replace temp macro q(x) as case
    when x is null then ''
    when contains(x, ',') or contains(x, '"') or contains(x, chr(10)) then '"' || replace(x, '"', '""') || '"'
    else x
end;
create or replace temp macro m(x) as case when x is null then '' else '***' end;
-- exact: a number as exact DECIMAL(38, 6) for reconciliation sums (NULL when out of its range).
create or replace temp macro exact(x) as try_cast(x as decimal(38, 6));
