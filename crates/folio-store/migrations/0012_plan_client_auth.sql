-- How Folio authenticates itself to a plan's token service (issue 15): `none` (a public
-- client, PKCE only), `client_secret_basic`, `client_secret_post` or `private_key_jwt`. The
-- secret or private key itself is never here: it lives in the OS keychain, under an account
-- named after the plan (`plan-secret/{id}`, `plan-key/{id}`).
ALTER TABLE plans ADD COLUMN client_auth TEXT NOT NULL DEFAULT 'none'
    CHECK (client_auth IN ('none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'));
-- A fixed loopback port, for a plan whose portal only takes one exact redirect URI
-- (NULL: any free port, RFC 8252 §7.3).
ALTER TABLE plans ADD COLUMN loopback_port INTEGER CHECK (loopback_port BETWEEN 1 AND 65535);
