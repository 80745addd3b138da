//! Converting a measured value between the UCUM units labs report it in, so that one test's
//! results can be drawn on one scale (glucose in mg/dL from one lab and mmol/L from another).
//!
//! Only conversions that are exact given the unit (and, between mass and substance
//! concentration, the analyte's molar mass) are made. Anything else returns `None`: a value
//! that cannot be converted is never guessed at.

/// What a unit measures, with its factor to that dimension's base unit.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Dim {
    /// Mass concentration, base g/L.
    Mass(f64),
    /// Substance concentration, base mol/L.
    Molar(f64),
    /// Number concentration, base 10*9/L.
    Count(f64),
    /// Body mass, base kg.
    Weight(f64),
    /// Length, base cm.
    Length(f64),
    /// Temperature (affine: handled apart).
    Temperature(TempScale),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TempScale {
    Celsius,
    Fahrenheit,
}

fn dim(ucum: &str) -> Option<Dim> {
    Some(match ucum.trim() {
        "g/L" => Dim::Mass(1.0),
        "g/dL" => Dim::Mass(10.0),
        "mg/dL" => Dim::Mass(0.01),
        "mg/L" => Dim::Mass(0.001),
        "ug/dL" => Dim::Mass(1e-5),
        "ug/L" | "ng/mL" => Dim::Mass(1e-6),
        "ng/dL" => Dim::Mass(1e-8),
        "pg/mL" | "ng/L" => Dim::Mass(1e-9),
        "mol/L" => Dim::Molar(1.0),
        "mmol/L" => Dim::Molar(1e-3),
        "umol/L" => Dim::Molar(1e-6),
        "nmol/L" => Dim::Molar(1e-9),
        "pmol/L" => Dim::Molar(1e-12),
        "10*9/L" | "10*3/uL" | "10^3/uL" | "K/uL" => Dim::Count(1.0),
        "10*12/L" | "10*6/uL" | "10^6/uL" | "M/uL" => Dim::Count(1000.0),
        "/uL" | "{cells}/uL" => Dim::Count(1e-3),
        "kg" => Dim::Weight(1.0),
        "g" => Dim::Weight(1e-3),
        "[lb_av]" | "lb" => Dim::Weight(0.453_592_37),
        "[oz_av]" => Dim::Weight(0.028_349_523_125),
        "cm" => Dim::Length(1.0),
        "m" => Dim::Length(100.0),
        "mm" => Dim::Length(0.1),
        "[in_i]" | "[in_us]" => Dim::Length(2.54),
        "[ft_i]" => Dim::Length(30.48),
        "Cel" | "°C" => Dim::Temperature(TempScale::Celsius),
        "[degF]" | "°F" => Dim::Temperature(TempScale::Fahrenheit),
        _ => return None,
    })
}

/// Molar mass (g/mol) of the analyte a LOINC code measures, for the analytes whose results
/// come in both mass and substance units.
fn molar_mass(loinc: &str) -> Option<f64> {
    Some(match loinc {
        // Glucose.
        "2345-7" | "2339-0" | "1558-6" | "41653-7" | "2341-6" | "15074-8" | "14749-6"
        | "14771-0" => 180.156,
        // Cholesterol: total, HDL, LDL (calculated and direct), non-HDL.
        "2093-3" | "2085-9" | "13457-7" | "18262-6" | "2089-1" | "43396-1" | "14647-2"
        | "14646-4" | "22748-8" => 386.654,
        // Triglycerides (as triolein).
        "2571-8" | "14927-8" => 885.7,
        // Creatinine.
        "2160-0" | "38483-4" | "14682-9" => 113.118,
        // Urea nitrogen (as nitrogen, two atoms per urea).
        "3094-0" | "6299-2" | "14937-7" => 28.014,
        // Calcium.
        "17861-6" | "2000-8" => 40.078,
        // Uric acid.
        "3084-1" | "14933-6" => 168.11,
        // Bilirubin.
        "1975-2" | "14631-6" => 584.66,
        _ => return None,
    })
}

/// `value` in `from` expressed in `to`; `loinc` names the analyte (needed between mass and
/// substance concentration). `None` when the conversion is not known to be exact.
pub fn convert(value: f64, from: &str, to: &str, loinc: Option<&str>) -> Option<f64> {
    if from.trim() == to.trim() {
        return Some(value);
    }
    let converted = match (dim(from)?, dim(to)?) {
        (Dim::Mass(a), Dim::Mass(b))
        | (Dim::Molar(a), Dim::Molar(b))
        | (Dim::Count(a), Dim::Count(b))
        | (Dim::Weight(a), Dim::Weight(b))
        | (Dim::Length(a), Dim::Length(b)) => value * a / b,
        (Dim::Molar(a), Dim::Mass(b)) => value * a * molar_mass(loinc?)? / b,
        (Dim::Mass(a), Dim::Molar(b)) => value * a / molar_mass(loinc?)? / b,
        (Dim::Temperature(f), Dim::Temperature(t)) => match (f, t) {
            (TempScale::Celsius, TempScale::Fahrenheit) => value * 9.0 / 5.0 + 32.0,
            (TempScale::Fahrenheit, TempScale::Celsius) => (value - 32.0) * 5.0 / 9.0,
            _ => value,
        },
        _ => return None,
    };
    converted.is_finite().then_some(converted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-6 * b.abs().max(1.0))
    }

    #[test]
    fn glucose_moves_between_mass_and_substance_concentration() {
        // 5.5 mmol/L glucose is 99.1 mg/dL (5.5 × 18.0156).
        assert!(close(
            convert(5.5, "mmol/L", "mg/dL", Some("2345-7")),
            99.085_8
        ));
        assert!(close(
            convert(99.0858, "mg/dL", "mmol/L", Some("2345-7")),
            5.5
        ));
        // Cholesterol uses its own molar mass: 5.0 mmol/L ≈ 193.3 mg/dL.
        assert!(close(
            convert(5.0, "mmol/L", "mg/dL", Some("2093-3")),
            193.327
        ));
    }

    #[test]
    fn no_molar_mass_no_conversion() {
        assert_eq!(convert(5.5, "mmol/L", "mg/dL", None), None);
        assert_eq!(convert(5.5, "mmol/L", "mg/dL", Some("718-7")), None);
    }

    #[test]
    fn scale_units_convert_within_their_dimension_only() {
        assert!(close(convert(14.0, "g/dL", "g/L", None), 140.0));
        assert!(close(convert(7.2, "10*3/uL", "10*9/L", None), 7.2));
        assert!(close(convert(70.0, "kg", "[lb_av]", None), 154.323_58));
        assert!(close(convert(72.0, "[in_i]", "cm", None), 182.88));
        assert!(close(convert(37.0, "Cel", "[degF]", None), 98.6));
        assert!(close(convert(98.6, "[degF]", "Cel", None), 37.0));
        assert_eq!(convert(1.0, "kg", "cm", None), None);
        assert_eq!(convert(1.0, "g/dL", "10*3/uL", None), None);
        assert_eq!(convert(1.0, "furlong", "cm", None), None);
        assert_eq!(convert(3.0, "%", "%", None), Some(3.0));
    }
}
