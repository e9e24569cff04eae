//! Which community an HTTP request is for, and the community's public figures.

use crate::db::Db;
use linli_domain::api::{
    CommunityMap, CommunityOverview, CompoundSummary, GeoPoint, MapBuilding, MapCompound,
};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The community a request is for: every read and write of community data is scoped by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommunityId(pub i64);

/// The database's only community: the demo seed's, in tests.
#[cfg(test)]
pub(crate) async fn only(db: &Db) -> CommunityId {
    CommunityId(
        sqlx::query_scalar("SELECT id FROM communities")
            .fetch_one(db)
            .await
            .expect("one community"),
    )
}

/// Why no community answers to an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFound {
    /// The database has no community yet.
    NoneYet,
    /// Communities have their own host names, and this is none of them.
    UnknownHost,
}

/// The communities of the database by the host names they are served at.
#[derive(Debug, Default)]
struct Hosts {
    by_name: HashMap<String, CommunityId>,
    /// Served at any address no community claims: the only community, when it has no host
    /// name (an embedded Linli of one community needs no setting).
    default: Option<CommunityId>,
    communities: usize,
}

impl Hosts {
    /// From the communities' ids and host names, in id order.
    fn of(rows: &[(i64, Option<String>)]) -> Hosts {
        let by_name = rows
            .iter()
            .filter_map(|(id, name)| Some((normalise_host(name.as_deref()?), CommunityId(*id))))
            .collect();
        let default = match rows {
            [(id, None)] => Some(CommunityId(*id)),
            _ => None,
        };
        Hosts {
            by_name,
            default,
            communities: rows.len(),
        }
    }

    fn find(&self, host: &str) -> Result<CommunityId, NotFound> {
        self.by_name
            .get(host)
            .copied()
            .or(self.default)
            .ok_or(if self.communities == 0 {
                NotFound::NoneYet
            } else {
                NotFound::UnknownHost
            })
    }
}

/// How often an unknown host name may make the directory read the table again: a community
/// added since (the demo seed, an import) is found within this, and a stream of made-up names
/// costs the database one small read per interval, not one each.
const REREAD_AT_MOST_EVERY: Duration = Duration::from_secs(1);

/// How long the directory is believed at all: a host name changed by `linli-server
/// community` while the server runs is served within this.
const REREAD_AFTER: Duration = Duration::from_secs(10);

/// The host names of the communities, read from the database on first use, again when an
/// address matches none, and every ten seconds (communities and their names are changed by
/// the seed, imports and `linli-server community`, not through the API, so rarely).
#[derive(Default)]
pub struct Directory {
    kept: Mutex<Option<(Arc<Hosts>, Instant)>>,
    /// One reread at a time: those who need one meanwhile wait and use it, so a burst asks
    /// the database once and an older read never replaces a newer one.
    reading: tokio::sync::Mutex<()>,
}

impl Directory {
    /// The community served at `host` (the request's Host, port and case aside).
    pub async fn resolve(
        &self,
        db: &Db,
        host: &str,
    ) -> sqlx::Result<Result<CommunityId, NotFound>> {
        let host = normalise_host(host);
        if let Some(found) = self.kept_answer(&host) {
            return Ok(found);
        }
        let _turn = self.reading.lock().await;
        // Whoever had the turn before may have just read it.
        if let Some(found) = self.kept_answer(&host) {
            return Ok(found);
        }
        let hosts = Arc::new(read_hosts(db).await?);
        let found = hosts.find(&host);
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some((hosts, Instant::now()));
        Ok(found)
    }

    /// The kept directory's answer for `host`, while it may be believed.
    fn kept_answer(&self, host: &str) -> Option<Result<CommunityId, NotFound>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let (hosts, read_at) = kept.as_ref()?;
        let found = hosts.find(host);
        let age = read_at.elapsed();
        // An empty database is read again every time: it is being set up.
        (age < REREAD_AFTER
            && (found.is_ok() || (hosts.communities > 0 && age < REREAD_AT_MOST_EVERY)))
            .then_some(found)
    }
}

/// `Host: Cuiliu.Linli.example:8443` and `cuiliu.linli.example.` are the same community.
fn normalise_host(host: &str) -> String {
    let name = match host.rsplit_once(':') {
        // An IPv6 literal keeps its colons: only a port after `]` is cut.
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) && !name.ends_with(':') => {
            name
        }
        _ => host,
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

async fn read_hosts(db: &Db) -> sqlx::Result<Hosts> {
    let rows: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, hostname FROM communities ORDER BY id")
            .fetch_all(db)
            .await?;
    Ok(Hosts::of(&rows))
}

/// A community as the `community` command lists it.
pub struct Listed {
    pub id: i64,
    pub name_zh: String,
    pub hostname: Option<String>,
    /// The phone numbers of the staff who work for it.
    pub staff: Vec<String>,
}

/// Every community, by id, with its host name and staff.
pub async fn list(db: &Db) -> sqlx::Result<Vec<Listed>> {
    let communities: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, name_zh, hostname FROM communities ORDER BY id")
            .fetch_all(db)
            .await?;
    let staff: Vec<(i64, String)> = sqlx::query_as(
        "SELECT w.community_id, u.phone FROM staff_communities w JOIN users u ON u.id = w.user_id
         ORDER BY u.phone",
    )
    .fetch_all(db)
    .await?;
    Ok(communities
        .into_iter()
        .map(|(id, name_zh, hostname)| Listed {
            staff: staff
                .iter()
                .filter(|(c, _)| *c == id)
                .map(|(_, phone)| phone.clone())
                .collect(),
            id,
            name_zh,
            hostname,
        })
        .collect())
}

/// Why a change to a community was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeRefused {
    #[error("there is no community {0}")]
    NoCommunity(i64),
    #[error("{0:?} is not a host name (letters, digits, hyphens and dots)")]
    BadHost(String),
    #[error("community {0} is already served at that host name")]
    HostTaken(i64),
    #[error("no staff account has the number {0}")]
    NotStaff(String),
}

/// Serves a community at `host` (or at no name of its own with `None`); a running server
/// follows within ten seconds.
pub async fn set_host(db: &Db, id: i64, host: Option<&str>) -> anyhow::Result<()> {
    let host = match host.map(normalise_host) {
        Some(h) if h.is_empty() => None,
        Some(h) => {
            let valid = h.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
            if !valid || h.len() > 253 {
                return Err(ChangeRefused::BadHost(h).into());
            }
            Some(h)
        }
        None => None,
    };
    if let Some(h) = &host {
        let holder: Option<i64> =
            sqlx::query_scalar("SELECT id FROM communities WHERE hostname = $1 AND id <> $2")
                .bind(h)
                .bind(id)
                .fetch_optional(db)
                .await?;
        if let Some(other) = holder {
            return Err(ChangeRefused::HostTaken(other).into());
        }
    }
    let changed = sqlx::query("UPDATE communities SET hostname = $1 WHERE id = $2")
        .bind(host)
        .bind(id)
        .execute(db)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(ChangeRefused::NoCommunity(id).into());
    }
    Ok(())
}

/// Lists (`works`) or takes off (`!works`) the staff account with this number among those
/// who work for a community. Signed-in staff see the change within half a minute.
pub async fn set_staff(db: &Db, id: i64, phone: &str, works: bool) -> anyhow::Result<()> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM communities WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    if exists.is_none() {
        return Err(ChangeRefused::NoCommunity(id).into());
    }
    let number = linli_domain::PhoneNumber::parse(phone)
        .map_err(|_| ChangeRefused::NotStaff(phone.to_owned()))?;
    let user: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1 AND role = 'staff'")
            .bind(number.as_str())
            .fetch_optional(db)
            .await?;
    let user = user.ok_or_else(|| ChangeRefused::NotStaff(phone.to_owned()))?;
    let sql = if works {
        "INSERT INTO staff_communities (user_id, community_id) VALUES ($1, $2)
         ON CONFLICT (user_id, community_id) DO NOTHING"
    } else {
        "DELETE FROM staff_communities WHERE user_id = $1 AND community_id = $2"
    };
    sqlx::query(sql).bind(user).bind(id).execute(db).await?;
    Ok(())
}

pub async fn overview(db: &Db, community: CommunityId) -> sqlx::Result<Option<CommunityOverview>> {
    let Some(c) = sqlx::query(
        "SELECT id, name_zh, name_en, city_zh, city_en, street_office_zh, street_office_en
         FROM communities WHERE id = $1",
    )
    .bind(community.0)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let community_id: i64 = c.get("id");
    let compounds = sqlx::query(
        "SELECT c.id, c.name_zh, c.name_en, c.built_year,
                (SELECT COUNT(*) FROM buildings b WHERE b.compound_id = c.id) AS buildings,
                (SELECT COUNT(*) FROM households h
                   JOIN stairwells s ON s.id = h.stairwell_id
                   JOIN buildings b ON b.id = s.building_id
                  WHERE b.compound_id = c.id) AS households
         FROM compounds c WHERE c.community_id = $1 ORDER BY c.id",
    )
    .bind(community_id)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| CompoundSummary {
        id: r.get("id"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        built_year: r.get("built_year"),
        buildings: r.get("buildings"),
        households: r.get("households"),
    })
    .collect::<Vec<_>>();
    let verified: i64 = sqlx::query(
        "SELECT COUNT(DISTINCT household_id) FROM household_members WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_one(db)
    .await?
    .get(0);
    let facilities: i64 = sqlx::query("SELECT COUNT(*) FROM facilities WHERE community_id = $1")
        .bind(community_id)
        .fetch_one(db)
        .await?
        .get(0);
    Ok(Some(CommunityOverview {
        name_zh: c.get("name_zh"),
        name_en: c.get("name_en"),
        city_zh: c.get("city_zh"),
        city_en: c.get("city_en"),
        street_office_zh: c.get("street_office_zh"),
        street_office_en: c.get("street_office_en"),
        households: compounds.iter().map(|c| c.households).sum(),
        compounds,
        verified_households: verified,
        facilities,
    }))
}

/// The community's plan: its centre, compounds and buildings.
pub async fn map(db: &Db, community: CommunityId) -> sqlx::Result<Option<CommunityMap>> {
    let Some(c) = sqlx::query("SELECT id, center_lat, center_lon FROM communities WHERE id = $1")
        .bind(community.0)
        .fetch_optional(db)
        .await?
    else {
        return Ok(None);
    };
    let community_id: i64 = c.get("id");
    let compounds = sqlx::query(
        "SELECT id, name_zh, name_en, center_lat, center_lon FROM compounds
         WHERE community_id = $1 ORDER BY id",
    )
    .bind(community_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| MapCompound {
        id: r.get("id"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        centre: GeoPoint {
            lat: r.get("center_lat"),
            lon: r.get("center_lon"),
        },
    })
    .collect();
    let buildings = sqlx::query(
        "SELECT b.id, b.compound_id, b.number, b.lat, b.lon FROM buildings b
         JOIN compounds c ON c.id = b.compound_id
         WHERE c.community_id = $1 ORDER BY b.compound_id, b.number",
    )
    .bind(community_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| MapBuilding {
        id: r.get("id"),
        compound_id: r.get("compound_id"),
        number: r.get("number"),
        at: GeoPoint {
            lat: r.get("lat"),
            lon: r.get("lon"),
        },
    })
    .collect();
    Ok(Some(CommunityMap {
        centre: GeoPoint {
            lat: c.get("center_lat"),
            lon: c.get("center_lon"),
        },
        compounds,
        buildings,
        tiles: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(rows: &[(i64, Option<&str>)]) -> Hosts {
        let rows: Vec<_> = rows
            .iter()
            .map(|(id, name)| (*id, name.map(str::to_owned)))
            .collect();
        Hosts::of(&rows)
    }

    #[tokio::test]
    async fn host_names_and_staff_are_changed_only_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::scratch(dir.path()).await.unwrap();
        crate::seed::seed_demo_community(&db).await.unwrap();
        let CommunityId(id) = only(&db).await;
        let refused = |e: anyhow::Error| e.downcast::<ChangeRefused>().unwrap();
        set_host(&db, id, Some("Cuiliu.Linli.Example."))
            .await
            .unwrap();
        let listed = list(&db).await.unwrap();
        assert_eq!(listed[0].hostname.as_deref(), Some("cuiliu.linli.example"));
        for bad in ["bad_host", "-x.example", "a..b", "空格 host"] {
            assert_eq!(
                refused(set_host(&db, id, Some(bad)).await.unwrap_err()),
                ChangeRefused::BadHost(normalise_host(bad))
            );
        }
        assert_eq!(
            refused(set_host(&db, id + 1, Some("x.example")).await.unwrap_err()),
            ChangeRefused::NoCommunity(id + 1)
        );
        // A resident's number is not a staff account's.
        assert_eq!(
            refused(set_staff(&db, id, "13900000001", true).await.unwrap_err()),
            ChangeRefused::NotStaff("13900000001".into())
        );
        set_staff(&db, id, "13800000002", false).await.unwrap();
        assert!(
            !list(&db).await.unwrap()[0]
                .staff
                .contains(&"13800000002".to_owned())
        );
        set_staff(&db, id, "138 0000 0002", true).await.unwrap();
        set_staff(&db, id, "13800000002", true).await.unwrap();
        assert!(
            list(&db).await.unwrap()[0]
                .staff
                .contains(&"13800000002".to_owned())
        );
        set_host(&db, id, Some("")).await.unwrap();
        assert_eq!(list(&db).await.unwrap()[0].hostname, None);
    }

    #[test]
    fn a_host_name_is_matched_without_its_port_case_or_final_dot() {
        assert_eq!(
            normalise_host("Cuiliu.Linli.example:8443"),
            "cuiliu.linli.example"
        );
        assert_eq!(
            normalise_host("cuiliu.linli.example."),
            "cuiliu.linli.example"
        );
        assert_eq!(normalise_host("[::1]:3000"), "[::1]");
        assert_eq!(normalise_host("[::1]"), "[::1]");
        assert_eq!(normalise_host("127.0.0.1"), "127.0.0.1");
    }

    #[test]
    fn the_only_community_without_a_host_name_is_served_at_any_address() {
        let one = hosts(&[(7, None)]);
        assert_eq!(one.find("127.0.0.1"), Ok(CommunityId(7)));
        assert_eq!(one.find("anything.example"), Ok(CommunityId(7)));
    }

    #[test]
    fn communities_with_host_names_are_served_only_at_them() {
        let city = hosts(&[(1, Some("cuiliu.example")), (2, Some("Hehua.example"))]);
        assert_eq!(city.find("cuiliu.example"), Ok(CommunityId(1)));
        assert_eq!(city.find("hehua.example"), Ok(CommunityId(2)));
        assert_eq!(city.find("127.0.0.1"), Err(NotFound::UnknownHost));
        // Two communities without names: neither is the default, so neither is guessed.
        let unnamed = hosts(&[(1, None), (2, None)]);
        assert_eq!(unnamed.find("127.0.0.1"), Err(NotFound::UnknownHost));
        assert_eq!(hosts(&[]).find("127.0.0.1"), Err(NotFound::NoneYet));
    }
}
