//! Accounts.

use super::community::CommunityId;
use crate::db::Db;
use linli_domain::api::{HouseholdAddress, Me, Membership};
use linli_domain::{FloorArea, HouseholdRelation, PhoneNumber, Role};
use sqlx::Row;

pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

#[derive(Debug)]
pub enum InsertError {
    PhoneTaken,
    Db(sqlx::Error),
}

pub async fn insert(
    db: &Db,
    phone: &PhoneNumber,
    password_hash: &str,
    display_name: &str,
    role: Role,
    privacy_notice: &str,
    now: i64,
) -> Result<i64, InsertError> {
    sqlx::query(
        "INSERT INTO users (phone, password_hash, display_name, role, created_at,
                            privacy_consent_at, privacy_notice)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(phone.as_str())
    .bind(password_hash)
    .bind(display_name)
    .bind(role.as_str())
    .bind(now)
    .bind(now)
    .bind(privacy_notice)
    .fetch_one(db)
    .await
    .map(|row| row.get::<i64, _>(0))
    .map_err(|e| {
        if super::is_unique_violation(&e) {
            InsertError::PhoneTaken
        } else {
            InsertError::Db(e)
        }
    })
}

pub async fn credentials(db: &Db, phone: &PhoneNumber) -> sqlx::Result<Option<Credentials>> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE phone = $1")
        .bind(phone.as_str())
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| Credentials {
        id: r.get("id"),
        password_hash: r.get("password_hash"),
    }))
}

/// The account as its owner sees it, with its verified households (in every community) and
/// its role as stored. Handlers with a signed-in `CurrentUser` show its role instead (the one
/// the checks use); a login shows [`me_here`]'s.
pub async fn me(db: &Db, user_id: i64) -> sqlx::Result<Option<Me>> {
    let Some(user) = sqlx::query("SELECT id, phone, display_name, role FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?
    else {
        return Ok(None);
    };
    let households = memberships(db, user_id).await?;
    Ok(Some(Me {
        id: user.get("id"),
        phone: user.get("phone"),
        display_name: user.get("display_name"),
        role: Role::parse(user.get("role")).unwrap_or(Role::Resident),
        households,
    }))
}

/// [`me`], with the role that holds at `here`: staff are staff at the communities they work
/// for, and residents elsewhere and at an address that is no community's.
pub async fn me_here(db: &Db, user_id: i64, here: Option<CommunityId>) -> sqlx::Result<Option<Me>> {
    let Some(mut me) = me(db, user_id).await? else {
        return Ok(None);
    };
    if me.role == Role::Staff {
        let works_here = match here {
            Some(community) => sqlx::query(
                "SELECT 1 FROM staff_communities WHERE user_id = $1 AND community_id = $2",
            )
            .bind(user_id)
            .bind(community.0)
            .fetch_optional(db)
            .await?
            .is_some(),
            None => false,
        };
        if !works_here {
            me.role = Role::Resident;
        }
    }
    Ok(Some(me))
}

/// The account's households in every community (accounts are city-wide).
pub async fn memberships(db: &Db, user_id: i64) -> sqlx::Result<Vec<Membership>> {
    let rows = sqlx::query(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.user_id = $1 ORDER BY m.verified_at, h.id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(membership_from_row).collect())
}

/// The account's households in one community: what it may act for there.
pub async fn memberships_in(
    db: &Db,
    community: CommunityId,
    user_id: i64,
) -> sqlx::Result<Vec<Membership>> {
    let rows = sqlx::query(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.community_id = $1 AND m.user_id = $2
         ORDER BY m.verified_at, h.id"
    ))
    .bind(community.0)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(membership_from_row).collect())
}

/// The columns `membership_from_row` reads; callers add the WHERE clause.
pub(crate) const MEMBERSHIP_SELECT: &str =
    "SELECT h.id AS household_id, h.room, h.floor_area_centi_m2, s.number AS stairwell,
            b.number AS building, c.name_zh, c.name_en, m.relation, m.verified_at,
            s.id AS stairwell_id, b.id AS building_id, c.id AS compound_id
     FROM household_members m
     JOIN households h ON h.id = m.household_id
     JOIN stairwells s ON s.id = h.stairwell_id
     JOIN buildings b ON b.id = s.building_id
     JOIN compounds c ON c.id = b.compound_id";

/// A household's address from a row with the columns of [`HOUSEHOLD_ADDRESS`]'s joins
/// (`name_zh`, `name_en`, `building`, `stairwell`, `room` and the three ids).
pub(crate) fn address_from_row(r: &sqlx::any::AnyRow) -> HouseholdAddress {
    HouseholdAddress {
        compound_zh: r.get("name_zh"),
        compound_en: r.get("name_en"),
        building: r.get("building"),
        stairwell: r.get("stairwell"),
        room: r.get("room"),
        compound_id: r.get("compound_id"),
        building_id: r.get("building_id"),
        stairwell_id: r.get("stairwell_id"),
    }
}

pub(crate) fn membership_from_row(r: &sqlx::any::AnyRow) -> Membership {
    Membership {
        household_id: r.get("household_id"),
        address: address_from_row(r),
        relation: HouseholdRelation::parse(r.get("relation")).unwrap_or(HouseholdRelation::Member),
        floor_area: FloorArea::from_centi_m2(r.get::<i64, _>("floor_area_centi_m2").max(0) as u64),
        verified_at: r.get("verified_at"),
    }
}
