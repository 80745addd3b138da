-- A pass over a long search split into slices by `_lastUpdated` ranges (ge lower, lt upper;
-- NULL: open), paged side by side. Each slice keeps its own resume point, saved in the same
-- transaction as its page; the type's sync_state row holds the pass (its id, kind, start,
-- totals) with next_url NULL. A pass ends (and a full pass marks what the plan no longer
-- returns) only when every slice's next_url is NULL; finishing the pass deletes its slices.
CREATE TABLE sync_slices (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    resource_type TEXT NOT NULL,
    pass_id       TEXT NOT NULL,
    slice         INTEGER NOT NULL CHECK (slice >= 0),
    lower         TEXT,
    upper         TEXT,
    -- The slice's next page; NULL once the slice has ended.
    next_url      TEXT,
    pages         INTEGER NOT NULL DEFAULT 0,
    resources     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, resource_type, pass_id, slice)
) STRICT;

-- Whether the plan's search for a type takes `_lastUpdated` ranges (ge and lt together) and
-- they cover everything the unsliced search returns; NULL when not checked. A refusal is
-- remembered (no refused request is sent again) until it is checked again weekly.
ALTER TABLE search_support ADD COLUMN last_updated_ranges INTEGER
    CHECK (last_updated_ranges IS NULL OR last_updated_ranges IN (0, 1));
ALTER TABLE search_support ADD COLUMN ranges_checked_at TEXT;
