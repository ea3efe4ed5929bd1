-- One customer's full cross-system profile. First: SET VARIABLE customer_id = '<id>';
select
    c.customer_id,
    c.name,
    c.name_latin,
    c.birth_date,
    c.gender,
    c.city,
    c.id_masked,
    c.phone_masked,
    c.systems,
    c.first_seen,
    (select
        list(
            struct_pack(
                system := s.system, source_key := s.source_key, match_rule := s.match_rule,
                match_probability := s.match_probability
            ) order by s.system, s.source_key
        )
    from crm.customer_source as s
    where s.customer_id = c.customer_id) as source_records,
    p.products,
    v.tier,
    v.contribution_12m,
    r.churn_probability,
    r.risk_band,
    r.driver_1,
    l.expected_ltv_cny
from crm.customer as c
left join crm.product_holding as p using (customer_id)
left join crm.value_tier as v using (customer_id)
left join crm.churn_risk as r using (customer_id)
left join crm.lifetime_value as l using (customer_id)
where c.customer_id = getvariable('customer_id');
