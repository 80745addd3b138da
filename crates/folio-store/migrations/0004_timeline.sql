-- The timeline reads newest first by clinical date, keyset-paged on (clinical_date, rowid).
CREATE INDEX resources_timeline ON resources (clinical_date DESC, resource_type) WHERE missing_since IS NULL;
