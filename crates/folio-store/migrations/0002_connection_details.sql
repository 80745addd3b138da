-- What the member asked for and the last failure, so the connections screen can say honestly
-- what was granted (narrower than asked is shown, not hidden) and what went wrong.
ALTER TABLE connections ADD COLUMN requested_scopes TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN last_error_code TEXT;
ALTER TABLE connections ADD COLUMN last_error_message TEXT;
ALTER TABLE connections ADD COLUMN redirect_uri TEXT;

-- Demo plans point at a sandbox whose address changes per run.
ALTER TABLE plans ADD COLUMN is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1));
