-- A source is a plan connection or a file the member imported (a FHIR Bundle or NDJSON
-- folder). A file source has no tokens and nothing to download; its records carry the entry's
-- original fullUrl in source_request.
ALTER TABLE connections ADD COLUMN source_kind TEXT NOT NULL DEFAULT 'plan' CHECK (source_kind IN ('plan', 'file'));
