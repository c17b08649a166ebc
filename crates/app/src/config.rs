//! Configuration: an optional TOML file, then `ELKARLAN_*` environment variables, then flags
//! (later wins). The whole configuration is checked before anything starts.

use anyhow::{Context, bail};
use elkarlan_web::config::{SecretKey, SecretString, WebConfig};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The file's shape. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub addr: Option<String>,
    pub tenant: Option<String>,
    pub tenant_hosts: Option<HashMap<String, String>>,
    pub secure_cookies: Option<bool>,
    pub secret_key_file: Option<PathBuf>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub body_limit: Option<usize>,
    pub break_glass_per_day: Option<u32>,
    /// The address people reach Elkarlan at, for links in e-mails.
    pub public_url: Option<String>,
    /// Hours an enrolment link stays valid.
    pub enrolment_link_hours: Option<u32>,
    /// Load balancers whose `X-Forwarded-For` gives the client address (addresses or networks).
    pub trusted_proxies: Option<Vec<String>>,
    /// Failed sign-ins in 15 minutes, per account name or address, before delays start.
    pub throttle_after: Option<i64>,
    /// Consecutive failed sign-ins that lock an account name, address or second factor.
    pub lock_after: Option<i64>,
    pub import_unpacked_ratio: Option<usize>,
    pub import_max_unpacked_bytes: Option<usize>,
    pub max_concurrent_imports: Option<usize>,
}

pub fn load_file(path: Option<&Path>) -> anyhow::Result<FileConfig> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read configuration file {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("configuration file {} is not valid", path.display()))
}

/// The sealing key: `ELKARLAN_SECRET_KEY` (64 hex digits) or a key file, created on first start
/// with permissions 0600.
pub fn secret_key(env_value: Option<&str>, file: &Path) -> anyhow::Result<SecretKey> {
    if let Some(hex_key) = env_value {
        return parse_key(hex_key.trim())
            .context("ELKARLAN_SECRET_KEY must be 64 hexadecimal digits");
    }
    if file.exists() {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read key file {}", file.display()))?;
        return parse_key(text.trim()).with_context(|| {
            format!(
                "key file {} must hold 64 hexadecimal digits",
                file.display()
            )
        });
    }
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
    let text: String = key.iter().map(|b| format!("{b:02x}")).collect();
    write_private(file, &text)
        .with_context(|| format!("cannot create key file {}", file.display()))?;
    Ok(SecretKey(key))
}

fn parse_key(s: &str) -> anyhow::Result<SecretKey> {
    if s.len() != 64 {
        bail!("wrong length");
    }
    let mut key = [0u8; 32];
    for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(chunk)?;
        key[i] = u8::from_str_radix(pair, 16)?;
    }
    Ok(SecretKey(key))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Builds the web configuration from the merged settings.
pub fn web_config(
    file: &FileConfig,
    key: SecretKey,
    tenant: &str,
    smtp_url: Option<String>,
    secure_cookies: Option<bool>,
) -> anyhow::Result<WebConfig> {
    let mut c = WebConfig::new(key);
    elkarlan_domain::territory::IneCode::parse(tenant).map_err(|_| {
        anyhow::anyhow!("tenant must be a 5-digit INE municipality code, got {tenant:?}")
    })?;
    c.default_tenant = tenant.to_owned();
    if let Some(h) = &file.tenant_hosts {
        for (host, ine) in h {
            elkarlan_domain::territory::IneCode::parse(ine)
                .map_err(|_| anyhow::anyhow!("tenant_hosts.{host} must be a 5-digit INE code"))?;
        }
        c.tenant_hosts.clone_from(h);
    }
    if let Some(s) = secure_cookies.or(file.secure_cookies) {
        c.secure_cookies = s;
    }
    if let Some(url) = smtp_url.or_else(|| file.smtp_url.clone()) {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            bail!("the SMTP URL must start with smtp:// or smtps://");
        }
        c.smtp_url = Some(SecretString(url));
    }
    if let Some(from) = &file.mail_from {
        c.mail_from.clone_from(from);
    }
    if let Some(limit) = file.body_limit {
        if !(1024..=64 * 1024 * 1024).contains(&limit) {
            bail!("body_limit must be between 1 KiB and 64 MiB");
        }
        c.body_limit = limit;
    }
    if let Some(limit) = file.break_glass_per_day {
        if !(1..=50).contains(&limit) {
            bail!("break_glass_per_day must be between 1 and 50");
        }
        c.break_glass_per_day = limit;
    }
    if let Some(url) = &file.public_url {
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.contains(char::is_whitespace)
        {
            bail!("public_url must be an address like https://elkarlan.bilbao.eus");
        }
        c.public_url = Some(url.to_owned());
    }
    if let Some(hours) = file.enrolment_link_hours {
        if !(1..=720).contains(&hours) {
            bail!("enrolment_link_hours must be between 1 and 720");
        }
        c.enrolment_link_hours = hours;
    }
    if let Some(list) = &file.trusted_proxies {
        c.trusted_proxies = list
            .iter()
            .map(|p| {
                elkarlan_web::config::IpNet::parse(p).ok_or_else(|| {
                    anyhow::anyhow!(
                        "trusted_proxies: {p:?} is not an IP address or network like 10.0.0.0/8"
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?;
    }
    if let Some(n) = file.throttle_after {
        if !(1..=1_000_000).contains(&n) {
            bail!("throttle_after must be between 1 and 1000000");
        }
        c.throttle_after = n;
    }
    if let Some(n) = file.lock_after {
        if !(1..=1_000_000).contains(&n) {
            bail!("lock_after must be between 1 and 1000000");
        }
        c.lockout.lock_after = n;
    }
    if let Some(ratio) = file.import_unpacked_ratio {
        if !(1..=1_000).contains(&ratio) {
            bail!("import_unpacked_ratio must be between 1 and 1000");
        }
        c.import_unpacked_ratio = ratio;
    }
    if let Some(cap) = file.import_max_unpacked_bytes {
        if !(1024 * 1024..=1024 * 1024 * 1024).contains(&cap) {
            bail!("import_max_unpacked_bytes must be between 1 MiB and 1 GiB");
        }
        c.import_max_unpacked_bytes = cap;
    }
    if let Some(n) = file.max_concurrent_imports {
        if !(1..=64).contains(&n) {
            bail!("max_concurrent_imports must be between 1 and 64");
        }
        c.max_concurrent_imports = n;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_64_hex_digits() {
        assert!(secret_key(Some(&"ab".repeat(32)), Path::new("/nonexistent")).is_ok());
        assert!(secret_key(Some("abc"), Path::new("/nonexistent")).is_err());
        assert!(secret_key(Some(&"zz".repeat(32)), Path::new("/nonexistent")).is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let e = toml::from_str::<FileConfig>("databse_url = \"sqlite://x.db\"")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown field"), "{e}");
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        let f = FileConfig::default();
        let k = || SecretKey([0; 32]);
        assert!(web_config(&f, k(), "4802", None, None).is_err());
        assert!(web_config(&f, k(), "48020", Some("http://mail".into()), None).is_err());
        assert!(web_config(&f, k(), "48020", Some("smtp://127.0.0.1:2525".into()), None).is_ok());
        let no_emergencies = FileConfig {
            break_glass_per_day: Some(0),
            ..FileConfig::default()
        };
        assert!(web_config(&no_emergencies, k(), "48020", None, None).is_err());
        let five = FileConfig {
            break_glass_per_day: Some(5),
            ..FileConfig::default()
        };
        assert_eq!(
            web_config(&five, k(), "48020", None, None)
                .map(|c| c.break_glass_per_day)
                .ok(),
            Some(5)
        );
        let proxies = |list: &[&str]| FileConfig {
            trusted_proxies: Some(list.iter().map(|s| (*s).to_owned()).collect()),
            ..FileConfig::default()
        };
        let ok = web_config(
            &proxies(&["10.0.0.0/8", "192.0.2.1"]),
            k(),
            "48020",
            None,
            None,
        );
        assert_eq!(ok.map(|c| c.trusted_proxies.len()).ok(), Some(2));
        let e = web_config(&proxies(&["lb.internal"]), k(), "48020", None, None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("trusted_proxies"), "{e}");
        let zero = FileConfig {
            lock_after: Some(0),
            ..FileConfig::default()
        };
        assert!(web_config(&zero, k(), "48020", None, None).is_err());
    }

    #[test]
    fn trusted_proxies_are_off_by_default() {
        let c = web_config(
            &FileConfig::default(),
            SecretKey([0; 32]),
            "48020",
            None,
            None,
        );
        assert_eq!(c.map(|c| c.trusted_proxies.is_empty()).ok(), Some(true));
    }

    #[test]
    fn import_bounds_are_read_and_checked() {
        let k = || SecretKey([0; 32]);
        let f: FileConfig = toml::from_str(
            "import_unpacked_ratio = 10\nimport_max_unpacked_bytes = 33554432\nmax_concurrent_imports = 3",
        )
        .unwrap_or_default();
        let c = web_config(&f, k(), "48020", None, None).map_err(|e| e.to_string());
        let c = c.as_ref().map(|c| {
            (
                c.import_unpacked_ratio,
                c.import_max_unpacked_bytes,
                c.max_concurrent_imports,
            )
        });
        assert_eq!(c, Ok((10, 32 * 1024 * 1024, 3)));
        for bad in [
            "import_unpacked_ratio = 0",
            "import_max_unpacked_bytes = 1000",
            "max_concurrent_imports = 0",
        ] {
            let f: FileConfig = toml::from_str(bad).unwrap_or_default();
            assert!(web_config(&f, k(), "48020", None, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_in_e_mails_use_the_public_address_and_expire_as_set() {
        let k = || SecretKey([0; 32]);
        let f: FileConfig = toml::from_str(
            "public_url = \"https://elkarlan.bilbao.eus/\"\nenrolment_link_hours = 24",
        )
        .unwrap_or_default();
        let c = web_config(&f, k(), "48020", None, None).ok();
        assert_eq!(
            c.as_ref().and_then(|c| c.public_url.clone()).as_deref(),
            Some("https://elkarlan.bilbao.eus")
        );
        assert_eq!(c.map(|c| c.enrolment_link_hours), Some(24));
        for bad in [
            "public_url = \"elkarlan.bilbao.eus\"",
            "enrolment_link_hours = 0",
            "enrolment_link_hours = 721",
        ] {
            let f: FileConfig = toml::from_str(bad).unwrap_or_default();
            assert!(web_config(&f, k(), "48020", None, None).is_err(), "{bad}");
        }
    }
}
