-- Reading back without touching each row's JSON: counts by type (the overview) and the light
-- list of Observations (labs and vitals) come from these indexes alone.
CREATE INDEX resources_counts ON resources (resource_type, sensitive, fetched_at) WHERE missing_since IS NULL;
CREATE INDEX resources_observations ON resources (sensitive, codes, clinical_date, dedupe_key)
    WHERE resource_type = 'Observation' AND missing_since IS NULL;
-- The timeline walks resources_by_date (or resources_by_type_date for one kind); this partial
-- index from 0004 is never chosen and only costs writes.
DROP INDEX resources_timeline;
