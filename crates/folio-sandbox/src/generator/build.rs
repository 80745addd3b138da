//! The member builder: ids, `meta`, narratives, member-wide state, a visit's context (`Ctx`),
//! and the administrative resources (Patient, Organizations, Practitioners, Coverage,
//! AllergyIntolerance). Builders only: the order of a member's history is `history.rs`'s.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::catalog::{
    Code, ALLERGENS, ANALYTES, CHRONIC, CITIES, DIABETES, FAMILY_NAMES, GIVEN_NAMES, HYPERTENSION,
    NPI, PANELS, PENICILLIN_ALLERGEN, PLACES, STREETS,
};
use super::clock::{self, DAY, END, LAST_DAY};
use super::dice::Dice;
use super::labels;
use super::plan::{Kind, Plan, Sensitive};

/// Share of narratives that are hostile.
const HOSTILE_RATE: f64 = 0.01;

const ORG_TYPE: &str = "http://terminology.hl7.org/CodeSystem/organization-type";

/// System of the member identifier on the Patient (and the subscriber id on Coverage).
pub const MEMBER_ID_SYSTEM: &str = "https://sandbox.folio.invalid/member-id";

/// Name of the payer Organization.
pub const PAYER_NAME: &str = "Folio Sandbox Health Plan";

/// Resource types, in id-counter order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rt {
    Organization,
    Practitioner,
    Coverage,
    AllergyIntolerance,
    Encounter,
    Condition,
    Observation,
    DiagnosticReport,
    Procedure,
    MedicationRequest,
    Immunization,
    DocumentReference,
    ExplanationOfBenefit,
    Provenance,
}

impl Rt {
    pub(super) fn name(self) -> &'static str {
        match self {
            Rt::Organization => "Organization",
            Rt::Practitioner => "Practitioner",
            Rt::Coverage => "Coverage",
            Rt::AllergyIntolerance => "AllergyIntolerance",
            Rt::Encounter => "Encounter",
            Rt::Condition => "Condition",
            Rt::Observation => "Observation",
            Rt::DiagnosticReport => "DiagnosticReport",
            Rt::Procedure => "Procedure",
            Rt::MedicationRequest => "MedicationRequest",
            Rt::Immunization => "Immunization",
            Rt::DocumentReference => "DocumentReference",
            Rt::ExplanationOfBenefit => "ExplanationOfBenefit",
            Rt::Provenance => "Provenance",
        }
    }

    fn abbr(self) -> &'static str {
        match self {
            Rt::Organization => "org",
            Rt::Practitioner => "prac",
            Rt::Coverage => "cov",
            Rt::AllergyIntolerance => "alg",
            Rt::Encounter => "enc",
            Rt::Condition => "cond",
            Rt::Observation => "obs",
            Rt::DiagnosticReport => "dr",
            Rt::Procedure => "proc",
            Rt::MedicationRequest => "medrx",
            Rt::Immunization => "imm",
            Rt::DocumentReference => "doc",
            Rt::ExplanationOfBenefit => "eob",
            Rt::Provenance => "prov",
        }
    }
}

/// How a resource is stamped: `meta` and narrative.
pub(super) struct Stamp {
    /// The resource's clinical (or business) instant; `meta.lastUpdated` falls after it.
    pub(super) at: i64,
    pub(super) profile: Option<&'static str>,
    pub(super) security: Option<Sensitive>,
    /// Plain-text narrative summary (escaped here); `None` for no narrative.
    pub(super) summary: Option<String>,
    pub(super) force_hostile: bool,
}

impl Stamp {
    pub(super) fn new(at: i64, profile: &'static str, summary: String) -> Self {
        Self {
            at,
            profile: Some(profile),
            security: None,
            summary: Some(summary),
            force_hostile: false,
        }
    }

    pub(super) fn secured(mut self, security: Option<Sensitive>) -> Self {
        self.security = security;
        self
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum OrgKind {
    Clinic,
    Hospital,
    Pharmacy,
    Lab,
}

pub(super) struct Org {
    pub(super) reference: String,
    pub(super) name: String,
    pub(super) kind: OrgKind,
}

pub(super) struct Person {
    pub(super) reference: String,
    pub(super) name: String,
}

pub(super) struct Cov {
    pub(super) reference: String,
    pub(super) start: i64,
    pub(super) end: i64,
}

/// Member-level facts drawn before planning.
pub(super) struct Profile {
    pub(super) female: bool,
    /// Birth instant (negative: before 2016).
    pub(super) birth: i64,
    /// (index into `CHRONIC`, onset day).
    pub(super) chronic: Vec<(usize, i64)>,
    pub(super) height_m: f64,
}

impl Profile {
    pub(super) fn draw(d: &mut Dice) -> Self {
        let female = d.chance(0.52);
        let birth = -d.int(19 * 365, 78 * 365) * DAY;
        let mut chronic = Vec::new();
        for (i, condition) in CHRONIC.iter().enumerate() {
            if d.chance(condition.prevalence) {
                chronic.push((i, d.int(0, LAST_DAY * 7 / 10)));
            }
        }
        let height_m = if female {
            d.between(1.52, 1.75)
        } else {
            d.between(1.63, 1.92)
        };
        Self {
            female,
            birth,
            chronic,
            height_m,
        }
    }

    pub(super) fn has(&self, chronic: usize) -> bool {
        self.chronic.iter().any(|&(i, _)| i == chronic)
    }

    pub(super) fn panel_weights(&self) -> Vec<u32> {
        let mut weights: Vec<u32> = PANELS.iter().map(|p| p.weight).collect();
        for &(i, _) in &self.chronic {
            weights[CHRONIC[i].panel] += 25;
        }
        weights
    }
}

/// A mean-reverting random walk: a slowly wandering level around a member baseline, plus
/// visit-to-visit noise, so a chart of the values shows trends.
pub(super) struct Walk {
    pub(super) level: f64,
    anchor: f64,
    sd: f64,
}

impl Walk {
    pub(super) fn new(anchor: f64, noise: f64) -> Self {
        Self {
            level: anchor,
            anchor,
            sd: anchor * noise,
        }
    }

    pub(super) fn step(&mut self, d: &mut Dice) -> f64 {
        self.level += 0.15 * (self.anchor - self.level) + 0.6 * self.sd * d.gauss();
        self.level + 0.5 * self.sd * d.gauss()
    }
}

/// Where and when a visit happens; shared by everything drawn at it.
pub(super) struct Ctx {
    pub(super) kind: Kind,
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) enc: String,
    pub(super) org: usize,
    pub(super) pract: usize,
}

pub(super) struct Gen<'n> {
    pub(super) d: Dice,
    key: String,
    pub(super) given: &'n str,
    pub(super) family: &'n str,
    pub(super) out: Vec<Value>,
    counters: [u32; 14],
    pub(super) patient_id: String,
    pub(super) patient: String,
    pub(super) payer: String,
    pub(super) orgs: Vec<Org>,
    pub(super) practs: Vec<Person>,
    pub(super) coverages: Vec<Cov>,
    pub(super) profile: Profile,
    pub(super) labs: Vec<Walk>,
    pub(super) weight: Walk,
    pub(super) heart_rate: Walk,
    pub(super) systolic: Walk,
    pub(super) diastolic: Walk,
    pub(super) current_weight: Option<f64>,
    pub(super) annual_deductible: i64,
    pub(super) deductible_left: BTreeMap<i32, i64>,
    pub(super) office_copay: i64,
    pub(super) emergency_copay: i64,
    claim_base: u64,
    pub(super) claims_issued: u64,
    /// Member liability of in-network medical claims per year (cents), for the out-of-pocket
    /// balance (`claims.rs`).
    pub(super) oop_used: BTreeMap<i32, i64>,
    /// Office-visit claims turned into dental or vision claims so far (`claims.rs`).
    pub(super) routine_claims: u32,
    /// Claims with one line denied, and claims denied in full, so far (`claims.rs`).
    pub(super) denials: (u32, u32),
    /// Problem-list Condition already recorded, per chronic condition.
    pub(super) recorded: [bool; 6],
    pub(super) penicillin_allergy: bool,
    pub(super) hiv_treated: bool,
}

impl<'n> Gen<'n> {
    pub(super) fn new(
        key: String,
        name: (&'n str, &'n str),
        mut d: Dice,
        profile: Profile,
        total: usize,
    ) -> Self {
        let labs = ANALYTES
            .iter()
            .map(|a| {
                let (lo, hi) = match a.sick {
                    Some((chronic, lo, hi)) if profile.has(chronic) => (lo, hi),
                    _ => a.normal,
                };
                Walk::new(d.between(lo, hi), a.noise)
            })
            .collect();
        let bmi = if profile.has(DIABETES) {
            d.between(26.0, 36.0)
        } else {
            d.between(19.5, 31.0)
        };
        let weight = Walk::new(bmi * profile.height_m * profile.height_m, 0.012);
        let heart_rate = Walk::new(d.between(62.0, 82.0), 0.07);
        let (sys, dia) = if profile.has(HYPERTENSION) {
            (d.between(136.0, 152.0), d.between(84.0, 94.0))
        } else {
            (d.between(106.0, 124.0), d.between(66.0, 78.0))
        };
        let annual_deductible = *d.pick(&[500_i64, 1_000, 1_500, 2_000, 3_000]) * 100;
        let office_copay = d.int(4, 8) * 500;
        let emergency_copay = *d.pick(&[100_i64, 150, 200, 250]) * 100;
        let claim_base = d.int(100_000_000, 899_999_999) as u64 * 1_000;
        let patient_id = format!("{key}-patient");
        Self {
            d,
            patient: format!("Patient/{patient_id}"),
            patient_id,
            key,
            given: name.0,
            family: name.1,
            out: Vec::with_capacity(total),
            counters: [0; 14],
            payer: String::new(),
            orgs: Vec::new(),
            practs: Vec::new(),
            coverages: Vec::new(),
            profile,
            labs,
            weight,
            heart_rate,
            systolic: Walk::new(sys, 0.06),
            diastolic: Walk::new(dia, 0.06),
            current_weight: None,
            annual_deductible,
            deductible_left: BTreeMap::new(),
            office_copay,
            emergency_copay,
            claim_base,
            claims_issued: 0,
            oop_used: BTreeMap::new(),
            routine_claims: 0,
            denials: (0, 0),
            recorded: [false; 6],
            penicillin_allergy: false,
            hiv_treated: false,
        }
    }

    pub(super) fn reserve(&mut self, rt: Rt) -> String {
        let n = &mut self.counters[rt as usize];
        *n += 1;
        format!("{}-{}-{:06}", self.key, rt.abbr(), n)
    }

    /// Emits a resource under a fresh id and returns its reference.
    pub(super) fn add(&mut self, rt: Rt, body: Value, stamp: Stamp) -> String {
        let id = self.reserve(rt);
        let reference = format!("{}/{}", rt.name(), id);
        self.emit(rt, id, body, stamp);
        reference
    }

    /// Completes `body` with `resourceType`, `id`, `meta` and `text`, and appends it.
    pub(super) fn emit(&mut self, rt: Rt, id: String, body: Value, stamp: Stamp) {
        let mut map = match body {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        map.insert("resourceType".into(), Value::String(rt.name().into()));
        self.finish(map, id, stamp);
    }

    fn finish(&mut self, mut map: Map<String, Value>, id: String, stamp: Stamp) {
        map.insert("id".into(), Value::String(id));
        let mut meta = Map::new();
        meta.insert("versionId".into(), Value::String("1".into()));
        meta.insert(
            "lastUpdated".into(),
            Value::String(self.last_updated(stamp.at)),
        );
        if let Some(profile) = stamp.profile {
            meta.insert("profile".into(), Value::from(vec![profile]));
        }
        if let Some(kind) = stamp.security {
            meta.insert("security".into(), labels::security(kind));
        }
        map.insert("meta".into(), Value::Object(meta));
        if let Some(summary) = stamp.summary {
            let text = labels::escape(&summary);
            let hostile = self.d.chance(HOSTILE_RATE) || stamp.force_hostile;
            let div = if hostile {
                labels::hostile_div(&text)
            } else {
                labels::div(&text)
            };
            map.insert("text".into(), obj!(("status", "generated"), ("div", div)));
        }
        self.out.push(Value::Object(map));
    }

    /// An instant after `at` and before 2026-11-01, usually within two months of `at`.
    pub(super) fn last_updated(&mut self, at: i64) -> String {
        let at = at.clamp(0, END - 1);
        let span = END - 1 - at;
        let offset = if self.d.chance(0.85) {
            self.d.int(0, span.min(60 * DAY))
        } else {
            self.d.int(0, span)
        };
        clock::instant(at + offset)
    }

    pub(super) fn next_claim_number(&mut self) -> String {
        self.claims_issued += 1;
        format!("CLM{:012}", self.claim_base + self.claims_issued)
    }

    /// Number of whole years between birth and `at`.
    pub(super) fn age_at(&self, at: i64) -> i64 {
        (at - self.profile.birth) / (365 * DAY + DAY / 4)
    }

    pub(super) fn coverage_at(&self, at: i64) -> &str {
        self.coverages
            .iter()
            .find(|c| at >= c.start && at <= c.end)
            .or(self.coverages.last())
            .map_or("", |c| c.reference.as_str())
    }

    // ------------------------------------------------------------ administrative resources

    pub(super) fn administrative(&mut self, plan: &Plan) {
        self.patient_resource();
        self.payer_resource();
        let first_place = self.d.index(PLACES.len());
        for i in 0..plan.provider_orgs {
            self.provider_org(i, first_place);
        }
        for _ in 0..plan.practitioners {
            self.practitioner();
        }
        self.coverage_resources(plan.coverages);
        let mut allergens: Vec<usize> = Vec::new();
        while allergens.len() < plan.allergies.min(ALLERGENS.len()) {
            let pick = self.d.index(ALLERGENS.len());
            if !allergens.contains(&pick) {
                allergens.push(pick);
            }
        }
        for allergen in allergens {
            self.allergy(allergen);
        }
    }

    fn address(&mut self) -> Value {
        let (city, state) = *self.d.pick(&CITIES);
        let street = *self.d.pick(&STREETS);
        Value::from(vec![obj!(
            ("use", "work"),
            (
                "line",
                vec![format!("{} {} Street", self.d.int(10, 9_899), street)]
            ),
            ("city", city),
            ("state", state),
            ("postalCode", format!("{:05}", self.d.int(10_000, 99_899))),
            ("country", "US")
        )])
    }

    fn phone(&mut self) -> String {
        format!("555-01{:02}", self.d.int(0, 99))
    }

    /// A 10-digit NPI starting with `first` (1 individual, 2 organization) whose last digit is
    /// the Luhn check digit over the `80840` prefix.
    pub(super) fn npi(&mut self, first: i64) -> String {
        let body = format!("{}{:08}", first, self.d.int(0, 99_999_999));
        format!("{body}{}", npi_check_digit(&body))
    }

    fn patient_resource(&mut self) {
        let member_id = format!("FSH{:09}", self.d.int(0, 999_999_999));
        let birth = clock::date(self.profile.birth);
        let gender = if self.profile.female {
            "female"
        } else {
            "male"
        };
        let mut address = self.address();
        if let Some(first) = address.get_mut(0) {
            first["use"] = Value::from("home");
        }
        let body = obj!(
            ("resourceType", "Patient"),
            (
                "identifier",
                vec![obj!(
                    (
                        "type",
                        codeable(
                            "http://terminology.hl7.org/CodeSystem/v2-0203",
                            "MB",
                            "Member Number"
                        )
                    ),
                    ("system", MEMBER_ID_SYSTEM),
                    ("value", member_id.as_str())
                )]
            ),
            ("active", true),
            (
                "name",
                vec![obj!(
                    ("use", "official"),
                    ("family", self.family),
                    ("given", vec![self.given])
                )]
            ),
            (
                "telecom",
                vec![obj!(
                    ("system", "phone"),
                    ("value", self.phone()),
                    ("use", "home")
                )]
            ),
            ("gender", gender),
            ("birthDate", birth.as_str()),
            ("address", address)
        );
        let summary = format!(
            "{} {}, {gender}, born {birth}. Member ID {member_id}.",
            self.given, self.family
        );
        let at = self.d.int(0, 30 * DAY);
        let map = match body {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let stamp = Stamp::new(
            at,
            "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient",
            summary,
        );
        self.finish(map, self.patient_id.clone(), stamp);
    }

    fn payer_resource(&mut self) {
        let body = obj!(
            ("active", true),
            (
                "identifier",
                vec![obj!(
                    ("system", "https://sandbox.folio.invalid/payer-id"),
                    ("value", "FSHP-0001")
                )]
            ),
            ("type", vec![codeable(ORG_TYPE, "pay", "Payer")]),
            ("name", PAYER_NAME),
            (
                "telecom",
                vec![
                    obj!(("system", "phone"), ("value", "555-0100"), ("use", "work")),
                    obj!(
                        ("system", "url"),
                        ("value", "https://sandbox.folio.invalid")
                    )
                ]
            ),
            ("address", self.address())
        );
        let stamp = Stamp::new(
            0,
            C4BB_ORGANIZATION,
            format!("{PAYER_NAME}, the member's health plan."),
        );
        self.payer = self.add(Rt::Organization, body, stamp);
    }

    fn provider_org(&mut self, i: usize, first_place: usize) {
        let kind = match i {
            0 => OrgKind::Clinic,
            1 => OrgKind::Hospital,
            2 => OrgKind::Pharmacy,
            3 => OrgKind::Lab,
            _ => *self.d.pick(&[
                OrgKind::Clinic,
                OrgKind::Clinic,
                OrgKind::Clinic,
                OrgKind::Hospital,
                OrgKind::Hospital,
                OrgKind::Pharmacy,
                OrgKind::Pharmacy,
                OrgKind::Lab,
            ]),
        };
        let place = PLACES[(first_place + i) % PLACES.len()];
        let name = match kind {
            OrgKind::Clinic => {
                let suffix = *self.d.pick(&[
                    "Family Medicine",
                    "Primary Care",
                    "Internal Medicine Associates",
                ]);
                format!("{place} {suffix}")
            }
            OrgKind::Hospital => {
                let suffix =
                    *self
                        .d
                        .pick(&["General Hospital", "Medical Center", "Community Hospital"]);
                format!("{place} {suffix}")
            }
            OrgKind::Pharmacy => format!("{place} Pharmacy"),
            OrgKind::Lab => format!("{place} Diagnostic Laboratory"),
        };
        let body = obj!(
            ("active", true),
            (
                "identifier",
                vec![obj!(("system", NPI), ("value", self.npi(2)))]
            ),
            (
                "type",
                vec![codeable(ORG_TYPE, "prov", "Healthcare Provider")]
            ),
            ("name", name.as_str()),
            (
                "telecom",
                vec![obj!(
                    ("system", "phone"),
                    ("value", self.phone()),
                    ("use", "work")
                )]
            ),
            ("address", self.address())
        );
        let at = self.d.int(0, 365 * DAY);
        let stamp = Stamp::new(
            at,
            C4BB_ORGANIZATION,
            format!("{name}, a healthcare provider."),
        );
        let reference = self.add(Rt::Organization, body, stamp);
        self.orgs.push(Org {
            reference,
            name,
            kind,
        });
    }

    fn practitioner(&mut self) {
        let given = *self.d.pick(&GIVEN_NAMES);
        let family = *self.d.pick(&FAMILY_NAMES);
        let female = self.d.chance(0.5);
        let (degree, degree_display) = *self.d.pick(&[
            ("MD", "Doctor of Medicine"),
            ("MD", "Doctor of Medicine"),
            ("DO", "Doctor of Osteopathy"),
            ("NP", "Nurse practitioner"),
        ]);
        let body = obj!(
            ("active", true),
            (
                "identifier",
                vec![obj!(("system", NPI), ("value", self.npi(1)))]
            ),
            (
                "name",
                vec![obj!(
                    ("use", "official"),
                    ("family", family),
                    ("given", vec![given]),
                    ("suffix", vec![degree])
                )]
            ),
            (
                "telecom",
                vec![obj!(
                    ("system", "phone"),
                    ("value", self.phone()),
                    ("use", "work")
                )]
            ),
            ("gender", if female { "female" } else { "male" }),
            (
                "qualification",
                vec![obj!((
                    "code",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/v2-0360",
                        degree,
                        degree_display
                    )
                ))]
            )
        );
        let name = format!("{given} {family}, {degree}");
        let at = self.d.int(0, 365 * DAY);
        let stamp = Stamp::new(at, C4BB_PRACTITIONER, format!("{name}."));
        let reference = self.add(Rt::Practitioner, body, stamp);
        self.practs.push(Person { reference, name });
    }

    fn coverage_resources(&mut self, count: usize) {
        let mut cuts: Vec<i32> = Vec::new();
        while cuts.len() + 1 < count {
            let year = self.d.int(2017, 2026) as i32;
            if !cuts.contains(&year) {
                cuts.push(year);
            }
        }
        cuts.sort_unstable();
        let mut starts = vec![2016];
        starts.extend(cuts);
        let subscriber = self
            .out
            .first()
            .and_then(|p| p.pointer("/identifier/0/value"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let group = format!("GRP-{:05}", self.d.int(10_000, 99_999));
        for (i, &year) in starts.iter().enumerate() {
            let last = i + 1 == starts.len();
            let start = clock::year_start(year);
            let end = if last {
                END - 1
            } else {
                clock::year_start(starts[i + 1]) - 1
            };
            let (plan_code, plan_name) = *self.d.pick(&[
                ("PPO-GOLD", "Folio Sandbox PPO Gold"),
                ("PPO-SILVER", "Folio Sandbox PPO Silver"),
                ("HMO-CORE", "Folio Sandbox HMO Core"),
            ]);
            let status = if last { "active" } else { "cancelled" };
            // The current plan year is open-ended: no date after the generated window.
            let (period, until) = if last {
                (obj!(("start", clock::date(start))), "today".to_owned())
            } else {
                let period = obj!(("start", clock::date(start)), ("end", clock::date(end)));
                (period, clock::date(end))
            };
            let body = obj!(
                (
                    "identifier",
                    vec![obj!(
                        ("system", MEMBER_ID_SYSTEM),
                        ("value", format!("{subscriber}-{:02}", i + 1))
                    )]
                ),
                ("status", status),
                (
                    "type",
                    codeable(labels::ACT_CODE, "HIP", "health insurance plan policy")
                ),
                ("subscriber", reference(&self.patient)),
                ("subscriberId", subscriber.as_str()),
                ("beneficiary", reference(&self.patient)),
                (
                    "relationship",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                        "self",
                        "Self"
                    )
                ),
                ("period", period),
                ("payor", vec![reference(&self.payer)]),
                (
                    "class",
                    vec![
                        obj!(
                            ("type", codeable(COVERAGE_CLASS, "group", "Group")),
                            ("value", group.as_str()),
                            ("name", "Folio Sandbox Employer Group")
                        ),
                        obj!(
                            ("type", codeable(COVERAGE_CLASS, "plan", "Plan")),
                            ("value", format!("{plan_code}-{year}")),
                            ("name", plan_name)
                        )
                    ]
                )
            );
            let summary = format!("{plan_name} ({status}), {} to {until}.", clock::date(start));
            let stamp = Stamp::new(start, C4BB_COVERAGE, summary);
            let reference = self.add(Rt::Coverage, body, stamp);
            self.coverages.push(Cov {
                reference,
                start,
                end,
            });
        }
    }

    fn allergy(&mut self, index: usize) {
        let allergen = &ALLERGENS[index];
        if index == PENICILLIN_ALLERGEN {
            self.penicillin_allergy = true;
        }
        let recorded = self.d.int(0, LAST_DAY) * DAY + self.d.int(8 * 3600, 17 * 3600);
        let body = obj!(
            (
                "clinicalStatus",
                codeable(
                    "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                    "active",
                    "Active"
                )
            ),
            (
                "verificationStatus",
                codeable(
                    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                    "confirmed",
                    "Confirmed"
                )
            ),
            ("type", "allergy"),
            ("category", vec![allergen.category]),
            ("criticality", allergen.criticality),
            (
                "code",
                obj!(
                    ("coding", vec![coding(&allergen.code)]),
                    ("text", allergen.text)
                )
            ),
            ("patient", reference(&self.patient)),
            ("recordedDate", clock::instant(recorded)),
            (
                "reaction",
                vec![obj!(
                    ("manifestation", vec![concept(&allergen.reaction)]),
                    (
                        "severity",
                        if allergen.criticality == "high" {
                            "severe"
                        } else {
                            "mild"
                        }
                    )
                )]
            )
        );
        let summary = format!(
            "Allergy to {}: {}.",
            allergen.text, allergen.reaction.display
        );
        let stamp = Stamp::new(recorded, US_CORE_ALLERGY, summary);
        self.add(Rt::AllergyIntolerance, body, stamp);
    }
}

const C4BB_ORGANIZATION: &str =
    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Organization";
const C4BB_PRACTITIONER: &str =
    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Practitioner";
const C4BB_COVERAGE: &str = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage";
const US_CORE_ALLERGY: &str =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-allergyintolerance";
const COVERAGE_CLASS: &str = "http://terminology.hl7.org/CodeSystem/coverage-class";

/// Luhn check digit of an NPI's first nine digits, computed with the `80840` card-issuer prefix.
pub(super) fn npi_check_digit(first_nine: &str) -> u32 {
    let mut sum = 0;
    let mut double = true;
    for byte in format!("80840{first_nine}").bytes().rev() {
        let mut digit = u32::from(byte.wrapping_sub(b'0') % 10);
        if double {
            digit *= 2;
            if digit > 9 {
                digit -= 9;
            }
        }
        sum += digit;
        double = !double;
    }
    (10 - sum % 10) % 10
}

/// A CodeableConcept with one coding and no text.
/// An ExplanationOfBenefit's `type` (HL7 claim-type), its display also its text.
pub(super) fn claim_type(code: &str, display: &str) -> Value {
    obj!(
        (
            "coding",
            vec![obj!(
                ("system", "http://terminology.hl7.org/CodeSystem/claim-type"),
                ("code", code),
                ("display", display)
            )]
        ),
        ("text", display)
    )
}

pub(super) fn codeable(system: &str, code: &str, display: &str) -> Value {
    obj!((
        "coding",
        vec![obj!(
            ("system", system),
            ("code", code),
            ("display", display)
        )]
    ))
}

pub(super) fn coding(code: &Code) -> Value {
    obj!(
        ("system", code.system),
        ("code", code.code),
        ("display", code.display)
    )
}

pub(super) fn concept(code: &Code) -> Value {
    obj!(("coding", vec![coding(code)]), ("text", code.display))
}

pub(super) fn reference(target: &str) -> Value {
    obj!(("reference", target))
}

/// Cents as a FHIR Money in USD.
pub(super) fn money(cents: i64) -> Value {
    obj!(("value", cents as f64 / 100.0), ("currency", "USD"))
}

/// Cents as `1234.56` for narratives.
pub(super) fn dollars(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The id prefix used for `member_key`: characters outside `[A-Za-z0-9-.]` become `-`, it is
/// cut to 40 characters (so every id stays within FHIR's 64), and an empty key becomes
/// `member`. Keys that sanitize to the same prefix produce colliding ids.
pub fn sanitize_member_key(member_key: &str) -> String {
    let key: String = member_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    if key.is_empty() {
        "member".to_owned()
    } else {
        key
    }
}
