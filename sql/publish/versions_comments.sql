-- What a versions table is (its other columns mean what the view's do: models/publish.py copies them).
comment on table ${versions} is 'How the *_history view of the same name (without _versions) is stored: one row per key and run of published dates over which its row stayed the same. Query the view, which gives every published date its rows.';
comment on column ${versions}.valid_from is 'First published business date this row holds for.';
comment on column ${versions}.valid_to is 'First published business date it no longer holds for (changed, or the key gone that night); NULL: it holds for the latest published date.';
