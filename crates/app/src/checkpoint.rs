//! Signed audit checkpoints. The hash chain proves that rows were not changed relative to each
//! other; it cannot prove that someone with database access did not rewrite or truncate the
//! whole chain consistently. A checkpoint, signed with the installation's secret key and kept
//! off the host, pins each chain's head at a moment: `audit verify --checkpoint FILE` then checks
//! that the row it names still has the hash it had.

use elkarlan_store::{Store, audit};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub tenant: uuid::Uuid,
    pub seq: i64,
    pub hash: String,
    pub at: String,
    pub mac: String,
}

fn mac(key: &[u8; 32], tenant: uuid::Uuid, seq: i64, hash: &str, at: &str) -> String {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    m.update(format!("elkarlan-audit-checkpoint|{tenant}|{seq}|{hash}|{at}").as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// One checkpoint per tenant chain, as JSON lines.
pub async fn create(store: &Store, key: &[u8; 32]) -> anyhow::Result<Vec<Checkpoint>> {
    let at = elkarlan_domain::Timestamp::now().iso();
    Ok(audit::heads(store)
        .await?
        .into_iter()
        .map(|(tenant, seq, hash)| {
            let hash = hex::encode(hash);
            Checkpoint {
                tenant,
                seq,
                mac: mac(key, tenant, seq, &hash, &at),
                hash,
                at: at.clone(),
            }
        })
        .collect())
}

/// Checks every checkpoint in `text` (JSON lines): signature, then the row's current hash.
/// Returns the first problem.
pub async fn check(store: &Store, key: &[u8; 32], text: &str) -> anyhow::Result<Option<String>> {
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let cp: Checkpoint = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("checkpoint line {}: {e}", n + 1))?;
        let expected = mac(key, cp.tenant, cp.seq, &cp.hash, &cp.at);
        if !elkarlan_web::auth::same(expected.as_bytes(), cp.mac.as_bytes()) {
            return Ok(Some(format!(
                "checkpoint line {}: the signature does not match (wrong key or edited checkpoint)",
                n + 1
            )));
        }
        if cp.seq == 0 {
            continue;
        }
        match audit::hash_at(store, cp.tenant, cp.seq).await? {
            Some(h) if hex::encode(&h) == cp.hash => {}
            Some(_) => {
                return Ok(Some(format!(
                    "tenant {} row {}: differs from the signed checkpoint of {} (the chain was rewritten)",
                    cp.tenant, cp.seq, cp.at
                )));
            }
            None => {
                return Ok(Some(format!(
                    "tenant {} row {}: missing, but the signed checkpoint of {} has it (the chain was truncated)",
                    cp.tenant, cp.seq, cp.at
                )));
            }
        }
    }
    Ok(None)
}
