//! folio-sandbox: a complete demo health plan on 127.0.0.1, for the in-app demo and for tests.
//!
//! Owns (issue 3): a SMART App Launch 2.2 authorization server with a member login page, a
//! consent page with the PDex sensitive-data choice, PKCE S256 and rotated refresh tokens; a FHIR
//! R4 Patient Access API (CARIN Blue Button and US Core searches, paging, `_include`,
//! `_revinclude`, `$everything`) over a seeded generator of synthetic members and the public
//! fixtures; and fault modes switched on at runtime.
//!
//! Must never: serve real patient data, listen on anything but loopback, or be a dependency of
//! folio-core (the app reaches it only over HTTP, like any plan).
//!
//! This crate holds no code yet: the sandbox is built under issue 3.
