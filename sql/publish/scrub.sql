-- crm_scrub(text): the one scrubber every text value passes on its way into the analyst file
-- (models/publish.py applies it to every VARCHAR column of schema crm but our own *_hash / *_masked).
-- It masks as *** any resident ID (18 characters with X check, old 15 digits), mainland mobile
-- (+86 / 86 / 0086 prefix) or bank card number (13-19 digits, grouped or not), standing alone.
-- \p{Nd} is any decimal digit (full-width ones too, so no NFKC step is needed); separators are
-- space, dot and dash, in ASCII or full-width. RE2 has no look-behind, so a boundary character is
-- captured and put back; a number right after a masked one lost its boundary, hence two passes.
create or replace temp macro crm_scrub_pass(s) as regexp_replace(
    s,
    '(^|[^\p{Nd}])(?:'
    -- resident ID, 18 characters (optionally grouped 6-8-4), then 15-digit old form
    || '\p{Nd}{6}[ .\-\x{3000}\x{FF0D}\x{FF0E}]?\p{Nd}{8}[ .\-\x{3000}\x{FF0D}\x{FF0E}]?\p{Nd}{3}[\p{Nd}XxＸｘ]'
    -- bank card: 13-19 digits, or grouped 4-4-4-(1..7) or 4-6-(4..5)
    || '|\p{Nd}{13,19}'
    || '|\p{Nd}{4}(?:[ \-\x{3000}\x{FF0D}]\p{Nd}{4}){2}[ \-\x{3000}\x{FF0D}]\p{Nd}{1,7}'
    || '|\p{Nd}{4}[ \-\x{3000}\x{FF0D}]\p{Nd}{6}[ \-\x{3000}\x{FF0D}]\p{Nd}{4,5}'
    -- mobile: optional +86 / 86 / 0086, then 1[3-9] and 9 digits, any single separator between digits
    || '|(?:[+\x{FF0B}]?(?:[0０][0０])?[8８][6６][ .\-\x{3000}\x{FF0D}\x{FF0E}]?)?'
    || '[1１][ .\-\x{3000}\x{FF0D}\x{FF0E}]?[3-9３-９](?:[ .\-\x{3000}\x{FF0D}\x{FF0E}]?\p{Nd}){9}'
    || ')([^\p{Nd}]|$)',
    '\1***\2',
    'g'
);

-- Every form holds 11 digits with at most one character between neighbours: text without such a run
-- (most names and codes) skips the costly pattern, and text under 11 bytes (ids, codes) the regex too.
create or replace temp macro crm_scrub(s) as case
    when strlen(s) >= 11 and regexp_matches(s, '\p{Nd}(?:[^\p{Nd}]?\p{Nd}){10}') then crm_scrub_pass(crm_scrub_pass(s))
    else s
end;
