//! `folio status`, `folio stats` and `folio remove-all-data`: the profile on this computer.

use std::io::Write;

use folio_core::Folio;

/// `folio status`: the data folder, the database and how it is locked.
pub async fn status(folio: &Folio) -> anyhow::Result<()> {
    let s = folio.status().await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Folio {}", s.version)?;
    writeln!(
        out,
        "data folder: {} (from {:?})",
        s.data_dir, s.data_dir_source
    )?;
    writeln!(out, "database:    {}", s.storage.path)?;
    writeln!(
        out,
        "schema:      version {} ({} of {} migrations applied), journal {}",
        s.storage.schema_version,
        s.storage.migrations_applied,
        s.storage.migrations_known,
        s.storage.journal_mode
    )?;
    writeln!(
        out,
        "contents:    plans {}, connections {}, records {}, sync runs {}",
        s.storage.plans, s.storage.connections, s.storage.resources, s.storage.sync_runs
    )?;
    writeln!(
        out,
        "encryption:  SQLCipher (AES-256), key {}",
        match s.storage.key_home {
            folio_core::api::KeyHome::Keychain => "in the system keychain",
            folio_core::api::KeyHome::Passphrase => "from your passphrase",
        }
    )?;
    Ok(())
}

/// `folio stats`: records per connection and type, linked items, a database check.
pub async fn stats(folio: &Folio) -> anyhow::Result<()> {
    let (counts, linked) = folio.stats().await?;
    let mut out = std::io::stdout().lock();
    for c in &counts {
        writeln!(
            out,
            "{}  {:<22} {:>7} records  {:>5} missing at the plan  {:>5} sensitive",
            c.connection_id, c.resource_type, c.resources, c.missing, c.sensitive
        )?;
    }
    let total: i64 = counts.iter().map(|c| c.resources).sum();
    writeln!(
        out,
        "total: {total} records; {linked} items held from more than one source"
    )?;
    writeln!(
        out,
        "database integrity: {}",
        if folio.integrity_ok().await? {
            "ok"
        } else {
            "FAILED"
        }
    )?;
    Ok(())
}

/// `folio remove-all-data`: nothing without `--yes`.
pub async fn remove_all_data(folio: &Folio, yes: bool) -> anyhow::Result<()> {
    if !yes {
        anyhow::bail!(
            "this removes every record, connection and keychain entry Folio has here; run again with --yes to do it"
        );
    }
    let removed = folio.remove_all_data().await?;
    writeln!(
        std::io::stdout().lock(),
        "removed {} source(s); {} plan connection(s): tokens deleted from the keychain, access revoked at {} plan(s); database erased",
        removed.sources, removed.plan_connections, removed.revoked_at_plans
    )?;
    // Registrations Folio made at plans (RFC 7591) are deleted there too (RFC 7592).
    if removed.registrations_deleted + removed.registrations_not_deleted > 0 {
        writeln!(
            std::io::stdout().lock(),
            "Folio's registration deleted at {} plan(s); not deleted at {} plan(s) (remove Folio at their developer portals)",
            removed.registrations_deleted, removed.registrations_not_deleted
        )?;
    }
    Ok(())
}
