-- How long a connection's access lasts, as the plan said at the last sign-in or refresh
-- (issue 15 §2): `access_lifetime_secs` is the token answer's `expires_in` (NULL when the plan
-- did not say), `access_renewable` whether Folio holds a refresh token to renew it (1) or the
-- member must sign in again when it ends (0). Both NULL for a connection made before Folio
-- kept them. Not secret: the tokens themselves stay in the OS keychain.
ALTER TABLE connections ADD COLUMN access_lifetime_secs INTEGER CHECK (access_lifetime_secs >= 0);
ALTER TABLE connections ADD COLUMN access_renewable INTEGER CHECK (access_renewable IN (0, 1));
