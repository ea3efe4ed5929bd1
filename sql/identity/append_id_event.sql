insert into identity.id_event select * from new_id_event
