-- The fingerprint of the CRM_PII_KEY the golden hashes were last made with (no row before the first night).
select fingerprint from identity.pii_key_state
