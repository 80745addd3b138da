//! A long search split into slices by `_lastUpdated` ranges and paged side by side (ADR 0009).
//!
//! At a plan's latency a type's pages one after another are the sync's longest wait. When a
//! pass's first page shows a long chain (`total` over the page size), and the plan takes
//! `_lastUpdated` (declared, and a probe worked), the pass is split into slices:
//! `_lastUpdated=lt b1`, `ge b1&lt b2`, …, `ge bn`, half-open ranges that cover every
//! instant exactly once. A few `_count=1` requests read how many records were updated before
//! instants spread between the first page's oldest record and the pass's start (their
//! `total`s, asked side by side), and the bounds are placed where the counts split the
//! records evenly. One of those requests counts everything updated before a day after the
//! pass began: unless that equals the unsliced search's `total` (records without a
//! `lastUpdated`, or a plan that does not apply the ranges), the pass is not sliced. Each
//! slice keeps its own resume point (folio-store `sync_slices`); the pass ends, and a full
//! pass marks what the plan no longer returns, only when every slice has ended. A plan that
//! refuses a range, or whose ranges do not cover everything, is remembered per plan and type
//! and asked again only weekly.

use futures_util::future::join_all;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::*;

/// A pass whose chain is at least this many round trips (its pages, `total` over the page
/// size, two round trips each for a type whose pages may fetch the records they point at) is
/// sliced: shorter chains end within the time the longest take sliced, and slicing them
/// would only add requests (the counts) within the same limit of requests in flight.
const SLICE_FROM_ROUND_TRIPS: u64 = 12;
/// Round trips aimed at per slice.
const ROUND_TRIPS_PER_SLICE: u64 = 3;
/// The most slices of one pass.
const MAX_SLICES: u64 = 12;
/// At most this many records per page times slices: each slice holds up to two pages (one
/// being saved, the next arriving), so large pages are sliced less (pages of 1,000: two
/// slices), which bounds memory, and where pages are large the chain is short anyway.
const MAX_SLICED_RECORDS: u64 = 2_000;
/// Instants counted to place the bounds (besides the count of everything).
const COUNT_PROBES: i64 = 5;
/// How far past the pass's start the count of everything reaches (clocks differ).
const PAST_START_SECS: i64 = 24 * 3600;

fn instant_secs(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

fn instant_text(secs: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

/// The oldest `meta.lastUpdated` among a page's matches, as Unix seconds.
fn oldest_updated(page: &folio_smart::Page) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Meta {
        #[serde(rename = "lastUpdated")]
        last_updated: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct WithMeta {
        meta: Option<Meta>,
    }
    page.entries
        .iter()
        .filter(|e| !e.included)
        .filter_map(|e| serde_json::from_str::<WithMeta>(e.resource.get()).ok())
        .filter_map(|r| r.meta?.last_updated)
        .filter_map(|s| instant_secs(&s))
        .min()
}

/// `url` with `_lastUpdated=ge{lower}` and `lt{upper}` added (each when given), and its
/// `_count` replaced by `count` when given.
pub(super) fn with_range(
    url: &Url,
    lower: Option<&str>,
    upper: Option<&str>,
    count: Option<u32>,
) -> Url {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| count.is_none() || k != "_count")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    {
        let mut q = out.query_pairs_mut();
        q.clear();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        if let Some(n) = count {
            q.append_pair("_count", &n.to_string());
        }
        if let Some(l) = lower {
            q.append_pair("_lastUpdated", &format!("ge{l}"));
        }
        if let Some(u) = upper {
            q.append_pair("_lastUpdated", &format!("lt{u}"));
        }
    }
    out
}

/// How many slices a search of `total` records at `per_page` a page, each page taking
/// `trips` round trips, is split into (`None`: its chain is short enough as it is).
pub(super) fn slice_count(total: u64, per_page: u64, trips: u64) -> Option<u64> {
    let per_page = per_page.max(1);
    let chain = total.div_ceil(per_page).saturating_mul(trips.max(1));
    let most = (MAX_SLICED_RECORDS / per_page).min(MAX_SLICES);
    (chain >= SLICE_FROM_ROUND_TRIPS && most >= 2)
        .then(|| chain.div_ceil(ROUND_TRIPS_PER_SLICE).clamp(2, most))
}

/// Up to `k - 1` increasing bounds (Unix seconds) that split the records `counts` describe
/// into `k` ranges of about equal size. `counts` are `(instant, records updated before it)`,
/// increasing, the last one counting every record; between two instants records are taken
/// as spread evenly. Bounds that would fall together are left out (fewer, larger slices).
pub(super) fn balanced_bounds(counts: &[(i64, u64)], k: u64) -> Vec<i64> {
    let Some(&(end, total)) = counts.last() else {
        return Vec::new();
    };
    let mut out: Vec<i64> = Vec::new();
    for j in 1..k {
        let target = total.saturating_mul(j) / k.max(1);
        let Some(i) = counts.iter().position(|c| c.1 >= target) else {
            break;
        };
        let at = match i.checked_sub(1).and_then(|p| counts.get(p)) {
            None => counts[i].0,
            Some(&(t0, c0)) => {
                let (t1, c1) = counts[i];
                if c1 <= c0 {
                    t1
                } else {
                    let share = (target - c0) as f64 / (c1 - c0) as f64;
                    t0 + ((t1 - t0) as f64 * share).round() as i64
                }
            }
        };
        if at < end && out.last().is_none_or(|l| at > *l) {
            out.push(at);
        }
    }
    out
}

/// What counting records before an instant gave.
enum Count {
    Records(u64),
    /// The plan refused the range (400/422) or sent no `total`.
    Refused,
    /// Any other failure: not sliced this time, nothing remembered.
    Failed,
}

impl Job<'_> {
    /// The slices to split a pass into, from its first page (asked at `first`, the pass
    /// starting at the plan's clock `started`); `None` to page it as one chain.
    pub(super) async fn slices_for(
        &self,
        resource_type: &str,
        form: &Form,
        first: &Url,
        page: &folio_smart::Page,
        started: &str,
        token: &mut Sensitive<String>,
    ) -> Result<Option<Vec<folio_store::SliceStart>>, CoreError> {
        let per_page = page.entries.iter().filter(|e| !e.included).count() as u64;
        let (Some(total), Some(_)) = (page.total, page.next.as_ref()) else {
            return Ok(None);
        };
        if !form.last_updated || !form.count || per_page == 0 {
            return Ok(None);
        }
        let trips = if follows_links(resource_type) { 2 } else { 1 };
        let Some(k) = slice_count(total, per_page, trips) else {
            return Ok(None);
        };
        let remembered = self
            .store
            .last_updated_ranges(&self.plan_id, resource_type)
            .await?;
        if let Some((false, checked)) = &remembered {
            if !is_older_than(checked.as_deref(), FULL_PASS_EVERY) {
                return Ok(None);
            }
        }
        let (Some(lo), Some(hi)) = (oldest_updated(page), instant_secs(started)) else {
            return Ok(None);
        };
        if lo >= hi {
            return Ok(None);
        }
        // Counted side by side: instants from the oldest record seen to the pass's start,
        // and everything (a day past the start).
        let mut instants: Vec<i64> = (0..COUNT_PROBES)
            .map(|i| lo + (hi - lo) * i / (COUNT_PROBES - 1))
            .collect();
        instants.push(hi + PAST_START_SECS);
        instants.dedup();
        let counted = join_all(instants.iter().map(|&at| {
            let mut token = token.clone();
            async move {
                let Some(text) = instant_text(at) else {
                    return Ok(Count::Failed);
                };
                let url = with_range(first, None, Some(&text), Some(1));
                Ok::<_, CoreError>(match self.first_page(&url, &mut token).await {
                    Ok(Ok(p)) => p.total.map_or(Count::Refused, Count::Records),
                    Ok(Err(_)) => Count::Refused,
                    Err(e @ (CoreError::ReconnectNeeded | CoreError::AccessEnded)) => {
                        return Err(e)
                    }
                    Err(_) => Count::Failed,
                })
            }
        }))
        .await;
        let mut counts: Vec<(i64, u64)> = Vec::with_capacity(instants.len());
        for (at, c) in instants.iter().zip(counted) {
            match c? {
                Count::Records(n) => counts.push((*at, n)),
                Count::Failed => return Ok(None),
                Count::Refused => {
                    tracing::info!(connection = %self.connection_id, resource_type, "the plan refused a _lastUpdated range; paged as one chain");
                    self.remember_ranges(resource_type, false, &remembered)
                        .await?;
                    return Ok(None);
                }
            }
        }
        // The ranges must be applied (fewer before the oldest record seen than in all) and
        // cover every record (everything counted is the unsliced total).
        let covers = counts.last().map(|c| c.1) == Some(total)
            && counts.first().is_some_and(|c| c.1 < total)
            && counts.windows(2).all(|w| w[0].1 <= w[1].1);
        if !covers {
            tracing::info!(connection = %self.connection_id, resource_type, "_lastUpdated ranges do not cover the search; paged as one chain");
            self.remember_ranges(resource_type, false, &remembered)
                .await?;
            return Ok(None);
        }
        let bounds: Vec<String> = balanced_bounds(&counts, k)
            .into_iter()
            .filter_map(instant_text)
            .collect();
        if bounds.is_empty() {
            return Ok(None);
        }
        self.remember_ranges(resource_type, true, &remembered)
            .await?;
        let mut slices = Vec::with_capacity(bounds.len() + 1);
        for i in 0..=bounds.len() {
            let lower = i.checked_sub(1).and_then(|p| bounds.get(p)).cloned();
            let upper = bounds.get(i).cloned();
            let first_url = with_range(first, lower.as_deref(), upper.as_deref(), None);
            slices.push(folio_store::SliceStart {
                lower,
                upper,
                first_url: first_url.to_string(),
            });
        }
        tracing::info!(connection = %self.connection_id, resource_type, slices = slices.len(), "a long search paged in slices side by side");
        Ok(Some(slices))
    }

    async fn remember_ranges(
        &self,
        resource_type: &str,
        works: bool,
        remembered: &Option<(bool, Option<String>)>,
    ) -> Result<(), CoreError> {
        if remembered.as_ref().map(|r| r.0) != Some(works) || !works {
            self.store
                .set_last_updated_ranges(&self.plan_id, resource_type, works)
                .await?;
        }
        Ok(())
    }

    /// Pages the open slices of a sliced pass side by side (each from its resume point) and
    /// ends the pass once every one has ended.
    pub(super) async fn run_slices(
        &self,
        resource_type: &str,
        pass_id: &str,
        open: Vec<(i64, Url)>,
        token: &Sensitive<String>,
    ) -> Result<PassEnd, CoreError> {
        let ends = join_all(open.into_iter().map(|(slice, url)| {
            let mut token = token.clone();
            async move {
                self.walk(resource_type, pass_id, url, &mut token, Some(slice))
                    .await
            }
        }))
        .await;
        let mut cancelled = false;
        for end in ends {
            match end? {
                PassEnd::Cancelled => cancelled = true,
                PassEnd::NotShared => return Ok(PassEnd::NotShared),
                PassEnd::Done { .. } => {}
            }
        }
        if cancelled {
            return Ok(PassEnd::Cancelled);
        }
        self.finish(resource_type).await
    }

    /// Resumes an unfinished sliced pass; `None` when the pass is not sliced.
    pub(super) async fn resume_slices(
        &self,
        resource_type: &str,
        pass_id: &str,
        token: &Sensitive<String>,
    ) -> Result<Option<PassEnd>, CoreError> {
        let slices = self
            .store
            .pass_slices(&self.connection_id, resource_type, pass_id)
            .await?;
        if slices.is_empty() {
            return Ok(None);
        }
        let mut open = Vec::new();
        for s in &slices {
            if let Some(next) = &s.next_url {
                let Ok(url) = Url::parse(next) else {
                    return Ok(None);
                };
                open.push((s.slice, url));
            }
        }
        self.run_slices(resource_type, pass_id, open, token)
            .await
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn long_chains_are_sliced_short_ones_not() {
        assert_eq!(slice_count(550, 50, 1), None);
        assert_eq!(slice_count(600, 50, 1), Some(4));
        assert_eq!(slice_count(1750, 50, 1), Some(12));
        assert_eq!(slice_count(900, 50, 1), Some(6));
        // Pages that may fetch what they point at: two round trips each.
        assert_eq!(slice_count(300, 50, 2), Some(4));
        assert_eq!(slice_count(250, 50, 2), None);
        // Large pages: fewer slices (memory), none past a page of half the records budget.
        assert_eq!(slice_count(34_000, 1000, 1), Some(2));
        assert_eq!(slice_count(34_000, 500, 1), Some(4));
        assert_eq!(slice_count(100_000, 1001, 1), None);
    }

    #[test]
    fn bounds_split_the_counts_evenly_and_never_repeat() {
        // 1,000 records spread evenly over 0..1000 s (counted before each 100 s).
        let even: Vec<(i64, u64)> = (0..=10).map(|i| (i * 100, (i * 100) as u64)).collect();
        assert_eq!(balanced_bounds(&even, 4), vec![250, 500, 750]);
        // Most records recent: the bounds crowd where they are.
        let recent = vec![(0, 0), (500, 100), (900, 200), (1000, 1000)];
        let b = balanced_bounds(&recent, 4);
        assert_eq!(b.len(), 3);
        assert!(b.iter().all(|x| *x > 900 && *x < 1000), "{b:?}");
        // Every record within one second: one bound, never the same twice.
        assert_eq!(balanced_bounds(&[(0, 0), (1, 1000)], 4), vec![0]);
        assert!(balanced_bounds(&[], 4).is_empty());
    }

    #[test]
    fn a_slice_adds_its_range_and_a_count_replaces_the_page_size() {
        let url = Url::parse("https://plan.example/fhir/Observation?patient=p1&_count=50").unwrap();
        let s = with_range(
            &url,
            Some("2020-01-01T00:00:00Z"),
            Some("2021-01-01T00:00:00Z"),
            None,
        );
        let pairs: Vec<(String, String)> =
            s.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert!(pairs.contains(&("_count".into(), "50".into())));
        assert!(pairs.contains(&("_lastUpdated".into(), "ge2020-01-01T00:00:00Z".into())));
        assert!(pairs.contains(&("_lastUpdated".into(), "lt2021-01-01T00:00:00Z".into())));
        let c = with_range(&url, None, Some("2021-01-01T00:00:00Z"), Some(1));
        let counts: Vec<String> = c
            .query_pairs()
            .filter(|(k, _)| k == "_count")
            .map(|(_, v)| v.into_owned())
            .collect();
        assert_eq!(counts, vec!["1".to_owned()]);
    }
}
