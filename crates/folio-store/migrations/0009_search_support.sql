-- What each plan's FHIR server takes in a search, per resource type, learned by trying (its
-- CapabilityStatement is only a hint). The next sync sends the form that worked first, and
-- never again a request the plan refused; the weekly (or a requested) full pass probes again.
CREATE TABLE search_support (
    plan_id         TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    resource_type   TEXT NOT NULL,
    -- The _include values that work, space separated ('' for none); NULL when not learned.
    includes        TEXT,
    revinclude      INTEGER NOT NULL DEFAULT 1 CHECK (revinclude IN (0, 1)),
    -- Whether _lastUpdated works (incremental passes); NULL when not learned yet.
    last_updated    INTEGER CHECK (last_updated IN (0, 1)),
    -- US Core's category (Observation) or status (MedicationRequest) filters are required.
    us_core_filters INTEGER NOT NULL DEFAULT 0 CHECK (us_core_filters IN (0, 1)),
    count           INTEGER NOT NULL DEFAULT 1 CHECK (count IN (0, 1)),
    -- Whether a batched `_id` search works for this type (fetching referenced records);
    -- NULL when not tried.
    id_search       INTEGER CHECK (id_search IN (0, 1)),
    -- When the search form was last probed from the top (NULL: only id_search learned).
    probed_at       TEXT,
    PRIMARY KEY (plan_id, resource_type)
) STRICT;
