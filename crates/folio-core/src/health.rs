//! "My health": what the member takes, has, is allergic to and was vaccinated against, their
//! visits and the clinicians and organizations who cared for them, each item with the records
//! it was read from.
//!
//! Each type is read newest first and at most [`READ_LIMIT`] records deep (a type holding more
//! is named in `readInPart`), so a long history never loads every row.

use std::collections::{HashMap, HashSet};

use folio_fhir::{
    care_appearances, group_medications, normalized_name, party_name, summarize_medicine,
    AllergyFacts, ConditionFacts, EncounterFacts, ImmunizationFacts, MedicationFacts,
    MedicationState, Party,
};
use folio_store::{CareRow, Store};
use serde_json::Value;

use crate::api::{
    AllergyView, CareKind, CareTeamMember, ConditionView, ImmunizationView, MedicineStatus,
    MedicineView, MyHealth, SourceRecord, VisitView,
};
use crate::{CoreError, Folio};

/// How many of each type's newest records are read.
pub const READ_LIMIT: u32 = 5_000;
/// How many visits are listed.
pub const VISITS_SHOWN: usize = 200;
/// How many visits and claims are listed per care-team member.
const SOURCES_PER_MEMBER: usize = 20;
/// A pharmacy claim's type coding, as indexed.
const PHARMACY_CLAIM: &str = "http://terminology.hl7.org/CodeSystem/claim-type|pharmacy";

/// A record read and parsed.
struct Read {
    row: CareRow,
    json: Value,
}

impl Read {
    fn source(&self) -> SourceRecord {
        SourceRecord {
            connection_id: self.row.connection_id.clone(),
            resource_type: self.row.resource_type.clone(),
            resource_id: self.row.resource_id.clone(),
            plan_name: self.row.plan_name.clone(),
            date: self.row.clinical_date.clone(),
        }
    }

    /// The same record from another plan shares this; else the row itself.
    fn identity(&self) -> String {
        self.row.dedupe_key.clone().unwrap_or_else(|| {
            format!(
                "{}|{}|{}",
                self.row.connection_id, self.row.resource_type, self.row.resource_id
            )
        })
    }
}

async fn read(
    store: &Store,
    resource_type: &str,
    coding: Option<&str>,
    include_sensitive: bool,
    in_part: &mut Vec<String>,
) -> Result<Vec<Read>, CoreError> {
    let rows = store
        .newest_of_type(resource_type, coding, include_sensitive, READ_LIMIT)
        .await?;
    if rows.len() >= READ_LIMIT as usize && !in_part.iter().any(|t| t == resource_type) {
        in_part.push(resource_type.to_owned());
    }
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let json = serde_json::from_str(&row.raw_json).ok()?;
            Some(Read { row, json })
        })
        .collect())
}

/// Groups items that share any key (union-find); groups in order of their first item.
fn group_by_keys(keys: &[Vec<String>]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, ks) in keys.iter().enumerate() {
        for k in ks {
            match first.get(k.as_str()) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    first.insert(k, i);
                }
            }
        }
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for i in 0..keys.len() {
        let r = root(&mut parent, i);
        let at = *slot.entry(r).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[at].push(i);
    }
    out
}

/// A concept's keys for merging: its coding, and its name set apart from case and spacing.
fn concept_keys(key: Option<&str>, name: &str) -> Vec<String> {
    let mut keys = vec![format!("name|{}", normalized_name(name))];
    if let Some(k) = key {
        keys.push(format!("code|{k}"));
    }
    keys
}

/// Names of the clinicians and organizations records reference, from their own records.
struct Names {
    names: HashMap<(String, String), String>,
    held: HashSet<(String, String)>,
}

impl Names {
    async fn load(
        store: &Store,
        wanted: HashSet<(String, String, String)>,
    ) -> Result<Self, CoreError> {
        let keys: Vec<(String, String, String)> = wanted.into_iter().collect();
        let mut names = HashMap::new();
        let mut held = HashSet::new();
        for (connection, kind, id, json) in store.records_by_key(&keys).await? {
            let key = (connection, format!("{kind}/{id}"));
            held.insert(key.clone());
            let Ok(v) = serde_json::from_str::<Value>(&json) else {
                continue;
            };
            if let Some(name) = party_name(&v) {
                names.insert(key, name);
            }
        }
        Ok(Self { names, held })
    }

    /// Whether the store holds the party's own record.
    fn holds(&self, connection: &str, party: &Party) -> bool {
        party
            .reference
            .as_ref()
            .is_some_and(|r| self.held.contains(&(connection.to_owned(), r.clone())))
    }

    /// The party's own name, else the name the referring record gives.
    fn of(&self, connection: &str, party: &Party) -> Option<String> {
        party
            .reference
            .as_ref()
            .and_then(|r| self.names.get(&(connection.to_owned(), r.clone())).cloned())
            .or_else(|| party.display.clone())
    }
}

fn want(wanted: &mut HashSet<(String, String, String)>, connection: &str, party: Option<&Party>) {
    if let Some((kind, id)) = party.and_then(Party::relative) {
        wanted.insert((connection.to_owned(), kind.to_owned(), id.to_owned()));
    }
}

fn newest_first(sources: &mut [SourceRecord]) {
    sources.sort_by(|a, b| b.date.cmp(&a.date));
}

impl Folio {
    /// Everything the "My health" screen shows (sensitive records only when asked).
    pub async fn my_health(&self, include_sensitive: bool) -> Result<MyHealth, CoreError> {
        let store = &self.store().await?;
        let mut in_part = Vec::new();
        let s = include_sensitive;
        let mut meds = read(store, "MedicationRequest", None, s, &mut in_part).await?;
        meds.extend(read(store, "MedicationStatement", None, s, &mut in_part).await?);
        meds.extend(read(store, "MedicationDispense", None, s, &mut in_part).await?);
        let pharmacy = read(
            store,
            "ExplanationOfBenefit",
            Some(PHARMACY_CLAIM),
            s,
            &mut in_part,
        )
        .await?;
        let conditions = read(store, "Condition", None, s, &mut in_part).await?;
        let allergies = read(store, "AllergyIntolerance", None, s, &mut in_part).await?;
        let immunizations = read(store, "Immunization", None, s, &mut in_part).await?;
        let encounters = read(store, "Encounter", None, s, &mut in_part).await?;
        let claims = read(store, "ExplanationOfBenefit", None, s, &mut in_part).await?;
        let visits_total = store.count_of_type("Encounter", s).await?;

        let med_facts: Vec<(&Read, MedicationFacts)> = meds
            .iter()
            .chain(pharmacy.iter())
            .filter_map(|r| Some((r, MedicationFacts::from_value(&r.json)?)))
            .collect();
        let visit_facts: Vec<(&Read, EncounterFacts)> = encounters
            .iter()
            .filter_map(|r| Some((r, EncounterFacts::from_value(&r.json)?)))
            .collect();
        let appearances: Vec<(&Read, Vec<folio_fhir::CareAppearance>)> = encounters
            .iter()
            .chain(claims.iter())
            .map(|r| (r, care_appearances(&r.json)))
            .collect();

        let mut wanted = HashSet::new();
        for (r, f) in &med_facts {
            want(&mut wanted, &r.row.connection_id, f.prescriber.as_ref());
            want(&mut wanted, &r.row.connection_id, f.pharmacy.as_ref());
        }
        for (r, f) in &visit_facts {
            for p in f.clinicians.iter().chain(&f.provider).chain(&f.location) {
                want(&mut wanted, &r.row.connection_id, Some(p));
            }
        }
        for (r, list) in &appearances {
            for a in list {
                want(&mut wanted, &r.row.connection_id, Some(&a.party));
            }
        }
        let names = Names::load(store, wanted).await?;

        Ok(MyHealth {
            medications: medications(&med_facts, &names),
            conditions: conditions_of(&conditions),
            allergies: allergies_of(&allergies),
            immunizations: immunizations_of(&immunizations),
            visits: visits_of(&visit_facts, &names),
            visits_total,
            care_team: care_team(&appearances, &names),
            read_limit: READ_LIMIT,
            read_in_part: in_part,
        })
    }
}

fn medications(facts: &[(&Read, MedicationFacts)], names: &Names) -> Vec<MedicineView> {
    let scoped: Vec<(&str, &MedicationFacts)> = facts
        .iter()
        .map(|(r, f)| (r.row.connection_id.as_str(), f))
        .collect();
    let mut out: Vec<MedicineView> = group_medications(&scoped)
        .into_iter()
        .map(|group| {
            let members: Vec<&MedicationFacts> = group.iter().map(|&i| &facts[i].1).collect();
            let m = summarize_medicine(&members);
            // The connection of the record that named the prescriber or pharmacy.
            let connection_of = |pick: &dyn Fn(&MedicationFacts) -> Option<&Party>,
                                 party: &Party| {
                group
                    .iter()
                    .find(|&&i| pick(&facts[i].1) == Some(party))
                    .map(|&i| facts[i].0.row.connection_id.as_str())
                    .unwrap_or("")
            };
            let prescriber = m
                .prescriber
                .as_ref()
                .and_then(|p| names.of(connection_of(&|f| f.prescriber.as_ref(), p), p));
            let pharmacy = m
                .pharmacy
                .as_ref()
                .and_then(|p| names.of(connection_of(&|f| f.pharmacy.as_ref(), p), p));
            let mut sources: Vec<SourceRecord> =
                group.iter().map(|&i| facts[i].0.source()).collect();
            newest_first(&mut sources);
            MedicineView {
                name: m.name.unwrap_or_else(|| "Medicine not named".to_owned()),
                status: match m.state {
                    MedicationState::Active => MedicineStatus::Active,
                    MedicationState::OnHold => MedicineStatus::OnHold,
                    MedicationState::Stopped => MedicineStatus::Stopped,
                    MedicationState::NotStated => MedicineStatus::NotStated,
                },
                dosage: m.dosage,
                prescriber,
                last_filled: m.last_filled,
                pharmacy,
                days_supply: m.days_supply,
                fills: m.fills,
                since: m.since,
                latest: m.latest,
                rxnorm: m.rxnorm,
                sources,
            }
        })
        .collect();
    let rank = |s: MedicineStatus| match s {
        MedicineStatus::Active => 0,
        MedicineStatus::OnHold => 1,
        MedicineStatus::NotStated => 2,
        MedicineStatus::Stopped => 3,
    };
    out.sort_by(|a, b| {
        rank(a.status).cmp(&rank(b.status)).then_with(|| {
            if matches!(a.status, MedicineStatus::Active | MedicineStatus::OnHold) {
                a.name.to_lowercase().cmp(&b.name.to_lowercase())
            } else {
                b.latest.cmp(&a.latest)
            }
        })
    });
    out
}

fn conditions_of(rows: &[Read]) -> Vec<ConditionView> {
    let facts: Vec<(&Read, ConditionFacts)> = rows
        .iter()
        .filter_map(|r| Some((r, ConditionFacts::from_value(&r.json)?)))
        .collect();
    let keys: Vec<Vec<String>> = facts
        .iter()
        .map(|(_, f)| concept_keys(f.key.as_deref(), &f.name))
        .collect();
    let mut out: Vec<ConditionView> = group_by_keys(&keys)
        .into_iter()
        .filter_map(|group| {
            let when = |f: &ConditionFacts| f.recorded.clone().or_else(|| f.onset.clone());
            let latest = group.iter().map(|&i| &facts[i].1).max_by_key(|f| when(f))?;
            let current = latest.is_current();
            let mut sources: Vec<SourceRecord> =
                group.iter().map(|&i| facts[i].0.source()).collect();
            newest_first(&mut sources);
            Some(ConditionView {
                name: latest.name.clone(),
                current,
                status: latest.clinical_status.clone(),
                since: group
                    .iter()
                    .filter_map(|&i| {
                        facts[i]
                            .1
                            .onset
                            .clone()
                            .or_else(|| facts[i].1.recorded.clone())
                    })
                    .min(),
                until: if current {
                    None
                } else {
                    group
                        .iter()
                        .filter_map(|&i| facts[i].1.abated.clone())
                        .max()
                },
                sources,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.current.cmp(&a.current).then_with(|| {
            let last = |c: &ConditionView| c.sources.first().and_then(|s| s.date.clone());
            last(b).cmp(&last(a))
        })
    });
    out
}

fn allergies_of(rows: &[Read]) -> Vec<AllergyView> {
    let facts: Vec<(&Read, AllergyFacts)> = rows
        .iter()
        .filter_map(|r| Some((r, AllergyFacts::from_value(&r.json)?)))
        .collect();
    let keys: Vec<Vec<String>> = facts
        .iter()
        .map(|(_, f)| concept_keys(f.key.as_deref(), &f.substance))
        .collect();
    let mut out: Vec<AllergyView> = group_by_keys(&keys)
        .into_iter()
        .filter_map(|group| {
            let latest = group
                .iter()
                .map(|&i| &facts[i].1)
                .max_by_key(|f| f.date.clone())?;
            let mut reactions: Vec<String> = Vec::new();
            for &i in &group {
                for r in &facts[i].1.reactions {
                    if !reactions.contains(r) {
                        reactions.push(r.clone());
                    }
                }
            }
            Some(AllergyView {
                substance: latest.substance.clone(),
                current: latest.is_current(),
                criticality: latest.criticality.clone(),
                category: latest.category.clone(),
                reactions,
                severity: latest.severity.clone(),
                since: group.iter().filter_map(|&i| facts[i].1.date.clone()).min(),
                sources: group.iter().map(|&i| facts[i].0.source()).collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.current
            .cmp(&a.current)
            .then_with(|| a.substance.to_lowercase().cmp(&b.substance.to_lowercase()))
    });
    out
}

fn immunizations_of(rows: &[Read]) -> Vec<ImmunizationView> {
    let facts: Vec<(&Read, ImmunizationFacts)> = rows
        .iter()
        .filter_map(|r| Some((r, ImmunizationFacts::from_value(&r.json)?)))
        .collect();
    let keys: Vec<Vec<String>> = facts
        .iter()
        .map(|(_, f)| concept_keys(f.key.as_deref(), &f.vaccine))
        .collect();
    let mut out: Vec<ImmunizationView> = group_by_keys(&keys)
        .into_iter()
        .filter_map(|group| {
            let first = &facts[*group.first()?].1;
            let mut seen = HashSet::new();
            let mut dates: Vec<String> = group
                .iter()
                .filter(|&&i| facts[i].1.status.as_deref() != Some("not-done"))
                .filter(|&&i| seen.insert(facts[i].0.identity()))
                .filter_map(|&i| facts[i].1.date.clone())
                .collect();
            dates.sort_by(|a, b| b.cmp(a));
            let mut sources: Vec<SourceRecord> =
                group.iter().map(|&i| facts[i].0.source()).collect();
            newest_first(&mut sources);
            Some(ImmunizationView {
                vaccine: first.vaccine.clone(),
                dates,
                sources,
            })
        })
        .collect();
    out.sort_by(|a, b| b.dates.first().cmp(&a.dates.first()));
    out
}

fn visits_of(facts: &[(&Read, EncounterFacts)], names: &Names) -> Vec<VisitView> {
    // Rows come newest first; a visit two plans sent is one visit with two sources.
    let mut order: Vec<String> = Vec::new();
    let mut by_identity: HashMap<String, VisitView> = HashMap::new();
    for (r, f) in facts {
        let identity = r.identity();
        if let Some(v) = by_identity.get_mut(&identity) {
            v.sources.push(r.source());
            continue;
        }
        if order.len() >= VISITS_SHOWN {
            continue;
        }
        let c = r.row.connection_id.as_str();
        let place = f
            .location
            .as_ref()
            .or(f.provider.as_ref())
            .and_then(|p| names.of(c, p));
        let mut clinicians: Vec<String> = Vec::new();
        for name in f.clinicians.iter().filter_map(|p| names.of(c, p)) {
            if !clinicians.contains(&name) {
                clinicians.push(name);
            }
        }
        order.push(identity.clone());
        by_identity.insert(
            identity,
            VisitView {
                start: f.start.clone(),
                end: f.end.clone(),
                kind: f.kind.clone(),
                place,
                clinicians,
                reasons: f.reasons.clone(),
                sources: vec![r.source()],
            },
        );
    }
    order
        .into_iter()
        .filter_map(|k| by_identity.remove(&k))
        .collect()
}

/// One care-team member while counting.
struct Tally {
    party: Party,
    connection: String,
    plan_name: String,
    roles: Vec<(String, u32)>,
    visits: HashSet<String>,
    claims: HashSet<String>,
    last_seen: Option<String>,
    sources: Vec<SourceRecord>,
}

fn care_team(
    appearances: &[(&Read, Vec<folio_fhir::CareAppearance>)],
    names: &Names,
) -> Vec<CareTeamMember> {
    let mut order: Vec<String> = Vec::new();
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    for (r, list) in appearances {
        let connection = r.row.connection_id.as_str();
        for a in list {
            // Who they are: their reference within the connection, else their name as given.
            let key = match (&a.party.reference, &a.party.display) {
                (Some(reference), _) => format!("{connection}|{reference}"),
                (None, Some(display)) => format!("name|{}", normalized_name(display)),
                (None, None) => continue,
            };
            let t = tallies.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                Tally {
                    party: a.party.clone(),
                    connection: connection.to_owned(),
                    plan_name: r.row.plan_name.clone(),
                    roles: Vec::new(),
                    visits: HashSet::new(),
                    claims: HashSet::new(),
                    last_seen: None,
                    sources: Vec::new(),
                }
            });
            if let Some(role) = &a.role {
                match t.roles.iter_mut().find(|(r, _)| r == role) {
                    Some((_, n)) => *n += 1,
                    None => t.roles.push((role.clone(), 1)),
                }
            }
            let new = if r.row.resource_type == "Encounter" {
                t.visits.insert(r.identity())
            } else {
                t.claims.insert(r.identity())
            };
            if new && t.sources.len() < SOURCES_PER_MEMBER {
                t.sources.push(r.source());
            }
            if r.row.clinical_date > t.last_seen {
                t.last_seen = r.row.clinical_date.clone();
            }
        }
    }
    let mut out = Vec::with_capacity(order.len());
    for key in order {
        let Some(mut t) = tallies.remove(&key) else {
            continue;
        };
        let record = t
            .party
            .relative()
            .filter(|_| names.holds(&t.connection, &t.party))
            .map(|(kind, id)| SourceRecord {
                connection_id: t.connection.clone(),
                resource_type: kind.to_owned(),
                resource_id: id.to_owned(),
                plan_name: t.plan_name.clone(),
                date: None,
            });
        t.roles.sort_by_key(|r| std::cmp::Reverse(r.1));
        newest_first(&mut t.sources);
        out.push(CareTeamMember {
            name: names.of(&t.connection, &t.party),
            kind: match t.party.kind() {
                Some("Practitioner" | "PractitionerRole") => CareKind::Clinician,
                Some("Organization" | "Location") => CareKind::Organization,
                _ => CareKind::Unknown,
            },
            roles: t.roles.into_iter().map(|(r, _)| r).collect(),
            visits: u32::try_from(t.visits.len()).unwrap_or(u32::MAX),
            claims: u32::try_from(t.claims.len()).unwrap_or(u32::MAX),
            last_seen: t.last_seen,
            record,
            sources: t.sources,
        });
    }
    out.sort_by(|a, b| {
        (b.visits + b.claims)
            .cmp(&(a.visits + a.claims))
            .then_with(|| b.last_seen.cmp(&a.last_seen))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_sharing_any_key_are_one_group() {
        let keys = vec![
            vec!["a".to_owned()],
            vec!["b".to_owned()],
            vec!["b".to_owned(), "a".to_owned()],
            vec!["c".to_owned()],
        ];
        assert_eq!(group_by_keys(&keys), vec![vec![0, 1, 2], vec![3]]);
    }
}
