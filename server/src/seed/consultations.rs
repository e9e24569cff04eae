//! Demo consultations (议事), written through the same store functions as the API, inside the
//! seed's transaction, with times in the past:
//!
//! 1. 翠柳苑 3幢 decided to retrofit lifts: proposed, co-signed, accepted after the 四议 steps,
//!    discussed (with the community's official answers), voted on by the building's owners under
//!    Art. 278 for major matters (named ballots weighted by floor area, as planned in
//!    [`LIFT_BALLOTS`]), closed and published. It passes; staff then report on the works and
//!    nine owners rate them (民事民评).
//! 2. An advisory vote of the whole of 翠柳苑 on a charging shed for e-bikes, open for a few more
//!    days: one secret ballot per household, simple majority, tally hidden until the close. The
//!    demo owner has not voted yet.
//! 3. A proposal for 1幢, still collecting co-signatures, which the demo owner has not signed.

use super::plan::{
    COMPOUNDS, DEMO_OWNER_HOME, LIFT_BALLOTS, LIFT_BUILDING, LIFT_COMPOUND, OLD_COMPOUND,
};
use super::rng::SplitMix64;
use crate::store::community::CommunityId;
use crate::store::consultations as store;
use anyhow::{Context, ensure};
use linli_domain::ballot::DecisionRule;
use linli_domain::consultation::{
    CheckedTopic, DEFAULT_COSIGN_THRESHOLD, Electorate, NewVote, QuestionKind, Scope, YesNo,
};
use sqlx::{AnyConnection, Row};

const SEED: u64 = 0x4C49_4E4C_4956_4F54; // "LINLIVOT"
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
/// The community worker who reviews and runs the votes, and the grid worker of 翠柳苑 who
/// answers residents' questions (demo logins).
const STAFF_PHONE: &str = "13800000002";
const GRID_WORKER_PHONE: &str = "13800000003";

/// The title of the finished lift vote (the seed test finds it by this).
pub const LIFT_TITLE: &str = "3幢加装电梯（1、2单元各一部）";
pub const SHED_TITLE: &str = "翠柳苑建设电动自行车集中充电棚";
pub const ROOF_TITLE: &str = "使用专项维修资金翻修1幢屋顶防水";

/// What the demo consultations wrote.
pub struct Written {
    pub topics: usize,
    pub ballots: usize,
}

/// A flat and its owner's account, if it has one.
struct Flat {
    household_id: i64,
    owner: Option<i64>,
}

impl Flat {
    fn owner(&self) -> anyhow::Result<i64> {
        self.owner
            .with_context(|| format!("plan error: household {} has no owner", self.household_id))
    }
}

async fn flat(
    conn: &mut AnyConnection,
    compound: usize,
    building: i64,
    stairwell: i64,
    room: &str,
) -> anyhow::Result<Flat> {
    let row = sqlx::query(
        "SELECT h.id, (SELECT m.user_id FROM household_members m
                       WHERE m.household_id = h.id AND m.relation = 'owner') AS owner
         FROM households h JOIN stairwells s ON s.id = h.stairwell_id
         JOIN buildings b ON b.id = s.building_id JOIN compounds c ON c.id = b.compound_id
         WHERE c.name_zh = $1 AND b.number = $2 AND s.number = $3 AND h.room = $4",
    )
    .bind(COMPOUNDS[compound].name_zh)
    .bind(building)
    .bind(stairwell)
    .bind(room)
    .fetch_one(&mut *conn)
    .await
    .with_context(|| format!("plan error: no flat {compound}/{building}/{stairwell}/{room}"))?;
    Ok(Flat {
        household_id: row.get(0),
        owner: row.get(1),
    })
}

/// The owners bound in a building (flat and account), in flat order, leaving out `except`.
async fn owners_in(
    conn: &mut AnyConnection,
    compound: usize,
    building: i64,
    except: i64,
) -> anyhow::Result<Vec<Flat>> {
    let rows = sqlx::query(
        "SELECT h.id, m.user_id FROM household_members m JOIN households h ON h.id = m.household_id
         JOIN stairwells s ON s.id = h.stairwell_id JOIN buildings b ON b.id = s.building_id
         JOIN compounds c ON c.id = b.compound_id
         WHERE m.relation = 'owner' AND c.name_zh = $1 AND b.number = $2 AND h.id <> $3
         ORDER BY h.id",
    )
    .bind(COMPOUNDS[compound].name_zh)
    .bind(building)
    .bind(except)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Flat {
            household_id: r.get(0),
            owner: Some(r.get(1)),
        })
        .collect())
}

async fn user_id(conn: &mut AnyConnection, phone: &str) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
        .bind(phone)
        .fetch_one(&mut *conn)
        .await
        .with_context(|| format!("plan error: no account {phone}"))
}

async fn building_id(
    conn: &mut AnyConnection,
    compound: usize,
    building: i64,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT b.id FROM buildings b JOIN compounds c ON c.id = b.compound_id
         WHERE c.name_zh = $1 AND b.number = $2",
    )
    .bind(COMPOUNDS[compound].name_zh)
    .bind(building)
    .fetch_one(&mut *conn)
    .await?)
}

async fn compound_id(conn: &mut AnyConnection, compound: usize) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT id FROM compounds WHERE name_zh = $1")
            .bind(COMPOUNDS[compound].name_zh)
            .fetch_one(&mut *conn)
            .await?,
    )
}

fn topic(title: &str, background: &str, options: &[&str]) -> CheckedTopic {
    CheckedTopic {
        title: title.to_owned(),
        background: background.to_owned(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
    }
}

/// A receipt nobody holds: the demo's voters are not real, but their receipts' hashes are
/// published like anyone's.
fn receipt(rng: &mut SplitMix64) -> String {
    (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect()
}

/// The 四议 steps, as the review records them.
const FOUR_REVIEWS: [&str; 4] = [
    "党组织提议：社区党委研究后提议列入议事议程",
    "两委会商议：社区党委、居委会联席会议商议实施方案",
    "党员大会审议：社区党员大会审议通过实施方案",
    "居民代表会议决议：居民代表会议决议交由相关住户表决",
];

pub async fn insert_demo_consultations(
    conn: &mut AnyConnection,
    community: CommunityId,
    now: i64,
) -> anyhow::Result<Written> {
    let mut rng = SplitMix64::new(SEED);
    let staff = user_id(conn, STAFF_PHONE).await?;
    let grid = user_id(conn, GRID_WORKER_PHONE).await?;
    let demo = DEMO_OWNER_HOME;
    let demo_home = flat(
        conn,
        demo.compound,
        demo.building,
        demo.stairwell,
        demo.room,
    )
    .await?;
    let neighbours = owners_in(conn, demo.compound, demo.building, demo_home.household_id).await?;
    ensure!(
        neighbours.len() >= 6,
        "plan error: the demo owner's building needs 6 other owners, has {}",
        neighbours.len()
    );
    let mut ballots = lift_vote(conn, community, &mut rng, staff, grid, now).await?;
    ballots += shed_vote(conn, community, &mut rng, staff, grid, &neighbours, now).await?;
    roof_proposal(conn, community, &neighbours, now).await?;
    Ok(Written { topics: 3, ballots })
}

/// The finished lift vote of 翠柳苑 3幢; returns the ballots cast.
async fn lift_vote(
    conn: &mut AnyConnection,
    community: CommunityId,
    rng: &mut SplitMix64,
    staff: i64,
    grid: i64,
    now: i64,
) -> anyhow::Result<usize> {
    let scope = Scope::Building(building_id(conn, LIFT_COMPOUND, LIFT_BUILDING).await?);
    let start = now - 80 * DAY;
    let proposer = lift_flat(conn, 1, "601").await?;
    let id = store::create_topic_on(
        conn,
        proposer.owner()?,
        proposer.household_id,
        &topic(
            LIFT_TITLE,
            "3幢建于1993年，六层，没有电梯，住户里一半是60岁以上的老人。六楼一位八十多岁的老人\
             腿脚不便，已经半年没有下过楼。建议按杭州市既有住宅加装电梯的政策，在1、2单元北侧\
             楼梯间外各加装一部电梯，申请政府补助，其余费用按楼层分摊。",
            &["同意加装", "不同意加装"],
        ),
        scope,
        DEFAULT_COSIGN_THRESHOLD,
        start,
    )
    .await?;
    for (i, (stairwell, room)) in [(1, "501"), (2, "601"), (2, "401"), (1, "401")]
        .into_iter()
        .enumerate()
    {
        let signer = lift_flat(conn, stairwell, room).await?;
        let signed = store::cosign_on(
            conn,
            community,
            id,
            signer.household_id,
            signer.owner()?,
            DEFAULT_COSIGN_THRESHOLD,
            start + (i as i64 + 1) * DAY,
        )
        .await?;
        ensure!(
            matches!(signed, store::CosignOutcome::Signed(_)),
            "{signed:?}"
        );
    }
    let steps: Vec<String> = FOUR_REVIEWS.iter().map(|s| (*s).to_owned()).collect();
    ensure!(
        store::review_on(conn, community,
            id,
            staff,
            true,
            "列入社区议事议程。加装电梯属于改建建筑物及其附属设施，由本幢业主按《民法典》第二百七十八条表决。",
            &steps,
            start + 10 * DAY,
        )
        .await?
    );

    let ground = lift_flat(conn, 1, "101").await?;
    let worried = store::add_comment_on(
        conn,
        id,
        None,
        ground.owner()?,
        false,
        "一楼担心电梯井挡住采光，运行起来有噪音。能不能先做个日照分析？",
        start + 11 * DAY,
    )
    .await?;
    store::add_comment_on(
        conn,
        id,
        Some(worried),
        grid,
        true,
        "已请设计单位做了日照分析：电梯井设在北侧楼梯间外，不影响一楼南向房间采光；\
         选用无机房低噪音电梯，运行噪音不超过45分贝。分析报告已张贴在两个单元门口。",
        start + 13 * DAY,
    )
    .await?;
    let fifth = lift_flat(conn, 2, "502").await?;
    let cost = store::add_comment_on(
        conn,
        id,
        None,
        fifth.owner()?,
        false,
        "费用怎么分摊？政府补助有多少？",
        start + 14 * DAY,
    )
    .await?;
    store::add_comment_on(
        conn,
        id,
        Some(cost),
        grid,
        true,
        "每部电梯可申请政府补助，其余按楼层系数分摊：二楼0.5、三楼1.0、四楼1.3、五楼1.5、\
         六楼1.7，一楼不出资。每户的测算表已张贴在单元门口，也可以到社区服务站查看。",
        start + 15 * DAY,
    )
    .await?;
    store::add_comment_on(
        conn,
        id,
        None,
        proposer.owner()?,
        false,
        "家里老人每天上下六楼太难了，盼着早点装上。",
        start + 16 * DAY,
    )
    .await?;

    let opened = start + 25 * DAY;
    let vote = NewVote {
        kind: QuestionKind::YesNo,
        question: "是否同意在3幢1、2单元北侧各加装一部电梯（按公示的设计方案和费用分摊方案实施）？"
            .to_owned(),
        electorate: Electorate::Owners,
        rule: DecisionRule::ART_278_MAJOR,
        secret: false,
        live_tally: false,
        closes_at: opened + 14 * DAY,
    };
    ensure!(store::open_vote_on(conn, community, id, staff, &vote, opened).await?);
    let facts = store::vote_of_topic_on(conn, community, id)
        .await?
        .context("the lift vote was just opened")?;
    let mut cast = 0;
    for (i, &(stairwell, room, choice)) in LIFT_BALLOTS.iter().enumerate() {
        let Some(choice) = choice else { continue };
        let voter = lift_flat(conn, stairwell, room).await?;
        // One first-floor owner voted no at once, then abstained after the sunlight analysis.
        let first = if (stairwell, room) == (1, "201") {
            YesNo::No
        } else {
            choice
        };
        let at = opened + 2 * HOUR + i as i64 * 13 * HOUR;
        let outcome = store::cast_on(
            conn,
            &facts,
            voter.household_id,
            voter.owner()?,
            first,
            None,
            &receipt(rng),
            at,
        )
        .await?;
        ensure!(
            matches!(outcome, store::CastOutcome::Cast(_)),
            "{outcome:?}"
        );
        if first != choice {
            store::cast_on(
                conn,
                &facts,
                voter.household_id,
                voter.owner()?,
                choice,
                None,
                "",
                at + 3 * DAY,
            )
            .await?;
        }
        cast += 1;
    }
    ensure!(store::close_vote_on(conn, community, id, staff, vote.closes_at).await?);

    // 民事民评: staff report on the work, and owners rate it.
    for (days_ago, note) in LIFT_UPDATES {
        ensure!(
            store::post_update_on(conn, community, id, staff, note, now - days_ago * DAY).await?
        );
    }
    for (i, &(stairwell, room, stars)) in LIFT_RATINGS.iter().enumerate() {
        let rater = lift_flat(conn, stairwell, room).await?;
        let rated = store::rate_on(
            conn,
            community,
            id,
            rater.household_id,
            rater.owner()?,
            stars,
            now - 2 * DAY + i as i64 * 3 * HOUR,
        )
        .await?;
        ensure!(rated == store::RateOutcome::Rated, "{rated:?}");
    }
    Ok(cast)
}

/// Staff's reports on the lift works, by days before the seeding.
const LIFT_UPDATES: [(i64, &str); 3] = [
    (
        33,
        "表决结果已在两个单元门口公示7天，无异议。施工单位经公开招标确定，设计方案已报规划部门备案。",
    ),
    (
        18,
        "两部电梯的井道和连廊已完工；施工期间楼道通行不受影响，每天18点后停止噪音作业。",
    ),
    (
        4,
        "两部电梯已通过特种设备检验，正式投入使用。维保由电梯厂家负责，费用按分摊方案收取。",
    ),
];

/// Owners of the lift building who rated the works: (stairwell, room, stars).
const LIFT_RATINGS: [(i64, &str, u8); 9] = [
    (1, "601", 5),
    (1, "501", 5),
    (2, "601", 5),
    (2, "401", 4),
    (1, "302", 4),
    (2, "502", 5),
    (1, "101", 2),
    (2, "102", 3),
    (1, "402", 4),
];

async fn lift_flat(conn: &mut AnyConnection, stairwell: i64, room: &str) -> anyhow::Result<Flat> {
    flat(conn, LIFT_COMPOUND, LIFT_BUILDING, stairwell, room).await
}

/// The open, secret advisory vote of 翠柳苑 on an e-bike charging shed; returns the ballots.
async fn shed_vote(
    conn: &mut AnyConnection,
    community: CommunityId,
    rng: &mut SplitMix64,
    staff: i64,
    grid: i64,
    neighbours: &[Flat],
    now: i64,
) -> anyhow::Result<usize> {
    let scope = Scope::Compound(compound_id(conn, OLD_COMPOUND).await?);
    let start = now - 12 * DAY;
    let proposer = lift_flat(conn, 2, "302").await?;
    let id = store::create_topic_on(
        conn,
        proposer.owner()?,
        proposer.household_id,
        &topic(
            SHED_TITLE,
            "小区里的电动自行车越来越多，不少人从楼道里拉线充电，或者把电瓶拎回家充，火灾隐患\
             很大。建议在西门内侧的空地建一处集中充电棚，约60个车位，带智能充电桩，按次付费，\
             由物业负责日常管理。",
            &["同意建设", "不同意"],
        ),
        scope,
        DEFAULT_COSIGN_THRESHOLD,
        start,
    )
    .await?;
    let building3 = [
        lift_flat(conn, 1, "302").await?,
        lift_flat(conn, 2, "502").await?,
    ];
    for (i, signer) in building3.iter().chain(&neighbours[2..4]).enumerate() {
        store::cosign_on(
            conn,
            community,
            id,
            signer.household_id,
            signer.owner()?,
            DEFAULT_COSIGN_THRESHOLD,
            start + (i as i64 + 1) * 6 * HOUR,
        )
        .await?;
    }
    let steps: Vec<String> = FOUR_REVIEWS.iter().map(|s| (*s).to_owned()).collect();
    ensure!(
        store::review_on(
            conn,
            community,
            id,
            staff,
            true,
            "列入社区议事议程，由翠柳苑各户无记名表决（征询意见，每户一票）。",
            &steps,
            start + 4 * DAY,
        )
        .await?
    );
    let asking = lift_flat(conn, 1, "402").await?;
    let question = store::add_comment_on(
        conn,
        id,
        None,
        asking.owner()?,
        false,
        "充电棚能装监控和喷淋吗？离3幢会不会太近？",
        start + 5 * DAY,
    )
    .await?;
    store::add_comment_on(
        conn,
        id,
        Some(question),
        grid,
        true,
        "方案包括烟感报警、自动喷淋和24小时监控，已请消防部门看过现场；充电棚距3幢山墙15米以上，\
         符合防火间距要求。",
        start + 6 * DAY,
    )
    .await?;

    let opened = now - 3 * DAY;
    let vote = NewVote {
        kind: QuestionKind::YesNo,
        question: "是否同意在翠柳苑西门内侧建设电动自行车集中充电棚？".to_owned(),
        electorate: Electorate::Households,
        rule: DecisionRule::SimpleMajority,
        secret: true,
        live_tally: false,
        closes_at: now + 4 * DAY,
    };
    ensure!(store::open_vote_on(conn, community, id, staff, &vote, opened).await?);
    let facts = store::vote_of_topic_on(conn, community, id)
        .await?
        .context("the shed vote was just opened")?;
    // A dozen households have voted so far; the demo owner has not.
    let mut voters = Vec::new();
    for &(stairwell, room, choice) in LIFT_BALLOTS.iter().take(14) {
        if choice.is_some() {
            voters.push(lift_flat(conn, stairwell, room).await?);
        }
    }
    let choices = [
        YesNo::Yes,
        YesNo::Yes,
        YesNo::No,
        YesNo::Yes,
        YesNo::Abstain,
    ];
    let mut cast = 0;
    for (i, voter) in voters.iter().chain(&neighbours[4..6]).enumerate() {
        let outcome = store::cast_on(
            conn,
            &facts,
            voter.household_id,
            voter.owner()?,
            choices[i % choices.len()],
            None,
            &receipt(rng),
            opened + HOUR + i as i64 * 5 * HOUR,
        )
        .await?;
        ensure!(
            matches!(outcome, store::CastOutcome::Cast(_)),
            "{outcome:?}"
        );
        cast += 1;
    }
    Ok(cast)
}

/// A proposal for the demo owner's building, two households short of review.
async fn roof_proposal(
    conn: &mut AnyConnection,
    community: CommunityId,
    neighbours: &[Flat],
    now: i64,
) -> anyhow::Result<()> {
    let demo = DEMO_OWNER_HOME;
    let scope = Scope::Building(building_id(conn, demo.compound, demo.building).await?);
    let proposer = &neighbours[0];
    let id = store::create_topic_on(
        conn,
        proposer.owner()?,
        proposer.household_id,
        &topic(
            ROOF_TITLE,
            "1幢屋顶连续两个雨季漏水，六楼好几户的天花板发霉。物业报价约18万元，建议动用本幢的\
             专项维修资金翻修屋顶防水层。",
            &["同意使用维修资金翻修", "不同意"],
        ),
        scope,
        DEFAULT_COSIGN_THRESHOLD,
        now - 2 * DAY,
    )
    .await?;
    let signer = &neighbours[1];
    store::cosign_on(
        conn,
        community,
        id,
        signer.household_id,
        signer.owner()?,
        DEFAULT_COSIGN_THRESHOLD,
        now - DAY,
    )
    .await?;
    store::add_comment_on(
        conn,
        id,
        None,
        signer.owner()?,
        false,
        "我家就在六楼，下雨天要拿盆接水，赞成尽快修。",
        now - DAY + HOUR,
    )
    .await?;
    Ok(())
}
