//! Password hashing with argon2id (PHC string format, salt included).

use argon2::Argon2;
use tokio::sync::Semaphore;

/// Each hash takes about 19 MiB and tens of milliseconds of a core: at most this many run at
/// once, so a burst of logins queues instead of exhausting memory.
static HASHING: Semaphore = Semaphore::const_new(2);

/// `hash_password` on the blocking pool, within the concurrency limit.
pub async fn hash_password_async(password: String) -> anyhow::Result<String> {
    let _permit = HASHING.acquire().await?;
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

/// `verify_password` on the blocking pool, within the concurrency limit. With no stored hash
/// (an unknown number), it verifies against the decoy so that both take the same time.
pub async fn verify_password_async(password: String, hash: Option<String>) -> anyhow::Result<bool> {
    let _permit = HASHING.acquire().await?;
    let matches = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&password, &hash),
        None => {
            verify_password(&password, decoy_hash());
            false
        }
    })
    .await?;
    Ok(matches)
}
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Hashes a password. CPU-heavy (tens of milliseconds): call from `spawn_blocking` in handlers.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hash: {e}"))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored hash; a malformed hash counts as a mismatch.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, verified against when the phone number is unknown, so that
/// a wrong number takes as long as a wrong password and does not reveal who has an account.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-never-valid-0").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verifiable() {
        let a = hash_password("linli2026ok").unwrap();
        let b = hash_password("linli2026ok").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("linli2026ok", &a));
        assert!(!verify_password("linli2026no", &a));
        assert!(!verify_password("linli2026ok", "not a hash"));
    }
}
