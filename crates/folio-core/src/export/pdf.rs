//! The printable summary a member can hand to a doctor, as a PDF: who, coverage, problems,
//! medicines, allergies, immunizations, recent results, procedures and claims by year, from
//! one source's records.

use serde_json::Value;

use super::ips::{gather, patient_name, Gathered, SECTIONS};
use super::pdf_writer::{PdfText, Style};
use crate::{CoreError, Folio};

fn money(v: Option<f64>, currency: &str) -> String {
    let Some(v) = v else {
        return "not stated".into();
    };
    let cents = (v * 100.0).round() as i64;
    let (whole, frac) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    if currency == "USD" {
        format!("{sign}${grouped}.{frac:02}")
    } else {
        format!("{sign}{grouped}.{frac:02} {currency}")
    }
}

fn patient_line(p: &Value) -> (String, String) {
    let name = patient_name(p).unwrap_or_else(|| "the member".into());
    let mut facts = Vec::new();
    if let Some(b) = p.get("birthDate").and_then(Value::as_str) {
        facts.push(format!("born {b}"));
    }
    if let Some(g) = p.get("gender").and_then(Value::as_str) {
        facts.push(g.to_owned());
    }
    (name, facts.join(", "))
}

/// Section titles as a member reads them (the IPS section codes underneath).
fn heading(code: &str) -> &'static str {
    match code {
        "11450-4" => "Health problems",
        "48765-2" => "Allergies",
        "10160-0" => "Medicines",
        "11369-6" => "Immunizations",
        "30954-2" => "Latest test results",
        "8716-3" => "Latest vital signs",
        "47519-4" => "Procedures",
        "11348-0" => "Past health problems",
        _ => "Other",
    }
}

impl Folio {
    /// The summary PDF of one source; returns its bytes and how many records it lists.
    pub(super) async fn summary_pdf(
        &self,
        connection_id: &str,
        include_sensitive: bool,
    ) -> Result<(Vec<u8>, u32), CoreError> {
        let store = &self.store().await?;
        let Gathered {
            patient,
            plan_name,
            sections,
            left_out,
            ..
        } = gather(store, connection_id, include_sensitive).await?;
        let (name, facts) = patient_line(&patient);
        let today = super::now_rfc3339();
        let today = today.get(..10).unwrap_or(&today);
        let mut doc = PdfText::new(&format!("Health summary: {name}"));
        doc.push(Style::Title, format!("Health summary: {name}"), 0.0);
        if !facts.is_empty() {
            doc.push(Style::Body, facts, 0.0);
        }
        doc.push(
            Style::Small,
            format!(
                "Source: {plan_name}. Made by Folio {} on {today}. It lists what these records say; \
                 ask your doctor about anything that looks wrong or is missing.{}",
                crate::VERSION,
                if include_sensitive {
                    ""
                } else {
                    " Records marked sensitive are left out."
                }
            ),
            0.0,
        );

        let covers: Vec<_> = self
            .overview(include_sensitive)
            .await?
            .coverages
            .into_iter()
            .filter(|c| c.connection_id == connection_id)
            .collect();
        doc.push(Style::Heading, "Coverage", 0.0);
        if covers.is_empty() {
            doc.push(Style::Body, "No coverage record.", 0.0);
        }
        for c in covers {
            let period = match (&c.start, &c.end) {
                (Some(s), Some(e)) => format!("{s} to {e}"),
                (Some(s), None) => format!("since {s}"),
                _ => "dates not given".into(),
            };
            doc.push(
                Style::Body,
                format!(
                    "{}{} - member ID {} - {period} - {}",
                    c.payor.as_deref().unwrap_or(&c.plan_name),
                    c.plan.map(|p| format!(": {p}")).unwrap_or_default(),
                    c.member_id.as_deref().unwrap_or("not given"),
                    c.status.as_deref().unwrap_or("status not given")
                ),
                0.0,
            );
        }

        let mut listed = 0u32;
        for (code, _, required) in SECTIONS {
            let items = sections.get(code).map(Vec::as_slice).unwrap_or_default();
            if items.is_empty() && !required {
                continue;
            }
            doc.push(Style::Heading, heading(code), 0.0);
            if items.is_empty() {
                doc.push(Style::Body, "None in these records.", 0.0);
            }
            for item in items {
                doc.push(Style::Body, format!("• {}", item.line), 0.0);
                listed += 1;
            }
            if let Some(more) = left_out.get(code) {
                doc.push(
                    Style::Small,
                    format!("and {more} older ones (all of them are in a full export)"),
                    10.0,
                );
            }
        }

        let years = self
            .claim_years(&[connection_id.to_owned()], include_sensitive)
            .await?;
        if !years.is_empty() {
            doc.push(Style::Heading, "Claims by year of service", 0.0);
            for y in years {
                doc.push(
                    Style::Body,
                    format!(
                        "{}: {} claims - billed {} - plan paid {} - your share {}",
                        y.year,
                        y.claims,
                        money(y.totals.billed, &y.currency),
                        money(y.totals.plan_paid, &y.currency),
                        money(y.totals.member_owed, &y.currency)
                    ),
                    0.0,
                );
            }
        }
        let footer = format!("Health summary for {name} - made by Folio on {today}");
        Ok((doc.render(&footer), listed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_like_a_bill() {
        assert_eq!(money(Some(1234.5), "USD"), "$1,234.50");
        assert_eq!(money(Some(0.0), "USD"), "$0.00");
        assert_eq!(money(Some(-12.345), "USD"), "-$12.35");
        assert_eq!(money(Some(1_000_000.0), "EUR"), "1,000,000.00 EUR");
        assert_eq!(money(None, "USD"), "not stated");
    }
}
