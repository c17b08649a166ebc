//! Settings the web layer needs. Loaded and validated by the `elkarlan` binary.

use elkarlan_domain::account::Role;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

#[derive(Clone)]
pub struct WebConfig {
    /// INE code of the tenant served when the Host header maps to no other.
    pub default_tenant: String,
    /// Host name → INE code, for installations that serve several municipalities.
    pub tenant_hosts: HashMap<String, String>,
    /// `Secure` cookies with the `__Host-` prefix. Only turn off behind plain HTTP in a lab.
    pub secure_cookies: bool,
    /// Roles whose new accounts must use a second factor.
    pub mfa_roles: Vec<Role>,
    /// Key that seals second-factor secrets at rest (32 bytes).
    pub secret_key: SecretKey,
    /// Argon2id memory in KiB, iterations, and how many hashes may run at once.
    pub argon_memory_kib: u32,
    pub argon_iterations: u32,
    pub max_concurrent_hashes: usize,
    /// Failed sign-ins (per account name or per address, in 15 minutes) before delays start.
    pub throttle_after: i64,
    /// Delay added per failure beyond the threshold, capped at `throttle_max_delay`.
    pub throttle_step: Duration,
    pub throttle_max_delay: Duration,
    /// Request body limit in bytes (413 beyond).
    pub body_limit: usize,
    /// How many times its own size an uploaded XLSX may unpack to.
    pub import_unpacked_ratio: usize,
    /// The most an uploaded XLSX may unpack to whatever its size, and the most the table read
    /// from an uploaded spreadsheet may hold in memory.
    pub import_max_unpacked_bytes: usize,
    /// Imports (referral lists, OCDS packages) that may run at once; beyond, 503.
    pub max_concurrent_imports: usize,
    /// SMTP relay URL (`smtp://host:25`, `smtps://user:pass@host`); none keeps mail in the outbox.
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
}

impl WebConfig {
    /// Production defaults (security.md) with the given sealing key.
    pub fn new(secret_key: SecretKey) -> Self {
        Self {
            default_tenant: "48020".into(),
            tenant_hosts: HashMap::new(),
            secure_cookies: true,
            mfa_roles: Role::ALL
                .into_iter()
                .filter(|r| r.handles_personal_data())
                .collect(),
            secret_key,
            argon_memory_kib: 19 * 1024,
            argon_iterations: 2,
            max_concurrent_hashes: 4,
            throttle_after: 10,
            throttle_step: Duration::from_secs(1),
            throttle_max_delay: Duration::from_secs(30),
            body_limit: 1024 * 1024,
            import_unpacked_ratio: 20,
            import_max_unpacked_bytes: 128 * 1024 * 1024,
            max_concurrent_imports: 2,
            smtp_url: None,
            mail_from: "Elkarlan <elkarlan@bilbao.invalid>".into(),
        }
    }

    /// The spreadsheet reader's limits for an uploaded list.
    pub fn import_limits(&self) -> elkarlan_tabular::Limits {
        elkarlan_tabular::Limits {
            max_unpacked_ratio: self.import_unpacked_ratio,
            max_unpacked_bytes: self.import_max_unpacked_bytes,
            ..elkarlan_tabular::Limits::default()
        }
    }

    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-elkarlan"
        } else {
            "elkarlan"
        }
    }

    pub fn csrf_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-elkarlan-csrf"
        } else {
            "elkarlan-csrf"
        }
    }
}

/// A 32-byte key whose `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey(pub [u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// A string (password, URL with credentials) whose `Debug` never shows it.
#[derive(Clone)]
pub struct SecretString(pub String);

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebConfig")
            .field("default_tenant", &self.default_tenant)
            .field("secure_cookies", &self.secure_cookies)
            .field("mfa_roles", &self.mfa_roles)
            .field("secret_key", &self.secret_key)
            .field("smtp_url", &self.smtp_url)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let mut c = WebConfig::new(SecretKey([7; 32]));
        c.smtp_url = Some(SecretString("smtps://user:hunter2@mail".into()));
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains("[7, 7"));
        assert!(shown.contains("redacted"));
    }
}
