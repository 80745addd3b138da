-- Sync: where each connection's download stands per resource type, so that a sync resumes
-- where it stopped and an incremental pass knows where to start.
CREATE TABLE sync_state (
    connection_id   TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    resource_type   TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'running', 'done', 'failed', 'not_shared')),
    -- The plan's clock when the last complete pass started: the next pass asks _lastUpdated=gt this.
    high_water      TEXT,
    last_full_pass  TEXT,
    -- An unfinished pass: its id, kind, and the next page to fetch.
    pass_id         TEXT,
    pass_full       INTEGER NOT NULL DEFAULT 0 CHECK (pass_full IN (0, 1)),
    pass_started_at TEXT,
    next_url        TEXT,
    pages           INTEGER NOT NULL DEFAULT 0,
    resources       INTEGER NOT NULL DEFAULT 0,
    bytes           INTEGER NOT NULL DEFAULT 0,
    error_code      TEXT,
    error_message   TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (connection_id, resource_type)
) STRICT;

-- Which pass last returned a resource; when a full pass no longer returns one it is marked
-- missing (never deleted).
ALTER TABLE resources ADD COLUMN last_seen_pass TEXT;
ALTER TABLE resources ADD COLUMN missing_since TEXT;
-- The same real-world item delivered by two plans shares a key (claims by identifier,
-- immunizations by vaccine and date, ...). Nothing is deleted to dedupe.
ALTER TABLE resources ADD COLUMN dedupe_key TEXT;
CREATE INDEX resources_by_dedupe ON resources (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- Full-text search over what a record is called and coded as.
CREATE VIRTUAL TABLE resource_text USING fts5(display, codes, content = 'resources', content_rowid = 'rowid');
CREATE TRIGGER resources_text_insert AFTER INSERT ON resources BEGIN
    INSERT INTO resource_text (rowid, display, codes) VALUES (new.rowid, new.display, new.codes);
END;
CREATE TRIGGER resources_text_delete AFTER DELETE ON resources BEGIN
    INSERT INTO resource_text (resource_text, rowid, display, codes) VALUES ('delete', old.rowid, old.display, old.codes);
END;
CREATE TRIGGER resources_text_update AFTER UPDATE OF display, codes ON resources BEGIN
    INSERT INTO resource_text (resource_text, rowid, display, codes) VALUES ('delete', old.rowid, old.display, old.codes);
    INSERT INTO resource_text (rowid, display, codes) VALUES (new.rowid, new.display, new.codes);
END;
INSERT INTO resource_text (resource_text) VALUES ('rebuild');
