-- The SMART Health Links the member made (issue 19): what each holds and where its encrypted
-- file is, so that one can be shown again or forgotten. The link's key is not here: it lives
-- in the OS keychain (account `shared-link:{id}`), and forgetting a link deletes it there.
CREATE TABLE shared_links (
    id         TEXT PRIMARY KEY,
    label      TEXT,
    -- What it holds: 'ips', 'bundle' or 'pdf' (the PDF summary inside a DocumentReference).
    what       TEXT NOT NULL CHECK (what IN ('ips', 'bundle', 'pdf')),
    -- Where the member puts the encrypted file (the link's url).
    file_url   TEXT NOT NULL,
    -- Where Folio wrote the encrypted file on this computer (deleted when forgotten).
    file_path  TEXT NOT NULL,
    -- The link's exp, seconds since 1970; NULL: no expiry.
    expires_at INTEGER,
    created_at TEXT NOT NULL,
    resources  INTEGER NOT NULL CHECK (resources >= 0),
    bytes      INTEGER NOT NULL CHECK (bytes >= 0)
) STRICT;
