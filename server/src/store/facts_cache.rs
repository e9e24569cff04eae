//! The facts behind the published figures, kept between requests for them.
//!
//! A month's figures read every request sent in that month: thousands of rows in a busy
//! community, and handing each row over from SQLite's thread costs a few microseconds, so a
//! month cost tens of milliseconds every time. The facts change only when a request is sent or
//! moves along its lifecycle, and each of those writes a timeline entry in the same transaction
//! (`requests::create`, `requests::apply`; entries are never deleted). So the id of the latest
//! timeline entry tells whether any fact may have changed, and a month's facts are read again
//! only then. The figures themselves are still computed on every request, since they depend on
//! the time (what is overdue now).

use super::requests::facts_between;
use crate::db::Db;
use linli_domain::figures::{RequestFacts, YearMonth};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A month's facts, each with its request's category.
pub type MonthFacts = Arc<Vec<(String, RequestFacts)>>;

/// Months kept at most; any month may be asked for, so the cache must not grow without end.
const MONTHS_KEPT: usize = 36;

#[derive(Debug, Default)]
pub struct FactsCache {
    /// By month: the latest timeline entry when the facts were read, and the facts.
    months: Mutex<HashMap<YearMonth, (i64, MonthFacts)>>,
}

impl FactsCache {
    /// The facts of every request sent in `month`, as `requests::facts_between` reads them.
    pub async fn month(&self, db: &Db, month: YearMonth) -> sqlx::Result<MonthFacts> {
        // Read before the facts: a change in between makes the next call read them again.
        let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM request_events")
            .fetch_one(db)
            .await?;
        if let Some((seen, facts)) = self.lock().get(&month)
            && *seen == version
        {
            return Ok(facts.clone());
        }
        let (start, end) = month.bounds();
        let facts = Arc::new(facts_between(db, start, end).await?);
        let mut months = self.lock();
        if months.len() >= MONTHS_KEPT && !months.contains_key(&month) {
            months.clear();
        }
        months.insert(month, (version, facts.clone()));
        Ok(facts)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<YearMonth, (i64, MonthFacts)>> {
        // The map is always left whole, so a panic elsewhere cannot have broken it.
        self.months.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db;
    use crate::seed::seed_demo_community;
    use crate::store::requests::{NewRequestRow, category, create};
    use linli_domain::api::ContactPreference;
    use linli_domain::catalogue::Answers;

    #[tokio::test]
    async fn reads_a_month_again_once_a_request_changed() {
        let dir = tempfile::tempdir().unwrap();
        let pool = db::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
        seed_demo_community(&pool).await.unwrap();
        let cache = FactsCache::default();
        let now = db::now();
        let month = YearMonth::of(now);
        let before = cache.month(&pool, month).await.unwrap();
        assert!(Arc::ptr_eq(
            &before,
            &cache.month(&pool, month).await.unwrap()
        ));

        let author: i64 = sqlx::query_scalar("SELECT user_id FROM household_members LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        let repairs = category(&pool, "repairs").await.unwrap().unwrap();
        let answers: Answers = serde_json::from_str(r#"{"where":"home"}"#).unwrap();
        create(
            &pool,
            NewRequestRow {
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
            },
            now,
        )
        .await
        .unwrap();
        let after = cache.month(&pool, month).await.unwrap();
        assert_eq!(after.len(), before.len() + 1);
    }
}
