//! Visits: the Encounter and the clinical record drawn at it (Conditions, vital-sign and lab
//! Observations, DiagnosticReports, Procedures, MedicationRequests, Immunizations,
//! DocumentReferences), then the visit's claims and clinical Provenance.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use super::build::{codeable, coding, concept, reference, Ctx, Gen, OrgKind, Rt, Stamp};
use super::catalog::{
    Acute, Code, Drug, Service, Vaccine, ALCOHOL_DEPENDENCE, AMBULATORY_ACUTE,
    AMBULATORY_PROCEDURES, AMOXICILLIN, ANALYTES, AZITHROMYCIN, BIKTARVY, BLOOD_PRESSURE, BMI,
    BODY_WEIGHT, CEPHALEXIN, CHRONIC, COVID, DEPRESSION, DIASTOLIC, DOC_CONSULT, DOC_DISCHARGE,
    DOC_EMERGENCY, DOC_PROGRESS, EMERGENCY_ACUTE, EMERGENCY_PROCEDURES, ENC_ADMISSION, ENC_CHECKUP,
    ENC_EMERGENCY, ENC_FOLLOW_UP, ENC_PROBLEM, ENC_SYMPTOM, FALLBACK_DRUGS, FLU, GLUCOSE,
    GLUCOSE_MG_PER_MMOL, HEART_RATE, HIV_DISEASE, HIV_VIRAL_LOAD, HIV_VIRAL_LOAD_TEST,
    INPATIENT_ACUTE, INPATIENT_PROCEDURES, OTHER_VACCINES, PANELS, POS_EMERGENCY, POS_INPATIENT,
    POS_OFFICE, PREVENTIVE_DX, PSYCHOTHERAPY, SUD_ASSESSMENT, SYSTOLIC, UCUM, VENIPUNCTURE,
};
use super::claims::{Claim, ClaimClass, ClaimRef, Line, Share};
use super::clock::{self, COVID_VACCINE_DAY, DAY, END};
use super::plan::{Kind, Sensitive, Visit};

const DOC_CATEGORY: &str =
    "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category";
const OBS_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const INTERPRETATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

macro_rules! us_core {
    ($name:literal) => {
        concat!("http://hl7.org/fhir/us/core/StructureDefinition/", $name)
    };
}

/// Why the member came.
struct Story {
    reason: &'static Code,
    drug: Option<&'static Drug>,
    chronic: Option<usize>,
    preventive: bool,
    enc_type: &'static Code,
}

struct CondSpec {
    id: String,
    code: &'static Code,
    problem: bool,
    /// Onset day for long-standing conditions (active); `None` for acute ones.
    onset_day: Option<i64>,
}

/// A MedicationRequest waiting for its pharmacy claims.
struct Med {
    reference: String,
    drug: &'static Drug,
    authored: i64,
    fills: usize,
    security: Option<Sensitive>,
}

/// One quantity-valued measurement.
struct Measured {
    code: &'static Code,
    value: f64,
    ucum: &'static str,
    unit: &'static str,
    flag: Option<&'static str>,
    profile: &'static str,
}

fn round_to(value: f64, decimals: usize) -> f64 {
    let scale = [1.0, 10.0, 100.0, 1000.0][decimals.min(3)];
    (value * scale).round() / scale
}

fn flag(value: f64, low: Option<f64>, high: Option<f64>) -> &'static str {
    if low.is_some_and(|low| value < low) {
        "L"
    } else if high.is_some_and(|high| value > high) {
        "H"
    } else {
        "N"
    }
}

fn interpretation(flag: &str) -> Value {
    let display = match flag {
        "H" => "High",
        "L" => "Low",
        _ => "Normal",
    };
    Value::from(vec![codeable(INTERPRETATION, flag, display)])
}

fn quantity(value: f64, ucum: &str, unit: &str) -> Value {
    obj!(
        ("value", value),
        ("unit", unit),
        ("system", UCUM),
        ("code", ucum)
    )
}

fn category(code: &str, display: &str) -> Value {
    Value::from(vec![codeable(OBS_CATEGORY, code, display)])
}

fn acute_list(kind: Kind) -> &'static [Acute] {
    match kind {
        Kind::Ambulatory => &AMBULATORY_ACUTE,
        Kind::Emergency => &EMERGENCY_ACUTE,
        Kind::Inpatient => &INPATIENT_ACUTE,
    }
}

impl Gen<'_> {
    pub(super) fn visit(&mut self, v: &Visit, batch: &mut Vec<ClaimRef>) {
        let (start, end) = self.visit_times(v);
        let org = self.org_for(v.kind);
        let pract = self.pract_for(v.kind);
        let enc_id = self.reserve(Rt::Encounter);
        let ctx = Ctx {
            kind: v.kind,
            start,
            end,
            enc: format!("Encounter/{enc_id}"),
            org,
            pract,
        };
        let story = self.story(v, start);
        let conditions = self.plan_conditions(v, &story, start);
        self.encounter(&ctx, enc_id, &story, &conditions);

        let institutional = v.kind != Kind::Ambulatory;
        let mut clinical = vec![ctx.enc.clone()];
        let mut lines = self.base_lines(&ctx, story.preventive);
        let mut diagnoses: Vec<&'static Code> = vec![story.reason];
        let mut meds: Vec<Med> = Vec::new();

        for spec in &conditions {
            diagnoses.push(spec.code);
            clinical.push(self.condition(&ctx, spec, None));
        }
        if let Some(kind) = v.sensitive {
            self.sensitive_records(
                &ctx,
                kind,
                v.sensitive_fills,
                &mut lines,
                &mut diagnoses,
                &mut meds,
            );
        }
        for i in 0..v.vitals {
            clinical.push(self.vital(&ctx, i));
        }
        for &panel in &v.panels {
            clinical.extend(self.lab_panel(&ctx, panel));
            lines.push(self.line(&PANELS[panel].test, institutional, Share::Coinsurance));
        }
        if !v.panels.is_empty() && !institutional {
            lines.push(self.line(&VENIPUNCTURE, false, Share::Coinsurance));
        }
        let procedures: &'static [Service] = match v.kind {
            Kind::Ambulatory => &AMBULATORY_PROCEDURES,
            Kind::Emergency => &EMERGENCY_PROCEDURES,
            Kind::Inpatient => &INPATIENT_PROCEDURES,
        };
        for _ in 0..v.procedures {
            let service = self.d.pick(procedures);
            clinical.push(self.procedure(&ctx, service, story.reason, None));
            lines.push(self.line(service, institutional, Share::Coinsurance));
        }
        for (i, &fills) in v.fills.iter().enumerate() {
            let (drug, reason) = self.choose_drug(&story, i, start);
            let med = self.medication_request(&ctx, drug, reason, None);
            clinical.push(med.reference.clone());
            meds.push(Med { fills, ..med });
        }
        if v.immunization {
            clinical.push(self.immunization(&ctx, &mut lines));
        }
        if v.document {
            let doc = self.document(&ctx, &story, v.sensitive, v.force_hostile);
            if v.sensitive.is_none() {
                clinical.push(doc);
            }
        }

        let class = match v.kind {
            Kind::Ambulatory => ClaimClass::Professional,
            Kind::Emergency => ClaimClass::Outpatient,
            Kind::Inpatient => ClaimClass::Inpatient,
        };
        let place = (class == ClaimClass::Professional).then_some(&POS_OFFICE);
        let claim = Claim {
            class,
            start,
            end,
            org,
            pract,
            place,
            encounter: Some(&ctx.enc),
            prescription: None,
            diagnoses: &diagnoses,
            lines,
            security: v.sensitive,
            days_supply: None,
        };
        batch.push(self.claim(claim));
        if v.professional_claim {
            let lines = self.professional_lines(&ctx);
            let place = if v.kind == Kind::Inpatient {
                &POS_INPATIENT
            } else {
                &POS_EMERGENCY
            };
            let claim = Claim {
                class: ClaimClass::Professional,
                start,
                end,
                org,
                pract,
                place: Some(place),
                encounter: Some(&ctx.enc),
                prescription: None,
                diagnoses: &diagnoses,
                lines,
                security: v.sensitive,
                days_supply: None,
            };
            batch.push(self.claim(claim));
        }
        for med in &meds {
            for fill in 0..med.fills {
                batch.push(self.pharmacy_claim(
                    &ctx,
                    med.drug,
                    &med.reference,
                    med.authored,
                    fill,
                    med.security,
                ));
            }
        }
        if v.clinical_provenance {
            let count = (self.d.int(1, 4) as usize).min(clinical.len());
            self.clinical_provenance(&ctx, &clinical[..count]);
        }
    }

    fn visit_times(&mut self, v: &Visit) -> (i64, i64) {
        let day = v.day * DAY;
        let (start, end) = match v.kind {
            Kind::Ambulatory => {
                let start = day + self.d.int(8 * 3600, 16 * 3600 + 45 * 60);
                (start, start + self.d.int(15, 60) * 60)
            }
            Kind::Emergency => {
                let start = day + self.d.int(0, DAY - 1);
                (start, start + self.d.int(2 * 3600, 9 * 3600))
            }
            Kind::Inpatient => {
                let start = day + self.d.int(0, DAY - 1);
                (
                    start,
                    start + self.d.int(1, 6) * DAY + self.d.int(0, 8 * 3600),
                )
            }
        };
        (start, end.min(END - 1))
    }

    fn org_of(&mut self, want: OrgKind, primary: f64) -> usize {
        let matching: Vec<usize> = self
            .orgs
            .iter()
            .enumerate()
            .filter(|(_, o)| o.kind == want)
            .map(|(i, _)| i)
            .collect();
        match matching.first() {
            None => 0,
            Some(&first) if self.d.chance(primary) => first,
            Some(_) => *self.d.pick(&matching),
        }
    }

    fn org_for(&mut self, kind: Kind) -> usize {
        match kind {
            Kind::Ambulatory => self.org_of(OrgKind::Clinic, 0.6),
            _ => self.org_of(OrgKind::Hospital, 0.5),
        }
    }

    pub(super) fn pharmacy_org(&mut self) -> usize {
        self.org_of(OrgKind::Pharmacy, 0.75)
    }

    fn lab_org(&self, ctx: &Ctx) -> usize {
        if ctx.kind != Kind::Ambulatory {
            return ctx.org;
        }
        self.orgs
            .iter()
            .position(|o| o.kind == OrgKind::Lab)
            .unwrap_or(ctx.org)
    }

    fn pract_for(&mut self, kind: Kind) -> usize {
        if kind == Kind::Ambulatory && self.d.chance(0.6) {
            0
        } else {
            self.d.index(self.practs.len())
        }
    }

    fn active_chronic(&self, at: i64) -> Vec<usize> {
        self.profile
            .chronic
            .iter()
            .filter(|&&(_, onset)| onset * DAY <= at)
            .map(|&(c, _)| c)
            .collect()
    }

    fn story(&mut self, v: &Visit, start: i64) -> Story {
        let sensitive = v.sensitive.is_some();
        let acute_type = match v.kind {
            Kind::Ambulatory if sensitive => &ENC_PROBLEM,
            Kind::Ambulatory => &ENC_SYMPTOM,
            Kind::Emergency => &ENC_EMERGENCY,
            Kind::Inpatient => &ENC_ADMISSION,
        };
        if v.kind == Kind::Ambulatory {
            if !sensitive && self.d.chance(0.15) {
                return Story {
                    reason: &PREVENTIVE_DX,
                    drug: None,
                    chronic: None,
                    preventive: true,
                    enc_type: &ENC_CHECKUP,
                };
            }
            let active = self.active_chronic(start);
            if !active.is_empty() && self.d.chance(0.5) {
                let c = *self.d.pick(&active);
                return Story {
                    reason: &CHRONIC[c].dx,
                    drug: None,
                    chronic: Some(c),
                    preventive: false,
                    enc_type: if sensitive {
                        &ENC_PROBLEM
                    } else {
                        &ENC_FOLLOW_UP
                    },
                };
            }
        }
        let acute = self.d.pick(acute_list(v.kind));
        Story {
            reason: &acute.dx,
            drug: acute.drug,
            chronic: None,
            preventive: false,
            enc_type: acute_type,
        }
    }

    fn onset_of(&self, chronic: usize) -> Option<i64> {
        self.profile
            .chronic
            .iter()
            .find(|&&(c, _)| c == chronic)
            .map(|&(_, onset)| onset)
    }

    fn secondary_dx(
        &mut self,
        kind: Kind,
        start: i64,
        reason: &Code,
    ) -> (&'static Code, Option<usize>) {
        let active = self.active_chronic(start);
        if !active.is_empty() && self.d.chance(0.6) {
            let c = *self.d.pick(&active);
            if CHRONIC[c].dx.code != reason.code {
                return (&CHRONIC[c].dx, Some(c));
            }
        }
        let list = acute_list(kind);
        let i = self.d.index(list.len());
        let acute = if list[i].dx.code == reason.code {
            &list[(i + 1) % list.len()]
        } else {
            &list[i]
        };
        (&acute.dx, None)
    }

    fn plan_conditions(&mut self, v: &Visit, story: &Story, start: i64) -> Vec<CondSpec> {
        let mut specs = Vec::with_capacity(v.diagnoses + v.problems);
        for i in 0..v.diagnoses {
            let (code, chronic) = if i == 0 {
                (story.reason, story.chronic)
            } else {
                self.secondary_dx(v.kind, start, story.reason)
            };
            let onset_day = chronic.and_then(|c| self.onset_of(c));
            specs.push(CondSpec {
                id: self.reserve(Rt::Condition),
                code,
                problem: false,
                onset_day,
            });
        }
        for _ in 0..v.problems {
            let due = self
                .profile
                .chronic
                .iter()
                .find(|&&(c, onset)| onset * DAY <= start && !self.recorded[c])
                .copied();
            let id = self.reserve(Rt::Condition);
            let spec = match due {
                Some((c, onset)) => {
                    self.recorded[c] = true;
                    CondSpec {
                        id,
                        code: &CHRONIC[c].dx,
                        problem: true,
                        onset_day: Some(onset),
                    }
                }
                None => CondSpec {
                    id,
                    code: story.reason,
                    problem: false,
                    onset_day: story.chronic.and_then(|c| self.onset_of(c)),
                },
            };
            specs.push(spec);
        }
        specs
    }

    fn encounter(&mut self, ctx: &Ctx, id: String, story: &Story, conditions: &[CondSpec]) {
        let (class_code, class_display) = match ctx.kind {
            Kind::Ambulatory => ("AMB", "ambulatory"),
            Kind::Emergency => ("EMER", "emergency"),
            Kind::Inpatient => ("IMP", "inpatient encounter"),
        };
        let period = obj!(
            ("start", clock::instant(ctx.start)),
            ("end", clock::instant(ctx.end))
        );
        let org = &self.orgs[ctx.org];
        let mut body = obj!(
            ("status", "finished"),
            (
                "class",
                obj!(
                    ("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"),
                    ("code", class_code),
                    ("display", class_display)
                )
            ),
            ("type", vec![concept(story.enc_type)]),
            ("subject", reference(&self.patient)),
            (
                "participant",
                vec![obj!(
                    (
                        "type",
                        vec![codeable(
                            "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                            "PPRF",
                            "primary performer"
                        )]
                    ),
                    ("period", period.clone()),
                    ("individual", reference(&self.practs[ctx.pract].reference))
                )]
            ),
            ("period", period),
            ("reasonCode", vec![concept(story.reason)]),
            ("serviceProvider", reference(&org.reference))
        );
        let diagnosis: Vec<Value> = conditions
            .iter()
            .filter(|c| !c.problem)
            .enumerate()
            .map(|(rank, c)| {
                obj!(
                    (
                        "condition",
                        obj!(("reference", format!("Condition/{}", c.id)))
                    ),
                    (
                        "use",
                        codeable(
                            "http://terminology.hl7.org/CodeSystem/diagnosis-role",
                            "billing",
                            "Billing"
                        )
                    ),
                    ("rank", rank + 1)
                )
            })
            .collect();
        if !diagnosis.is_empty() {
            body["diagnosis"] = Value::Array(diagnosis);
        }
        if ctx.kind == Kind::Inpatient {
            body["hospitalization"] = obj!(
                (
                    "admitSource",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/admit-source",
                        "emd",
                        "From accident/emergency department"
                    )
                ),
                (
                    "dischargeDisposition",
                    codeable(
                        "http://terminology.hl7.org/CodeSystem/discharge-disposition",
                        "home",
                        "Home"
                    )
                )
            );
        }
        let summary = format!(
            "{} at {} on {}: {}.",
            story.enc_type.display,
            org.name,
            clock::date(ctx.start),
            story.reason.display
        );
        self.emit(
            Rt::Encounter,
            id,
            body,
            Stamp::new(ctx.end, us_core!("us-core-encounter"), summary),
        );
    }

    fn condition(&mut self, ctx: &Ctx, spec: &CondSpec, security: Option<Sensitive>) -> String {
        let recorded = (ctx.start + self.d.int(5, 90) * 60).min(END - 1);
        let (onset, abated) = match spec.onset_day {
            Some(day) => (clock::date(day.min(ctx.start / DAY) * DAY), None),
            None => {
                let onset = (ctx.start - self.d.int(0, 5) * DAY).max(0);
                let abated = ctx.end + self.d.int(3, 21) * DAY;
                (clock::date(onset), (abated < END).then_some(abated))
            }
        };
        let status = if abated.is_some() {
            ("resolved", "Resolved")
        } else {
            ("active", "Active")
        };
        let (category_code, category_display, profile) = if spec.problem {
            (
                "problem-list-item",
                "Problem List Item",
                us_core!("us-core-condition-problems-health-concerns"),
            )
        } else {
            (
                "encounter-diagnosis",
                "Encounter Diagnosis",
                us_core!("us-core-condition-encounter-diagnosis"),
            )
        };
        let mut body = obj!(
            (
                "clinicalStatus",
                codeable(
                    "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    status.0,
                    status.1
                )
            ),
            (
                "verificationStatus",
                codeable(
                    "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "confirmed",
                    "Confirmed"
                )
            ),
            (
                "category",
                vec![codeable(
                    "http://terminology.hl7.org/CodeSystem/condition-category",
                    category_code,
                    category_display
                )]
            ),
            ("code", concept(spec.code)),
            ("subject", reference(&self.patient)),
            ("onsetDateTime", onset),
            ("recordedDate", clock::instant(recorded)),
            ("recorder", reference(&self.practs[ctx.pract].reference))
        );
        if !spec.problem {
            body["encounter"] = reference(&ctx.enc);
        }
        if let Some(abated) = abated {
            body["abatementDateTime"] = Value::from(clock::date(abated));
        }
        let summary = format!("{} ({}), {}.", spec.code.display, spec.code.code, status.0);
        let stamp = Stamp::new(recorded, profile, summary).secured(security);
        let reference = format!("Condition/{}", spec.id);
        self.emit(Rt::Condition, spec.id.clone(), body, stamp);
        reference
    }

    fn sensitive_records(
        &mut self,
        ctx: &Ctx,
        kind: Sensitive,
        fills: usize,
        lines: &mut Vec<Line>,
        diagnoses: &mut Vec<&'static Code>,
        meds: &mut Vec<Med>,
    ) {
        match kind {
            Sensitive::Psy | Sensitive::Sud => {
                let (dx, service) = if kind == Sensitive::Psy {
                    (&DEPRESSION, &PSYCHOTHERAPY)
                } else {
                    (&ALCOHOL_DEPENDENCE, &SUD_ASSESSMENT)
                };
                let onset_day = Some((ctx.start / DAY - self.d.int(20, 600)).max(0));
                let spec = CondSpec {
                    id: self.reserve(Rt::Condition),
                    code: dx,
                    problem: false,
                    onset_day,
                };
                self.condition(ctx, &spec, Some(kind));
                self.procedure(ctx, service, dx, Some(kind));
                let share = Share::Copay(self.office_copay);
                lines.push(self.line(service, false, share));
                diagnoses.push(dx);
            }
            Sensitive::Hiv => {
                self.viral_load(ctx);
                lines.push(self.line(&HIV_VIRAL_LOAD_TEST, false, Share::Coinsurance));
                let med = self.medication_request(ctx, &BIKTARVY, &HIV_DISEASE, Some(kind));
                meds.push(Med { fills, ..med });
                diagnoses.push(&HIV_DISEASE);
            }
        }
    }

    // ------------------------------------------------------------ observations

    fn vital(&mut self, ctx: &Ctx, i: usize) -> String {
        let at = (ctx.start + self.d.int(3, 25) * 60).min(END - 1);
        let which = if i < 4 { i } else { i % 2 };
        match which {
            0 => self.blood_pressure(ctx, at),
            1 => {
                let value = self.heart_rate.step(&mut self.d).clamp(40.0, 180.0).round();
                let flag = flag(value, Some(60.0), Some(100.0));
                let measured = Measured {
                    code: &HEART_RATE,
                    value,
                    ucum: "/min",
                    unit: "beats/minute",
                    flag: (flag != "N").then_some(flag),
                    profile: us_core!("us-core-heart-rate"),
                };
                self.vital_observation(ctx, at, measured)
            }
            2 => {
                let value = round_to(self.weight.step(&mut self.d).clamp(35.0, 250.0), 1);
                self.current_weight = Some(value);
                let measured = Measured {
                    code: &BODY_WEIGHT,
                    value,
                    ucum: "kg",
                    unit: "kg",
                    flag: None,
                    profile: us_core!("us-core-body-weight"),
                };
                self.vital_observation(ctx, at, measured)
            }
            _ => {
                let weight = match self.current_weight {
                    Some(weight) => weight,
                    None => self.weight.step(&mut self.d).clamp(35.0, 250.0),
                };
                let height = self.profile.height_m;
                let value = round_to(weight / (height * height), 1);
                let flag = flag(value, Some(18.5), Some(24.9));
                let measured = Measured {
                    code: &BMI,
                    value,
                    ucum: "kg/m2",
                    unit: "kg/m2",
                    flag: (flag != "N").then_some(flag),
                    profile: us_core!("us-core-bmi"),
                };
                self.vital_observation(ctx, at, measured)
            }
        }
    }

    fn vital_observation(&mut self, ctx: &Ctx, at: i64, m: Measured) -> String {
        let mut body = obj!(
            ("status", "final"),
            ("category", category("vital-signs", "Vital Signs")),
            ("code", concept(m.code)),
            ("subject", reference(&self.patient)),
            ("encounter", reference(&ctx.enc)),
            ("effectiveDateTime", clock::instant(at)),
            ("valueQuantity", quantity(m.value, m.ucum, m.unit))
        );
        if let Some(flag) = m.flag {
            body["interpretation"] = interpretation(flag);
        }
        let summary = format!("{}: {} {}.", m.code.display, m.value, m.unit);
        let mut stamp = Stamp::new(at, m.profile, summary);
        if self.d.chance(0.1) {
            stamp.summary = None;
        }
        self.add(Rt::Observation, body, stamp)
    }

    fn blood_pressure(&mut self, ctx: &Ctx, at: i64) -> String {
        let systolic = self.systolic.step(&mut self.d).clamp(80.0, 220.0).round();
        let diastolic = self
            .diastolic
            .step(&mut self.d)
            .clamp(40.0, 130.0)
            .round()
            .min(systolic - 15.0);
        let component = |code: &Code, value: f64, high: f64| {
            let mut c = obj!(
                ("code", concept(code)),
                ("valueQuantity", quantity(value, "mm[Hg]", "mmHg"))
            );
            let flag = flag(
                value,
                Some(if high > 100.0 { 90.0 } else { 60.0 }),
                Some(high),
            );
            if flag != "N" {
                c["interpretation"] = interpretation(flag);
            }
            c
        };
        let body = obj!(
            ("status", "final"),
            ("category", category("vital-signs", "Vital Signs")),
            ("code", concept(&BLOOD_PRESSURE)),
            ("subject", reference(&self.patient)),
            ("encounter", reference(&ctx.enc)),
            ("effectiveDateTime", clock::instant(at)),
            (
                "component",
                vec![
                    component(&SYSTOLIC, systolic, 129.0),
                    component(&DIASTOLIC, diastolic, 79.0)
                ]
            )
        );
        let summary = format!("Blood pressure {systolic}/{diastolic} mmHg.");
        self.add(
            Rt::Observation,
            body,
            Stamp::new(at, us_core!("us-core-blood-pressure"), summary),
        )
    }

    fn lab_panel(&mut self, ctx: &Ctx, panel: usize) -> Vec<String> {
        let def = &PANELS[panel];
        let drawn = (ctx.start + self.d.int(20, 90) * 60).min(END - 1);
        let issued = (drawn + self.d.int(2, 30) * 3600).min(END - 1);
        let performer = self.lab_org(ctx);
        let mut refs = Vec::with_capacity(def.analytes.len() + 1);
        let mut flagged = Vec::new();
        for &analyte in def.analytes {
            let (reference, flag) = self.lab_observation(ctx, analyte, drawn, issued, performer);
            if flag != "N" {
                flagged.push(format!("{} ({flag})", ANALYTES[analyte].code.display));
            }
            refs.push(reference);
        }
        let conclusion = if flagged.is_empty() {
            "All results within reference range.".to_owned()
        } else {
            format!("Out of range: {}.", flagged.join("; "))
        };
        let results: Vec<Value> = refs.iter().map(|r| reference(r)).collect();
        let body = obj!(
            ("status", "final"),
            (
                "category",
                vec![codeable(
                    "http://terminology.hl7.org/CodeSystem/v2-0074",
                    "LAB",
                    "Laboratory"
                )]
            ),
            ("code", concept(&def.code)),
            ("subject", reference(&self.patient)),
            ("encounter", reference(&ctx.enc)),
            ("effectiveDateTime", clock::instant(drawn)),
            ("issued", clock::instant(issued)),
            (
                "performer",
                vec![reference(&self.orgs[performer].reference)]
            ),
            ("result", results),
            ("conclusion", conclusion.as_str())
        );
        let summary = format!("{}: {conclusion}", def.code.display);
        let report = self.add(
            Rt::DiagnosticReport,
            body,
            Stamp::new(issued, us_core!("us-core-diagnosticreport-lab"), summary),
        );
        refs.push(report);
        refs
    }

    fn lab_observation(
        &mut self,
        ctx: &Ctx,
        index: usize,
        drawn: i64,
        issued: i64,
        performer: usize,
    ) -> (String, &'static str) {
        let analyte = &ANALYTES[index];
        let raw = self.labs[index]
            .step(&mut self.d)
            .clamp(analyte.bounds.0, analyte.bounds.1);
        let mut value = round_to(raw, analyte.decimals);
        let (mut ucum, mut unit, mut low, mut high) =
            (analyte.ucum, analyte.unit, analyte.low, analyte.high);
        if index == GLUCOSE && self.d.chance(0.03) {
            value = round_to(value / GLUCOSE_MG_PER_MMOL, 1);
            (ucum, unit, low, high) = ("mmol/L", "mmol/L", Some(3.9), Some(5.5));
        }
        let flag = flag(value, low, high);
        let mut range = serde_json::Map::new();
        if let Some(low) = low {
            range.insert("low".into(), quantity(low, ucum, unit));
        }
        if let Some(high) = high {
            range.insert("high".into(), quantity(high, ucum, unit));
        }
        let body = obj!(
            ("status", "final"),
            ("category", category("laboratory", "Laboratory")),
            ("code", concept(&analyte.code)),
            ("subject", reference(&self.patient)),
            ("encounter", reference(&ctx.enc)),
            ("effectiveDateTime", clock::instant(drawn)),
            ("issued", clock::instant(issued)),
            (
                "performer",
                vec![reference(&self.orgs[performer].reference)]
            ),
            ("valueQuantity", quantity(value, ucum, unit)),
            ("interpretation", interpretation(flag)),
            ("referenceRange", vec![Value::Object(range)])
        );
        let summary = format!("{}: {value} {unit}.", analyte.code.display);
        let mut stamp = Stamp::new(issued, us_core!("us-core-observation-lab"), summary);
        if self.d.chance(0.1) {
            stamp.summary = None;
        }
        (self.add(Rt::Observation, body, stamp), flag)
    }

    fn viral_load(&mut self, ctx: &Ctx) -> String {
        let drawn = (ctx.start + self.d.int(20, 90) * 60).min(END - 1);
        let issued = (drawn + self.d.int(24, 96) * 3600).min(END - 1);
        let suppressed = self.hiv_treated && self.d.chance(0.85);
        let (value, flag, text) = if suppressed {
            let mut q = quantity(20.0, "{copies}/mL", "copies/mL");
            q["comparator"] = Value::from("<");
            (q, "N", "<20 copies/mL".to_owned())
        } else {
            let copies = if self.hiv_treated {
                self.d.int(40, 900)
            } else {
                self.d.int(2_000, 90_000)
            };
            (
                quantity(copies as f64, "{copies}/mL", "copies/mL"),
                "H",
                format!("{copies} copies/mL"),
            )
        };
        self.hiv_treated = true;
        let performer = self.lab_org(ctx);
        let body = obj!(
            ("status", "final"),
            ("category", category("laboratory", "Laboratory")),
            ("code", concept(&HIV_VIRAL_LOAD)),
            ("subject", reference(&self.patient)),
            ("encounter", reference(&ctx.enc)),
            ("effectiveDateTime", clock::instant(drawn)),
            ("issued", clock::instant(issued)),
            (
                "performer",
                vec![reference(&self.orgs[performer].reference)]
            ),
            ("valueQuantity", value),
            ("interpretation", interpretation(flag)),
            (
                "referenceRange",
                vec![obj!(
                    ("high", quantity(20.0, "{copies}/mL", "copies/mL")),
                    ("text", "<20 copies/mL (not detected)")
                )]
            )
        );
        let summary = format!("HIV-1 viral load: {text}.");
        let stamp = Stamp::new(issued, us_core!("us-core-observation-lab"), summary)
            .secured(Some(Sensitive::Hiv));
        self.add(Rt::Observation, body, stamp)
    }

    // ------------------------------------------------------------ other clinical resources

    fn procedure(
        &mut self,
        ctx: &Ctx,
        service: &'static Service,
        reason: &'static Code,
        security: Option<Sensitive>,
    ) -> String {
        let performed = self.d.int(ctx.start, ctx.end).min(END - 1);
        let mut codings = vec![coding(&service.code)];
        if let Some(snomed) = &service.snomed {
            codings.push(coding(snomed));
        }
        let body = obj!(
            ("status", "completed"),
            (
                "code",
                obj!(("coding", codings), ("text", service.code.display))
            ),
            ("subject", reference(&self.patient)),
            ("encounter", reference(&ctx.enc)),
            ("performedDateTime", clock::instant(performed)),
            (
                "performer",
                vec![obj!((
                    "actor",
                    reference(&self.practs[ctx.pract].reference)
                ))]
            ),
            ("reasonCode", vec![concept(reason)])
        );
        let summary = format!("{} on {}.", service.code.display, clock::date(performed));
        let stamp = Stamp::new(performed, us_core!("us-core-procedure"), summary).secured(security);
        self.add(Rt::Procedure, body, stamp)
    }

    fn choose_drug(
        &mut self,
        story: &Story,
        i: usize,
        start: i64,
    ) -> (&'static Drug, &'static Code) {
        let (drug, reason): (&'static Drug, &'static Code) = match (i, story.drug, story.chronic) {
            (0, Some(drug), _) => (drug, story.reason),
            (_, _, Some(c)) => (*self.d.pick(CHRONIC[c].drugs), &CHRONIC[c].dx),
            _ => {
                let active = self.active_chronic(start);
                if !active.is_empty() && self.d.chance(0.5) {
                    let c = *self.d.pick(&active);
                    (*self.d.pick(CHRONIC[c].drugs), &CHRONIC[c].dx)
                } else {
                    (*self.d.pick(&FALLBACK_DRUGS), story.reason)
                }
            }
        };
        let penicillin = [AMOXICILLIN.rx.code, CEPHALEXIN.rx.code].contains(&drug.rx.code);
        if self.penicillin_allergy && penicillin {
            (&AZITHROMYCIN, reason)
        } else {
            (drug, reason)
        }
    }

    fn medication_request(
        &mut self,
        ctx: &Ctx,
        drug: &'static Drug,
        reason: &'static Code,
        security: Option<Sensitive>,
    ) -> Med {
        let authored = ctx.end;
        let age_days = (END - authored) / DAY;
        let status = if drug.chronic {
            if age_days <= 400 {
                "active"
            } else if self.d.chance(0.15) {
                "stopped"
            } else {
                "completed"
            }
        } else if age_days <= drug.days {
            "active"
        } else {
            "completed"
        };
        let (category_code, category_display) = if ctx.kind == Kind::Inpatient {
            ("discharge", "Discharge")
        } else {
            ("community", "Community")
        };
        let body = obj!(
            ("status", status),
            ("intent", "order"),
            (
                "category",
                vec![codeable(
                    "http://terminology.hl7.org/CodeSystem/medicationrequest-category",
                    category_code,
                    category_display
                )]
            ),
            ("medicationCodeableConcept", concept(&drug.rx)),
            ("subject", reference(&self.patient)),
            ("encounter", reference(&ctx.enc)),
            ("authoredOn", clock::instant(authored)),
            ("requester", reference(&self.practs[ctx.pract].reference)),
            ("reasonCode", vec![concept(reason)]),
            ("dosageInstruction", vec![obj!(("text", drug.sig))]),
            (
                "dispenseRequest",
                obj!(
                    ("numberOfRepeatsAllowed", drug.repeats),
                    ("quantity", obj!(("value", drug.qty), ("unit", drug.unit))),
                    (
                        "expectedSupplyDuration",
                        obj!(
                            ("value", drug.days),
                            ("unit", "days"),
                            ("system", UCUM),
                            ("code", "d")
                        )
                    )
                )
            )
        );
        let summary = format!("{} ({status}): {}.", drug.rx.display, drug.sig);
        let stamp =
            Stamp::new(authored, us_core!("us-core-medicationrequest"), summary).secured(security);
        let reference = self.add(Rt::MedicationRequest, body, stamp);
        Med {
            reference,
            drug,
            authored,
            fills: 0,
            security,
        }
    }

    fn immunization(&mut self, ctx: &Ctx, lines: &mut Vec<Line>) -> String {
        let month = clock::month(ctx.start);
        let age = self.age_at(ctx.start);
        let vaccine: &'static Vaccine =
            if (9..=12).contains(&month) || (month <= 2 && self.d.chance(0.5)) {
                &FLU
            } else if ctx.start >= COVID_VACCINE_DAY * DAY && self.d.chance(0.5) {
                &COVID
            } else {
                let eligible = if age >= 65 {
                    4
                } else if age >= 50 {
                    3
                } else {
                    2
                };
                &OTHER_VACCINES[self.d.index(eligible)]
            };
        let at = (ctx.start + self.d.int(10, 40) * 60).min(END - 1);
        let body = obj!(
            ("status", "completed"),
            ("vaccineCode", concept(&vaccine.cvx)),
            ("patient", reference(&self.patient)),
            ("encounter", reference(&ctx.enc)),
            ("occurrenceDateTime", clock::instant(at)),
            ("primarySource", true),
            (
                "lotNumber",
                format!(
                    "{}{:06}",
                    ["EL", "FK", "TR", "AC"][self.d.index(4)],
                    self.d.int(0, 999_999)
                )
            ),
            (
                "performer",
                vec![obj!(
                    (
                        "function",
                        codeable(
                            "http://terminology.hl7.org/CodeSystem/v2-0443",
                            "AP",
                            "Administering Provider"
                        )
                    ),
                    ("actor", reference(&self.practs[ctx.pract].reference))
                )]
            )
        );
        lines.push(self.line(&vaccine.product, false, Share::Preventive));
        lines.push(self.line(&vaccine.admin, false, Share::Preventive));
        let summary = format!("{} given on {}.", vaccine.cvx.display, clock::date(at));
        self.add(
            Rt::Immunization,
            body,
            Stamp::new(at, us_core!("us-core-immunization"), summary),
        )
    }

    fn document(
        &mut self,
        ctx: &Ctx,
        story: &Story,
        security: Option<Sensitive>,
        force_hostile: bool,
    ) -> String {
        let doc_type = match ctx.kind {
            Kind::Ambulatory if self.d.chance(0.15) => &DOC_CONSULT,
            Kind::Ambulatory => &DOC_PROGRESS,
            Kind::Emergency => &DOC_EMERGENCY,
            Kind::Inpatient => &DOC_DISCHARGE,
        };
        let at = (ctx.end + self.d.int(1, 6) * 3600).min(END - 1);
        let reason = match security {
            Some(Sensitive::Psy) => DEPRESSION.display,
            Some(Sensitive::Sud) => ALCOHOL_DEPENDENCE.display,
            Some(Sensitive::Hiv) => HIV_DISEASE.display,
            None => story.reason.display,
        };
        let assessment = *self.d.pick(&[
            "Stable. Vital signs reviewed and unremarkable.",
            "Symptoms improving since last visit.",
            "Condition controlled on the current regimen.",
            "Findings discussed with the patient; questions answered.",
        ]);
        let plan = *self.d.pick(&[
            "Continue current medications. Follow up in 3 months.",
            "Labs ordered; results will be shared through the portal.",
            "Return if symptoms worsen or do not improve within a week.",
            "Referral placed; patient to schedule.",
        ]);
        let pract = &self.practs[ctx.pract].name;
        let org = &self.orgs[ctx.org].name;
        let lines = [
            format!("Patient: {} {}", self.given, self.family),
            format!("Date: {}", clock::date(ctx.start)),
            format!("Clinician: {pract}"),
            format!("Facility: {org}"),
            format!("Reason for visit: {reason}"),
            format!("Assessment: {assessment}"),
            format!("Plan: {plan}"),
        ];
        let title = doc_type.display;
        let html = self.d.chance(0.1);
        let (content_type, note) = if html {
            let paragraphs: String = lines
                .iter()
                .map(|l| format!("<p>{}</p>", super::labels::escape(l)))
                .collect();
            let head = format!("<html><head><title>{title}</title></head>");
            (
                "text/html",
                format!("{head}<body><h1>{title}</h1>{paragraphs}</body></html>"),
            )
        } else {
            ("text/plain", format!("{title}\n\n{}\n", lines.join("\n")))
        };
        let body = obj!(
            ("status", "current"),
            ("docStatus", "final"),
            ("type", concept(doc_type)),
            (
                "category",
                vec![codeable(DOC_CATEGORY, "clinical-note", "Clinical Note")]
            ),
            ("subject", reference(&self.patient)),
            ("date", clock::instant(at)),
            ("author", vec![reference(&self.practs[ctx.pract].reference)]),
            ("custodian", reference(&self.orgs[ctx.org].reference)),
            (
                "content",
                vec![obj!((
                    "attachment",
                    obj!(
                        ("contentType", content_type),
                        ("language", "en-US"),
                        ("data", STANDARD.encode(note.as_bytes())),
                        ("title", title),
                        ("creation", clock::instant(at))
                    )
                ))]
            ),
            (
                "context",
                obj!(
                    ("encounter", vec![reference(&ctx.enc)]),
                    (
                        "period",
                        obj!(
                            ("start", clock::instant(ctx.start)),
                            ("end", clock::instant(ctx.end))
                        )
                    )
                )
            )
        );
        let summary = format!("{title} for the visit on {}.", clock::date(ctx.start));
        let mut stamp =
            Stamp::new(at, us_core!("us-core-documentreference"), summary).secured(security);
        stamp.force_hostile = force_hostile;
        self.add(Rt::DocumentReference, body, stamp)
    }
}
