//! Thin Tauri commands, one module per area. Each converts, calls one folio-core function and
//! converts back; errors cross IPC as `{ code, message }`.

pub mod attachments;
pub mod background;
pub mod claims;
pub mod connections;
pub mod erase;
pub mod export;
pub mod health;
pub mod import;
pub mod labs;
pub mod overview;
pub mod plans;
pub mod preferences;
pub mod prior_auths;
pub mod records;
pub mod status;
pub mod sync;
pub mod unlock;
