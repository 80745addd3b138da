-- The member's choices that Folio remembers (for example, whether to show sensitive records).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
