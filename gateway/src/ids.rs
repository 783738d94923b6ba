//! Filing ids and access tokens: unguessable, from the system CSPRNG.
//! Only the SHA-256 of a token is stored.

use ring::rand::{SecureRandom, SystemRandom};

fn random_hex(bytes: usize) -> Option<String> {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new().fill(&mut buf).ok()?;
    Some(hex::encode(buf))
}

/// A new filing id: `bg-` and 128 random bits in hex.
pub fn new_filing_id() -> Option<String> {
    random_hex(16).map(|h| format!("bg-{h}"))
}

/// A new access token: 256 random bits in hex.
pub fn new_token() -> Option<String> {
    random_hex(32)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

/// True when `id` has the shape of a filing id (so arbitrary paths never reach the store).
pub fn looks_like_filing_id(id: &str) -> bool {
    id.len() == 35
        && id.starts_with("bg-")
        && id[3..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let a = new_filing_id().expect("rng");
        let b = new_filing_id().expect("rng");
        assert_ne!(a, b);
        assert!(looks_like_filing_id(&a), "{a}");
        assert!(!looks_like_filing_id("bg-../../etc/passwd"));
        assert_eq!(new_token().expect("rng").len(), 64);
        assert_eq!(token_hash("x").len(), 32);
    }
}
