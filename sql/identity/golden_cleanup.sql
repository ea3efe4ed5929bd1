drop table golden_new;

drop table golden_scope;
