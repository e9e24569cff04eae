//! The figures a community is judged by (响应率, 办结率, 满意率, time to completion, overdue),
//! computed from plain facts about requests with integer arithmetic, and the calendar months
//! they are published by (China Standard Time, UTC+8, no daylight saving).

use crate::request::{Deadlines, RequestStatus, is_late};
use serde::{Deserialize, Serialize};

/// What the figures need to know about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFacts {
    pub status: RequestStatus,
    pub submitted_at: i64,
    pub deadlines: Deadlines,
    /// The community's first response: accepting or rejecting it.
    pub responded_at: Option<i64>,
    /// The latest resolution; ignored unless the request is resolved now (a reopened request
    /// is not done, whatever it was before).
    pub resolved_at: Option<i64>,
    /// The resident's rating, once given.
    pub satisfied: Option<bool>,
}

/// A share as a fraction, so nothing is rounded until it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ratio {
    pub num: u64,
    pub den: u64,
}

impl Ratio {
    /// In tenths of a percent, rounded half up; `None` when there is nothing to divide by
    /// (shown as "—", never as 0% or 100%).
    pub fn per_mille(self) -> Option<u64> {
        (self.den > 0).then(|| (self.num * 1000 + self.den / 2) / self.den)
    }

    /// As people read it: `66.7%`, or `—` when there is nothing to divide by.
    pub fn percent_label(self) -> String {
        self.per_mille()
            .map(|pm| format!("{}.{}%", pm / 10, pm % 10))
            .unwrap_or_else(|| "—".to_owned())
    }
}

/// The published figures of a set of requests (a month, a category).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Requests sent.
    pub received: u64,
    pub withdrawn: u64,
    pub rejected: u64,
    /// Resolved, rated or not (办结).
    pub completed: u64,
    /// 办结率: completed over the requests the community took on (received, less withdrawn
    /// and rejected ones).
    pub completion: Ratio,
    /// 响应率: responded to within the response limit, over the requests that can be judged:
    /// those responded to, and those whose response deadline has passed without one. A request
    /// still inside its response window is not judged yet; withdrawn ones never are.
    pub response: Ratio,
    /// Median time from submission to resolution of the completed requests, in seconds.
    pub median_seconds_to_resolution: Option<i64>,
    /// 满意率: satisfied over rated.
    pub satisfaction: Ratio,
    /// Requests the community took on that were resolved late, or are open past their deadline.
    pub overdue: u64,
}

pub fn compute(facts: &[RequestFacts], now: i64) -> Figures {
    let mut figures = Figures::default();
    let mut durations = Vec::new();
    for f in facts {
        figures.received += 1;
        if f.status == RequestStatus::Withdrawn {
            figures.withdrawn += 1;
            continue;
        }
        match f.responded_at {
            Some(at) => {
                figures.response.den += 1;
                figures.response.num += u64::from(!is_late(f.deadlines.respond_by, Some(at), now));
            }
            None if is_late(f.deadlines.respond_by, None, now) => figures.response.den += 1,
            None => {}
        }
        if f.status == RequestStatus::Rejected {
            figures.rejected += 1;
            continue;
        }
        figures.completion.den += 1;
        let resolved_at = f.resolved_at.filter(|_| f.status.is_completed());
        if let Some(at) = resolved_at {
            figures.completed += 1;
            figures.completion.num += 1;
            durations.push(at - f.submitted_at);
        }
        if is_late(f.deadlines.resolve_by, resolved_at, now) {
            figures.overdue += 1;
        }
        if let Some(satisfied) = f.satisfied {
            figures.satisfaction.den += 1;
            figures.satisfaction.num += u64::from(satisfied);
        }
    }
    figures.median_seconds_to_resolution = median(&mut durations);
    figures
}

/// The first moment after `now` from which [`compute`] may answer differently for the same
/// facts, if any: with time, figures change only as a request's deadline passes without a
/// response or a resolution (a second past it, as [`is_late`] has it). A report can be kept
/// until then.
pub fn next_change(facts: &[RequestFacts], now: i64) -> Option<i64> {
    facts
        .iter()
        .filter(|f| f.status != RequestStatus::Withdrawn)
        .flat_map(|f| {
            let unanswered = f.responded_at.is_none().then_some(f.deadlines.respond_by);
            let unresolved = (f.status != RequestStatus::Rejected
                && !(f.status.is_completed() && f.resolved_at.is_some()))
            .then_some(f.deadlines.resolve_by);
            [unanswered, unresolved]
        })
        .flatten()
        .filter(|deadline| *deadline >= now)
        .map(|deadline| deadline + 1)
        .min()
}

/// The middle value; for an even count, the mean of the two middle ones (rounded down).
fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]).div_euclid(2)
    })
}

/// A calendar month in China Standard Time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The figures of one month, in total and by category: what the public figures page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiguresReport {
    /// `2026-11`
    pub month: String,
    pub total: Figures,
    pub by_category: Vec<CategoryFigures>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryFigures {
    pub category: String,
    pub figures: Figures,
}

impl FiguresReport {
    /// The report of `month` at `now` from the facts of the requests sent in it, each with its
    /// category's code, with a line for every category of the catalogue (empty ones too).
    pub fn of(
        month: YearMonth,
        facts: &[(String, RequestFacts)],
        categories: impl IntoIterator<Item = String>,
        now: i64,
    ) -> Self {
        let all: Vec<_> = facts.iter().map(|(_, f)| *f).collect();
        let by_category = categories
            .into_iter()
            .map(|category| {
                let of_category: Vec<_> = facts
                    .iter()
                    .filter(|(code, _)| *code == category)
                    .map(|(_, f)| *f)
                    .collect();
                CategoryFigures {
                    figures: compute(&of_category, now),
                    category,
                }
            })
            .collect();
        FiguresReport {
            month: month.to_string(),
            total: compute(&all, now),
            by_category,
        }
    }
}

/// China Standard Time is UTC+8 all year round.
pub const CHINA_OFFSET_SECONDS: i64 = 8 * 3600;

impl YearMonth {
    /// The month a moment (unix seconds) falls in, in China.
    pub fn of(unix_seconds: i64) -> Self {
        let days = (unix_seconds + CHINA_OFFSET_SECONDS).div_euclid(86_400);
        let (year, month, _) = civil_from_days(days);
        YearMonth { year, month }
    }

    /// `2026-11` (the form used in URLs and the API).
    pub fn parse(raw: &str) -> Option<Self> {
        let (year, month) = raw.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let (year, month) = (year.parse::<i32>().ok()?, month.parse::<u32>().ok()?);
        ((1..=12).contains(&month) && year >= 1970).then_some(YearMonth { year, month })
    }

    pub fn previous(self) -> Self {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month's first and one-past-last moments, as unix seconds (for a `>= start AND < end`
    /// query).
    pub fn bounds(self) -> (i64, i64) {
        let next = if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        };
        let start =
            |m: YearMonth| days_from_civil(m.year, m.month, 1) * 86_400 - CHINA_OFFSET_SECONDS;
        (start(self), start(next))
    }
}

/// A moment as people in the community read it: `2026-11-21 16:30`, China Standard Time.
pub fn china_time_label(unix_seconds: i64) -> String {
    let local = unix_seconds + CHINA_OFFSET_SECONDS;
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let minute_of_day = local.rem_euclid(86_400) / 60;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// ISO 8601 in China time, as Open311 wants dates: `2026-11-21T16:30:00+08:00`.
pub fn china_iso8601(unix_seconds: i64) -> String {
    let local = unix_seconds + CHINA_OFFSET_SECONDS;
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let second_of_day = local.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+08:00",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Reads a W3C date-time as Open311 sends them (`2026-11-21T16:30:00+08:00`,
/// `2026-11-21T08:30Z`, optional seconds and fraction, the zone required): unix seconds, or
/// `None` when it is not one. Fractions of a second are dropped.
pub fn parse_iso8601(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (date, rest) = raw.split_once('T')?;
    let num = |s: &str, len: usize| -> Option<i64> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut parts = date.split('-');
    let (year, month, day) = (
        num(parts.next()?, 4)?,
        num(parts.next()?, 2)?,
        num(parts.next()?, 2)?,
    );
    if parts.next().is_some() || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let (time, offset) = if let Some(time) = rest.strip_suffix('Z') {
        (time, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (time, zone) = rest.split_at(at);
        let (hours, minutes) = zone[1..].split_once(':')?;
        let (hours, minutes) = (num(hours, 2)?, num(minutes, 2)?);
        if hours > 23 || minutes > 59 {
            return None;
        }
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        (time, sign * (hours * 3600 + minutes * 60))
    };
    let mut clock = time.split(':');
    let (hour, minute) = (num(clock.next()?, 2)?, num(clock.next()?, 2)?);
    let second = match clock.next() {
        None => 0,
        Some(s) => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
            if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            num(whole, 2)?
        }
    };
    if clock.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year as i32, month as u32, day as u32);
    // 31 February is not a day: it would come back as another one.
    if civil_from_days(days) != (year as i32, month as u32, day as u32) {
        return None;
    }
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// A span of time in whole days, hours and minutes (for "还剩 2 天 3 小时").
pub fn split_duration(seconds: i64) -> (i64, i64, i64) {
    let s = seconds.abs();
    (s / 86_400, s % 86_400 / 3600, s % 3600 / 60)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (the inverse of `days_from_civil`).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::TimeLimits;
    use RequestStatus as S;

    const HOUR: i64 = 3600;
    const T0: i64 = 1_780_000_000;

    fn req(status: S) -> RequestFacts {
        RequestFacts {
            status,
            submitted_at: T0,
            deadlines: Deadlines::from_submission(T0, TimeLimits::ORDINARY),
            responded_at: None,
            resolved_at: None,
            satisfied: None,
        }
    }

    #[test]
    fn figures_stay_the_same_until_their_next_change_and_not_after() {
        let limits = Deadlines::from_submission(T0, TimeLimits::ORDINARY);
        let answered = RequestFacts {
            responded_at: Some(T0 + HOUR),
            ..req(S::Accepted)
        };
        let resolved = RequestFacts {
            responded_at: Some(T0 + HOUR),
            resolved_at: Some(T0 + 2 * HOUR),
            ..req(S::Resolved)
        };
        let facts = [req(S::Submitted), answered, resolved, req(S::Withdrawn)];

        // Inside the response window, the unanswered request's deadline comes first.
        let now = T0 + 10;
        let next = next_change(&facts, now).unwrap();
        assert_eq!(next, limits.respond_by + 1);
        assert_eq!(compute(&facts, now), compute(&facts, next - 1));
        assert_ne!(compute(&facts, now), compute(&facts, next));

        // Then the resolution deadline of the two still being handled.
        let next = next_change(&facts, limits.respond_by + 1).unwrap();
        assert_eq!(next, limits.resolve_by + 1);
        assert_eq!(
            compute(&facts, limits.respond_by + 1),
            compute(&facts, next - 1)
        );
        assert_ne!(compute(&facts, next - 1), compute(&facts, next));

        // Past every deadline, time changes nothing more.
        assert_eq!(next_change(&facts, limits.resolve_by + 1), None);
        assert_eq!(next_change(&[req(S::Withdrawn), resolved], T0), None);
    }

    #[test]
    fn nothing_received_gives_no_rates_not_zero() {
        let f = compute(&[], T0);
        assert_eq!(f.received, 0);
        assert_eq!(f.completion.per_mille(), None);
        assert_eq!(f.response.per_mille(), None);
        assert_eq!(f.satisfaction.per_mille(), None);
        assert_eq!(f.median_seconds_to_resolution, None);
    }

    #[test]
    fn a_hand_checked_month() {
        let respond_by = T0 + 24 * HOUR;
        let resolve_by = T0 + 7 * 24 * HOUR;
        let now = T0 + 30 * 24 * HOUR;
        let facts = [
            // Responded exactly at the deadline (on time), resolved in 10 h, satisfied.
            RequestFacts {
                responded_at: Some(respond_by),
                resolved_at: Some(T0 + 10 * HOUR),
                satisfied: Some(true),
                ..req(S::Closed)
            },
            // Responded a second late, resolved exactly at its deadline (not overdue), unrated.
            RequestFacts {
                responded_at: Some(respond_by + 1),
                resolved_at: Some(resolve_by),
                ..req(S::Resolved)
            },
            // On time, resolved late (after 8 days), rated unsatisfied, then reopened: not done now.
            RequestFacts {
                responded_at: Some(T0 + HOUR),
                resolved_at: Some(T0 + 8 * 24 * HOUR),
                satisfied: Some(false),
                ..req(S::Reopened)
            },
            // Never responded, deadline passed: judged late for response, overdue for resolution.
            req(S::Submitted),
            // Rejected within the hour: counts for response, not for completion.
            RequestFacts {
                responded_at: Some(T0 + HOUR),
                ..req(S::Rejected)
            },
            // Withdrawn: counted as received, nothing else.
            req(S::Withdrawn),
        ];
        let f = compute(&facts, now);
        assert_eq!(f.received, 6);
        assert_eq!((f.withdrawn, f.rejected), (1, 1));
        // Taken on: 4 (closed, resolved, reopened, submitted); completed: 2.
        assert_eq!(f.completed, 2);
        assert_eq!(f.completion, Ratio { num: 2, den: 4 });
        assert_eq!(f.completion.per_mille(), Some(500));
        // Judged for response: 5 (all but the withdrawn); on time: closed, reopened, rejected.
        assert_eq!(f.response, Ratio { num: 3, den: 5 });
        assert_eq!(f.response.per_mille(), Some(600));
        // Durations of the completed two: 10 h and 168 h; median of an even count is their mean.
        assert_eq!(f.median_seconds_to_resolution, Some((10 + 168) * HOUR / 2));
        // Rated: 2 (satisfied, unsatisfied).
        assert_eq!(f.satisfaction, Ratio { num: 1, den: 2 });
        // Overdue: the reopened one (open, past deadline) and the never-answered one.
        assert_eq!(f.overdue, 2);
    }

    #[test]
    fn a_request_inside_its_response_window_is_not_judged_yet() {
        let f = compute(&[req(S::Submitted)], T0 + 24 * HOUR);
        assert_eq!(f.response, Ratio { num: 0, den: 0 });
        let f = compute(&[req(S::Submitted)], T0 + 24 * HOUR + 1);
        assert_eq!(f.response, Ratio { num: 0, den: 1 });
    }

    #[test]
    fn ratios_round_half_up_in_tenths_of_a_percent() {
        assert_eq!(Ratio { num: 1, den: 3 }.per_mille(), Some(333));
        assert_eq!(Ratio { num: 2, den: 3 }.per_mille(), Some(667));
        assert_eq!(Ratio { num: 1, den: 8 }.per_mille(), Some(125));
        assert_eq!(Ratio { num: 2, den: 3 }.percent_label(), "66.7%");
        assert_eq!(Ratio { num: 0, den: 0 }.percent_label(), "—");
        assert_eq!(Ratio { num: 1, den: 2000 }.per_mille(), Some(1)); // 0.05% rounds up to 0.1%
        assert_eq!(Ratio { num: 5, den: 5 }.per_mille(), Some(1000));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [7]), Some(7));
        assert_eq!(median(&mut [9, 1, 5]), Some(5));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2)); // (2 + 3) / 2 rounded down
    }

    #[test]
    fn months_follow_china_time() {
        // 2026-01-31T16:00:00Z is 2026-02-01 00:00 in Beijing.
        let feb_first_cst = 1_769_875_200;
        assert_eq!(
            YearMonth::of(feb_first_cst - 1),
            YearMonth {
                year: 2026,
                month: 1
            }
        );
        assert_eq!(
            YearMonth::of(feb_first_cst),
            YearMonth {
                year: 2026,
                month: 2
            }
        );
        let (start, end) = YearMonth {
            year: 2026,
            month: 2,
        }
        .bounds();
        assert_eq!(start, feb_first_cst);
        assert_eq!(end - start, 28 * 86_400);
        let (dec_start, dec_end) = YearMonth {
            year: 2024,
            month: 12,
        }
        .bounds();
        assert_eq!(
            YearMonth::of(dec_start),
            YearMonth {
                year: 2024,
                month: 12
            }
        );
        assert_eq!(
            YearMonth::of(dec_end),
            YearMonth {
                year: 2025,
                month: 1
            }
        );
        // Leap years: February 2024 has 29 days.
        let (s, e) = YearMonth {
            year: 2024,
            month: 2,
        }
        .bounds();
        assert_eq!(e - s, 29 * 86_400);
    }

    #[test]
    fn months_parse_print_and_step_back() {
        let m = YearMonth::parse("2026-01").unwrap();
        assert_eq!(m.to_string(), "2026-01");
        assert_eq!(
            m.previous(),
            YearMonth {
                year: 2025,
                month: 12
            }
        );
        for bad in [
            "2026-13", "2026-00", "2026-1", "26-01", "2026/01", "", "1969-12",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn time_labels_are_china_time() {
        // 2026-01-31T16:00:00Z is midnight on 1 February in Beijing.
        assert_eq!(china_time_label(1_769_875_200), "2026-02-01 00:00");
        assert_eq!(china_time_label(1_769_875_200 - 60), "2026-01-31 23:59");
        assert_eq!(
            china_iso8601(1_769_875_200 + 61),
            "2026-02-01T00:01:01+08:00"
        );
        assert_eq!(split_duration(2 * 86_400 + 3 * 3600 + 59), (2, 3, 0));
        assert_eq!(split_duration(-(3600 + 120)), (0, 1, 2));
    }

    #[test]
    fn w3c_date_times_are_read_in_their_zone() {
        let midnight_beijing = 1_769_875_200; // 2026-02-01T00:00:00+08:00
        for (raw, want) in [
            ("2026-02-01T00:00:00+08:00", Some(midnight_beijing)),
            ("2026-01-31T16:00:00Z", Some(midnight_beijing)),
            ("2026-01-31T16:00Z", Some(midnight_beijing)),
            ("2026-01-31T11:00:00-05:00", Some(midnight_beijing)),
            ("2026-01-31T16:00:00.250Z", Some(midnight_beijing)),
            (" 2026-02-01T00:01:01+08:00 ", Some(midnight_beijing + 61)),
            ("2024-02-29T00:00:00Z", Some(1_709_164_800)),
            // No zone, a date alone, impossible dates and times, other shapes.
            ("2026-02-01T00:00:00", None),
            ("2026-02-01", None),
            ("2026-02-30T00:00:00Z", None),
            ("2026-13-01T00:00:00Z", None),
            ("2026-02-01T24:00:00Z", None),
            ("2026-02-01T00:60:00Z", None),
            ("2026-02-01T00:00:00+8:00", None),
            ("2026-02-01T00:00:00+08:00:00", None),
            ("2026-02-01T00:00:00.Z", None),
            ("26-02-01T00:00:00Z", None),
            ("yesterday", None),
            ("", None),
        ] {
            assert_eq!(parse_iso8601(raw), want, "{raw:?}");
        }
        for t in [0, 1_769_875_261, 1_800_000_000] {
            assert_eq!(parse_iso8601(&china_iso8601(t)), Some(t));
        }
    }

    #[test]
    fn calendar_conversion_round_trips() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }
}
