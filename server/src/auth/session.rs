//! Session tokens: 256 random bits in the cookie, only their SHA-256 in the database, so a
//! leaked database does not hand out live sessions.

use linli_domain::hex;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "linli_session";
/// Sessions last 30 days from login.
pub const SESSION_SECONDS: i64 = 30 * 24 * 3600;

pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex(&bytes))
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }
}
