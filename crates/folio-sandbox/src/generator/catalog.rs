//! Code tables: every code, display text and price range the generator draws from.
//!
//! Codes come from the real code systems with plausible display text; NDC package codes, prices,
//! names and identifiers are synthetic.

pub(super) const ICD10: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub(super) const LOINC: &str = "http://loinc.org";
pub(super) const SNOMED: &str = "http://snomed.info/sct";
pub(super) const CPT: &str = "http://www.ama-assn.org/go/cpt";
pub(super) const HCPCS: &str = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
pub(super) const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
pub(super) const NDC: &str = "http://hl7.org/fhir/sid/ndc";
pub(super) const CVX: &str = "http://hl7.org/fhir/sid/cvx";
pub(super) const UCUM: &str = "http://unitsofmeasure.org";
pub(super) const NPI: &str = "http://hl7.org/fhir/sid/us-npi";
const REVENUE: &str = "https://www.nubc.org/CodeSystem/RevenueCodes";
const DATA_ABSENT: &str = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
const POS: &str =
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";

#[derive(Debug)]
pub(super) struct Code {
    pub(super) system: &'static str,
    pub(super) code: &'static str,
    pub(super) display: &'static str,
}

const fn cd(system: &'static str, code: &'static str, display: &'static str) -> Code {
    Code {
        system,
        code,
        display,
    }
}

// ---------------------------------------------------------------- medications

pub(super) struct Drug {
    pub(super) rx: Code,
    /// NDC package code (synthetic), displayed with the drug name.
    pub(super) ndc: Code,
    pub(super) sig: &'static str,
    pub(super) qty: i64,
    pub(super) unit: &'static str,
    pub(super) days: i64,
    pub(super) repeats: i64,
    pub(super) price: (i64, i64),
    pub(super) copay: i64,
    pub(super) chronic: bool,
}

const fn drug(
    rx: Code,
    ndc: &'static str,
    sig: &'static str,
    supply: (i64, &'static str, i64),
    price: (i64, i64),
    copay: i64,
    chronic: bool,
) -> Drug {
    let (qty, unit, days) = supply;
    let repeats = if chronic { 5 } else { 0 };
    let ndc = cd(NDC, ndc, rx.display);
    Drug {
        rx,
        ndc,
        sig,
        qty,
        unit,
        days,
        repeats,
        price,
        copay,
        chronic,
    }
}

pub(super) const METFORMIN: Drug = drug(
    cd(
        RXNORM,
        "861007",
        "metformin hydrochloride 500 MG Oral Tablet",
    ),
    "00093104801",
    "Take 1 tablet by mouth twice daily with meals",
    (60, "tablet", 30),
    (9, 24),
    1000,
    true,
);
pub(super) const LISINOPRIL: Drug = drug(
    cd(RXNORM, "314076", "lisinopril 10 MG Oral Tablet"),
    "68180051401",
    "Take 1 tablet by mouth once daily",
    (30, "tablet", 30),
    (8, 20),
    1000,
    true,
);
pub(super) const AMLODIPINE: Drug = drug(
    cd(RXNORM, "197361", "amlodipine 5 MG Oral Tablet"),
    "00069152030",
    "Take 1 tablet by mouth once daily",
    (30, "tablet", 30),
    (8, 22),
    1000,
    true,
);
pub(super) const ATORVASTATIN: Drug = drug(
    cd(RXNORM, "617310", "atorvastatin 20 MG Oral Tablet"),
    "00378201777",
    "Take 1 tablet by mouth at bedtime",
    (30, "tablet", 30),
    (10, 30),
    1000,
    true,
);
pub(super) const LEVOTHYROXINE: Drug = drug(
    cd(RXNORM, "966222", "levothyroxine sodium 0.05 MG Oral Tablet"),
    "00074455290",
    "Take 1 tablet by mouth every morning on an empty stomach",
    (30, "tablet", 30),
    (12, 32),
    1000,
    true,
);
pub(super) const ALBUTEROL: Drug = drug(
    cd(
        RXNORM,
        "745679",
        "albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
    ),
    "00173068220",
    "Inhale 2 puffs every 4 to 6 hours as needed for wheezing",
    (1, "inhaler", 30),
    (45, 85),
    2500,
    true,
);
pub(super) const OMEPRAZOLE: Drug = drug(
    cd(
        RXNORM,
        "198053",
        "omeprazole 20 MG Delayed Release Oral Capsule",
    ),
    "62175013643",
    "Take 1 capsule by mouth once daily before breakfast",
    (30, "capsule", 30),
    (10, 28),
    1000,
    true,
);
pub(super) const AMOXICILLIN: Drug = drug(
    cd(RXNORM, "308191", "amoxicillin 500 MG Oral Capsule"),
    "65862001705",
    "Take 1 capsule by mouth three times daily for 10 days",
    (30, "capsule", 10),
    (8, 18),
    1000,
    false,
);
pub(super) const AZITHROMYCIN: Drug = drug(
    cd(RXNORM, "308460", "azithromycin 250 MG Oral Tablet"),
    "59762314001",
    "Take 2 tablets on day 1, then 1 tablet daily for 4 days",
    (6, "tablet", 5),
    (12, 30),
    1000,
    false,
);
pub(super) const CEPHALEXIN: Drug = drug(
    cd(RXNORM, "309114", "cephalexin 500 MG Oral Capsule"),
    "68180012202",
    "Take 1 capsule by mouth every 6 hours for 7 days",
    (28, "capsule", 7),
    (10, 25),
    1000,
    false,
);
pub(super) const IBUPROFEN: Drug = drug(
    cd(RXNORM, "197806", "ibuprofen 600 MG Oral Tablet"),
    "55111068205",
    "Take 1 tablet by mouth every 8 hours as needed for pain",
    (30, "tablet", 10),
    (6, 15),
    500,
    false,
);
pub(super) const PREDNISONE: Drug = drug(
    cd(RXNORM, "312617", "prednisone 20 MG Oral Tablet"),
    "00054401825",
    "Take 2 tablets by mouth once daily for 5 days",
    (10, "tablet", 5),
    (6, 14),
    500,
    false,
);
pub(super) const BIKTARVY: Drug = drug(
    cd(
        RXNORM,
        "1999667",
        "bictegravir 50 MG / emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet",
    ),
    "61958250101",
    "Take 1 tablet by mouth once daily",
    (30, "tablet", 30),
    (3_400, 4_100),
    7500,
    true,
);

/// Used when a visit orders a medication and nothing more specific fits.
pub(super) static FALLBACK_DRUGS: [&Drug; 3] = [&IBUPROFEN, &AZITHROMYCIN, &PREDNISONE];

// ---------------------------------------------------------------- conditions

pub(super) struct Chronic {
    pub(super) dx: Code,
    pub(super) prevalence: f64,
    pub(super) drugs: &'static [&'static Drug],
    pub(super) panel: usize,
}

pub(super) const DIABETES: usize = 0;
pub(super) const HYPERTENSION: usize = 1;
pub(super) const HYPERLIPIDEMIA: usize = 2;
pub(super) const HYPOTHYROID: usize = 3;

pub(super) static CHRONIC: [Chronic; 6] = [
    Chronic {
        dx: cd(
            ICD10,
            "E11.9",
            "Type 2 diabetes mellitus without complications",
        ),
        prevalence: 0.25,
        drugs: &[&METFORMIN],
        panel: A1C,
    },
    Chronic {
        dx: cd(ICD10, "I10", "Essential (primary) hypertension"),
        prevalence: 0.35,
        drugs: &[&LISINOPRIL, &AMLODIPINE],
        panel: CMP,
    },
    Chronic {
        dx: cd(ICD10, "E78.5", "Hyperlipidemia, unspecified"),
        prevalence: 0.3,
        drugs: &[&ATORVASTATIN],
        panel: LIPID,
    },
    Chronic {
        dx: cd(ICD10, "E03.9", "Hypothyroidism, unspecified"),
        prevalence: 0.12,
        drugs: &[&LEVOTHYROXINE],
        panel: TSH,
    },
    Chronic {
        dx: cd(ICD10, "J45.909", "Unspecified asthma, uncomplicated"),
        prevalence: 0.1,
        drugs: &[&ALBUTEROL],
        panel: CBC,
    },
    Chronic {
        dx: cd(
            ICD10,
            "K21.9",
            "Gastro-esophageal reflux disease without esophagitis",
        ),
        prevalence: 0.15,
        drugs: &[&OMEPRAZOLE],
        panel: CBC,
    },
];

pub(super) struct Acute {
    pub(super) dx: Code,
    pub(super) drug: Option<&'static Drug>,
}

const fn acute(code: &'static str, display: &'static str, drug: Option<&'static Drug>) -> Acute {
    Acute {
        dx: cd(ICD10, code, display),
        drug,
    }
}

pub(super) static AMBULATORY_ACUTE: [Acute; 9] = [
    acute(
        "J06.9",
        "Acute upper respiratory infection, unspecified",
        None,
    ),
    acute(
        "J02.9",
        "Acute pharyngitis, unspecified",
        Some(&AMOXICILLIN),
    ),
    acute(
        "N39.0",
        "Urinary tract infection, site not specified",
        Some(&CEPHALEXIN),
    ),
    acute("M54.50", "Low back pain, unspecified", Some(&IBUPROFEN)),
    acute("R51.9", "Headache, unspecified", Some(&IBUPROFEN)),
    acute(
        "H66.90",
        "Otitis media, unspecified, unspecified ear",
        Some(&AMOXICILLIN),
    ),
    acute("M25.561", "Pain in right knee", Some(&IBUPROFEN)),
    acute("R05.9", "Cough, unspecified", None),
    acute("L30.9", "Dermatitis, unspecified", None),
];

pub(super) static EMERGENCY_ACUTE: [Acute; 7] = [
    acute("R07.9", "Chest pain, unspecified", None),
    acute(
        "S93.401A",
        "Sprain of unspecified ligament of right ankle, initial encounter",
        Some(&IBUPROFEN),
    ),
    acute("R10.9", "Unspecified abdominal pain", None),
    acute(
        "J18.9",
        "Pneumonia, unspecified organism",
        Some(&AZITHROMYCIN),
    ),
    acute(
        "N39.0",
        "Urinary tract infection, site not specified",
        Some(&CEPHALEXIN),
    ),
    acute("R55", "Syncope and collapse", None),
    acute(
        "J45.901",
        "Unspecified asthma with (acute) exacerbation",
        Some(&PREDNISONE),
    ),
];

pub(super) static INPATIENT_ACUTE: [Acute; 7] = [
    acute(
        "J18.9",
        "Pneumonia, unspecified organism",
        Some(&AZITHROMYCIN),
    ),
    acute(
        "I21.4",
        "Non-ST elevation (NSTEMI) myocardial infarction",
        Some(&ATORVASTATIN),
    ),
    acute(
        "K35.80",
        "Unspecified acute appendicitis",
        Some(&CEPHALEXIN),
    ),
    acute("N17.9", "Acute kidney failure, unspecified", None),
    acute("A41.9", "Sepsis, unspecified organism", Some(&CEPHALEXIN)),
    acute("I50.9", "Heart failure, unspecified", Some(&LISINOPRIL)),
    acute(
        "J44.1",
        "Chronic obstructive pulmonary disease with (acute) exacerbation",
        Some(&PREDNISONE),
    ),
];

pub(super) const PREVENTIVE_DX: Code = cd(
    ICD10,
    "Z00.00",
    "Encounter for general adult medical examination without abnormal findings",
);
pub(super) const DEPRESSION: Code = cd(
    ICD10,
    "F32.1",
    "Major depressive disorder, single episode, moderate",
);
pub(super) const ALCOHOL_DEPENDENCE: Code =
    cd(ICD10, "F10.20", "Alcohol dependence, uncomplicated");
pub(super) const HIV_DISEASE: Code = cd(ICD10, "B20", "Human immunodeficiency virus [HIV] disease");

// ---------------------------------------------------------------- services and procedures

pub(super) struct Service {
    pub(super) code: Code,
    pub(super) snomed: Option<Code>,
    pub(super) price: (i64, i64),
    pub(super) revenue: &'static Code,
}

const fn svc(
    code: Code,
    snomed: Option<Code>,
    price: (i64, i64),
    revenue: &'static Code,
) -> Service {
    Service {
        code,
        snomed,
        price,
        revenue,
    }
}

const fn cpt(code: &'static str, display: &'static str) -> Code {
    cd(CPT, code, display)
}

pub(super) const REV_ROOM: Code = cd(REVENUE, "0120", "Room & board - semi-private two beds");
pub(super) const REV_PHARMACY: Code = cd(REVENUE, "0250", "Pharmacy - general classification");
pub(super) const REV_LAB: Code = cd(REVENUE, "0300", "Laboratory - general classification");
pub(super) const REV_RADIOLOGY: Code = cd(
    REVENUE,
    "0320",
    "Radiology - diagnostic - general classification",
);
pub(super) const REV_CT: Code = cd(REVENUE, "0350", "CT scan - general classification");
pub(super) const REV_RESPIRATORY: Code = cd(
    REVENUE,
    "0410",
    "Respiratory services - general classification",
);
pub(super) const REV_ER: Code = cd(REVENUE, "0450", "Emergency room - general classification");
pub(super) const REV_ECHO: Code = cd(REVENUE, "0483", "Cardiology - echocardiology");
pub(super) const REV_CLINIC: Code = cd(REVENUE, "0510", "Clinic - general classification");
pub(super) const REV_EKG: Code = cd(REVENUE, "0730", "EKG/ECG - general classification");

/// Product code for institutional lines that have only a revenue code.
pub(super) const NOT_APPLICABLE: Code = cd(DATA_ABSENT, "not-applicable", "Not Applicable");

pub(super) static OFFICE_VISITS: [Service; 3] = [
    svc(
        cpt("99213", "Office visit, established patient, 20 min"),
        None,
        (110, 170),
        &REV_CLINIC,
    ),
    svc(
        cpt("99214", "Office visit, established patient, 30 min"),
        None,
        (170, 250),
        &REV_CLINIC,
    ),
    svc(
        cpt("99203", "Office visit, new patient, 30 min"),
        None,
        (150, 230),
        &REV_CLINIC,
    ),
];
pub(super) static PREVENTIVE_VISITS: [Service; 3] = [
    svc(
        cpt("99395", "Preventive visit, established patient, age 18-39"),
        None,
        (190, 280),
        &REV_CLINIC,
    ),
    svc(
        cpt("99396", "Preventive visit, established patient, age 40-64"),
        None,
        (210, 300),
        &REV_CLINIC,
    ),
    svc(
        cpt(
            "99397",
            "Preventive visit, established patient, age 65 and older",
        ),
        None,
        (220, 320),
        &REV_CLINIC,
    ),
];
pub(super) static EMERGENCY_VISITS: [Service; 2] = [
    svc(
        cpt("99284", "Emergency department visit, moderate severity"),
        None,
        (700, 1500),
        &REV_ER,
    ),
    svc(
        cpt("99285", "Emergency department visit, high severity"),
        None,
        (1300, 2600),
        &REV_ER,
    ),
];
pub(super) const HOSPITAL_INITIAL: Service = svc(
    cpt("99223", "Initial hospital care, high complexity"),
    None,
    (320, 480),
    &REV_ROOM,
);
pub(super) const HOSPITAL_SUBSEQUENT: Service = svc(
    cpt("99232", "Subsequent hospital care, moderate complexity"),
    None,
    (120, 190),
    &REV_ROOM,
);
pub(super) const HOSPITAL_DISCHARGE: Service = svc(
    cpt("99238", "Hospital discharge day management, 30 min or less"),
    None,
    (110, 170),
    &REV_ROOM,
);
pub(super) const VENIPUNCTURE: Service = svc(
    cpt("36415", "Routine venipuncture"),
    None,
    (10, 25),
    &REV_LAB,
);
pub(super) const PSYCHOTHERAPY: Service = svc(
    cpt("90834", "Psychotherapy, 45 min"),
    Some(cd(SNOMED, "75516001", "Psychotherapy")),
    (120, 200),
    &REV_CLINIC,
);
pub(super) const SUD_ASSESSMENT: Service = svc(
    cd(HCPCS, "H0001", "Alcohol and/or drug assessment"),
    None,
    (90, 160),
    &REV_CLINIC,
);
pub(super) const HIV_VIRAL_LOAD_TEST: Service = svc(
    cpt("87536", "HIV-1 quantification (viral load)"),
    None,
    (150, 250),
    &REV_LAB,
);
/// Daily room-and-board charge range for inpatient stays.
pub(super) const ROOM_AND_BOARD_DAILY: (i64, i64) = (2_400, 4_200);
/// Inpatient pharmacy charge range per stay.
pub(super) const INPATIENT_PHARMACY: (i64, i64) = (300, 1_400);

pub(super) static AMBULATORY_PROCEDURES: [Service; 7] = [
    svc(
        cpt("93000", "Electrocardiogram, complete"),
        Some(cd(SNOMED, "29303009", "Electrocardiographic procedure")),
        (60, 150),
        &REV_EKG,
    ),
    svc(
        cpt("20610", "Arthrocentesis, major joint"),
        None,
        (150, 300),
        &REV_CLINIC,
    ),
    svc(
        cpt("11102", "Tangential biopsy of skin, single lesion"),
        None,
        (150, 280),
        &REV_CLINIC,
    ),
    svc(
        cpt("69210", "Removal of impacted cerumen, one ear"),
        None,
        (70, 130),
        &REV_CLINIC,
    ),
    svc(
        cpt("97110", "Therapeutic exercise, each 15 min"),
        None,
        (60, 120),
        &REV_CLINIC,
    ),
    svc(
        cpt("45378", "Diagnostic colonoscopy"),
        Some(cd(SNOMED, "73761001", "Colonoscopy")),
        (1_200, 2_800),
        &REV_CLINIC,
    ),
    svc(
        cpt("94640", "Inhalation treatment for airway obstruction"),
        Some(cd(SNOMED, "56251003", "Nebulizer therapy")),
        (40, 90),
        &REV_RESPIRATORY,
    ),
];
pub(super) static EMERGENCY_PROCEDURES: [Service; 5] = [
    svc(
        cpt("93000", "Electrocardiogram, complete"),
        Some(cd(SNOMED, "29303009", "Electrocardiographic procedure")),
        (80, 200),
        &REV_EKG,
    ),
    svc(
        cpt("71046", "Chest X-ray, 2 views"),
        Some(cd(SNOMED, "399208008", "Plain chest X-ray")),
        (120, 350),
        &REV_RADIOLOGY,
    ),
    svc(
        cpt("12002", "Simple repair of superficial wound, 2.6-7.5 cm"),
        None,
        (250, 600),
        &REV_ER,
    ),
    svc(
        cpt("94640", "Inhalation treatment for airway obstruction"),
        Some(cd(SNOMED, "56251003", "Nebulizer therapy")),
        (60, 150),
        &REV_RESPIRATORY,
    ),
    svc(
        cpt("73610", "X-ray of ankle, 3 or more views"),
        None,
        (120, 300),
        &REV_RADIOLOGY,
    ),
];
pub(super) static INPATIENT_PROCEDURES: [Service; 4] = [
    svc(
        cpt("93000", "Electrocardiogram, complete"),
        Some(cd(SNOMED, "29303009", "Electrocardiographic procedure")),
        (80, 200),
        &REV_EKG,
    ),
    svc(
        cpt("71046", "Chest X-ray, 2 views"),
        Some(cd(SNOMED, "399208008", "Plain chest X-ray")),
        (120, 350),
        &REV_RADIOLOGY,
    ),
    svc(
        cpt("74177", "CT of abdomen and pelvis with contrast"),
        None,
        (1_500, 3_800),
        &REV_CT,
    ),
    svc(
        cpt("93306", "Echocardiography, transthoracic, complete"),
        None,
        (900, 2_200),
        &REV_ECHO,
    ),
];

// ---------------------------------------------------------------- places and encounter types

pub(super) const POS_OFFICE: Code = cd(POS, "11", "Office");
pub(super) const POS_INPATIENT: Code = cd(POS, "21", "Inpatient Hospital");
pub(super) const POS_EMERGENCY: Code = cd(POS, "23", "Emergency Room - Hospital");

pub(super) const ENC_CHECKUP: Code = cd(SNOMED, "185349003", "Encounter for check up");
pub(super) const ENC_FOLLOW_UP: Code = cd(SNOMED, "390906007", "Follow-up encounter");
pub(super) const ENC_SYMPTOM: Code = cd(SNOMED, "185345009", "Encounter for symptom");
pub(super) const ENC_PROBLEM: Code = cd(SNOMED, "185347001", "Encounter for problem");
pub(super) const ENC_EMERGENCY: Code = cd(SNOMED, "50849002", "Emergency room admission");
pub(super) const ENC_ADMISSION: Code = cd(SNOMED, "32485007", "Hospital admission");

pub(super) const DOC_PROGRESS: Code = cd(LOINC, "11506-3", "Progress note");
pub(super) const DOC_CONSULT: Code = cd(LOINC, "11488-4", "Consult note");
pub(super) const DOC_EMERGENCY: Code = cd(LOINC, "34111-5", "Emergency department note");
pub(super) const DOC_DISCHARGE: Code = cd(LOINC, "18842-5", "Discharge summary");

// ---------------------------------------------------------------- observations

pub(super) struct Analyte {
    pub(super) code: Code,
    pub(super) ucum: &'static str,
    pub(super) unit: &'static str,
    pub(super) low: Option<f64>,
    pub(super) high: Option<f64>,
    /// Range of member baselines for a healthy member.
    pub(super) normal: (f64, f64),
    /// A chronic condition (index into [`CHRONIC`]) that shifts the baseline to this range.
    pub(super) sick: Option<(usize, f64, f64)>,
    /// Visit-to-visit spread, as a fraction of the baseline.
    pub(super) noise: f64,
    pub(super) decimals: usize,
    pub(super) bounds: (f64, f64),
}

pub(super) const GLUCOSE: usize = 0;
/// mg/dL per mmol/L for glucose.
pub(super) const GLUCOSE_MG_PER_MMOL: f64 = 18.016;

pub(super) static ANALYTES: [Analyte; 13] = [
    Analyte {
        code: cd(LOINC, "2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
        ucum: "mg/dL",
        unit: "mg/dL",
        low: Some(70.0),
        high: Some(99.0),
        normal: (82.0, 95.0),
        sick: Some((DIABETES, 125.0, 175.0)),
        noise: 0.08,
        decimals: 0,
        bounds: (40.0, 450.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "2160-0",
            "Creatinine [Mass/volume] in Serum or Plasma",
        ),
        ucum: "mg/dL",
        unit: "mg/dL",
        low: Some(0.6),
        high: Some(1.3),
        normal: (0.7, 1.05),
        sick: Some((HYPERTENSION, 0.95, 1.35)),
        noise: 0.08,
        decimals: 2,
        bounds: (0.3, 8.0),
    },
    Analyte {
        code: cd(LOINC, "2951-2", "Sodium [Moles/volume] in Serum or Plasma"),
        ucum: "mmol/L",
        unit: "mmol/L",
        low: Some(136.0),
        high: Some(145.0),
        normal: (138.0, 142.0),
        sick: None,
        noise: 0.012,
        decimals: 0,
        bounds: (120.0, 160.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "2823-3",
            "Potassium [Moles/volume] in Serum or Plasma",
        ),
        ucum: "mmol/L",
        unit: "mmol/L",
        low: Some(3.5),
        high: Some(5.1),
        normal: (3.8, 4.6),
        sick: None,
        noise: 0.05,
        decimals: 1,
        bounds: (2.5, 6.8),
    },
    Analyte {
        code: cd(LOINC, "718-7", "Hemoglobin [Mass/volume] in Blood"),
        ucum: "g/dL",
        unit: "g/dL",
        low: Some(12.0),
        high: Some(17.5),
        normal: (12.8, 15.8),
        sick: None,
        noise: 0.04,
        decimals: 1,
        bounds: (6.0, 21.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "6690-2",
            "Leukocytes [#/volume] in Blood by Automated count",
        ),
        ucum: "10*3/uL",
        unit: "10*3/uL",
        low: Some(4.5),
        high: Some(11.0),
        normal: (5.0, 8.5),
        sick: None,
        noise: 0.12,
        decimals: 1,
        bounds: (1.0, 30.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "777-3",
            "Platelets [#/volume] in Blood by Automated count",
        ),
        ucum: "10*3/uL",
        unit: "10*3/uL",
        low: Some(150.0),
        high: Some(400.0),
        normal: (190.0, 330.0),
        sick: None,
        noise: 0.08,
        decimals: 0,
        bounds: (20.0, 900.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "2093-3",
            "Cholesterol [Mass/volume] in Serum or Plasma",
        ),
        ucum: "mg/dL",
        unit: "mg/dL",
        low: None,
        high: Some(199.0),
        normal: (160.0, 195.0),
        sick: Some((HYPERLIPIDEMIA, 215.0, 260.0)),
        noise: 0.06,
        decimals: 0,
        bounds: (90.0, 400.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "2085-9",
            "Cholesterol in HDL [Mass/volume] in Serum or Plasma",
        ),
        ucum: "mg/dL",
        unit: "mg/dL",
        low: Some(40.0),
        high: None,
        normal: (45.0, 68.0),
        sick: Some((HYPERLIPIDEMIA, 34.0, 45.0)),
        noise: 0.07,
        decimals: 0,
        bounds: (15.0, 110.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "18262-6",
            "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay",
        ),
        ucum: "mg/dL",
        unit: "mg/dL",
        low: None,
        high: Some(99.0),
        normal: (78.0, 110.0),
        sick: Some((HYPERLIPIDEMIA, 130.0, 175.0)),
        noise: 0.08,
        decimals: 0,
        bounds: (30.0, 300.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "2571-8",
            "Triglyceride [Mass/volume] in Serum or Plasma",
        ),
        ucum: "mg/dL",
        unit: "mg/dL",
        low: None,
        high: Some(149.0),
        normal: (80.0, 140.0),
        sick: Some((HYPERLIPIDEMIA, 160.0, 260.0)),
        noise: 0.15,
        decimals: 0,
        bounds: (30.0, 900.0),
    },
    Analyte {
        code: cd(LOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
        ucum: "%",
        unit: "%",
        low: Some(4.0),
        high: Some(5.6),
        normal: (4.9, 5.5),
        sick: Some((DIABETES, 6.6, 8.6)),
        noise: 0.04,
        decimals: 1,
        bounds: (3.5, 14.0),
    },
    Analyte {
        code: cd(
            LOINC,
            "3016-3",
            "Thyrotropin [Units/volume] in Serum or Plasma",
        ),
        ucum: "m[IU]/L",
        unit: "mIU/L",
        low: Some(0.4),
        high: Some(4.0),
        normal: (1.0, 2.8),
        sick: Some((HYPOTHYROID, 3.8, 7.5)),
        noise: 0.15,
        decimals: 2,
        bounds: (0.01, 60.0),
    },
];

pub(super) const HIV_VIRAL_LOAD: Code = cd(
    LOINC,
    "20447-9",
    "HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection",
);

pub(super) struct PanelDef {
    pub(super) code: Code,
    pub(super) test: Service,
    pub(super) analytes: &'static [usize],
    pub(super) weight: u32,
}

pub(super) const CMP: usize = 0;
pub(super) const CBC: usize = 1;
pub(super) const LIPID: usize = 2;
pub(super) const A1C: usize = 3;
pub(super) const TSH: usize = 4;

pub(super) static PANELS: [PanelDef; 5] = [
    PanelDef {
        code: cd(
            LOINC,
            "24323-8",
            "Comprehensive metabolic 2000 panel - Serum or Plasma",
        ),
        test: svc(
            cpt("80053", "Comprehensive metabolic panel"),
            None,
            (40, 120),
            &REV_LAB,
        ),
        analytes: &[0, 1, 2, 3],
        weight: 30,
    },
    PanelDef {
        code: cd(LOINC, "58410-2", "CBC panel - Blood by Automated count"),
        test: svc(
            cpt("85027", "Complete blood count, automated"),
            None,
            (25, 60),
            &REV_LAB,
        ),
        analytes: &[4, 5, 6],
        weight: 25,
    },
    PanelDef {
        code: cd(
            LOINC,
            "57698-3",
            "Lipid panel with direct LDL - Serum or Plasma",
        ),
        test: svc(cpt("80061", "Lipid panel"), None, (50, 150), &REV_LAB),
        analytes: &[7, 8, 9, 10],
        weight: 20,
    },
    PanelDef {
        code: cd(LOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
        test: svc(cpt("83036", "Hemoglobin A1c"), None, (30, 80), &REV_LAB),
        analytes: &[11],
        weight: 8,
    },
    PanelDef {
        code: cd(
            LOINC,
            "3016-3",
            "Thyrotropin [Units/volume] in Serum or Plasma",
        ),
        test: svc(
            cpt("84443", "Thyroid stimulating hormone (TSH)"),
            None,
            (40, 110),
            &REV_LAB,
        ),
        analytes: &[12],
        weight: 6,
    },
];

pub(super) const BLOOD_PRESSURE: Code = cd(
    LOINC,
    "85354-9",
    "Blood pressure panel with all children optional",
);
pub(super) const SYSTOLIC: Code = cd(LOINC, "8480-6", "Systolic blood pressure");
pub(super) const DIASTOLIC: Code = cd(LOINC, "8462-4", "Diastolic blood pressure");
pub(super) const HEART_RATE: Code = cd(LOINC, "8867-4", "Heart rate");
pub(super) const BODY_WEIGHT: Code = cd(LOINC, "29463-7", "Body weight");
pub(super) const BMI: Code = cd(LOINC, "39156-5", "Body mass index (BMI) [Ratio]");

// ---------------------------------------------------------------- immunizations

pub(super) struct Vaccine {
    pub(super) cvx: Code,
    pub(super) product: Service,
    pub(super) admin: Service,
}

const ADMIN_ONE: Service = svc(
    cpt("90471", "Immunization administration, one vaccine"),
    None,
    (20, 35),
    &REV_CLINIC,
);

pub(super) const FLU: Vaccine = Vaccine {
    cvx: cd(
        CVX,
        "150",
        "Influenza, injectable, quadrivalent, preservative free",
    ),
    product: svc(
        cpt(
            "90686",
            "Influenza vaccine, quadrivalent, preservative free, IM",
        ),
        None,
        (25, 45),
        &REV_CLINIC,
    ),
    admin: ADMIN_ONE,
};
pub(super) const COVID: Vaccine = Vaccine {
    cvx: cd(
        CVX,
        "208",
        concat!(
            "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, ",
            "30 mcg/0.3mL dose"
        ),
    ),
    product: svc(
        cpt("91300", "SARS-CoV-2 vaccine, mRNA-LNP, 30 mcg/0.3 mL, IM"),
        None,
        (20, 40),
        &REV_CLINIC,
    ),
    admin: svc(
        cpt(
            "0001A",
            "Immunization administration, SARS-CoV-2 vaccine, first dose",
        ),
        None,
        (25, 45),
        &REV_CLINIC,
    ),
};
pub(super) static OTHER_VACCINES: [Vaccine; 4] = [
    Vaccine {
        cvx: cd(CVX, "115", "Tdap"),
        product: svc(
            cpt("90715", "Tdap vaccine, 7 years or older, IM"),
            None,
            (45, 80),
            &REV_CLINIC,
        ),
        admin: ADMIN_ONE,
    },
    Vaccine {
        cvx: cd(CVX, "43", "hepatitis B vaccine, adult dosage"),
        product: svc(
            cpt("90746", "Hepatitis B vaccine, adult dosage, IM"),
            None,
            (60, 95),
            &REV_CLINIC,
        ),
        admin: ADMIN_ONE,
    },
    Vaccine {
        cvx: cd(CVX, "187", "zoster vaccine recombinant"),
        product: svc(
            cpt("90750", "Zoster vaccine, recombinant, adjuvanted, IM"),
            None,
            (170, 230),
            &REV_CLINIC,
        ),
        admin: ADMIN_ONE,
    },
    Vaccine {
        cvx: cd(CVX, "33", "pneumococcal polysaccharide vaccine, 23 valent"),
        product: svc(
            cpt(
                "90732",
                "Pneumococcal polysaccharide vaccine, 23-valent, IM",
            ),
            None,
            (100, 140),
            &REV_CLINIC,
        ),
        admin: ADMIN_ONE,
    },
];

// ---------------------------------------------------------------- allergies

pub(super) struct Allergen {
    pub(super) code: Code,
    pub(super) text: &'static str,
    pub(super) category: &'static str,
    pub(super) criticality: &'static str,
    pub(super) reaction: Code,
}

pub(super) const PENICILLIN_ALLERGEN: usize = 0;

pub(super) static ALLERGENS: [Allergen; 6] = [
    Allergen {
        code: cd(RXNORM, "7980", "penicillin G"),
        text: "Penicillin",
        category: "medication",
        criticality: "high",
        reaction: cd(SNOMED, "271807003", "Eruption of skin"),
    },
    Allergen {
        code: cd(RXNORM, "1191", "aspirin"),
        text: "Aspirin",
        category: "medication",
        criticality: "low",
        reaction: cd(SNOMED, "126485001", "Urticaria"),
    },
    Allergen {
        code: cd(RXNORM, "2670", "codeine"),
        text: "Codeine",
        category: "medication",
        criticality: "low",
        reaction: cd(SNOMED, "422587007", "Nausea"),
    },
    Allergen {
        code: cd(SNOMED, "256349002", "Peanut - dietary (substance)"),
        text: "Peanuts",
        category: "food",
        criticality: "high",
        reaction: cd(SNOMED, "39579001", "Anaphylaxis"),
    },
    Allergen {
        code: cd(SNOMED, "111088007", "Latex (substance)"),
        text: "Latex",
        category: "environment",
        criticality: "low",
        reaction: cd(SNOMED, "271807003", "Eruption of skin"),
    },
    Allergen {
        code: cd(SNOMED, "288328004", "Bee venom (substance)"),
        text: "Bee stings",
        category: "environment",
        criticality: "high",
        reaction: cd(SNOMED, "39579001", "Anaphylaxis"),
    },
];

// ---------------------------------------------------------------- names and places

pub(super) static GIVEN_NAMES: [&str; 24] = [
    "Alex", "Maria", "James", "Priya", "Samuel", "Grace", "Daniel", "Aisha", "Robert", "Mei",
    "Thomas", "Elena", "David", "Fatima", "Michael", "Sofia", "Andrew", "Hannah", "Jorge", "Naomi",
    "Kevin", "Laura", "Omar", "Ruth",
];
pub(super) static FAMILY_NAMES: [&str; 24] = [
    "Alvarez",
    "Bennett",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Singh",
    "Tanaka",
    "Underwood",
    "Vasquez",
    "Whitaker",
    "Young",
];
pub(super) static PLACES: [&str; 16] = [
    "Maple Grove",
    "Riverside",
    "Cedar Hill",
    "Lakeview",
    "Oak Park",
    "Pinecrest",
    "Brookside",
    "Willow Creek",
    "Summit",
    "Harbor Point",
    "Fairview",
    "Northgate",
    "Meadowbrook",
    "Stonebridge",
    "Elm Valley",
    "Bayside",
];
pub(super) static STREETS: [&str; 10] = [
    "Main",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
];
/// (city, state) pairs for synthetic addresses.
pub(super) static CITIES: [(&str, &str); 6] = [
    ("Springfield", "IL"),
    ("Riverton", "OR"),
    ("Fairview", "OH"),
    ("Greenville", "NC"),
    ("Franklin", "PA"),
    ("Clinton", "TX"),
];
