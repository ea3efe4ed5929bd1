drop table golden_new;

drop table golden_scope;

drop table golden_address_city;

drop table golden_city_keys;

drop table golden_records;

drop table golden_scored;
