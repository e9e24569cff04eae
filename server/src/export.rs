//! Published results as files people open in a spreadsheet: CSV (RFC 4180) in UTF-8 with a
//! byte order mark, without which Excel reads Chinese as mojibake, and CRLF line ends.
//!
//! Only public figures go in: a vote's result sheet holds its settings, its tally, its verdict
//! and the receipt hashes, never a name, a phone number or which household voted what.

use linli_domain::Lang;
use linli_domain::ballot::{DecisionRule, Threshold, Verdict, Weight};
use linli_domain::consultation::{Electorate, TopicSummary, VoteView};
use linli_domain::figures::china_time_label;
use std::borrow::Cow;

/// A CSV document being written.
pub struct Csv {
    out: String,
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

impl Csv {
    pub fn new() -> Self {
        Self {
            out: String::from("\u{FEFF}"),
        }
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        let line: Vec<Cow<'_, str>> = cells.iter().map(|c| cell(c.as_ref())).collect();
        self.out.push_str(&line.join(","));
        self.out.push_str("\r\n");
    }

    pub fn blank(&mut self) {
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// One field: quoted when it holds a comma, a quote or a line break. Text that a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
/// leading apostrophe, so a title typed by anyone stays text.
fn cell(value: &str) -> Cow<'_, str> {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let value: Cow<'_, str> = if formula {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    };
    if value.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        value
    }
}

/// Hundredths of a m² as people write them: `1444.92`.
fn square_metres(centi: u64) -> String {
    format!("{}.{:02}", centi / 100, centi % 100)
}

struct Words {
    header: [&'static str; 2],
    topic_id: &'static str,
    topic: &'static str,
    scope: &'static str,
    question: &'static str,
    electorate: &'static str,
    owners: &'static str,
    households: &'static str,
    rule: &'static str,
    ballot: &'static str,
    secret: &'static str,
    named: &'static str,
    opened: &'static str,
    closes: &'static str,
    closed: &'static str,
    not_closed: &'static str,
    verdict: &'static str,
    revision: &'static str,
    correction_reason: &'static str,
    passed: &'static str,
    failed: &'static str,
    in_progress: &'static str,
    units_owners: &'static str,
    units_households: &'static str,
    area: &'static str,
    eligible: &'static str,
    participating: &'static str,
    yes: &'static str,
    no: &'static str,
    abstain: &'static str,
    condition: &'static str,
    met: &'static str,
    quorum_units: &'static str,
    quorum_area: &'static str,
    approval_units: &'static str,
    approval_area: &'static str,
    yes_word: &'static str,
    no_word: &'static str,
    receipts: &'static str,
    receipts_later: &'static str,
    time_zone: &'static str,
    chose: &'static str,
    round: &'static str,
    exhausted: &'static str,
    eliminated: &'static str,
    winner: &'static str,
    none: &'static str,
}

const ZH: Words = Words {
    header: ["项目", "内容"],
    topic_id: "议题编号",
    topic: "议题",
    scope: "范围",
    question: "表决事项",
    electorate: "表决人",
    owners: "业主：每个专有部分一票，按专有面积计",
    households: "住户：每户一票",
    rule: "规则",
    ballot: "投票方式",
    secret: "无记名",
    named: "记名",
    opened: "开始时间",
    closes: "截止时间",
    closed: "结束时间",
    not_closed: "尚未结束",
    verdict: "结果",
    revision: "公布版本",
    correction_reason: "更正原因",
    passed: "通过",
    failed: "未通过",
    in_progress: "表决进行中（实时计票）",
    units_owners: "专有部分数（户）",
    units_households: "户数",
    area: "面积（平方米）",
    eligible: "应参与",
    participating: "参与",
    yes: "同意",
    no: "反对",
    abstain: "弃权",
    condition: "条件",
    met: "是否达到",
    quorum_units: "参与表决的人数",
    quorum_area: "参与表决的面积",
    approval_units: "同意的人数",
    approval_area: "同意的面积",
    yes_word: "是",
    no_word: "否",
    receipts: "回执哈希（SHA-256，可用来核对自己的选票已计入）",
    receipts_later: "表决结束后公布",
    time_zone: "时间为北京时间",
    chose: "选择了方案",
    round: "轮次",
    exhausted: "无后续选择",
    eliminated: "淘汰",
    winner: "胜出",
    none: "无",
};

const EN: Words = Words {
    header: ["Item", "Value"],
    topic_id: "Topic number",
    topic: "Topic",
    scope: "Scope",
    question: "Question",
    electorate: "Voters",
    owners: "Owners: one vote per exclusive unit, weighted by floor area",
    households: "Households: one vote each",
    rule: "Rule",
    ballot: "Ballot",
    secret: "secret",
    named: "named",
    opened: "Opened",
    closes: "Closes",
    closed: "Closed",
    not_closed: "not yet",
    verdict: "Result",
    revision: "Published revision",
    correction_reason: "Reason for the correction",
    passed: "passed",
    failed: "not passed",
    in_progress: "voting in progress (live count)",
    units_owners: "Units",
    units_households: "Households",
    area: "Area (m²)",
    eligible: "Eligible",
    participating: "Participating",
    yes: "Yes",
    no: "No",
    abstain: "Abstain",
    condition: "Condition",
    met: "Met",
    quorum_units: "Owners taking part",
    quorum_area: "Area taking part",
    approval_units: "Approval by number",
    approval_area: "Approval by area",
    yes_word: "yes",
    no_word: "no",
    receipts: "Receipt hashes (SHA-256: check that your ballot was counted)",
    receipts_later: "published when the vote closes",
    time_zone: "Times are China Standard Time",
    chose: "Chose an option",
    round: "Round",
    exhausted: "Exhausted",
    eliminated: "Eliminated",
    winner: "Winner",
    none: "None",
};

fn threshold(lang: Lang, t: Threshold) -> String {
    let bound = match (lang, t.inclusive) {
        (Lang::ZhCn, true) => "不少于",
        (Lang::ZhCn, false) => "超过",
        (Lang::En, true) => "at least",
        (Lang::En, false) => "more than",
    };
    match lang {
        Lang::ZhCn => format!("{bound}{}/{}", t.numerator, t.denominator),
        Lang::En => format!("{bound} {}/{}", t.numerator, t.denominator),
    }
}

/// The rule in one sentence.
pub fn describe_rule(lang: Lang, rule: DecisionRule) -> String {
    match (rule, lang) {
        (DecisionRule::SimpleMajority, Lang::ZhCn) => {
            "简单多数：同意票超过同意票与反对票之和的一半（弃权不计）".to_owned()
        }
        (DecisionRule::SimpleMajority, Lang::En) => {
            "Simple majority: more than half of the yes and no votes (abstentions not counted)"
                .to_owned()
        }
        (DecisionRule::TwoThirds, Lang::ZhCn) => {
            "三分之二多数：同意票不少于同意票与反对票之和的2/3（弃权不计）".to_owned()
        }
        (DecisionRule::TwoThirds, Lang::En) => {
            "Two-thirds majority: at least 2/3 of the yes and no votes (abstentions not counted)"
                .to_owned()
        }
        (DecisionRule::OwnersDecision { quorum, approval }, Lang::ZhCn) => {
            let kind = if rule == DecisionRule::ART_278_MAJOR {
                "重大事项"
            } else if rule == DecisionRule::ART_278_ORDINARY {
                "一般事项"
            } else {
                "业主共同决定"
            };
            format!(
                "《民法典》第二百七十八条（{kind}）：参与表决的专有面积和业主人数均{}；\
                 同意的专有面积和人数均{}（占参与表决的）",
                threshold(lang, quorum),
                threshold(lang, approval)
            )
        }
        (DecisionRule::OwnersDecision { quorum, approval }, Lang::En) => {
            let kind = if rule == DecisionRule::ART_278_MAJOR {
                "major matters"
            } else if rule == DecisionRule::ART_278_ORDINARY {
                "ordinary matters"
            } else {
                "owners' decision"
            };
            format!(
                "Civil Code Art. 278 ({kind}): owners holding {} of the exclusive area and {} of \
                 the owners take part; {} of the participating area and owners approve",
                threshold(lang, quorum),
                threshold(lang, quorum),
                threshold(lang, approval)
            )
        }
    }
}

/// A vote's result sheet. `tally` is the one [`VoteView`] showed (so it exists only once the
/// result may be shown); `receipt_hashes` are published after the close.
pub fn vote_result(
    lang: Lang,
    topic: &TopicSummary,
    vote: &VoteView,
    receipt_hashes: &[String],
) -> String {
    let w = match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    };
    let yes_no = |b: bool| if b { w.yes_word } else { w.no_word };
    let mut csv = Csv::new();
    csv.row(&w.header);
    csv.row(&[w.topic_id, &topic.id.to_string()]);
    csv.row(&[w.topic, &topic.title]);
    let scope = match lang {
        Lang::ZhCn => &topic.scope_zh,
        Lang::En => &topic.scope_en,
    };
    csv.row(&[w.scope, scope]);
    csv.row(&[w.question, &vote.question]);
    let electorate = match vote.electorate {
        Electorate::Owners => w.owners,
        Electorate::Households => w.households,
    };
    csv.row(&[w.electorate, electorate]);
    csv.row(&[w.rule, &describe_rule(lang, vote.rule)]);
    csv.row(&[w.ballot, if vote.secret { w.secret } else { w.named }]);
    csv.row(&[w.opened, &china_time_label(vote.opened_at)]);
    csv.row(&[w.closes, &china_time_label(vote.closes_at)]);
    let closed = vote
        .closed_at
        .map_or_else(|| w.not_closed.to_owned(), china_time_label);
    csv.row(&[w.closed, &closed]);
    let verdict = match vote.verdict {
        Some(Verdict { passed: true, .. }) => w.passed,
        Some(_) => w.failed,
        None => w.in_progress,
    };
    csv.row(&[w.verdict, verdict]);
    // A corrected result says which revision this is and why; the earlier ones stay on the page.
    if let Some(latest) = vote.revisions.last() {
        csv.row(&[
            w.revision,
            &latest.number.to_string(),
            &china_time_label(latest.published_at),
        ]);
        if !latest.reason.is_empty() {
            csv.row(&[w.correction_reason, &latest.reason]);
        }
    }
    csv.row(&["", w.time_zone]);

    csv.blank();
    let units = match vote.electorate {
        Electorate::Owners => w.units_owners,
        Electorate::Households => w.units_households,
    };
    csv.row(&["", units, w.area]);
    let line = |csv: &mut Csv, label: &str, weight: Weight| {
        csv.row(&[
            label,
            &weight.units.to_string(),
            &square_metres(weight.area_centi_m2),
        ]);
    };
    if let Some(tally) = &vote.tally {
        line(&mut csv, w.eligible, tally.eligible);
        line(&mut csv, w.participating, tally.participating());
        line(&mut csv, w.yes, tally.yes);
        line(&mut csv, w.no, tally.no);
        line(&mut csv, w.abstain, tally.abstain);
    }
    if let Some(result) = &vote.options_result {
        let tally = &result.tally;
        line(&mut csv, w.eligible, tally.eligible);
        line(&mut csv, w.participating, tally.participating());
        line(&mut csv, w.chose, tally.chose);
        line(&mut csv, w.abstain, tally.abstain);
        for (i, support) in tally.options.iter().enumerate() {
            let name = vote.options.get(i).map_or("", String::as_str);
            let passed = result.verdicts.get(i).map_or("", |v| yes_no(v.passed));
            csv.row(&[
                name,
                &support.units.to_string(),
                &square_metres(support.area_centi_m2),
                passed,
            ]);
        }
        if let Some(runoff) = &result.runoff {
            csv.blank();
            let mut head = vec![w.round];
            head.extend(vote.options.iter().map(String::as_str));
            head.extend([w.exhausted, w.eliminated]);
            csv.row(&head);
            for (n, round) in runoff.rounds.iter().enumerate() {
                let mut cells = vec![(n + 1).to_string()];
                cells.extend(round.votes.iter().map(u64::to_string));
                cells.push(round.exhausted.to_string());
                let out = round.eliminated.and_then(|o| vote.options.get(o));
                cells.push(out.cloned().unwrap_or_default());
                let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
                csv.row(&refs);
            }
            let winner = runoff.winner.and_then(|o| vote.options.get(o));
            csv.row(&[w.winner, winner.map_or(w.none, String::as_str)]);
        }
    }

    if let Some(v) = vote.verdict {
        csv.blank();
        csv.row(&[w.condition, w.met]);
        let conditions = [
            (w.quorum_units, v.quorum_by_units),
            (w.quorum_area, v.quorum_by_area),
            (w.approval_units, Some(v.approval_by_units)),
            (w.approval_area, v.approval_by_area),
        ];
        for (label, met) in conditions {
            if let Some(met) = met {
                csv.row(&[label, yes_no(met)]);
            }
        }
    }

    csv.blank();
    csv.row(&[w.receipts]);
    if vote.closed_at.is_none() {
        csv.row(&[w.receipts_later]);
    }
    for hash in receipt_hashes {
        csv.row(&[hash]);
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_domain::ballot::{YesNoTally, decide};
    use linli_domain::consultation::{Scope, TopicStatus};

    #[test]
    fn cells_are_quoted_only_when_needed_and_formulas_stay_text() {
        assert_eq!(cell("加装电梯"), "加装电梯");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("说\"好\""), "\"说\"\"好\"\"\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("1444.92"), "1444.92");
        let mut csv = Csv::new();
        csv.row(&["a", "b"]);
        csv.blank();
        assert_eq!(csv.finish(), "\u{FEFF}a,b\r\n\r\n");
    }

    #[test]
    fn areas_are_written_in_square_metres() {
        assert_eq!(square_metres(144_492), "1444.92");
        assert_eq!(square_metres(5), "0.05");
        assert_eq!(square_metres(0), "0.00");
    }

    #[test]
    fn rules_read_as_sentences() {
        let major = describe_rule(Lang::ZhCn, DecisionRule::ART_278_MAJOR);
        assert!(
            major.contains("重大事项") && major.contains("不少于2/3"),
            "{major}"
        );
        assert!(major.contains("不少于3/4"), "{major}");
        let ordinary = describe_rule(Lang::En, DecisionRule::ART_278_ORDINARY);
        assert!(ordinary.contains("more than 1/2"), "{ordinary}");
    }

    fn sheet(closed: bool) -> String {
        let w = |units, area_centi_m2| Weight {
            units,
            area_centi_m2,
        };
        let tally = YesNoTally {
            eligible: w(24, 144_492),
            yes: w(16, 96_328),
            no: w(3, 18_551),
            abstain: w(1, 5_478),
        };
        let topic = TopicSummary {
            id: 7,
            title: "3幢加装电梯, 两部".into(),
            status: TopicStatus::Decided,
            scope: Scope::Building(3),
            scope_zh: "翠柳苑 3 幢".into(),
            scope_en: "Cuiliu Garden, building 3".into(),
            cosigns: 5,
            cosign_threshold: 5,
            created_at: 0,
        };
        let rule = DecisionRule::ART_278_MAJOR;
        let vote = VoteView {
            id: 1,
            question: "是否同意？".into(),
            electorate: Electorate::Owners,
            rule,
            secret: false,
            live_tally: false,
            opened_at: 1_769_875_200,
            closes_at: 1_769_875_200 + 14 * 86_400,
            closed_at: closed.then_some(1_769_875_200 + 14 * 86_400),
            eligible: tally.eligible,
            tally: Some(tally),
            verdict: closed.then(|| decide(rule, &tally)),
            revisions: Vec::new(),
            my_units: Vec::new(),
            can_vote: false,
            has_voted: false,
            kind: Default::default(),
            options: Vec::new(),
            options_result: None,
        };
        vote_result(Lang::ZhCn, &topic, &vote, &["ab12".to_owned()])
    }

    #[test]
    fn a_result_sheet_has_the_settings_the_figures_the_verdict_and_the_receipts() {
        let csv = sheet(true);
        assert!(csv.starts_with("\u{FEFF}项目,内容\r\n"));
        for line in [
            "议题编号,7",
            "议题,\"3幢加装电梯, 两部\"",
            "范围,翠柳苑 3 幢",
            "开始时间,2026-02-01 00:00",
            "结束时间,2026-02-15 00:00",
            "结果,通过",
            ",专有部分数（户）,面积（平方米）",
            "应参与,24,1444.92",
            "参与,20,1203.57",
            "同意,16,963.28",
            "反对,3,185.51",
            "弃权,1,54.78",
            "参与表决的人数,是",
            "同意的面积,是",
            "ab12",
        ] {
            assert!(csv.contains(&format!("{line}\r\n")), "{line} in\n{csv}");
        }
        assert!(!csv.contains("表决结束后公布"));
    }

    #[test]
    fn a_live_count_has_no_verdict_yet() {
        let csv = sheet(false);
        assert!(csv.contains("结果,表决进行中（实时计票）\r\n"), "{csv}");
        assert!(csv.contains("结束时间,尚未结束\r\n"));
        assert!(!csv.contains("是否达到"));
        assert!(csv.contains("表决结束后公布\r\n"));
    }
}
