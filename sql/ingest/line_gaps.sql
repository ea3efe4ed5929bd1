-- A plain file's quarantine lines so far count only the records DuckDB kept; add back the lines it set
-- aside before each (a wrong field count). $gaps holds, per set-aside line L_j (j = 1, 2, ... in file
-- order), L_j - j: a kept record numbered n follows that line when L_j - j < n.
update new_rejected set
    line = line + (
        select count(*) from (select unnest($gaps::bigint[]) as gap)
        where gap < new_rejected.line
    )
where file = $file;
