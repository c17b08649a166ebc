//! Credentials: Argon2id password hashes, random tokens, TOTP (RFC 6238) and sealed secrets.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use rand::RngCore;
use tokio::sync::Semaphore;
use totp_rs::{Algorithm as TotpAlgorithm, Secret, TOTP};

/// Hashes and verifies passwords off the async threads, at most N at once, so a burst of
/// sign-ins cannot exhaust memory (each hash takes `memory_kib`).
pub struct PasswordHasher {
    params: Params,
    permits: Semaphore,
    /// A hash of a random password, verified against when the account does not exist so that
    /// unknown and known usernames take the same time.
    dummy: String,
}

impl PasswordHasher {
    pub fn new(memory_kib: u32, iterations: u32, concurrency: usize) -> Self {
        let params = Params::new(memory_kib.max(8), iterations.max(1), 1, None).unwrap_or_default();
        let mut dummy_pw = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut dummy_pw);
        let dummy = hash_with(&params, &hex::encode(dummy_pw)).unwrap_or_default();
        Self {
            params,
            permits: Semaphore::new(concurrency.max(1)),
            dummy,
        }
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let params = self.params.clone();
        let pw = password.to_owned();
        tokio::task::spawn_blocking(move || hash_with(&params, &pw)).await?
    }

    /// Verifies `password` against `hash`, or against the dummy hash when `hash` is `None`
    /// (and then always answers false).
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let known = hash.is_some();
        let stored = hash.map_or_else(|| self.dummy.clone(), str::to_owned);
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
        })
        .await
        .unwrap_or(false);
        ok && known
    }
}

fn hash_with(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::thread_rng());
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// A new random token: 256 bits, URL-safe base64.
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// How a token is stored: its SHA-256.
pub fn token_hash(token: &str) -> Vec<u8> {
    elkarlan_store::sha256(token.as_bytes())
}

/// Constant-time comparison for tokens and codes.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Seals `plain` with the configured key; `context` (e.g. the user id) must match on opening,
/// so a sealed value cannot be moved to another account.
pub fn seal(key: &[u8; 32], plain: &[u8], context: &[u8]) -> Vec<u8> {
    let cipher = ChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let mut out = nonce.to_vec();
    out.extend(
        cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .unwrap_or_default(),
    );
    out
}

pub fn open(key: &[u8; 32], sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 12 + 16 {
        return None;
    }
    let cipher = ChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(
            Nonce::from_slice(&sealed[..12]),
            Payload {
                msg: &sealed[12..],
                aad: context,
            },
        )
        .ok()
}

/// An identity document as the people registry stores it: sealed with the installation key
/// (the tenant as context), a keyed hash that finds duplicates without opening anything, and a
/// masked form for screens. Registration and the demo loader share it, so both hash alike.
pub fn stored_document(
    key: &[u8; 32],
    tenant: elkarlan_domain::TenantId,
    doc: &elkarlan_domain::identity::IdentityDocument,
) -> elkarlan_store::people::StoredDocument {
    use sha2::Digest;
    let normalised = format!("{}:{}", doc.kind(), doc.number());
    let mut h = sha2::Sha256::new();
    h.update(key);
    h.update(tenant.0.as_bytes());
    h.update(normalised.as_bytes());
    elkarlan_store::people::StoredDocument {
        kind: doc.kind().to_owned(),
        sealed: seal(key, normalised.as_bytes(), tenant.0.as_bytes()),
        hash: h.finalize().to_vec(),
        masked: doc.masked(),
    }
}

/// The label the search-term key is derived under: the installation key seals secrets; this
/// derived key only hashes search terms, so one never stands in for the other.
const SEARCH_TERM_LABEL: &[u8] = b"elkarlan/audit/search-terms/v1";

/// HMAC-SHA256. HMAC takes keys of any length, so making one cannot fail.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::Mac;
    let Ok(mut mac) = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key) else {
        return [0u8; 32];
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// What the audit trail keeps of a search of the registry: a keyed hash of each term,
/// normalised as the registry searches (so "Etxeberría" and "echeberria" hash alike), under a
/// key derived from the installation key. The operator holds the key; without it the hashes
/// cannot be tested against a list of names. The tenant is hashed in too.
pub fn search_term_hashes(
    key: &[u8; 32],
    tenant: elkarlan_domain::TenantId,
    query: &str,
) -> Vec<String> {
    let derived = hmac_sha256(key, &[SEARCH_TERM_LABEL]);
    let normalised = elkarlan_domain::search::search_key(query);
    let mut out: Vec<String> = Vec::new();
    for term in normalised.split_whitespace() {
        let h = hex::encode(hmac_sha256(
            &derived,
            &[tenant.0.as_bytes(), term.as_bytes()],
        ));
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

pub const TOTP_STEP: u64 = 30;

/// A new 160-bit TOTP secret.
pub fn new_totp_secret() -> Vec<u8> {
    let mut b = vec![0u8; 20];
    rand::thread_rng().fill_bytes(&mut b);
    b
}

pub fn base32(secret: &[u8]) -> String {
    Secret::Raw(secret.to_vec()).to_encoded().to_string()
}

/// The `otpauth://` URI authenticator apps read.
pub fn otpauth_uri(secret: &[u8], username: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={TOTP_STEP}",
        enc("Elkarlan"),
        enc(username),
        base32(secret),
        enc("Elkarlan")
    )
}

/// An SVG QR code of `data` (no scripts, no styles: safe under our CSP).
pub fn qr_svg(data: &str) -> String {
    qrcode::QrCode::new(data.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(180, 180)
                .build()
        })
        .map(|svg| svg.replacen("<svg ", "<svg role=\"img\" aria-label=\"QR\" ", 1))
        .unwrap_or_default()
}

/// The time step a 6-digit code matches, within ±1 step of `now` (seconds since the epoch).
pub fn totp_match(secret: &[u8], code: &str, now: u64) -> Option<i64> {
    let totp = TOTP::new(TotpAlgorithm::SHA1, 6, 1, TOTP_STEP, secret.to_vec()).ok()?;
    let step = now / TOTP_STEP;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| same(totp.generate(s * TOTP_STEP).as_bytes(), code.as_bytes()))
        .and_then(|s| i64::try_from(s).ok())
}

/// The current code, for tests and the demo.
pub fn totp_now(secret: &[u8], now: u64) -> String {
    TOTP::new(TotpAlgorithm::SHA1, 6, 1, TOTP_STEP, secret.to_vec())
        .map(|t| t.generate(now))
        .unwrap_or_default()
}

/// Ten one-time recovery codes like `k7mq-2xwd-p9`.
pub fn recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| {
            let mut s = String::new();
            for i in 0..10 {
                if i == 4 || i == 8 {
                    s.push('-');
                }
                s.push(ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char);
            }
            s
        })
        .collect()
}

/// How a recovery code is stored: SHA-256 of the code without dashes, lowercased.
pub fn recovery_hash(code: &str) -> Vec<u8> {
    let norm: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    elkarlan_store::sha256(norm.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_and_unknown_accounts_never_do() {
        let h = PasswordHasher::new(64, 1, 2);
        let hash = h.hash("correct horse battery").await.unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"));
        assert!(h.verify("correct horse battery", Some(&hash)).await);
        assert!(!h.verify("wrong horse battery", Some(&hash)).await);
        assert!(!h.verify("anything", None).await);
    }

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let key = [1u8; 32];
        let s = seal(&key, b"secret", b"user-1");
        assert_eq!(open(&key, &s, b"user-1").as_deref(), Some(&b"secret"[..]));
        assert_eq!(open(&key, &s, b"user-2"), None);
        assert_eq!(open(&[2u8; 32], &s, b"user-1"), None);
    }

    #[test]
    fn totp_accepts_one_step_of_skew_and_rejects_others() {
        let secret = new_totp_secret();
        let now = 1_800_000_000;
        let code = totp_now(&secret, now);
        assert_eq!(totp_match(&secret, &code, now), Some((now / 30) as i64));
        assert!(totp_match(&secret, &code, now + 30).is_some());
        assert_eq!(totp_match(&secret, &code, now + 120), None);
    }

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        assert_eq!(totp_now(b"12345678901234567890", 59), "287082");
    }

    #[test]
    fn search_terms_hash_per_normalised_term_under_the_installation_key() {
        let tenant = elkarlan_domain::TenantId(uuid::Uuid::nil());
        let key = [7u8; 32];
        let a = search_term_hashes(&key, tenant, "Amaia  Etxeberría");
        assert_eq!(a.len(), 2);
        // The registry's normalisation: accents, case and Basque/Spanish spellings fold.
        assert_eq!(a, search_term_hashes(&key, tenant, "amaia echeberria"));
        assert_eq!(a[1], search_term_hashes(&key, tenant, "ETXEBERRIA")[0]);
        // No term in the clear, and another key or tenant gives other hashes.
        assert!(a.iter().all(|h| h.len() == 64 && !h.contains("amaia")));
        assert_ne!(
            a,
            search_term_hashes(&[8u8; 32], tenant, "Amaia Etxeberria")
        );
        let other = elkarlan_domain::TenantId(uuid::Uuid::from_u128(1));
        assert_ne!(a, search_term_hashes(&key, other, "Amaia Etxeberria"));
    }

    #[test]
    fn recovery_codes_are_unique_and_hash_ignoring_dashes_and_case() {
        let codes = recovery_codes();
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
        assert_eq!(recovery_hash("ABCD-efgh-jk"), recovery_hash("abcdefghjk"));
    }
}
