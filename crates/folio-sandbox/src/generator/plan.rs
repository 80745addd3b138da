//! Planning: how many of each resource a member gets, fixed before anything is built, so that
//! the total is exact and the proportions follow from a handful of per-visit probabilities.
//!
//! A member is a fixed part (Patient, payer, provider organizations, practitioners, coverages,
//! allergies) plus visits. Each visit brings its Encounter, its claim(s) and the clinical
//! resources drawn for it; every few visits share one claims Provenance. Two "core" visits make
//! even the smallest member coherent: one touches every resource type, one is sensitive. Visits
//! are added while they fit the budget; the last few resources become extra vital signs.

use super::catalog::{A1C, CBC, CMP, PANELS};
use super::clock::LAST_DAY;
use super::dice::Dice;

/// The smallest coherent member: Patient, payer, three provider organizations (clinic,
/// hospital, pharmacy), two practitioners, one coverage, one allergy, a full visit (encounter,
/// diagnosis, vital sign, lab result and report, procedure, prescription with its pharmacy
/// claim, immunization, note, professional claim, clinical provenance), a sensitive visit
/// (condition, procedure, claim) and the claims provenance. Every resource type is present.
pub const MIN_RESOURCES: usize = 26;

/// Prior authorizations a member past the smallest sizes gets (one in each state; built by
/// `prior_auth.rs`).
pub(super) const PRIOR_AUTHORIZATIONS: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Ambulatory,
    Emergency,
    Inpatient,
}

/// What makes a visit sensitive; selects the security labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sensitive {
    /// Behavioural health: a depression Condition and a psychotherapy Procedure.
    Psy,
    /// Substance use (42 CFR Part 2): an alcohol-dependence Condition and an assessment Procedure.
    Sud,
    /// HIV: a viral-load Observation and an antiretroviral MedicationRequest with its fills.
    Hiv,
}

#[derive(Clone, Debug)]
pub(super) struct Visit {
    pub(super) kind: Kind,
    pub(super) day: i64,
    /// Vital-sign Observations (blood pressure, heart rate, weight, BMI, then repeats).
    pub(super) vitals: usize,
    /// Lab panels (indexes into `PANELS`): one DiagnosticReport plus its Observations each.
    pub(super) panels: Vec<usize>,
    /// Encounter-diagnosis Conditions.
    pub(super) diagnoses: usize,
    /// Problem-list Conditions (fall back to encounter diagnoses when nothing new is due).
    pub(super) problems: usize,
    pub(super) procedures: usize,
    /// One entry per MedicationRequest: its number of pharmacy fills (pharmacy EOBs).
    pub(super) fills: Vec<usize>,
    pub(super) immunization: bool,
    pub(super) document: bool,
    pub(super) sensitive: Option<Sensitive>,
    /// Pharmacy fills of the HIV medication (only with `Sensitive::Hiv`).
    pub(super) sensitive_fills: usize,
    /// A Provenance over some of this visit's clinical resources.
    pub(super) clinical_provenance: bool,
    /// A professional EOB besides the facility EOB (emergency and inpatient visits).
    pub(super) professional_claim: bool,
    /// Give this visit's DocumentReference a hostile narrative whatever the dice say.
    pub(super) force_hostile: bool,
}

impl Visit {
    fn bare(kind: Kind) -> Self {
        Self {
            kind,
            day: 0,
            vitals: 0,
            panels: Vec::new(),
            diagnoses: 0,
            problems: 0,
            procedures: 0,
            fills: Vec::new(),
            immunization: false,
            document: false,
            sensitive: None,
            sensitive_fills: 0,
            clinical_provenance: false,
            professional_claim: false,
            force_hostile: false,
        }
    }

    /// Number of resources this visit emits (its share of a claims Provenance not included).
    pub(super) fn cost(&self) -> usize {
        let labs: usize = self
            .panels
            .iter()
            .map(|&p| PANELS[p].analytes.len() + 1)
            .sum();
        let meds: usize = self.fills.iter().map(|fills| 1 + fills).sum();
        let sensitive = match self.sensitive {
            None => 0,
            Some(Sensitive::Hiv) => 2 + self.sensitive_fills,
            Some(_) => 2,
        };
        2 + usize::from(self.professional_claim)
            + self.vitals
            + labs
            + self.diagnoses
            + self.problems
            + self.procedures
            + meds
            + usize::from(self.immunization)
            + usize::from(self.document)
            + usize::from(self.clinical_provenance)
            + sensitive
    }
}

pub(super) struct Plan {
    pub(super) total: usize,
    pub(super) provider_orgs: usize,
    pub(super) practitioners: usize,
    pub(super) coverages: usize,
    pub(super) allergies: usize,
    /// PDex prior authorizations (`prior_auth.rs`): none for the smallest members.
    pub(super) prior_auths: usize,
    /// Chronological.
    pub(super) visits: Vec<Visit>,
    /// Lengths of consecutive runs of visits whose EOBs share one Provenance.
    pub(super) batches: Vec<usize>,
}

impl Plan {
    /// Resources outside visits and claims Provenance.
    pub(super) fn fixed(&self) -> usize {
        2 + self.provider_orgs
            + self.practitioners
            + self.coverages
            + self.allergies
            + self.prior_auths
    }

    pub(super) fn count(&self) -> usize {
        self.fixed() + self.visits.iter().map(Visit::cost).sum::<usize>() + self.batches.len()
    }
}

struct Budget {
    total: usize,
    used: usize,
    visits: Vec<Visit>,
    batches: Vec<usize>,
    batch_left: usize,
}

impl Budget {
    fn cost(&self, visit: &Visit) -> usize {
        visit.cost() + usize::from(self.batch_left == 0)
    }

    fn fits(&self, visit: &Visit) -> bool {
        self.used + self.cost(visit) <= self.total
    }

    fn push(&mut self, d: &mut Dice, visit: Visit) {
        self.used += self.cost(&visit);
        if self.batch_left == 0 {
            self.batches.push(0);
            self.batch_left = d.int(2, 5) as usize;
        }
        if let Some(last) = self.batches.last_mut() {
            *last += 1;
        }
        self.batch_left -= 1;
        self.visits.push(visit);
    }
}

/// `min(cap, limit)` where `limit` grows with the member's size.
fn scaled(limit: usize, d: &mut Dice, lo: i64, hi: i64) -> usize {
    limit.min(d.int(lo, hi) as usize)
}

pub(super) fn make(d: &mut Dice, total: usize, panel_weights: &[u32]) -> Plan {
    let total = total.max(MIN_RESOURCES);
    let extra = total - MIN_RESOURCES;
    let provider_orgs = 3 + scaled(extra / 25, d, 7, 17);
    let practitioners = 2 + scaled(extra / 25, d, 8, 28);
    let coverages = 1 + scaled(extra / 150, d, 0, 2);
    let allergies = 1 + scaled(extra / 300, d, 0, 2);
    // Drawn from no dice, so the rest of a member is what it was before they existed.
    let prior_auths = if extra >= 100 {
        PRIOR_AUTHORIZATIONS
    } else {
        0
    };
    let fixed = 2 + provider_orgs + practitioners + coverages + allergies + prior_auths;
    let mut budget = Budget {
        total,
        used: fixed,
        visits: Vec::new(),
        batches: Vec::new(),
        batch_left: 0,
    };
    budget.push(d, core_visit());
    budget.push(d, core_sensitive_visit());
    loop {
        let visit = random_visit(d, panel_weights);
        if budget.fits(&visit) {
            budget.push(d, visit);
            continue;
        }
        let minimal = Visit::bare(Kind::Ambulatory);
        if budget.fits(&minimal) {
            budget.push(d, minimal);
        } else {
            break;
        }
    }
    let mut visits = budget.visits;
    for _ in budget.used..total {
        let i = d.index(visits.len());
        visits[i].vitals += 1;
    }
    for visit in &mut visits {
        visit.day = d.int(0, LAST_DAY);
    }
    visits.sort_by_key(|visit| visit.day);
    Plan {
        total,
        provider_orgs,
        practitioners,
        coverages,
        allergies,
        prior_auths,
        visits,
        batches: budget.batches,
    }
}

/// The visit that makes a minimal member complete: every clinical type and both claim kinds.
fn core_visit() -> Visit {
    Visit {
        vitals: 1,
        panels: vec![A1C],
        diagnoses: 1,
        procedures: 1,
        fills: vec![1],
        immunization: true,
        document: true,
        clinical_provenance: true,
        force_hostile: true,
        ..Visit::bare(Kind::Ambulatory)
    }
}

fn core_sensitive_visit() -> Visit {
    Visit {
        sensitive: Some(Sensitive::Psy),
        ..Visit::bare(Kind::Ambulatory)
    }
}

fn fills(d: &mut Dice) -> usize {
    if d.chance(0.3) {
        2
    } else {
        1
    }
}

fn panels(d: &mut Dice, weights: &[u32], count: usize) -> Vec<usize> {
    let first = d.weighted(weights);
    if count < 2 {
        return vec![first];
    }
    let mut second = d.weighted(weights);
    if second == first {
        second = (first + 1) % PANELS.len();
    }
    vec![first, second]
}

fn random_visit(d: &mut Dice, weights: &[u32]) -> Visit {
    let roll = d.unit();
    let kind = if roll < 0.8 {
        Kind::Ambulatory
    } else if roll < 0.92 {
        Kind::Emergency
    } else {
        Kind::Inpatient
    };
    let mut visit = Visit::bare(kind);
    match kind {
        Kind::Ambulatory => {
            if d.chance(0.35) {
                visit.vitals = 4;
            }
            if d.chance(0.27) {
                let count = if d.chance(0.2) { 2 } else { 1 };
                visit.panels = panels(d, weights, count);
            }
            visit.diagnoses = usize::from(d.chance(0.3));
            visit.problems = usize::from(d.chance(0.03));
            visit.procedures = usize::from(d.chance(0.3));
            if d.chance(0.55) {
                visit.fills.push(fills(d));
            }
            visit.immunization = d.chance(0.25);
            visit.document = d.chance(0.3);
            if d.chance(0.1) {
                let roll = d.unit();
                let kind = if roll < 0.45 {
                    Sensitive::Psy
                } else if roll < 0.7 {
                    Sensitive::Sud
                } else {
                    Sensitive::Hiv
                };
                visit.sensitive = Some(kind);
                if kind == Sensitive::Hiv {
                    visit.sensitive_fills = fills(d);
                }
            }
        }
        Kind::Emergency => {
            visit.vitals = 2;
            if d.chance(0.5) {
                visit.panels = vec![CMP, CBC];
            }
            visit.diagnoses = 1;
            visit.procedures = 1 + usize::from(d.chance(0.4));
            if d.chance(0.5) {
                visit.fills.push(fills(d));
            }
            visit.document = d.chance(0.8);
            visit.professional_claim = d.chance(0.5);
        }
        Kind::Inpatient => {
            visit.vitals = 4;
            visit.panels = vec![CMP, CBC];
            if d.chance(0.4) {
                let extra = panels(d, weights, 1);
                if !visit.panels.contains(&extra[0]) {
                    visit.panels.extend(extra);
                }
            }
            visit.diagnoses = 1 + usize::from(d.chance(0.5));
            visit.procedures = d.int(1, 3) as usize;
            if d.chance(0.6) {
                visit.fills.push(fills(d));
            }
            visit.document = true;
            visit.professional_claim = true;
        }
    }
    visit.clinical_provenance = d.chance(0.3);
    visit
}
