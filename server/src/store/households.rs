//! Household binding: turning a one-time code into a verified membership.

use crate::db::Db;
use linli_domain::api::Membership;
use linli_domain::{BindingCode, HouseholdRelation};
use sqlx::Row;

#[derive(Debug)]
pub enum BindError {
    Unknown,
    Used,
    AlreadyMember,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for BindError {
    fn from(e: sqlx::Error) -> Self {
        BindError::Db(e)
    }
}

/// Uses `code` for `user_id`, in one transaction: the code is marked used only if this call
/// is the one that used it, so two residents racing for one code cannot both win.
/// A member who later receives the owner code of the same household becomes its owner.
pub async fn bind(
    db: &Db,
    user_id: i64,
    code: &BindingCode,
    now: i64,
) -> Result<Membership, BindError> {
    // IMMEDIATE takes the write lock up front: a second resident racing for the same code
    // waits (busy timeout) and then sees it used, instead of failing to upgrade a read lock.
    let mut tx = super::begin_immediate(db).await?;
    let row = sqlx::query(
        "SELECT household_id, relation, used_at, used_by FROM binding_codes WHERE code = $1",
    )
    .bind(code.as_str())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(BindError::Unknown)?;
    if row.get::<Option<i64>, _>("used_at").is_some() {
        // Sending one's own code again (a double tap) is not a guess at someone else's.
        return Err(if row.get::<Option<i64>, _>("used_by") == Some(user_id) {
            BindError::AlreadyMember
        } else {
            BindError::Used
        });
    }
    let household_id: i64 = row.get("household_id");
    let relation =
        HouseholdRelation::parse(row.get("relation")).unwrap_or(HouseholdRelation::Member);

    let existing: Option<String> = sqlx::query(
        "SELECT relation FROM household_members WHERE household_id = $1 AND user_id = $2",
    )
    .bind(household_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.get("relation"));
    let upgrade = match existing.as_deref().and_then(HouseholdRelation::parse) {
        None => false,
        Some(HouseholdRelation::Member) if relation == HouseholdRelation::Owner => true,
        Some(_) => return Err(BindError::AlreadyMember),
    };

    let used = sqlx::query(
        "UPDATE binding_codes SET used_at = $1, used_by = $2 WHERE code = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(code.as_str())
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        return Err(BindError::Used);
    }
    if upgrade {
        sqlx::query("UPDATE household_members SET relation = $1, verified_at = $2 WHERE household_id = $3 AND user_id = $4")
            .bind(relation.as_str())
            .bind(now)
            .bind(household_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("INSERT INTO household_members (household_id, user_id, relation, verified_at, community_id) VALUES ($1, $2, $3, $4, (SELECT community_id FROM households WHERE id = $1))")
            .bind(household_id)
            .bind(user_id)
            .bind(relation.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    let membership = sqlx::query(&format!(
        "{} WHERE m.user_id = $1 AND m.household_id = $2",
        super::users::MEMBERSHIP_SELECT
    ))
    .bind(user_id)
    .bind(household_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(super::users::membership_from_row(&membership))
}
