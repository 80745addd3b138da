//! `folio backup PATH` and `folio restore PATH [--force]`: the whole profile in one file
//! sealed with a passphrase, and back. The passphrase comes from `FOLIO_BACKUP_PASSPHRASE`, or
//! else the first line of standard input.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;
use folio_core::api::BackupSummary;
use folio_core::{Folio, Sensitive};

/// The environment variable holding the backup's passphrase.
pub const BACKUP_PASSPHRASE_ENV: &str = "FOLIO_BACKUP_PASSPHRASE";

/// The passphrase: the environment's, else standard input's first line (without its ending).
fn passphrase(input: impl Read) -> anyhow::Result<Sensitive<String>> {
    if let Some(p) = std::env::var_os(BACKUP_PASSPHRASE_ENV) {
        let p = p
            .into_string()
            .map_err(|_| anyhow::anyhow!("{BACKUP_PASSPHRASE_ENV} is not valid UTF-8"))?;
        return Ok(Sensitive::new(p));
    }
    first_line(input)
}

fn first_line(mut input: impl Read) -> anyhow::Result<Sensitive<String>> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .context("cannot read the backup passphrase from standard input")?;
    let line = Sensitive::new(text.lines().next().unwrap_or_default().to_owned());
    if line.expose().is_empty() {
        anyhow::bail!("no passphrase: set {BACKUP_PASSPHRASE_ENV} or give it on standard input");
    }
    Ok(line)
}

fn describe(s: &BackupSummary) -> String {
    format!(
        "{} records, {} sources, {} plans",
        s.records, s.sources, s.plans
    )
}

/// `folio backup PATH [--replace]`.
pub async fn backup(folio: &Folio, path: &Path, replace: bool) -> anyhow::Result<()> {
    let passphrase = passphrase(std::io::stdin().lock())?;
    let done = folio.backup(path, passphrase, replace).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Backed up {} to {} ({:.1} MB). Keep the passphrase: without it the backup cannot be opened.",
        describe(&done),
        path.display(),
        done.bytes / 1_000_000.0
    )?;
    Ok(())
}

/// `folio restore PATH [--force]`.
pub async fn restore(folio: &Folio, path: &Path, force: bool) -> anyhow::Result<()> {
    let passphrase = passphrase(std::io::stdin().lock())?;
    let done = folio.restore(path, passphrase, force).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Restored {} from {}.", describe(&done), path.display())?;
    let waiting = folio
        .connections()
        .await?
        .into_iter()
        .filter(|c| c.status == folio_core::api::ConnectionStatus::ReconnectAfterRestore)
        .count();
    if waiting > 0 {
        writeln!(
            out,
            "{waiting} plan connection(s) wait for you to connect again (`folio connect PLAN`) to keep them current; the next sync asks only for what changed."
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_passphrase_is_standard_inputs_first_line() {
        let p = first_line(&b"correct horse battery\nignored\n"[..]).unwrap();
        assert_eq!(p.expose(), "correct horse battery");
        assert!(first_line(&b""[..]).is_err());
    }
}
