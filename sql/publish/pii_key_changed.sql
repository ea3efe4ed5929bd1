-- true when CRM_PII_KEY changed after the last publication: the published dates hold old hashes,
-- so the analyst file is rebuilt whole from the (re-hashed) work file instead of carried over.
select coalesce(max(k.changed_at) > (select max(p.published_at) from marts.publication as p), false) as changed
from identity.pii_key_state as k
