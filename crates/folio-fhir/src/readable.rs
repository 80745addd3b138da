//! Names and units as a member reads them.
//!
//! A test's name: the concept's own text or a coding's display when it is plain ("Glucose",
//! "Blood pressure"), else the readable part of a LOINC long name, which LOINC writes as
//! `Component [Property] in System by Method` (loinc.org, "LOINC Users' Guide", the fully
//! specified name's parts): "Cholesterol [Mass/volume] in Serum or Plasma" is "Cholesterol",
//! "Hemoglobin A1c/Hemoglobin.total in Blood" is "Hemoglobin A1c". The full name is kept beside.
//!
//! A unit: UCUM's case-sensitive codes (unitsofmeasure.org, "The Unified Code for Units of
//! Measure") written as people write them: `10*3/uL` is "thousand per µL", `mm[Hg]` "mmHg",
//! `kg/m2` "kg/m²"; a unit that is already plain (`mg/dL`, `%`) stays as it is.
//!
//! A leaf: imports nothing from the crate.

/// A name in words, and the full name it was taken from when it was shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadableName {
    /// What a member reads: "Cholesterol".
    pub short: String,
    /// The full name, when `short` leaves part of it out.
    pub full: Option<String>,
}

/// Specimens ("systems") LOINC long names end with, lower case. A name ending " in <one of
/// these>" is a LOINC long name, not a plain one.
const SYSTEMS: &[&str] = &[
    "serum or plasma",
    "serum, plasma or blood",
    "serum",
    "plasma",
    "blood",
    "arterial blood",
    "venous blood",
    "capillary blood",
    "urine",
    "urine sediment",
    "24 hour urine",
    "cerebral spinal fluid",
    "stool",
    "saliva",
    "body fluid",
    "red blood cells",
    "platelet poor plasma",
    "specimen",
    "unspecified specimen",
    "nose",
    "nasopharynx",
    "throat",
    "cervix",
    "vaginal fluid",
];

/// Lipoprotein fractions: LOINC names cholesterol in them "Cholesterol in HDL".
const FRACTIONS: &[&str] = &["HDL", "LDL", "VLDL", "non HDL"];

/// Where " in <system>" begins, when the name has one.
fn system_at(name: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    // The last " in " that is followed by a known specimen (a component may itself say "in").
    lower.rmatch_indices(" in ").find_map(|(i, _)| {
        let rest = &lower[i + 4..];
        SYSTEMS
            .iter()
            .any(|s| rest == *s || rest.starts_with(&format!("{s} ")))
            .then_some(i)
    })
}

/// Specimens as LOINC's short names abbreviate them ("Glucose SerPl-mCnc"; LOINC Users'
/// Guide, the short name's abbreviations).
const SHORT_SYSTEMS: &[&str] = &[
    "SerPl", "Ser", "Plas", "Bld", "BldA", "BldV", "BldC", "BldCo", "Ur", "UrS", "CSF", "Stl",
    "Sal", "RBC", "PPP", "Fld", "XXX", "Nose", "Thrt", "Cvx", "Vag", "SerPlBld",
];

/// Where a LOINC short name's "<system>-<property>" ending begins ("Glucose SerPl-mCnc").
fn short_name_tail(name: &str) -> Option<usize> {
    let (head, last) = name.rsplit_once(' ')?;
    let (system, property) = last.split_once('-')?;
    let known = SHORT_SYSTEMS.contains(&system)
        && !property.is_empty()
        && property.chars().all(|c| c.is_ascii_alphanumeric());
    (known && !head.trim().is_empty()).then_some(head.len())
}

/// A name that reads as a LOINC long name (a bracketed property, or a specimen at the end) or
/// a LOINC short name ("Glucose SerPl-mCnc").
pub fn looks_like_loinc_long_name(name: &str) -> bool {
    (name.contains(" [") && name.contains(']'))
        || system_at(name).is_some()
        || short_name_tail(name).is_some()
}

/// The readable part of a LOINC long name ("Cholesterol [Mass/volume] in Serum or Plasma" →
/// "Cholesterol"); `None` when the name is plain already or nothing readable is left.
pub fn short_loinc_name(name: &str) -> Option<String> {
    let name = name.trim();
    if !looks_like_loinc_long_name(name) {
        return None;
    }
    // The component is what precedes the property, else what precedes the system.
    let mut part = match (name.find(" ["), system_at(name)) {
        (Some(i), _) => &name[..i],
        (None, Some(i)) => &name[..i],
        (None, None) => &name[..short_name_tail(name).unwrap_or(name.len())],
    };
    if let Some(i) = part.find(" by ") {
        part = &part[..i];
    }
    // A ratio to a total or a normalised quantity ("Hemoglobin A1c/Hemoglobin.total",
    // "Glomerular filtration rate/1.73 sq M.predicted"): the measured part.
    if let Some((head, tail)) = part.split_once('/') {
        if tail.contains('.') && !head.trim().is_empty() {
            part = head;
        }
    }
    let part = part.trim();
    for fraction in FRACTIONS {
        if let Some(rest) = part.strip_prefix("Cholesterol in ") {
            if rest.eq_ignore_ascii_case(fraction) {
                return Some(format!("{fraction} cholesterol"));
            }
        }
    }
    (!part.is_empty() && part != name).then(|| part.to_owned())
}

/// The name to show from the candidates a concept offers (its `text`, then each coding's
/// `display`): the first plain one, else the first shortened, keeping the full name.
pub fn readable_name<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Option<ReadableName> {
    let candidates: Vec<&str> = candidates
        .into_iter()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let first = *candidates.first()?;
    if let Some(plain) = candidates.iter().find(|c| !looks_like_loinc_long_name(c)) {
        let long = candidates
            .iter()
            .find(|c| looks_like_loinc_long_name(c))
            .map(|c| (*c).to_owned());
        return Some(ReadableName {
            short: (*plain).to_owned(),
            full: long,
        });
    }
    Some(match short_loinc_name(first) {
        Some(short) => ReadableName {
            short,
            full: Some(first.to_owned()),
        },
        None => ReadableName {
            short: first.to_owned(),
            full: None,
        },
    })
}

/// Whole units whose written form is not a rule away from the code.
const WHOLE: &[(&str, &str)] = &[
    ("mm[Hg]", "mmHg"),
    ("[in_i]", "in"),
    ("[in_us]", "in"),
    ("[ft_i]", "ft"),
    ("[lb_av]", "lb"),
    ("[oz_av]", "oz"),
    ("[degF]", "°F"),
    ("Cel", "°C"),
    ("/min", "per minute"),
    ("{beats}/min", "beats per minute"),
    ("{breaths}/min", "breaths per minute"),
    ("/[HPF]", "per high-power field"),
    ("/[LPF]", "per low-power field"),
    ("[pH]", "pH"),
    ("mL/min/{1.73_m2}", "mL/min/1.73 m²"),
    ("mL/min/1.73.m2", "mL/min/1.73 m²"),
    ("a", "years"),
    ("mo", "months"),
    ("wk", "weeks"),
    ("d", "days"),
    ("h", "hours"),
    ("min", "minutes"),
    ("s", "seconds"),
];

/// Powers of ten in words, for counts ("10*3/uL").
const POWERS: &[(&str, &str)] = &[
    ("10*3", "thousand"),
    ("10^3", "thousand"),
    ("10*6", "million"),
    ("10^6", "million"),
    ("10*9", "billion"),
    ("10^9", "billion"),
    ("10*12", "trillion"),
    ("10^12", "trillion"),
];

/// One unit atom ("uL", "m2", "[IU]") written as people write it.
fn atom_words(atom: &str) -> String {
    // Annotations ("{cells}") are words already; arbitrary units lose their brackets.
    let mut a = atom.replace(['{', '}'], "").replace("[IU]", "IU");
    a = a.replace("[iU]", "IU");
    // The micro prefix: `u` before a base unit ("ug", "umol", "uL", "uIU", "um2").
    if let Some(rest) = a.strip_prefix('u') {
        let base = rest.trim_end_matches(['2', '3']);
        if ["g", "mol", "L", "IU", "m", "eq", "U"].contains(&base) {
            a = format!("µ{rest}");
        }
    }
    // Square and cubic ("m2", "mm3").
    if let Some(stem) = a
        .strip_suffix('2')
        .filter(|s| s.ends_with(|c: char| c.is_ascii_alphabetic()))
    {
        a = format!("{stem}²");
    } else if let Some(stem) = a
        .strip_suffix('3')
        .filter(|s| s.ends_with(|c: char| c.is_ascii_alphabetic()))
    {
        a = format!("{stem}³");
    }
    a
}

/// A unit in words where its code is cryptic (`10*3/uL` → "thousand per µL"); plain units
/// (`mg/dL`, `%`, `g/dL`) come back as they are.
pub fn unit_words(unit: &str) -> String {
    let unit = unit.trim();
    if let Some((_, words)) = WHOLE.iter().find(|(code, _)| *code == unit) {
        return (*words).to_owned();
    }
    if unit.is_empty() || unit == "1" || unit == "{ratio}" {
        return String::new();
    }
    let mut parts = unit.split('/');
    let head = parts.next().unwrap_or_default();
    let rest: Vec<String> = parts.map(atom_words).collect();
    // A count per volume: "thousand per µL".
    if let Some((_, power)) = POWERS.iter().find(|(code, _)| *code == head) {
        return match rest.as_slice() {
            [] => (*power).to_owned(),
            _ => format!("{power} per {}", rest.join("/")),
        };
    }
    let mut words = vec![atom_words(head)];
    words.extend(rest);
    words.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loinc_long_names_become_their_readable_part() {
        for (long, short) in [
            ("Cholesterol [Mass/volume] in Serum or Plasma", "Cholesterol"),
            ("Hemoglobin A1c/Hemoglobin.total in Blood", "Hemoglobin A1c"),
            ("Hemoglobin A1c/Hemoglobin.total in Blood by HPLC", "Hemoglobin A1c"),
            ("Cholesterol in HDL [Mass/volume] in Serum or Plasma", "HDL cholesterol"),
            ("Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", "LDL cholesterol"),
            ("Glucose [Mass/volume] in Serum or Plasma", "Glucose"),
            ("Leukocytes [#/volume] in Blood by Automated count", "Leukocytes"),
            ("Body mass index (BMI) [Ratio]", "Body mass index (BMI)"),
            ("Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)", "Glomerular filtration rate"),
            ("Triglyceride [Mass/volume] in Serum or Plasma", "Triglyceride"),
            // LOINC short names.
            ("Glucose SerPl-mCnc", "Glucose"),
            ("Cholest SerPl-mCnc", "Cholest"),
        ] {
            assert_eq!(short_loinc_name(long).as_deref(), Some(short), "{long}");
        }
    }

    #[test]
    fn plain_names_are_left_alone() {
        for plain in [
            "Blood pressure panel",
            "Body weight",
            "Pain in left knee",
            "Influenza, seasonal, injectable",
            "Heart rate",
            "Follow-up visit",
            "Smoking status Never-smoker",
        ] {
            assert_eq!(short_loinc_name(plain), None, "{plain}");
            assert!(!looks_like_loinc_long_name(plain), "{plain}");
        }
    }

    #[test]
    fn a_plain_text_or_display_is_preferred_and_the_long_name_kept() {
        let name = readable_name([
            "Cholesterol [Mass/volume] in Serum or Plasma",
            "Total cholesterol",
        ]);
        assert_eq!(
            name,
            Some(ReadableName {
                short: "Total cholesterol".into(),
                full: Some("Cholesterol [Mass/volume] in Serum or Plasma".into())
            })
        );
        let name = readable_name(["Hemoglobin A1c/Hemoglobin.total in Blood"]);
        assert_eq!(
            name,
            Some(ReadableName {
                short: "Hemoglobin A1c".into(),
                full: Some("Hemoglobin A1c/Hemoglobin.total in Blood".into())
            })
        );
        assert_eq!(
            readable_name(["  ", "Heart rate"]),
            Some(ReadableName {
                short: "Heart rate".into(),
                full: None
            })
        );
        assert_eq!(readable_name(Vec::<&str>::new()), None);
    }

    #[test]
    fn cryptic_units_are_written_in_words_and_plain_ones_stay() {
        for (code, words) in [
            ("10*3/uL", "thousand per µL"),
            ("10*6/uL", "million per µL"),
            ("10*9/L", "billion per L"),
            ("mm[Hg]", "mmHg"),
            ("kg/m2", "kg/m²"),
            ("mg/dL", "mg/dL"),
            ("%", "%"),
            ("g/dL", "g/dL"),
            ("ug/dL", "µg/dL"),
            ("umol/L", "µmol/L"),
            ("u[IU]/mL", "µIU/mL"),
            ("m[IU]/L", "mIU/L"),
            ("[IU]/L", "IU/L"),
            ("/min", "per minute"),
            ("{beats}/min", "beats per minute"),
            ("[lb_av]", "lb"),
            ("[in_i]", "in"),
            ("Cel", "°C"),
            ("[degF]", "°F"),
            ("mL/min/{1.73_m2}", "mL/min/1.73 m²"),
            ("fL", "fL"),
            ("mmol/L", "mmol/L"),
            ("{ratio}", ""),
        ] {
            assert_eq!(unit_words(code), words, "{code}");
        }
    }
}
