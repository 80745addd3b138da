//! Synthetic time: instants are seconds since 2016-01-01T00:00:00Z, never the system clock.

use time::macros::datetime;
use time::{Duration, PrimitiveDateTime};

pub(super) const DAY: i64 = 86_400;
/// Day index (from 2016-01-01) of 2026-10-31, the last day with clinical activity.
pub(super) const LAST_DAY: i64 = 3_956;
/// 2026-11-01T00:00:00Z: every generated instant is strictly before this.
pub(super) const END: i64 = (LAST_DAY + 1) * DAY;
/// Day index of 2020-12-15, when COVID-19 vaccines became available.
pub(super) const COVID_VACCINE_DAY: i64 = 1_810;
pub(super) const EPOCH: PrimitiveDateTime = datetime!(2016-01-01 0:00);
/// Day index of 1 January for 2016..=2027.
pub(super) const YEAR_STARTS: [i64; 12] = [
    0, 366, 731, 1096, 1461, 1827, 2192, 2557, 2922, 3288, 3653, 4018,
];

fn at(s: i64) -> PrimitiveDateTime {
    EPOCH.saturating_add(Duration::seconds(s))
}

/// FHIR `instant` (also used for `dateTime`), always UTC.
pub(super) fn instant(s: i64) -> String {
    let t = at(s);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// FHIR `date` of the instant.
pub(super) fn date(s: i64) -> String {
    let t = at(s);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

pub(super) fn year(s: i64) -> i32 {
    at(s).year()
}

pub(super) fn month(s: i64) -> u8 {
    u8::from(at(s).month())
}

/// Instant of 1 January of `year` (clamped to 2016..=2027).
pub(super) fn year_start(year: i32) -> i64 {
    let i = (year - 2016).clamp(0, 11) as usize;
    YEAR_STARTS[i] * DAY
}
