//! folio-sandbox driven over real HTTP: the SMART flow through its pages, the FHIR API, faults.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod faults;
mod fhir;
mod gate;
mod latency;
mod strict;
mod support;
