//! Ballots written in groups (group commit).
//!
//! Every committed transaction costs a sync of the WAL to disk (`synchronous=FULL`), and SQLite
//! writes one transaction at a time. When a whole building votes at once, ballots wait in line
//! for their turn, one commit each. Instead, one writer task per server takes every ballot
//! waiting (up to [`MAX_GROUP`]), casts them one after the other in ONE transaction with
//! [`consultations::cast_on`], exactly as each would be cast alone (same statements, same
//! checks, each seeing the ones before it), commits once, and only then answers each voter. A
//! voter's receipt therefore still means their ballot is on disk.
//!
//! Should the group's transaction fail, each of its ballots is cast again on its own, so one bad
//! ballot cannot take its neighbours down with it.

use super::consultations::{self, CastOutcome, VoteFacts};
use crate::db::Db;
use linli_domain::consultation::StoredChoice;
use std::sync::OnceLock;
use tokio::sync::{mpsc, oneshot};

/// Ballots in one transaction at most: enough to share a commit among everyone waiting under
/// load, small enough that the write lock is never held for long.
const MAX_GROUP: usize = 128;

/// One ballot to cast, as [`consultations::cast`] takes it.
pub struct Ballot {
    pub vote: VoteFacts,
    pub household_id: i64,
    pub voter_id: i64,
    pub choice: StoredChoice,
    pub receipt: Option<String>,
    pub new_receipt: String,
    pub now: i64,
}

struct Job {
    ballot: Ballot,
    reply: oneshot::Sender<sqlx::Result<CastOutcome>>,
}

/// The server's ballot writer, started on the first ballot.
#[derive(Debug, Default)]
pub struct BallotWriter {
    jobs: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl BallotWriter {
    /// Casts a ballot with those waiting alongside it; answers once it is committed.
    pub async fn cast(&self, db: &Db, ballot: Ballot) -> sqlx::Result<CastOutcome> {
        let jobs = self.jobs.get_or_init(|| {
            let (jobs, queue) = mpsc::unbounded_channel();
            tokio::spawn(write(db.clone(), queue));
            jobs
        });
        let (reply, answer) = oneshot::channel();
        let gone = || sqlx::Error::Io(std::io::Error::other("the ballot writer has stopped"));
        jobs.send(Job { ballot, reply }).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn write(db: Db, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while queue.recv_many(&mut group, MAX_GROUP).await > 0 {
        let jobs = std::mem::take(&mut group);
        let ballots: Vec<&Ballot> = jobs.iter().map(|j| &j.ballot).collect();
        match cast_group(&db, &ballots).await {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) if jobs.len() == 1 => {
                if let Some(job) = jobs.into_iter().next() {
                    let _ = job.reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, ballots = jobs.len(), "a group of ballots failed; casting each alone");
                for job in jobs {
                    let outcome = cast_group(&db, &[&job.ballot])
                        .await
                        .map(|mut o| o.remove(0));
                    let _ = job.reply.send(outcome);
                }
            }
        }
    }
}

/// Casts `ballots` in order in one transaction; their outcomes in the same order.
async fn cast_group(db: &Db, ballots: &[&Ballot]) -> sqlx::Result<Vec<CastOutcome>> {
    let mut tx = super::begin_immediate(db).await?;
    let mut outcomes = Vec::with_capacity(ballots.len());
    for b in ballots {
        outcomes.push(
            consultations::cast_on(
                &mut tx,
                &b.vote,
                b.household_id,
                b.voter_id,
                b.choice.clone(),
                b.receipt.as_deref(),
                &b.new_receipt,
                b.now,
            )
            .await?,
        );
    }
    tx.commit().await?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_domain::consultation::YesNo;
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ballots_cast_at_once_are_each_counted_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::scratch(dir.path()).await.unwrap();
        crate::seed::seed_demo_community(&db).await.unwrap();
        // The demo's open secret vote of 翠柳苑, and units on its roll that have not voted.
        let topic: i64 = sqlx::query_scalar("SELECT topic_id FROM votes WHERE closed_at IS NULL")
            .fetch_one(&db)
            .await
            .unwrap();
        let community = crate::store::community::only(&db).await;
        let vote = consultations::vote_of_topic(&db, community, topic)
            .await
            .unwrap()
            .unwrap();
        let units: Vec<i64> = sqlx::query_scalar(
            "SELECT household_id FROM vote_roll WHERE vote_id = $1 AND voted = 0 ORDER BY household_id LIMIT 20",
        )
        .bind(vote.id)
        .fetch_all(&db)
        .await
        .unwrap();
        assert_eq!(units.len(), 20);
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE vote_id = $1")
            .bind(vote.id)
            .fetch_one(&db)
            .await
            .unwrap();

        let writer = Arc::new(BallotWriter::default());
        let now = crate::db::now();
        // Every unit once, and the first five twice more: 30 ballots in flight together.
        let tasks: Vec<_> = units
            .iter()
            .chain(&units[..5])
            .chain(&units[..5])
            .enumerate()
            .map(|(i, &household_id)| {
                let (writer, db) = (writer.clone(), db.clone());
                let vote = vote.clone();
                tokio::spawn(async move {
                    let ballot = Ballot {
                        vote,
                        household_id,
                        voter_id: 1,
                        choice: YesNo::Yes.into(),
                        receipt: None,
                        new_receipt: format!("receipt-{i}"),
                        now,
                    };
                    writer.cast(&db, ballot).await.unwrap()
                })
            })
            .collect();
        let mut cast = 0;
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                CastOutcome::Cast(_) => cast += 1,
                CastOutcome::ReceiptNeeded => refused += 1,
                CastOutcome::Closed => panic!("the vote is open"),
            }
        }
        assert_eq!((cast, refused), (20, 10));
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE vote_id = $1")
            .bind(vote.id)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(after - before, 20);
    }
}
