-- Folio's first schema. Migrations are forward-only: never edit this file once released;
-- add a new numbered file instead (sqlx refuses to open a database whose applied migration
-- no longer matches its checksum).

-- A health plan Folio can connect to: from the bundled catalog or added by the member.
CREATE TABLE plans (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL,
    fhir_base      TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    redirect_style TEXT NOT NULL CHECK (redirect_style IN ('loopback', 'custom-scheme')),
    origin         TEXT NOT NULL CHECK (origin IN ('catalog', 'member')),
    logo           TEXT,
    notes          TEXT,
    created_at     TEXT NOT NULL
) STRICT;

-- One member's authorization at one plan. Tokens are never here: keychain_account only names
-- the OS keychain entry that holds them.
CREATE TABLE connections (
    id               TEXT PRIMARY KEY NOT NULL,
    plan_id          TEXT NOT NULL REFERENCES plans (id),
    patient_id       TEXT,
    status           TEXT NOT NULL
                     CHECK (status IN ('connecting', 'connected', 'reconnect_needed', 'disconnected')),
    granted_scopes   TEXT NOT NULL DEFAULT '',
    token_expires_at TEXT,
    keychain_account TEXT NOT NULL UNIQUE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    last_synced_at   TEXT,
    UNIQUE (plan_id, patient_id)
) STRICT;

-- Every resource as the plan sent it (raw_json, verbatim) plus the columns Folio queries by.
CREATE TABLE resources (
    connection_id   TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    resource_type   TEXT NOT NULL,
    resource_id     TEXT NOT NULL,
    version_id      TEXT,
    last_updated    TEXT,
    clinical_date   TEXT,
    codes           TEXT NOT NULL DEFAULT '',
    display         TEXT,
    security_labels TEXT NOT NULL DEFAULT '[]',
    sensitive       INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
    raw_json        TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    source_request  TEXT,
    PRIMARY KEY (connection_id, resource_type, resource_id)
) STRICT;

CREATE INDEX resources_by_date ON resources (clinical_date);
CREATE INDEX resources_by_type_date ON resources (resource_type, clinical_date);

-- One attempt to download a connection's history.
CREATE TABLE sync_runs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id     TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    status            TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    resources_fetched INTEGER NOT NULL DEFAULT 0,
    error_code        TEXT,
    error_message     TEXT
) STRICT;
