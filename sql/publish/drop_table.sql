-- A published table about to be rebuilt whole.
drop table if exists ${table};
