-- Reading back without touching each row's JSON: counts by type (the overview) and the light
-- list of Observations (labs and vitals) come from these indexes alone.
CREATE INDEX resources_counts ON resources (resource_type, sensitive, fetched_at) WHERE missing_since IS NULL;
CREATE INDEX resources_observations ON resources (sensitive, codes, clinical_date, dedupe_key)
    WHERE resource_type = 'Observation' AND missing_since IS NULL;
