-- What a plan's FHIR server takes beyond one type's search (issue 15), learned by syncing:
-- how its searches match the member (`patient=<id>` or only `patient=Patient/<id>`), whether
-- `Provenance?target=…` is declared and works (Folio's way to where records came from when
-- `_revinclude` does not), and the operations its CapabilityStatement declares
-- (`Patient/$everything`, shown on the plan's details; Folio does not use them to sync).
CREATE TABLE plan_search_support (
    plan_id                    TEXT PRIMARY KEY NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    -- 1: `patient` matches only as `Patient/<id>`; 0: the bare id finds records; NULL: not learned.
    patient_reference          INTEGER CHECK (patient_reference IN (0, 1)),
    -- The CapabilityStatement declares Provenance's `target` search parameter; NULL: not read.
    provenance_target_declared INTEGER CHECK (provenance_target_declared IN (0, 1)),
    -- `Provenance?target=…` worked (1) or was refused with 400/422 (0); NULL: not tried.
    provenance_target          INTEGER CHECK (provenance_target IN (0, 1)),
    -- When provenance_target was learned (a refusal is tried again after the weekly re-probe).
    provenance_target_at       TEXT,
    -- The operations the CapabilityStatement declares, as `Type/$name`, space separated;
    -- NULL: no statement read.
    operations                 TEXT,
    -- When the CapabilityStatement was last read.
    capabilities_at            TEXT
) STRICT;
