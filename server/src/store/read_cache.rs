//! Reads of requests kept between the HTTP requests that ask for them, until a request changes.
//!
//! A page of the staff queue or of the public list is little work for SQLite, but sqlx hands
//! each query and its rows between the request's task and the connection's thread, and under
//! load those hand-overs were most of a page's time (see BENCHMARKS.md). The pages change only
//! when a request is sent, moves along its lifecycle, gets a note or gains or loses a follower,
//! and each of those is committed by a `store` function of this process, which then counts it
//! against the request's community ([`requests_changed`]): a change in one community leaves
//! the others' kept reads standing. The server is its database's only writer (imports and the
//! benchmark's loading run with it stopped), so a kept read whose count is still current is
//! what the database would answer.
//!
//! A read made at the same time as a change is safe either way: the count is taken before the
//! read and bumped after the commit, so a read that may have missed the change is kept under
//! the old count and read again by the next caller.

use super::community::CommunityId;
use super::follows::{self, PublicFilter, PublicRow};
use super::requests::{self, QueueFilter, SummaryColumns};
use crate::db::Db;
use linli_domain::api::{PublicRequestItem, RequestSummary};
use linli_domain::figures::{FiguresReport, YearMonth, next_change};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Counts of changes by community. Communities share a count when their ids fall in the same
/// slot, which costs a needless read again, never a stale one.
pub struct ChangeCounts([AtomicU64; CHANGE_SLOTS]);

const CHANGE_SLOTS: usize = 256;

impl ChangeCounts {
    pub const fn new() -> Self {
        ChangeCounts([const { AtomicU64::new(0) }; CHANGE_SLOTS])
    }

    fn of(&self, community: CommunityId) -> &AtomicU64 {
        &self.0[community.0.rem_euclid(CHANGE_SLOTS as i64) as usize]
    }
}

impl Default for ChangeCounts {
    fn default() -> Self {
        Self::new()
    }
}

/// Commits of this process that changed a request, its timeline or its followers.
static REQUEST_CHANGES: ChangeCounts = ChangeCounts::new();

/// Counts a committed change to a request of `community`; called after the commit, never
/// before it.
pub(crate) fn requests_changed(community: CommunityId) {
    REQUEST_CHANGES.of(community).fetch_add(1, Ordering::AcqRel);
}

/// A read and, when what it says depends on the time, the first moment (unix seconds) at
/// which it may no longer be right (a request becoming overdue, say).
pub struct Fresh<V> {
    pub value: V,
    pub until: Option<i64>,
}

impl<V> Fresh<V> {
    /// A read that the passing of time does not change.
    pub fn always(value: V) -> Self {
        Fresh { value, until: None }
    }
}

struct Kept<V> {
    changes: u64,
    until: Option<i64>,
    value: Arc<V>,
}

/// One key's kept read, and the turn to read it again: when a change makes a popular page
/// stale, the callers asking for it at that moment wait for one read instead of all reading
/// it at once (under load, such a stampede held some answers for seconds).
struct Slot<V> {
    kept: Mutex<Option<Kept<V>>>,
    reading: tokio::sync::Mutex<()>,
}

impl<V> Slot<V> {
    fn fresh(&self, changes: u64, now: i64) -> Option<Arc<V>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()
            .filter(|k| k.changes == changes && k.until.is_none_or(|until| now < until))
            .map(|k| k.value.clone())
    }
}

/// Reads by key, each kept until a request changes or its time runs out.
pub struct ReadCache<K, V> {
    /// What counts the changes that make a read stale: [`REQUEST_CHANGES`] but in tests.
    changes: &'static ChangeCounts,
    slots: Mutex<Slots<K, V>>,
    /// Keys kept at most: any filter and page may be asked for, so it must not grow without
    /// end. Past it, the key asked for least recently is forgotten.
    capacity: usize,
}

/// The kept keys, each with the tick at which it was last asked for.
struct Slots<K, V> {
    by_key: HashMap<K, (Arc<Slot<V>>, u64)>,
    tick: u64,
}

impl<K: Eq + Hash + Clone, V> ReadCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        ReadCache {
            changes: &REQUEST_CHANGES,
            slots: Mutex::new(Slots {
                by_key: HashMap::new(),
                tick: 0,
            }),
            capacity,
        }
    }

    /// The kept read of `key`, a read of `community`'s requests, if it is still right at
    /// `now`; otherwise `read`'s, kept.
    pub async fn get<F, Fut>(
        &self,
        community: CommunityId,
        key: K,
        now: i64,
        read: F,
    ) -> sqlx::Result<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = sqlx::Result<Fresh<V>>>,
    {
        let counter = self.changes.of(community);
        let slot = self.slot(key);
        if let Some(value) = slot.fresh(counter.load(Ordering::Acquire), now) {
            return Ok(value);
        }
        let _turn = slot.reading.lock().await;
        // Taken before reading: a change committed during the read makes this one stale.
        let changes = counter.load(Ordering::Acquire);
        // Whoever had the turn before may have just read it.
        if let Some(value) = slot.fresh(changes, now) {
            return Ok(value);
        }
        let fresh = read().await?;
        let value = Arc::new(fresh.value);
        *slot.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(Kept {
            changes,
            until: fresh.until,
            value: value.clone(),
        });
        Ok(value)
    }

    fn slot(&self, key: K) -> Arc<Slot<V>> {
        // The map is always left whole, so a panic elsewhere cannot have broken it.
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.tick += 1;
        let tick = slots.tick;
        if slots.by_key.len() >= self.capacity && !slots.by_key.contains_key(&key) {
            // A scan of the kept keys, only when a new one comes in full: a city's hundred
            // communities' pages outnumber any small capacity, and forgetting them all at
            // once had every community read again from the database in turn.
            let oldest = slots
                .by_key
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                slots.by_key.remove(&oldest);
            }
        }
        let (slot, used) = slots.by_key.entry(key).or_insert_with(|| {
            (
                Arc::new(Slot {
                    kept: Mutex::new(None),
                    reading: tokio::sync::Mutex::new(()),
                }),
                tick,
            )
        });
        *used = tick;
        slot.clone()
    }
}

/// The reads of requests that the server answers most, each kept as above.
pub struct RequestReads {
    queue: ReadCache<QueueFilter, Vec<SummaryColumns>>,
    public: ReadCache<PublicFilter, Vec<PublicRow>>,
    /// By month, the published figures: a month is thousands of rows to read and sort. They
    /// change with time too, as deadlines pass, and are kept only until the next one.
    figures: ReadCache<(CommunityId, YearMonth), FiguresReport>,
}

impl Default for RequestReads {
    fn default() -> Self {
        RequestReads {
            // A hundred communities' staff and residents paging and filtering: the queue's
            // twelve usual pages a community are 1,200 keys. A queue page is 50 requests (about
            // 10 KB) and a public page up to 101 (about 35 KB), so these hold at most some 40
            // and 70 MB, whatever pages anyone asks for.
            queue: ReadCache::new(4096),
            public: ReadCache::new(2048),
            // Three years of a hundred communities.
            figures: ReadCache::new(3600),
        }
    }
}

impl RequestReads {
    /// A page of the staff queue (`requests::queue`) as listed at `now`.
    pub async fn queue(
        &self,
        db: &Db,
        filter: &QueueFilter,
        now: i64,
    ) -> sqlx::Result<Vec<RequestSummary>> {
        let rows = self
            .queue
            .get(filter.community, filter.clone(), now, || {
                requests::queue(db, filter, now)
            })
            .await?;
        Ok(rows.iter().map(|r| r.summary(now)).collect())
    }

    /// A page of the public list (`follows::public_page`) as listed at `now`, with each
    /// request's id.
    pub async fn public_page(
        &self,
        db: &Db,
        filter: &PublicFilter,
        now: i64,
    ) -> sqlx::Result<Vec<(i64, PublicRequestItem)>> {
        let rows = self
            .public
            .get(filter.community, filter.clone(), now, || async {
                follows::public_page(db, filter).await.map(Fresh::always)
            })
            .await?;
        Ok(rows.iter().map(|r| (r.id, r.at(now))).collect())
    }

    /// The published figures of `community` for `month` at `now`.
    pub async fn figures(
        &self,
        db: &Db,
        community: CommunityId,
        month: YearMonth,
        now: i64,
    ) -> sqlx::Result<FiguresReport> {
        let report = self
            .figures
            .get(community, (community, month), now, || async {
                let (start, end) = month.bounds();
                let facts = requests::facts_between(db, community, start, end).await?;
                let categories = requests::categories(db).await?;
                let report =
                    FiguresReport::of(month, &facts, categories.into_iter().map(|c| c.code), now);
                let facts: Vec<_> = facts.into_iter().map(|(_, f)| f).collect();
                Ok(Fresh {
                    value: report,
                    until: next_change(&facts, now),
                })
            })
            .await?;
        Ok(FiguresReport::clone(&report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::requests::NewRequestRow;
    use linli_domain::api::ContactPreference;
    use linli_domain::catalogue::Answers;
    use std::sync::atomic::AtomicUsize;

    /// A cache counting its own changes, so that other tests' writes do not touch it.
    fn cache<K: Eq + Hash + Clone>(
        changes: &'static ChangeCounts,
        capacity: usize,
    ) -> ReadCache<K, usize> {
        ReadCache {
            changes,
            ..ReadCache::new(capacity)
        }
    }

    /// The community the kept reads of these tests are of.
    const HERE: CommunityId = CommunityId(1);

    /// Counts the reads `get` makes.
    struct Reads(AtomicUsize);

    impl Reads {
        async fn read(&self, until: Option<i64>) -> sqlx::Result<Fresh<usize>> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Fresh { value: n, until })
        }
    }

    #[tokio::test]
    async fn keeps_a_read_until_a_request_changes() {
        static CHANGES: ChangeCounts = ChangeCounts::new();
        let cache = cache(&CHANGES, 8);
        let reads = Reads(AtomicUsize::new(0));
        let first = cache
            .get(HERE, "queue", 100, || reads.read(None))
            .await
            .unwrap();
        let again = cache
            .get(HERE, "queue", 100, || reads.read(None))
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(reads.0.load(Ordering::SeqCst), 1);

        CHANGES.of(HERE).fetch_add(1, Ordering::AcqRel);
        let after = cache
            .get(HERE, "queue", 100, || reads.read(None))
            .await
            .unwrap();
        assert_eq!(*after, 2, "read again after a change");
    }

    #[tokio::test]
    async fn a_change_in_another_community_leaves_the_read_standing() {
        static CHANGES: ChangeCounts = ChangeCounts::new();
        let cache = cache(&CHANGES, 8);
        let reads = Reads(AtomicUsize::new(0));
        cache
            .get(HERE, "queue", 100, || reads.read(None))
            .await
            .unwrap();
        CHANGES.of(CommunityId(2)).fetch_add(1, Ordering::AcqRel);
        let again = cache
            .get(HERE, "queue", 100, || reads.read(None))
            .await
            .unwrap();
        assert_eq!(*again, 1, "kept across another community's change");
    }

    #[tokio::test]
    async fn reads_again_from_the_moment_its_time_runs_out() {
        static CHANGES: ChangeCounts = ChangeCounts::new();
        let cache = cache(&CHANGES, 8);
        let reads = Reads(AtomicUsize::new(0));
        let first = cache
            .get(HERE, "overdue", 100, || reads.read(Some(160)))
            .await
            .unwrap();
        let before = cache
            .get(HERE, "overdue", 159, || reads.read(Some(160)))
            .await
            .unwrap();
        let at_the_moment = cache
            .get(HERE, "overdue", 160, || reads.read(Some(220)))
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&first, &before));
        assert_eq!(*at_the_moment, 2, "read again at `until`");
    }

    #[tokio::test]
    async fn pages_are_read_again_once_a_request_changes_or_falls_overdue() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::scratch(dir.path()).await.unwrap();
        crate::seed::seed_demo_community(&pool).await.unwrap();
        let reads = RequestReads::default();
        let now = crate::db::now();
        let community = crate::store::community::only(&pool).await;
        let every_open = QueueFilter {
            community,
            status: None,
            category: None,
            overdue_only: false,
            building: None,
            limit: 1000,
            offset: 0,
        };
        let overdue = QueueFilter {
            overdue_only: true,
            ..every_open.clone()
        };
        let month = YearMonth::of(now);
        let public = PublicFilter {
            community,
            category: None,
            open: None,
            before: None,
            limit: 1000,
        };
        let queue_before = reads.queue(&pool, &every_open, now).await.unwrap();
        let public_before = reads.public_page(&pool, &public, now).await.unwrap();
        let figures_before = reads.figures(&pool, community, month, now).await.unwrap();

        // The next request to fall overdue does so a second past its deadline, not before.
        let overdue_now = reads.queue(&pool, &overdue, now).await.unwrap();
        let next_deadline = queue_before
            .iter()
            .filter(|r| !r.overdue && !r.status.is_completed())
            .map(|r| r.deadlines.resolve_by)
            .min()
            .expect("the demo has requests not yet overdue");
        let just_before = reads.queue(&pool, &overdue, next_deadline).await.unwrap();
        assert_eq!(just_before.len(), overdue_now.len());
        let just_after = reads
            .queue(&pool, &overdue, next_deadline + 1)
            .await
            .unwrap();
        assert!(just_after.len() > overdue_now.len());

        let author: i64 = sqlx::query_scalar("SELECT user_id FROM household_members LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        let repairs = requests::category(&pool, "repairs").await.unwrap().unwrap();
        let answers: Answers = serde_json::from_str(r#"{"where":"home"}"#).unwrap();
        let created = requests::create(
            &pool,
            NewRequestRow {
                community,
                category: &repairs,
                author_id: Some(author),
                household_id: None,
                title: "水管漏水",
                description: "",
                answers: &answers,
                location: None,
                address: None,
                contact: ContactPreference::App,
                hide_name: true,
                photos: &[],
                open311: None,
                idempotency: None,
            },
            now,
        )
        .await
        .unwrap();
        let queue_after = reads.queue(&pool, &every_open, now).await.unwrap();
        assert_eq!(queue_after.len(), queue_before.len() + 1);
        assert!(queue_after.iter().any(|r| r.id == created.id));
        let public_after = reads.public_page(&pool, &public, now).await.unwrap();
        assert_eq!(public_after.len(), public_before.len() + 1);
        let figures_after = reads.figures(&pool, community, month, now).await.unwrap();
        assert_eq!(
            figures_after.total.received,
            figures_before.total.received + 1
        );

        follows::follow(&pool, community, created.id, author, now)
            .await
            .unwrap();
        let followed = reads.public_page(&pool, &public, now).await.unwrap();
        let (_, item) = followed.iter().find(|(id, _)| *id == created.id).unwrap();
        assert_eq!(item.followers, 1);
    }

    #[tokio::test]
    async fn callers_asking_at_once_share_one_read() {
        static CHANGES: ChangeCounts = ChangeCounts::new();
        let cache = Arc::new(cache(&CHANGES, 8));
        let reads = Arc::new(AtomicUsize::new(0));
        let mut callers = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let (cache, reads) = (cache.clone(), reads.clone());
            callers.spawn(async move {
                let read = || async {
                    reads.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok(Fresh::always(7))
                };
                *cache.get(HERE, "figures", 0, read).await.unwrap()
            });
        }
        while let Some(answer) = callers.join_next().await {
            assert_eq!(answer.unwrap(), 7);
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn forgets_the_least_recently_asked_rather_than_grow_past_its_capacity() {
        static CHANGES: ChangeCounts = ChangeCounts::new();
        let cache = cache(&CHANGES, 2);
        let reads = Reads(AtomicUsize::new(0));
        for key in [1, 2, 1, 3] {
            cache.get(HERE, key, 0, || reads.read(None)).await.unwrap();
        }
        let kept = |key| cache.slots.lock().unwrap().by_key.contains_key(&key);
        assert_eq!(cache.slots.lock().unwrap().by_key.len(), 2);
        assert!(
            kept(1) && kept(3) && !kept(2),
            "2 was asked for least recently"
        );
        assert_eq!(
            reads.0.load(Ordering::SeqCst),
            3,
            "1 was kept, not read again"
        );
    }
}
