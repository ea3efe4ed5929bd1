-- Identity tables (restricted schema: raw personal data). Created once; later runs replace their contents.
create schema if not exists identity;

create table if not exists identity.party_std (
    uid varchar, system varchar, source_key varchar, name_cn varchar, name_alias varchar,
    py_fwd varchar, py_rev varchar, name_key varchar, alias_key varchar, id_type varchar,
    id_std varchar, id_valid boolean, id_upgraded boolean, id_consistent boolean,
    birth_date date, gender varchar, phone_std varchar, email_std varchar,
    raw_hash varchar, std_on date, golden_hash varchar
);

-- Fields added after the first release (a work file from before gets them empty; standardisation
-- redoes rows whose std_version is older).
alter table identity.party_std add column if not exists name_parts varchar[];
alter table identity.party_std add column if not exists addr_norm varchar;
alter table identity.party_std add column if not exists addr_tokens varchar[];
alter table identity.party_std add column if not exists addr_nums varchar;
alter table identity.party_std add column if not exists postcode varchar;
alter table identity.party_std add column if not exists std_version smallint;
-- Parts of a Chinese address (models/identity/address.py).
alter table identity.party_std add column if not exists addr_province varchar;
alter table identity.party_std add column if not exists addr_city varchar;
alter table identity.party_std add column if not exists addr_district varchar;
alter table identity.party_std add column if not exists addr_street varchar;
alter table identity.party_std add column if not exists addr_number varchar;
alter table identity.party_std add column if not exists addr_house varchar;

-- raw_hash fingerprints the match fields (md5), golden_hash every field the golden record reads (DuckDB's
-- hash(), cheap enough to test every record every night): a record whose golden_hash alone changed is
-- standardised again (its customer's golden record is rebuilt) but not matched again. Work files from
-- before golden_hash get the column here.
alter table identity.party_std add column if not exists golden_hash varchar;

-- The match fields as they were when last resolved: tonight's party_std is compared with it to find
-- new and changed records (bookkeeping of customer_resolution).
create table if not exists identity.party_matched as select * from identity.party_std limit 0;
alter table identity.party_matched add column if not exists name_parts varchar[];
alter table identity.party_matched add column if not exists addr_norm varchar;
alter table identity.party_matched add column if not exists addr_tokens varchar[];
alter table identity.party_matched add column if not exists addr_nums varchar;
alter table identity.party_matched add column if not exists postcode varchar;
alter table identity.party_matched add column if not exists std_version smallint;
alter table identity.party_matched add column if not exists addr_province varchar;
alter table identity.party_matched add column if not exists addr_city varchar;
alter table identity.party_matched add column if not exists addr_district varchar;
alter table identity.party_matched add column if not exists addr_street varchar;
alter table identity.party_matched add column if not exists addr_number varchar;
alter table identity.party_matched add column if not exists addr_house varchar;

alter table identity.party_matched add column if not exists golden_hash varchar;

create table if not exists identity.customer_map (
    system varchar, source_key varchar, customer_id varchar, match_rule varchar,
    match_probability double, assigned_on date
);

create table if not exists identity.id_event (
    business_date date, event varchar, customer_id varchar, other_customer_id varchar, detail varchar
);

-- Fingerprint of CRM_PII_KEY (an HMAC of a fixed label, never the key) the golden hashes were made with.
create table if not exists identity.pii_key_state (fingerprint varchar, changed_at timestamp);
