-- Match fields of each distinct address (models/identity/address.py): the normalised line without its
-- postcode, the token set (Latin words, house numbers, bigrams of Chinese characters), the house numbers
-- and the postcode. `address_text(raw, s)`: s is the NFKC, lower-case, single-spaced text (NFKC is done
-- in polars: DuckDB has no NFKC). \p{Nd} where polars' Unicode \d stood.
with address as (
    select
        raw,
        s
    from address_text
),

postcoded as materialized (
    select
        raw,
        s,
        coalesce(
            nullif(regexp_extract(s, '(?:邮编|邮政编码)\P{Nd}{0,3}(\p{Nd}{6})', 1), ''),
            nullif(regexp_extract(s, '(?:^|[ ,;])(\p{Nd}{4,6})$', 1), '')
        ) as postcode,
        -- The rest of the address without its postcode (and the 邮编 label).
        trim(
            regexp_replace(
                regexp_replace(
                    regexp_replace(s, '(?:邮编|邮政编码)\P{Nd}{0,3}(\p{Nd}{6})', ' '), '(?:^|[ ,;])(\p{Nd}{4,6})$', ''
                ),
                '[^\p{L}\p{N}]+', ' ', 'g'
            )
        ) as rest
    from address
),

parts as materialized (
    select
        raw,
        postcode,
        rest,
        list_filter(regexp_extract_all(rest, '[a-z]+'), lambda w: not list_contains($stopwords, w)) as words,
        list_filter(list_transform(regexp_extract_all(rest, '\p{Nd}+'), lambda n: ltrim(n, '0')), lambda n: n <> '')
            as nums,
        regexp_extract_all(rest, '[\x{3400}-\x{9fff}\x{f900}-\x{faff}]+') as runs
    from postcoded
),

-- Bigrams of each run of Chinese characters: each character with the next one (a lone character stands
-- alone). Addresses on one street share their runs (`北京市朝阳区建国路`, `号`, `栋`): each distinct list of
-- runs is split once.
run_lists as materialized (
    select distinct runs from parts
),

bigram_sets as (
    select
        runs,
        list_sort(list_distinct(flatten(
            list_transform(
                runs,
                lambda r: case
                    when length(r) = 1 then [r]
                    else list_transform(range(1, length(r)), lambda i: substr(r, i, 2))
                end
            )
        ))) as bigrams
    from run_lists
),

final as (
    select
        parts.raw,
        nullif(parts.rest, '') as addr_norm,
        -- Sorted and distinct: words and ASCII numbers sort before every Chinese character, so the bigram set
        -- follows them as it is; a digit outside 0-9 (`٣`) could sort among the bigrams, and sorts them all.
        nullif(
            case
                when regexp_matches(parts.rest, '[^0-9\P{Nd}]')
                    then list_sort(list_distinct(list_concat(parts.words, parts.nums, bigram_sets.bigrams)))
                else list_concat(list_sort(list_distinct(list_concat(parts.words, parts.nums))), bigram_sets.bigrams)
            end,
            []
        ) as addr_tokens,
        nullif(array_to_string(list_sort(list_distinct(parts.nums)), ' '), '') as addr_nums,
        parts.postcode
    from parts
    inner join bigram_sets using (runs)
)

select * from final
