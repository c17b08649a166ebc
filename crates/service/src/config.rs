//! Settings the server needs, its web layer and its services alike. Loaded and validated by the
//! `elkarlan` binary.

use elkarlan_domain::account::Role;
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
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
    /// Consecutive failures that lock an account name, address or second factor, and for how
    /// long (doubling per lock, capped).
    pub lockout: elkarlan_store::throttle::Limits,
    /// Proxies (load balancers) whose `X-Forwarded-For` is believed. Empty (the default): the
    /// client address is the socket's peer, and the header is ignored.
    pub trusted_proxies: Vec<IpNet>,
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
    /// Emergency accesses a professional may open in 24 hours; beyond it a request waits for
    /// the DPO's approval.
    pub break_glass_per_day: u32,
    /// The address people reach Elkarlan at (`https://elkarlan.bilbao.eus`), for links in
    /// e-mails. None: the Host of the request that sends the e-mail.
    pub public_url: Option<String>,
    /// How long an enrolment link (a new account's holder choosing their password) stays valid.
    pub enrolment_link_hours: u32,
}

/// The default daily limit of emergency accesses per professional.
pub const BREAK_GLASS_PER_DAY: u32 = 3;

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
            lockout: elkarlan_store::throttle::Limits::default(),
            trusted_proxies: Vec::new(),
            body_limit: 1024 * 1024,
            import_unpacked_ratio: 20,
            import_max_unpacked_bytes: 128 * 1024 * 1024,
            max_concurrent_imports: 2,
            smtp_url: None,
            mail_from: "Elkarlan <elkarlan@bilbao.invalid>".into(),
            break_glass_per_day: BREAK_GLASS_PER_DAY,
            public_url: None,
            enrolment_link_hours: 72,
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

/// An address or network (`10.0.0.0/8`, `192.0.2.10`, `2001:db8::/32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(s: &str) -> Option<IpNet> {
        let (a, p) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(IpNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl WebConfig {
    /// The client's address: the socket's peer, unless the peer is a trusted proxy; then the
    /// `X-Forwarded-For` entries are read from the right (the ones trusted proxies appended)
    /// and the first one that is not itself a trusted proxy is the client. Entries further left
    /// were written by the client and prove nothing.
    pub fn client_addr(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
        let peer = peer?;
        let trusted = |ip: IpAddr| self.trusted_proxies.iter().any(|n| n.contains(ip));
        if !trusted(peer) {
            return Some(peer);
        }
        let mut client = peer;
        for entry in forwarded_for.iter().rev().flat_map(|v| v.rsplit(',')) {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !trusted(ip) {
                break;
            }
        }
        Some(client)
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
            .field("trusted_proxies", &self.trusted_proxies)
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

    fn ip(s: &str) -> IpAddr {
        s.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn networks_parse_and_match() {
        let n = IpNet::parse("10.1.0.0/16");
        assert!(n.is_some_and(|n| n.contains(ip("10.1.200.3"))));
        assert!(n.is_some_and(|n| !n.contains(ip("10.2.0.1"))));
        assert!(n.is_some_and(|n| n.contains(ip("::ffff:10.1.0.9"))));
        assert!(IpNet::parse("192.0.2.7").is_some_and(|n| n.contains(ip("192.0.2.7"))));
        assert!(IpNet::parse("192.0.2.7").is_some_and(|n| !n.contains(ip("192.0.2.8"))));
        assert!(IpNet::parse("0.0.0.0/0").is_some_and(|n| n.contains(ip("203.0.113.1"))));
        assert!(IpNet::parse("2001:db8::/32").is_some_and(|n| n.contains(ip("2001:db8:1::1"))));
        for bad in ["", "10.0.0.0/33", "example.org", "10.0.0/8", "::/129"] {
            assert!(IpNet::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let mut c = WebConfig::new(SecretKey([7; 32]));
        let lb = Some(ip("10.0.0.5"));
        // Off by default: the header is ignored.
        assert_eq!(c.client_addr(lb, &["203.0.113.9"]), lb);
        c.trusted_proxies = IpNet::parse("10.0.0.0/8").into_iter().collect();
        assert_eq!(c.client_addr(lb, &["203.0.113.9"]), Some(ip("203.0.113.9")));
        // What the client wrote itself (left of the last untrusted entry) is not believed.
        assert_eq!(
            c.client_addr(lb, &["198.51.100.1, 203.0.113.9, 10.0.0.7"]),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            c.client_addr(lb, &["198.51.100.1", "203.0.113.9"]),
            Some(ip("203.0.113.9"))
        );
        // A peer that is not a trusted proxy cannot choose its address.
        let direct = Some(ip("203.0.113.50"));
        assert_eq!(c.client_addr(direct, &["198.51.100.1"]), direct);
        // No header, or garbage: the proxy's own address.
        assert_eq!(c.client_addr(lb, &[]), lb);
        assert_eq!(c.client_addr(lb, &["not an address"]), lb);
        assert_eq!(c.client_addr(None, &["203.0.113.9"]), None);
    }
}
