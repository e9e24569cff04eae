//! Opening hours in OpenStreetMap's `opening_hours` syntax, read by the `opening-hours` crate
//! and evaluated in China time (the community's clock; the hours are written in local time).

use chrono::{DateTime, NaiveDateTime};
use opening_hours::OpeningHours;

/// How far ahead "when that changes" looks: a week and a day covers every weekly schedule.
const LOOK_AHEAD_DAYS: i64 = 8;

/// China Standard Time is UTC+8 all year (no daylight saving).
const CHINA_OFFSET_SECS: i64 = 8 * 3600;

/// Whether `raw` parses as opening hours; an empty text means "not known" and is fine.
pub fn is_valid(raw: &str) -> bool {
    raw.trim().is_empty() || OpeningHours::parse(raw.trim()).is_ok()
}

/// Open at `now` (unix seconds), and when that changes next (unix seconds); `(None, None)` when
/// the hours are not given or do not parse.
pub fn status(raw: &str, now: i64) -> (Option<bool>, Option<i64>) {
    let raw = raw.trim();
    if raw.is_empty() {
        return (None, None);
    }
    let (Ok(hours), Some(local)) = (OpeningHours::parse(raw), china_local(now)) else {
        return (None, None);
    };
    // The change within the look-ahead: `next_change` searches to the crate's end of time,
    // which takes seconds for some texts (a zero-length range such as 09:00-09:00).
    let horizon = local + chrono::TimeDelta::days(LOOK_AHEAD_DAYS);
    let next = hours
        .iter_range(local, horizon)
        .next()
        .map(|interval| interval.range.end)
        .filter(|end| *end < horizon)
        .map(|t| t.and_utc().timestamp() - CHINA_OFFSET_SECS);
    (Some(hours.is_open(local)), next)
}

/// Facilities share a few hundred texts, and a text's status holds until its next change:
/// the answers are kept, so a map view of a street's facilities does not evaluate every text
/// again on every request.
#[derive(Clone, Copy)]
struct Kept {
    open: Option<bool>,
    next: Option<i64>,
    worked_out_at: i64,
    /// The status holds for `worked_out_at <= now < valid_until`.
    valid_until: i64,
}

/// Without a change in the look-ahead, a kept status is checked again after this long.
const RECHECK_SECS: i64 = 3600;
/// More distinct texts than facilities ever have: past it the store is emptied (edits leave
/// texts no facility uses any more).
const KEPT_TEXTS_MAX: usize = 20_000;

static KEPT: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, Kept>>> =
    std::sync::LazyLock::new(Default::default);

/// [`status`], kept per text until the status can next change.
pub fn status_kept(raw: &str, now: i64) -> (Option<bool>, Option<i64>) {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = kept.get(raw)
        && k.worked_out_at <= now
        && now < k.valid_until
    {
        return (k.open, k.next);
    }
    let (open, next) = status(raw, now);
    if kept.len() >= KEPT_TEXTS_MAX {
        kept.clear();
    }
    let valid_until = match (open, next) {
        (None, _) => i64::MAX,
        (Some(_), Some(next)) => next,
        (Some(_), None) => now + RECHECK_SECS,
    };
    kept.insert(
        raw.to_owned(),
        Kept {
            open,
            next,
            worked_out_at: now,
            valid_until,
        },
    );
    (open, next)
}

fn china_local(unix: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(unix + CHINA_OFFSET_SECS, 0).map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-20 (a Friday) at `hh:mm` China time, as unix seconds.
    fn friday(hh: i64, mm: i64) -> i64 {
        1_795_132_800 - CHINA_OFFSET_SECS + hh * 3600 + mm * 60
    }

    #[test]
    fn office_hours_open_and_close_in_china_time() {
        let office = "Mo-Fr 08:30-12:00,13:30-17:30";
        assert_eq!(
            status(office, friday(9, 0)),
            (Some(true), Some(friday(12, 0)))
        );
        assert_eq!(
            status(office, friday(12, 30)),
            (Some(false), Some(friday(13, 30)))
        );
        // Friday evening: closed until Monday 08:30.
        let (open, next) = status(office, friday(18, 0));
        assert_eq!(open, Some(false));
        assert_eq!(next, Some(friday(8, 30) + 3 * 86_400));
    }

    #[test]
    fn a_zero_length_range_is_answered_within_the_look_ahead() {
        // 09:00-09:00 is a whole day (to 09:00 the next), so this is open around the clock.
        // The text once took 1.5 s per evaluation: the search for a change ran to the end of
        // time; now it stops after the look-ahead.
        let started = std::time::Instant::now();
        let (open, next) = status("Mo-Su 09:00-09:00,18:00-19:00", friday(12, 0));
        assert_eq!(open, Some(true));
        assert_eq!(next, None);
        println!("evaluated in {:?}", started.elapsed());
    }

    #[test]
    fn a_kept_status_holds_until_the_change_and_no_longer() {
        let office = "Mo-Fr 08:31-12:01";
        assert_eq!(
            status_kept(office, friday(9, 0)),
            status(office, friday(9, 0))
        );
        assert_eq!(
            status_kept(office, friday(12, 0)),
            (Some(true), Some(friday(12, 1)))
        );
        // At the change it is worked out again: closed until Monday.
        assert_eq!(
            status_kept(office, friday(12, 1)),
            status(office, friday(12, 1))
        );
        assert_eq!(status_kept(office, friday(12, 1)).0, Some(false));
        // A clock that went back is not answered from the future.
        assert_eq!(
            status_kept(office, friday(10, 0)),
            (Some(true), Some(friday(12, 1)))
        );
    }

    #[test]
    fn always_open_never_changes_and_unknown_hours_say_nothing() {
        assert_eq!(status("24/7", friday(3, 0)), (Some(true), None));
        assert_eq!(status("", friday(3, 0)), (None, None));
        assert_eq!(status("whenever", friday(3, 0)), (None, None));
        assert!(is_valid("Mo-Su 07:00-23:00"));
        assert!(is_valid(" "));
        assert!(!is_valid("Mo-Fr 25:00-26:00 please"));
    }
}
