//! The people of the plan: the demo logins and the extra residents, bound to their households
//! the way a real resident would be, by using up that household's code.

use super::housing::{CodeBook, Household};
use super::plan::{
    DEMO_ACCOUNTS, EXTRA_PHONE_FIRST, EXTRA_PHONE_PREFIX, EXTRA_RESIDENTS, Home, LIFT_BALLOTS,
    LIFT_BUILDING, LIFT_COMPOUND, LIFT_OWNER_NAMES, Target,
};
use super::rng::SplitMix64;
use anyhow::{Context, anyhow, ensure};
use linli_domain::{HouseholdRelation, Role};
use sqlx::AnyConnection;
use std::collections::HashSet;

/// Fixed seed for choosing the extra residents' flats.
const PEOPLE_SEED: u64 = 0x5045_4F50_4C45_0001;

/// The phone number of the `index`-th extra resident (from 0).
pub fn extra_phone(index: usize) -> String {
    format!(
        "{EXTRA_PHONE_PREFIX}{:04}",
        EXTRA_PHONE_FIRST as usize + index
    )
}

/// Writes every account with the one precomputed password hash; returns how many.
pub async fn insert_people(
    conn: &mut AnyConnection,
    password_hash: &str,
    households: &[Household],
    codes: &CodeBook,
    now: i64,
) -> anyhow::Result<usize> {
    let mut binder = Binder {
        codes,
        bound: HashSet::new(),
        now,
    };
    let mut users = 0;

    for account in &DEMO_ACCOUNTS {
        let login = &account.login;
        let user_id = insert_user(
            conn,
            login.phone,
            password_hash,
            account.display_name,
            login.role,
            now,
        )
        .await?;
        users += 1;
        if let Some((home, relation)) = account.home {
            let household = households
                .iter()
                .find(|h| h.is_at(&home))
                .ok_or_else(|| anyhow!("plan error: no household at {home:?}"))?;
            binder.bind(conn, household.id, user_id, relation).await?;
        }
    }

    let mut rng = SplitMix64::new(PEOPLE_SEED);
    for (index, resident) in EXTRA_RESIDENTS.iter().enumerate() {
        let phone = extra_phone(index);
        let user_id = insert_user(
            conn,
            &phone,
            password_hash,
            resident.display_name,
            Role::Resident,
            now,
        )
        .await?;
        users += 1;
        let candidates: Vec<i64> = households
            .iter()
            .filter(|h| in_target(h, resident.target))
            .map(|h| h.id)
            .collect();
        let household_id = binder
            .pick_free(&mut rng, &candidates, resident.relation)
            .with_context(|| {
                format!(
                    "plan error: no free {:?} code in {:?}",
                    resident.relation, resident.target
                )
            })?;
        binder
            .bind(conn, household_id, user_id, resident.relation)
            .await?;
    }

    // The lift building's owners who vote: an account for each voting flat that has no owner
    // yet, numbered on from the extra residents.
    let mut names = LIFT_OWNER_NAMES.iter();
    let mut index = EXTRA_RESIDENTS.len();
    for &(stairwell, room, choice) in LIFT_BALLOTS {
        let home = Home {
            compound: LIFT_COMPOUND,
            building: LIFT_BUILDING,
            stairwell,
            room,
        };
        let household = households
            .iter()
            .find(|h| h.is_at(&home))
            .ok_or_else(|| anyhow!("plan error: no household at {home:?}"))?;
        if choice.is_none()
            || binder
                .bound
                .contains(&(household.id, HouseholdRelation::Owner))
        {
            continue;
        }
        let name = names
            .next()
            .context("plan error: too few names for the lift building's owners")?;
        let user_id = insert_user(
            conn,
            &extra_phone(index),
            password_hash,
            name,
            Role::Resident,
            now,
        )
        .await?;
        index += 1;
        users += 1;
        binder
            .bind(conn, household.id, user_id, HouseholdRelation::Owner)
            .await?;
    }
    Ok(users)
}

fn in_target(household: &Household, target: Target) -> bool {
    match target {
        Target::Stairwell {
            compound,
            building,
            stairwell,
        } => {
            household.compound == compound
                && household.building == building
                && household.stairwell == stairwell
        }
        Target::Building { compound, building } => {
            household.compound == compound && household.building == building
        }
        Target::Compound(compound) => household.compound == compound,
    }
}

async fn insert_user(
    conn: &mut AnyConnection,
    phone: &str,
    password_hash: &str,
    display_name: &str,
    role: Role,
    now: i64,
) -> anyhow::Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO users (phone, password_hash, display_name, role, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id",
    )
    .bind(phone)
    .bind(password_hash)
    .bind(display_name)
    .bind(role.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Binds users to households, spending each household's code of that relation once.
struct Binder<'a> {
    codes: &'a CodeBook,
    bound: HashSet<(i64, HouseholdRelation)>,
    now: i64,
}

impl Binder<'_> {
    /// A random candidate whose code of `relation` is still unused: start at a random place and
    /// walk on, so the choice is deterministic and always ends.
    fn pick_free(
        &self,
        rng: &mut SplitMix64,
        candidates: &[i64],
        relation: HouseholdRelation,
    ) -> Option<i64> {
        if candidates.is_empty() {
            return None;
        }
        let start = rng.below(candidates.len() as u64) as usize;
        (0..candidates.len())
            .map(|step| candidates[(start + step) % candidates.len()])
            .find(|&id| !self.bound.contains(&(id, relation)))
    }

    async fn bind(
        &mut self,
        conn: &mut AnyConnection,
        household_id: i64,
        user_id: i64,
        relation: HouseholdRelation,
    ) -> anyhow::Result<()> {
        ensure!(
            self.bound.insert((household_id, relation)),
            "household {household_id} already has its {relation:?} bound"
        );
        let code = self
            .codes
            .get(&(household_id, relation))
            .ok_or_else(|| anyhow!("household {household_id} has no {relation:?} code"))?;
        sqlx::query(
            "INSERT INTO household_members (household_id, user_id, relation, verified_at, community_id) VALUES ($1, $2, $3, $4, (SELECT community_id FROM households WHERE id = $1))",
        )
        .bind(household_id)
        .bind(user_id)
        .bind(relation.as_str())
        .bind(self.now)
        .execute(&mut *conn)
        .await?;
        let used = sqlx::query(
            "UPDATE binding_codes SET used_at = $1, used_by = $2 WHERE code = $3 AND used_at IS NULL",
        )
        .bind(self.now)
        .bind(user_id)
        .bind(code.as_str())
        .execute(&mut *conn)
        .await?;
        ensure!(
            used.rows_affected() == 1,
            "code of household {household_id} was already used"
        );
        Ok(())
    }
}
