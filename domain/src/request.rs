//! Service requests (办事): the lifecycle as a state machine, deadlines, tracking numbers, and
//! the rules for the fields a resident fills in. The server refuses every transition this
//! module refuses; the SPA offers only the actions it allows.

use crate::validation::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// 待受理: sent, waiting for the community to respond.
    Submitted,
    /// 已受理: the community has taken it on.
    Accepted,
    /// 已派单: given to a handler (a grid worker, or a department: 吹哨).
    Dispatched,
    /// 办理中: the handler is working on it.
    InProgress,
    /// 已办结: the handler says it is done; waiting for the resident's rating.
    Resolved,
    /// 重新办理: the resident was not satisfied; back to the handler.
    Reopened,
    /// 已评价: the resident was satisfied. Final.
    Closed,
    /// 不予受理: refused with a reason (out of scope, duplicate, referred elsewhere). Final.
    Rejected,
    /// 已撤回: the resident withdrew it before it was accepted. Final.
    Withdrawn,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 9] = [
        RequestStatus::Submitted,
        RequestStatus::Accepted,
        RequestStatus::Dispatched,
        RequestStatus::InProgress,
        RequestStatus::Resolved,
        RequestStatus::Reopened,
        RequestStatus::Closed,
        RequestStatus::Rejected,
        RequestStatus::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RequestStatus::Submitted => "submitted",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Dispatched => "dispatched",
            RequestStatus::InProgress => "in_progress",
            RequestStatus::Resolved => "resolved",
            RequestStatus::Reopened => "reopened",
            RequestStatus::Closed => "closed",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// No action can move a request out of a final status.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestStatus::Closed | RequestStatus::Rejected | RequestStatus::Withdrawn
        )
    }

    /// The work is done (办结): resolved, whether or not the resident has rated it yet.
    pub fn is_completed(self) -> bool {
        matches!(self, RequestStatus::Resolved | RequestStatus::Closed)
    }

    /// Open311 GeoReport v2 knows only `open` and `closed`: a request is closed once the
    /// community considers it resolved or will not act on it.
    pub fn open311(self) -> &'static str {
        match self {
            RequestStatus::Resolved
            | RequestStatus::Closed
            | RequestStatus::Rejected
            | RequestStatus::Withdrawn => "closed",
            _ => "open",
        }
    }
}

/// Something someone does to a request that changes its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestAction {
    Accept,
    Reject,
    /// Give it to a handler; also re-dispatches to another one.
    Dispatch,
    Start,
    Resolve,
    Withdraw,
    RateSatisfied,
    RateUnsatisfied,
}

impl RequestAction {
    pub const ALL: [RequestAction; 8] = [
        RequestAction::Accept,
        RequestAction::Reject,
        RequestAction::Dispatch,
        RequestAction::Start,
        RequestAction::Resolve,
        RequestAction::Withdraw,
        RequestAction::RateSatisfied,
        RequestAction::RateUnsatisfied,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RequestAction::Accept => "accept",
            RequestAction::Reject => "reject",
            RequestAction::Dispatch => "dispatch",
            RequestAction::Start => "start",
            RequestAction::Resolve => "resolve",
            RequestAction::Withdraw => "withdraw",
            RequestAction::RateSatisfied => "rate_satisfied",
            RequestAction::RateUnsatisfied => "rate_unsatisfied",
        }
    }

    /// What `actor` may do to a request in status `from`.
    pub fn allowed(from: RequestStatus, actor: Actor) -> Vec<RequestAction> {
        Self::ALL
            .into_iter()
            .filter(|a| transition(from, *a, actor).is_ok())
            .collect()
    }

    /// Who may take this action at all, whatever the status.
    pub fn taken_by(self) -> Actor {
        match self {
            RequestAction::Withdraw
            | RequestAction::RateSatisfied
            | RequestAction::RateUnsatisfied => Actor::Author,
            _ => Actor::Staff,
        }
    }
}

/// Why staff turn a request down (不予受理); the reject action must name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Not something the community handles.
    OutOfScope,
    /// The same matter is already being handled under another request.
    Duplicate,
    /// Handed to the body that handles it (a department, the property company, the police).
    ReferredElsewhere,
}

impl RejectReason {
    pub const ALL: [RejectReason; 3] = [
        RejectReason::OutOfScope,
        RejectReason::Duplicate,
        RejectReason::ReferredElsewhere,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RejectReason::OutOfScope => "out_of_scope",
            RejectReason::Duplicate => "duplicate",
            RejectReason::ReferredElsewhere => "referred_elsewhere",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// Who acts on a request, as far as the lifecycle cares: the resident who sent it, or staff.
/// Anyone else (another resident, the public) may take no action at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    Author,
    Staff,
    Other,
}

/// Why a transition was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// This actor may never take this action (HTTP 403).
    NotYours,
    /// The action exists for this actor, but not from the request's current status (HTTP 409).
    NotNow,
}

/// The lifecycle: the status after `action` by `actor`, or why it is refused.
pub fn transition(
    from: RequestStatus,
    action: RequestAction,
    actor: Actor,
) -> Result<RequestStatus, TransitionError> {
    use RequestAction as A;
    use RequestStatus as S;
    if actor != action.taken_by() {
        return Err(TransitionError::NotYours);
    }
    let to = match (from, action) {
        (S::Submitted, A::Accept) => S::Accepted,
        (S::Submitted, A::Reject) => S::Rejected,
        // Dispatching again hands the request to another handler.
        (S::Accepted | S::Dispatched | S::InProgress | S::Reopened, A::Dispatch) => S::Dispatched,
        (S::Dispatched | S::Reopened, A::Start) => S::InProgress,
        (S::InProgress, A::Resolve) => S::Resolved,
        // Until the community has accepted it, the resident can take it back.
        (S::Submitted, A::Withdraw) => S::Withdrawn,
        (S::Resolved, A::RateSatisfied) => S::Closed,
        // "Unsatisfied" sends it back to be handled again.
        (S::Resolved, A::RateUnsatisfied) => S::Reopened,
        _ => return Err(TransitionError::NotNow),
    };
    Ok(to)
}

/// The time limits of a request category, in hours from submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeLimits {
    /// Until the community must respond (accept or reject).
    pub response_hours: u32,
    /// Until the request must be resolved.
    pub resolution_hours: u32,
}

impl TimeLimits {
    /// Hotline practice: urgent matters within hours, ordinary ones within 7 days, complex
    /// ones within 15.
    pub const URGENT: TimeLimits = TimeLimits {
        response_hours: 1,
        resolution_hours: 24,
    };
    pub const ORDINARY: TimeLimits = TimeLimits {
        response_hours: 24,
        resolution_hours: 7 * 24,
    };
    pub const COMPLEX: TimeLimits = TimeLimits {
        response_hours: 48,
        resolution_hours: 15 * 24,
    };
}

/// When a request must be responded to and resolved, in unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadlines {
    pub respond_by: i64,
    pub resolve_by: i64,
}

impl Deadlines {
    pub fn from_submission(submitted_at: i64, limits: TimeLimits) -> Self {
        Deadlines {
            respond_by: submitted_at + i64::from(limits.response_hours) * 3600,
            resolve_by: submitted_at + i64::from(limits.resolution_hours) * 3600,
        }
    }
}

/// Late means after the deadline: something done exactly at the deadline is on time. A thing
/// not done yet is judged at `now`.
pub fn is_late(deadline: i64, done_at: Option<i64>, now: i64) -> bool {
    done_at.unwrap_or(now) > deadline
}

/// Seconds left until `deadline` at `now`; negative when overdue.
pub fn seconds_left(deadline: i64, now: i64) -> i64 {
    deadline - now
}

/// A request's public tracking number, `LL-2026-000123`: the year it was sent and its number
/// within that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingNumber {
    pub year: u16,
    pub seq: u32,
}

impl TrackingNumber {
    pub const PREFIX: &'static str = "LL";
    /// Six digits: a community's requests in a year fit easily; more would still print, wider.
    const SEQ_WIDTH: usize = 6;

    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_uppercase();
        let mut parts = raw.split('-');
        let (prefix, year, seq) = (parts.next()?, parts.next()?, parts.next()?);
        if prefix != Self::PREFIX
            || parts.next().is_some()
            || year.len() != 4
            || seq.len() < Self::SEQ_WIDTH
        {
            return None;
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(year) || !all_digits(seq) {
            return None;
        }
        let seq: u32 = seq.parse().ok().filter(|&n| n > 0)?;
        Some(TrackingNumber {
            year: year.parse().ok()?,
            seq,
        })
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:04}-{:0width$}",
            Self::PREFIX,
            self.year,
            self.seq,
            width = Self::SEQ_WIDTH
        )
    }
}

/// Checks a point picked on a map: finite WGS-84 coordinates.
pub fn check_point(lat: f64, lon: f64) -> Result<(), FieldError> {
    let ok = lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon);
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("location", ErrorCode::LocationInvalid))
    }
}

/// A short free text (a reason, a handler's name, an address): trimmed, bounded, no control
/// characters.
pub fn short_text(field: &'static str, raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.chars().count() > max_chars {
        return Err(FieldError::new(field, ErrorCode::AnswerTooLong));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(field, ErrorCode::TextInvalid));
    }
    Ok(text.to_owned())
}

/// A request's title: what it is about, in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTitle(String);

/// The longest `Idempotency-Key` accepted; a UUID is 36 characters.
pub const IDEMPOTENCY_KEY_MAX: usize = 64;

/// A client's name for one request it sends (the `Idempotency-Key` header): sent again with the
/// same key, after a lost answer or from a queue kept while offline, it is created only once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1 to [`IDEMPOTENCY_KEY_MAX`] ASCII letters, digits or `-_.:`; nothing else is trimmed
    /// or changed, since the key is compared byte for byte.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let fits = (1..=IDEMPOTENCY_KEY_MAX).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        fits.then(|| IdempotencyKey(raw.to_owned()))
            .ok_or_else(|| FieldError::new("Idempotency-Key", ErrorCode::IdempotencyKeyInvalid))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl RequestTitle {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let title = raw.trim();
        if title.is_empty() {
            return Err(FieldError::new("title", ErrorCode::Required));
        }
        if title.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("title", ErrorCode::TitleTooLong));
        }
        if title.chars().any(char::is_control) {
            return Err(FieldError::new("title", ErrorCode::TextInvalid));
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A request's description: optional (one-tap reports need none), at most 2000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDescription(String);

impl RequestDescription {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = raw.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "description",
                ErrorCode::DescriptionTooLong,
            ));
        }
        // Line breaks and tabs are how people write; other control characters are not.
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(FieldError::new("description", ErrorCode::TextInvalid));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Characters left, for the form's counter (negative when over).
    pub fn chars_left(raw: &str) -> i64 {
        chars_left(raw, Self::MAX_CHARS)
    }
}

/// Characters left of `max` for a form's counter, counted as the rules count a text (trimmed,
/// in characters); negative when over.
pub fn chars_left(raw: &str, max: usize) -> i64 {
    max as i64 - raw.trim().chars().count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_short_plain_ascii_kept_as_sent() {
        let uuid = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b";
        assert_eq!(IdempotencyKey::parse(uuid).unwrap().as_str(), uuid);
        assert!(IdempotencyKey::parse("offline:2026-11-21T08.30_1").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(IDEMPOTENCY_KEY_MAX)).is_ok());
        for bad in ["", " key", "key ", "键", "a/b", "a\nb"] {
            let e = IdempotencyKey::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::IdempotencyKeyInvalid, "{bad:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(IDEMPOTENCY_KEY_MAX + 1)).is_err());
    }

    #[test]
    fn reject_reasons_round_trip() {
        for reason in RejectReason::ALL {
            assert_eq!(RejectReason::parse(reason.key()), Some(reason));
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.key()));
        }
        assert_eq!(RejectReason::parse("spam"), None);
    }
    use RequestAction as A;
    use RequestStatus as S;

    /// Every allowed transition, written out by hand; everything else must be refused.
    const ALLOWED: [(S, A, S); 12] = [
        (S::Submitted, A::Accept, S::Accepted),
        (S::Submitted, A::Reject, S::Rejected),
        (S::Submitted, A::Withdraw, S::Withdrawn),
        (S::Accepted, A::Dispatch, S::Dispatched),
        (S::Dispatched, A::Dispatch, S::Dispatched),
        (S::InProgress, A::Dispatch, S::Dispatched),
        (S::Reopened, A::Dispatch, S::Dispatched),
        (S::Dispatched, A::Start, S::InProgress),
        (S::Reopened, A::Start, S::InProgress),
        (S::InProgress, A::Resolve, S::Resolved),
        (S::Resolved, A::RateSatisfied, S::Closed),
        (S::Resolved, A::RateUnsatisfied, S::Reopened),
    ];

    #[test]
    fn every_status_action_and_actor_follows_the_table() {
        for from in S::ALL {
            for action in A::ALL {
                let allowed = ALLOWED
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|r| r.2);
                for actor in [Actor::Author, Actor::Staff, Actor::Other] {
                    let got = transition(from, action, actor);
                    let expected = if actor != action.taken_by() {
                        Err(TransitionError::NotYours)
                    } else {
                        allowed.ok_or(TransitionError::NotNow)
                    };
                    assert_eq!(got, expected, "{from:?} --{action:?} by {actor:?}");
                }
            }
        }
    }

    #[test]
    fn action_keys_match_their_serialised_names() {
        for action in A::ALL {
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.key()));
        }
        assert_eq!(
            RequestAction::allowed(S::Submitted, Actor::Author),
            vec![A::Withdraw]
        );
        assert_eq!(
            RequestAction::allowed(S::Submitted, Actor::Staff),
            vec![A::Accept, A::Reject]
        );
        assert!(RequestAction::allowed(S::Submitted, Actor::Other).is_empty());
    }

    #[test]
    fn who_may_do_what() {
        assert_eq!(
            transition(S::Submitted, A::Accept, Actor::Author),
            Err(TransitionError::NotYours)
        );
        assert_eq!(
            transition(S::Resolved, A::RateSatisfied, Actor::Staff),
            Err(TransitionError::NotYours)
        );
        assert_eq!(
            transition(S::Submitted, A::Withdraw, Actor::Other),
            Err(TransitionError::NotYours)
        );
        assert_eq!(
            transition(S::Accepted, A::Withdraw, Actor::Author),
            Err(TransitionError::NotNow)
        );
    }

    #[test]
    fn final_statuses_admit_nothing() {
        for from in S::ALL.into_iter().filter(|s| s.is_final()) {
            for action in A::ALL {
                assert!(
                    transition(from, action, action.taken_by()).is_err(),
                    "{from:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn an_unsatisfied_rating_goes_round_again() {
        let mut status = S::Submitted;
        for (action, actor) in [
            (A::Accept, Actor::Staff),
            (A::Dispatch, Actor::Staff),
            (A::Start, Actor::Staff),
            (A::Resolve, Actor::Staff),
            (A::RateUnsatisfied, Actor::Author),
            (A::Start, Actor::Staff),
            (A::Resolve, Actor::Staff),
            (A::RateSatisfied, Actor::Author),
        ] {
            status = transition(status, action, actor).unwrap();
        }
        assert_eq!(status, S::Closed);
    }

    #[test]
    fn statuses_round_trip_and_map_onto_open311() {
        for s in S::ALL {
            assert_eq!(S::parse(s.key()), Some(s));
            assert_eq!(
                s.open311() == "closed",
                s.is_final() || s == S::Resolved,
                "{s:?}"
            );
        }
        assert_eq!(S::parse("done"), None);
    }

    #[test]
    fn deadlines_and_lateness_at_the_boundary() {
        let sent = 1_780_000_000;
        let d = Deadlines::from_submission(sent, TimeLimits::ORDINARY);
        assert_eq!(d.respond_by, sent + 24 * 3600);
        assert_eq!(d.resolve_by, sent + 7 * 24 * 3600);
        // Exactly at the deadline is on time; one second later is late.
        assert!(!is_late(
            d.respond_by,
            Some(d.respond_by),
            d.respond_by + 99
        ));
        assert!(is_late(d.respond_by, Some(d.respond_by + 1), d.respond_by));
        // Not done yet: judged at now.
        assert!(!is_late(d.resolve_by, None, d.resolve_by));
        assert!(is_late(d.resolve_by, None, d.resolve_by + 1));
        assert_eq!(seconds_left(d.resolve_by, d.resolve_by + 60), -60);
    }

    #[test]
    fn tracking_numbers_print_and_parse() {
        let n = TrackingNumber {
            year: 2026,
            seq: 123,
        };
        assert_eq!(n.to_string(), "LL-2026-000123");
        assert_eq!(TrackingNumber::parse(" ll-2026-000123 "), Some(n));
        assert_eq!(
            TrackingNumber {
                year: 2026,
                seq: 1_234_567
            }
            .to_string(),
            "LL-2026-1234567"
        );
        for bad in [
            "LL-2026-123",
            "LX-2026-000123",
            "LL-26-000123",
            "LL-2026-000000",
            "LL-2026-00012a",
            "LL-2026-000123-1",
            "",
        ] {
            assert_eq!(TrackingNumber::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn points_and_short_texts() {
        assert!(check_point(30.31, 120.14).is_ok());
        assert!(check_point(90.0, -180.0).is_ok());
        for (lat, lon) in [
            (90.1, 0.0),
            (0.0, 180.5),
            (f64::NAN, 0.0),
            (0.0, f64::INFINITY),
        ] {
            assert_eq!(
                check_point(lat, lon).unwrap_err().code,
                ErrorCode::LocationInvalid
            );
        }
        assert_eq!(short_text("note", "  已处理 ", 10).unwrap(), "已处理");
        assert_eq!(
            short_text("note", "abcd", 3).unwrap_err().code,
            ErrorCode::AnswerTooLong
        );
        assert_eq!(
            short_text("note", "a\u{0}b", 3).unwrap_err().code,
            ErrorCode::TextInvalid
        );
    }

    #[test]
    fn titles_and_descriptions() {
        assert_eq!(
            RequestTitle::parse("  楼道灯坏了 ").unwrap().as_str(),
            "楼道灯坏了"
        );
        assert_eq!(
            RequestTitle::parse(" ").unwrap_err().code,
            ErrorCode::Required
        );
        assert!(RequestTitle::parse(&"灯".repeat(50)).is_ok());
        assert_eq!(
            RequestTitle::parse(&"灯".repeat(51)).unwrap_err().code,
            ErrorCode::TitleTooLong
        );
        assert_eq!(
            RequestTitle::parse("a\u{0007}b").unwrap_err().code,
            ErrorCode::TextInvalid
        );

        assert_eq!(RequestDescription::parse("").unwrap().as_str(), "");
        assert!(RequestDescription::parse("第一行\n第二行\t缩进").is_ok());
        assert!(RequestDescription::parse(&"字".repeat(2000)).is_ok());
        let over = "字".repeat(2001);
        assert_eq!(
            RequestDescription::parse(&over).unwrap_err().code,
            ErrorCode::DescriptionTooLong
        );
        assert_eq!(RequestDescription::chars_left(&over), -1);
        assert_eq!(RequestDescription::chars_left("  abc  "), 1997);
    }
}
