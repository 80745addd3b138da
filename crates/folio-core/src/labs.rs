//! Labs and vitals: every test the member has results for with its latest result, and one
//! test's results over time on one scale (units converted exactly, or left off and counted).

use std::collections::{HashMap, HashSet};

use folio_fhir::{convert_unit, Measure, ObservationFacts, LOINC};
use folio_store::ObservationRow;

use crate::api::{LabCategory, LabFlag, LabLine, LabPoint, LabReading, LabSeries, LabTest};
use crate::{CoreError, Folio};

/// The test a row belongs to: its first LOINC coding, else its first coding.
fn test_key(codes: &str) -> Option<&str> {
    let prefix = format!("{LOINC}|");
    codes
        .split(' ')
        .find(|c| c.starts_with(&prefix))
        .or_else(|| codes.split(' ').find(|c| !c.is_empty()))
}

pub(crate) fn flag_of(code: Option<&str>) -> Option<LabFlag> {
    Some(match code? {
        "N" => LabFlag::Normal,
        "H" | "HU" | ">" => LabFlag::High,
        "L" | "LU" | "<" => LabFlag::Low,
        "HH" => LabFlag::CriticalHigh,
        "LL" => LabFlag::CriticalLow,
        "A" | "AA" | "POS" | "DET" => LabFlag::Abnormal,
        _ => return None,
    })
}

/// A number as a lab prints it: no trailing zeros, at most three decimals.
fn number(v: f64) -> String {
    let s = format!("{:.3}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A value with its unit in words ("11.2 thousand per µL"), as on the record's own screen.
fn with_unit(m: &Measure) -> String {
    folio_fhir::value_with_unit(m)
}

fn range_text(m: &Measure) -> Option<String> {
    folio_fhir::range_with_unit(m)
}

/// A test's or a measured value's name in words, and the full name when it was shortened.
fn readable(name: &str) -> (String, Option<String>) {
    match folio_fhir::readable_name([name]) {
        Some(n) => (n.short, n.full),
        None => (name.to_owned(), None),
    }
}

fn parse(row: &ObservationRow) -> Option<ObservationFacts> {
    serde_json::from_str::<serde_json::Value>(&row.raw_json)
        .ok()
        .as_ref()
        .and_then(ObservationFacts::from_value)
}

fn reading(row: &ObservationRow, f: &ObservationFacts) -> LabReading {
    let value = match f.measures.as_slice() {
        [] => f.text_value.clone().unwrap_or_else(|| "no value".into()),
        [one] => with_unit(one),
        // Blood pressure and the like: "128/82 mmHg" when the units agree.
        many if many.iter().all(|m| m.unit == many[0].unit) => {
            let values: Vec<String> = many.iter().map(|m| number(m.value)).collect();
            match many[0].unit.as_deref().map(folio_fhir::unit_words) {
                Some(u) if !u.is_empty() => format!("{} {u}", values.join("/")),
                _ => values.join("/"),
            }
        }
        many => many.iter().map(with_unit).collect::<Vec<_>>().join(", "),
    };
    LabReading {
        date: f.effective.clone(),
        value,
        range: match f.measures.as_slice() {
            [one] => range_text(one),
            _ => None,
        },
        flag: flag_of(f.flag.as_deref()),
        plan_name: row.plan_name.clone(),
        connection_id: row.connection_id.clone(),
        resource_id: row.resource_id.clone(),
    }
}

/// What is gathered per test while listing: distinct results and the newest row.
#[derive(Default)]
struct TestTally<'a> {
    linked: HashSet<&'a str>,
    results: u32,
    newest: (Option<&'a str>, i64),
}

/// One result of one measured value, before it is placed on a line.
struct Reading<'a> {
    row: &'a ObservationRow,
    date: String,
    flag: Option<LabFlag>,
    measure: Measure,
}

/// The unit a measure is in, for comparing and converting: UCUM when coded, else as shown.
fn unit_key(m: &Measure) -> Option<&str> {
    m.ucum.as_deref().or(m.unit.as_deref())
}

impl Folio {
    /// Every lab test and vital sign with results, with its newest result; labs first, then
    /// vitals, each by name.
    pub async fn lab_tests(&self, include_sensitive: bool) -> Result<Vec<LabTest>, CoreError> {
        let store = &self.store().await?;
        let heads = store.observation_heads(include_sensitive).await?;
        // Per test: distinct results and the newest row.
        let mut tests: HashMap<&str, TestTally<'_>> = HashMap::new();
        for h in &heads {
            let Some(key) = test_key(&h.codes) else {
                continue;
            };
            let entry = tests.entry(key).or_default();
            match h.dedupe_key.as_deref() {
                Some(k) if !entry.linked.insert(k) => {}
                _ => entry.results += 1,
            }
            let candidate = (h.clinical_date.as_deref(), h.rowid);
            if candidate > entry.newest {
                entry.newest = candidate;
            }
        }
        let newest: Vec<i64> = tests.values().map(|t| t.newest.1).collect();
        let rows = store.observations_at(&newest).await?;
        let by_row: HashMap<i64, &ObservationRow> = rows.iter().map(|r| (r.rowid, r)).collect();
        let mut out = Vec::new();
        for (key, tally) in &tests {
            let Some(row) = by_row.get(&tally.newest.1) else {
                continue;
            };
            let Some(f) = parse(row) else { continue };
            if !f.is_lab_or_vital() {
                continue;
            }
            let (name, full_name) = readable(&f.name);
            out.push(LabTest {
                key: (*key).to_owned(),
                loinc: f.loinc.clone(),
                name,
                full_name,
                category: if f.categories.iter().any(|c| c == "laboratory") {
                    LabCategory::Lab
                } else {
                    LabCategory::Vital
                },
                results: tally.results,
                latest: reading(row, &f),
            });
        }
        out.sort_by(|a, b| {
            (a.category != LabCategory::Lab, a.name.to_lowercase())
                .cmp(&(b.category != LabCategory::Lab, b.name.to_lowercase()))
        });
        Ok(out)
    }

    /// One test's results over time. Each measured value is a line in the unit most of its
    /// results used; others are converted when the conversion is exact, else counted in
    /// `unconverted`. The same result from two plans is drawn once.
    pub async fn lab_series(
        &self,
        key: &str,
        include_sensitive: bool,
    ) -> Result<LabSeries, CoreError> {
        let store = &self.store().await?;
        let rows = store.observations_coded(key, include_sensitive).await?;
        let mut seen = HashSet::new();
        let mut name = None;
        // Per measured value (by code, else name), in first-seen order.
        let mut order: Vec<String> = Vec::new();
        let mut measures: HashMap<String, Vec<Reading<'_>>> = HashMap::new();
        let facts: Vec<(&ObservationRow, ObservationFacts)> =
            rows.iter().filter_map(|r| Some((r, parse(r)?))).collect();
        for (row, f) in &facts {
            if let Some(k) = row.dedupe_key.as_deref() {
                if !seen.insert(k) {
                    continue;
                }
            }
            if f.status.as_deref() == Some("entered-in-error") {
                continue;
            }
            let Some(date) = f.effective.clone() else {
                continue;
            };
            name.get_or_insert_with(|| f.name.clone());
            for m in &f.measures {
                let id = m.code.clone().unwrap_or_else(|| m.name.clone());
                if !measures.contains_key(&id) {
                    order.push(id.clone());
                }
                measures.entry(id).or_default().push(Reading {
                    row,
                    date: date.clone(),
                    flag: flag_of(f.flag.as_deref()),
                    measure: m.clone(),
                });
            }
        }
        let lines = order
            .iter()
            .filter_map(|id| measures.get(id))
            .map(|points| line(points))
            .collect();
        Ok(LabSeries {
            key: key.to_owned(),
            name: name.map_or_else(|| key.to_owned(), |n| readable(&n).0),
            lines,
        })
    }
}

fn line(points: &[Reading<'_>]) -> LabLine {
    // The unit most results used; on a tie, the newest result's.
    let mut counts: HashMap<Option<&str>, (u32, usize)> = HashMap::new();
    for (i, p) in points.iter().enumerate() {
        let e = counts.entry(unit_key(&p.measure)).or_insert((0, i));
        e.0 += 1;
        e.1 = i;
    }
    let target = counts
        .iter()
        .max_by_key(|(_, (n, last))| (*n, *last))
        .and_then(|(u, _)| *u);
    let shown = points
        .iter()
        .rev()
        .find(|p| unit_key(&p.measure) == target)
        .and_then(|p| p.measure.unit.clone());
    let loinc = points.first().and_then(|p| p.measure.code.as_deref());
    let to_target = |v: f64, m: &Measure| -> Option<f64> {
        match (unit_key(m), target) {
            (a, b) if a == b => Some(v),
            (Some(from), Some(to)) => {
                convert_unit(v, from, to, loinc).map(|x| (x * 100.0).round() / 100.0)
            }
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(points.len());
    let mut unconverted = 0;
    let (mut low, mut high) = (None, None);
    for Reading {
        row,
        date,
        flag,
        measure: m,
    } in points
    {
        let Some(value) = to_target(m.value, m) else {
            unconverted += 1;
            continue;
        };
        if m.low.is_some() || m.high.is_some() {
            low = m.low.and_then(|l| to_target(l, m));
            high = m.high.and_then(|h| to_target(h, m));
        }
        out.push(LabPoint {
            date: date.clone(),
            value,
            reported_as: (unit_key(m) != target).then(|| with_unit(m)),
            flag: *flag,
            plan_name: row.plan_name.clone(),
            connection_id: row.connection_id.clone(),
            resource_id: row.resource_id.clone(),
        });
    }
    LabLine {
        name: points
            .first()
            .map(|p| readable(&p.measure.name).0)
            .unwrap_or_default(),
        unit: shown.map(|u| folio_fhir::unit_words(&u)),
        low,
        high,
        points: out,
        unconverted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_is_its_loinc_coding_first() {
        assert_eq!(
            test_key("urn:local|G1 http://loinc.org|2345-7"),
            Some("http://loinc.org|2345-7")
        );
        assert_eq!(test_key("urn:local|G1"), Some("urn:local|G1"));
        assert_eq!(test_key(""), None);
    }

    #[test]
    fn numbers_read_like_a_lab_report() {
        assert_eq!(number(104.0), "104");
        assert_eq!(number(5.50), "5.5");
        assert_eq!(number(0.0049), "0.005");
        let m = Measure {
            code: None,
            name: "x".into(),
            value: 6.1,
            comparator: Some("<".into()),
            unit: Some("%".into()),
            ucum: Some("%".into()),
            low: Some(4.0),
            high: Some(5.6),
        };
        assert_eq!(with_unit(&m), "<6.1%");
        assert_eq!(range_text(&m).as_deref(), Some("4–5.6 %"));
        assert_eq!(flag_of(Some("HH")), Some(LabFlag::CriticalHigh));
        assert_eq!(flag_of(Some("weird")), None);
    }
}
