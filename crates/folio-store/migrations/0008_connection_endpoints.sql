-- The endpoints a sign-in was bound to: refresh and revocation use these, never a later
-- discovery (which a plan, or whoever rewrote its discovery document, may have changed). A new
-- sign-in replaces them. Connections made before this migration have NULLs and fall back to
-- discovery until they are connected again.
ALTER TABLE connections ADD COLUMN bound_fhir_base TEXT;
ALTER TABLE connections ADD COLUMN authorization_endpoint TEXT;
ALTER TABLE connections ADD COLUMN token_endpoint TEXT;
ALTER TABLE connections ADD COLUMN revocation_endpoint TEXT;
