//! Password policy (NIST SP 800-63B as security.md applies it): length, not composition;
//! a bundled blocklist of common and local words; nothing else.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The minimum when the account has a second factor.
pub const MIN_LEN_WITH_SECOND_FACTOR: usize = 12;
/// The minimum when it has none.
pub const MIN_LEN_WITHOUT_SECOND_FACTOR: usize = 15;
pub const MAX_LEN: usize = 128;

const BLOCKLIST: &str = include_str!("../data/password-blocklist.txt");

fn blocklist() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        BLOCKLIST
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.to_lowercase().replace(' ', ""))
            .collect()
    })
}

/// The word a password is built on: lowercased, without spaces, without the digits and symbols
/// people add before or after a word to pass composition rules.
fn core_word(password: &str) -> String {
    let lower = password.to_lowercase().replace(' ', "");
    let trimmed = lower.trim_matches(|c: char| !c.is_alphabetic());
    if trimmed.is_empty() {
        lower
    } else {
        trimmed.to_owned()
    }
}

/// Checks a new password. `username` is refused as a password and as its core word.
pub fn check_new_password(
    password: &str,
    username: &str,
    has_second_factor: bool,
) -> Result<(), &'static str> {
    let min = if has_second_factor {
        MIN_LEN_WITH_SECOND_FACTOR
    } else {
        MIN_LEN_WITHOUT_SECOND_FACTOR
    };
    let len = password.chars().count();
    if len == 0 {
        return Err("error-password-required");
    }
    if len < min {
        return Err(if has_second_factor {
            "error-password-too-short-12"
        } else {
            "error-password-too-short-15"
        });
    }
    if len > MAX_LEN {
        return Err("error-password-too-long");
    }
    let lower = password.to_lowercase().replace(' ', "");
    let core = core_word(password);
    let distinct: HashSet<char> = password.chars().collect();
    if blocklist().contains(&lower)
        || blocklist().contains(&core)
        || distinct.len() < 4
        || (!username.is_empty()
            && (core == username.to_lowercase() || lower.contains(&username.to_lowercase())))
    {
        return Err("error-password-common");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_depends_on_second_factor() {
        assert_eq!(check_new_password("correct horse", "ane", true), Ok(()));
        assert_eq!(
            check_new_password("correct horse", "ane", false),
            Err("error-password-too-short-15")
        );
        assert_eq!(
            check_new_password("correct horse battery", "ane", false),
            Ok(())
        );
        assert_eq!(
            check_new_password("short", "ane", true),
            Err("error-password-too-short-12")
        );
        assert_eq!(
            check_new_password(&"x".repeat(129), "ane", true),
            Err("error-password-too-long")
        );
    }

    #[test]
    fn local_and_common_words_are_refused_with_digits_around_them() {
        for p in [
            "bilbao123456789",
            "Password123456!",
            "2026Otxarkoaga!!!",
            "Athletic Club 1898",
            "aaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(
                check_new_password(p, "ane", false),
                Err("error-password-common"),
                "{p}"
            );
        }
    }

    #[test]
    fn the_username_is_not_a_password() {
        assert_eq!(
            check_new_password("koordinatzailea-2026", "koordinatzailea", false),
            Err("error-password-common")
        );
    }

    #[test]
    fn no_composition_rules() {
        assert_eq!(
            check_new_password("tximeleta berdea mendian", "ane", false),
            Ok(())
        );
    }
}
