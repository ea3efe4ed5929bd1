-- Remember the key tonight's hashes are made with; changed_at tells publication to rebuild the
-- analyst file whole (sql/publish/pii_key_changed.sql).
delete from identity.pii_key_state;

insert into identity.pii_key_state values ($fingerprint, current_timestamp);
