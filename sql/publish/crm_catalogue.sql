-- What every analyst-facing table and column means. Applied to each freshly built analyst file.
comment on table crm.publication is 'One row per published business date (version); the latest is what the crm.* views show.';
comment on column crm.publication.as_of_date is 'Business date of the version.';
comment on column crm.publication.published_at is 'When the nightly run published it (UTC).';
comment on column crm.publication.run_id is 'Dagster run that built it (find it in the Dagster UI).';

comment on table crm.customer_history is 'The single customer view for every published business date (time travel: filter on as_of_date).';
comment on column crm.customer_history.as_of_date is 'Business date of this version.';
comment on column crm.customer_history.customer_id is 'Stable id of the resolved person: kept from night to night while the evidence for them does not change.';
comment on column crm.customer_history.name is 'Name in Chinese characters: the value most of the customer''s records agree on (weighted by recency; ties to the more common name in the population, then a record with a valid resident ID, then system trust deposit > loan > card > fx). See name_source.';
comment on column crm.customer_history.name_pinyin is 'Name in pinyin, family name first, lower case, used for matching.';
comment on column crm.customer_history.name_latin is 'Latin-script name as the FX system holds it, when the customer has one.';
comment on column crm.customer_history.birth_date is 'Date of birth: read from a valid resident ID when there is one, else the value most records agree on (as for name). See birth_date_source.';
comment on column crm.customer_history.gender is 'M, F, or NULL when unknown: from a valid resident ID when there is one, else the value most records agree on. See gender_source.';
comment on column crm.customer_history.city is 'City the customer''s addresses agree on (Chinese and English addresses vote together; weighted by recency). A Chinese address names its city as parsed against the national division table, so 上海浦东新区… and 上海市浦东新区… agree. The address itself stays in the restricted schema. See city_source.';
comment on column crm.customer_history.province is 'Province (or municipality, e.g. 北京市) the customer''s parsed Chinese addresses agree on, voted as for city. NULL when no Chinese address names one. See province_source.';
comment on column crm.customer_history.district is 'District or county the customer''s parsed Chinese addresses agree on, voted as for city. See district_source.';
comment on column crm.customer_history.id_type is 'Type of identity document: RESIDENT (PRC resident ID), PASSPORT, PERMIT, OTHER.';
comment on column crm.customer_history.id_masked is 'Identity number masked for display: first 3 and last 4 characters.';
comment on column crm.customer_history.id_hash is 'Keyed hash (HMAC-SHA256) of the standardised identity number, for joining to other hashed data.';
comment on column crm.customer_history.phone_masked is 'Mobile number masked for display: first 3 and last 4 digits.';
comment on column crm.customer_history.phone_hash is 'Keyed hash (HMAC-SHA256) of the 11-digit mobile number, for joining.';
comment on column crm.customer_history.systems is 'Comma-separated source systems the customer appears in (deposit, card, loan, fx).';
comment on column crm.customer_history.source_records is 'Number of source party records resolved to this customer.';
comment on column crm.customer_history.first_seen is 'Earliest date the bank knew the customer: the earliest customer-since or account open date across the customer''s records and accounts (the first delivery date when no record carries one). See first_seen_source.';
comment on column crm.customer_history.name_source is 'Which record supplied the name and why: system:source_key, then "k of n records" (records agreeing with the winning value of those that have one).';
comment on column crm.customer_history.birth_date_source is 'Which record supplied the birth date and why: "resident ID" (read from a valid ID) or "k of n records".';
comment on column crm.customer_history.gender_source is 'Which record supplied the sex and why: "resident ID" (the ID''s sequence-number parity) or "k of n records".';
comment on column crm.customer_history.city_source is 'Which record supplied the city and why: system:source_key and "k of n records" whose address names that city.';
comment on column crm.customer_history.province_source is 'Which record supplied the province and why: system:source_key and "k of n records" whose parsed address names it.';
comment on column crm.customer_history.district_source is 'Which record supplied the district and why: system:source_key and "k of n records" whose parsed address names it.';
comment on column crm.customer_history.first_seen_source is 'Which record supplied first_seen: its customer-since or earliest account open date, or "first delivery" when none is known.';

comment on table crm.customer_source_history is 'Every source party record and the customer it resolved to, per published business date; explains each match.';
comment on column crm.customer_source_history.as_of_date is 'Business date of this version.';
comment on column crm.customer_source_history.system is 'Source system: deposit, card, loan or fx.';
comment on column crm.customer_source_history.source_key is 'The system''s own party key (cust_no, holder_id, borrower_id, client_ref).';
comment on column crm.customer_source_history.customer_id is 'Customer the record belongs to (crm.customer.customer_id).';
comment on column crm.customer_source_history.match_rule is 'How the record was linked: exact rule, probabilistic model, override, or singleton (no match found).';
comment on column crm.customer_source_history.match_probability is 'Match probability of the strongest link into its customer (1 for exact rules and overrides, NULL for singletons).';
comment on column crm.customer_source_history.assigned_on is 'Business date the record was last (re)assigned to its customer.';

comment on table crm.contribution_monthly is 'Monthly profit contribution (CNY) per customer and product family, by the contribution rule in the README, for every month up to the latest published date.';

comment on table crm.value_tier_history is 'Value tier per customer for every published business date.';
comment on table crm.tier_migration is 'Tier moves per customer between consecutive month-ends, as computed on each published date.';
comment on table crm.churn_risk_history is 'Churn probability, risk band and drivers per customer for every published business date.';
comment on table crm.churn_model_version is 'Every churn model version: training and validation windows and its validation metrics.';
comment on table crm.churn_calibration is 'Calibration curve per churn model version on its validation window: mean predicted vs observed churn rate per bin.';
comment on table crm.lifetime_value_history is 'Expected lifetime value per customer for every published business date.';
comment on table crm.retention_priority_history is 'Whom to call first, per customer at risk, for every published business date: value at risk (churn probability x lifetime value if retained), rank overall and within the branch, drivers, tier, branch.';
comment on table crm.product_holding_history is 'Products held and next likely product per customer for every published business date.';

comment on table crm.data_quality_history is 'Per delivered file and published date: rows the control file announced, rows read, staged, quarantined and re-sent.';
comment on column crm.data_quality_history.as_of_date is 'Business date of the delivery.';
comment on column crm.data_quality_history.system is 'Source system.';
comment on column crm.data_quality_history.file is 'Delivered file name.';
comment on column crm.data_quality_history.kind is 'full (first delivery, with history) or daily.';
comment on column crm.data_quality_history.rows_control is 'Data rows announced by _CONTROL.json.';
comment on column crm.data_quality_history.rows_read is 'Data rows read from the file.';
comment on column crm.data_quality_history.rows_staged is 'Rows that passed validation and reached staging.';
comment on column crm.data_quality_history.rows_quarantined is 'Rows set aside with a reason (rows_read = rows_staged + rows_quarantined + rows_resent).';
comment on column crm.data_quality_history.rows_resent is 'Activity rows already staged from an earlier delivery (same transaction, deal or balance key): counted once, not staged again.';
comment on column crm.data_quality_history.fields_nulled is 'Bad optional fields (birth date, phone, e-mail, codes) nulled in staged party rows; each is a field_nulled row of quarantine_reason_history. Counts fields, not rows.';

comment on table crm.quarantine_reason_history is 'Quarantined rows per file, field and reason for every published date (the rejected values themselves stay restricted).';
comment on column crm.quarantine_reason_history.as_of_date is 'Business date of the delivery.';
comment on column crm.quarantine_reason_history.system is 'Source system.';
comment on column crm.quarantine_reason_history.file is 'Delivered file name.';
comment on column crm.quarantine_reason_history.field is 'Field that failed (the first one, for a rejected row).';
comment on column crm.quarantine_reason_history.reason is 'Why the row was rejected.';
comment on column crm.quarantine_reason_history.action is 'row_rejected: the row was set aside; field_nulled: the row was staged with this field nulled.';
comment on column crm.quarantine_reason_history.rows_quarantined is 'Number of rows with this reason (rejected, or staged with the field nulled, as action says).';

comment on table crm.customer_id_event is 'How customer ids changed: every merge, split and move of records between customer ids, per business date, so history stays traceable.';
comment on column crm.customer_id_event.business_date is 'Business date of the run that made the change.';
comment on column crm.customer_id_event.event is 'merge: other_customer_id was retired into customer_id; split: records of customer_id left for the new id other_customer_id; move: records of other_customer_id moved to customer_id.';
comment on column crm.customer_id_event.customer_id is 'The surviving (or receiving) customer id.';
comment on column crm.customer_id_event.other_customer_id is 'The retired, new or giving customer id, as event says.';
comment on column crm.customer_id_event.detail is 'JSON: how many source records moved (records_moved).';

comment on table crm.output_status is 'Per published business date and output: OK, or INSUFFICIENT_HISTORY when there is too little history to compute it yet (the output is then published empty for that date) with the reason. The customer view never waits for these.';

comment on table crm.customer_lifecycle_history is 'Lifecycle stage per customer for every published business date: the stage at the last month-end on or before it and the month before (rules in docs/analysts.md).';
comment on table crm.customer_lifecycle_monthly is 'Lifecycle stage of every customer at every month-end of the data, with the figures behind it, as judged on the latest night (tonight''s customer map re-attributes the history).';
comment on table crm.next_best_product_history is 'Propensity per customer and product not held to take the product within 90 days, for every published business date.';
comment on table crm.next_best_product_model is 'One row per trained next-best-product model version: windows and out-of-time hit rates at 1 and 3 against the popularity baseline.';
