//! Staff accounts: usernames, display names, e-mail addresses and roles.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A sign-in name: 3 to 64 characters of `a-z 0-9 . _ -`, stored lowercase so that
/// `Admin` and `admin` are one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err("error-username-required");
        }
        if s.len() < 3 || s.len() > 64 {
            return Err("error-username-length");
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err("error-username-format");
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown to colleagues: 1 to 120 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let s = s.trim();
        if s.is_empty() {
            return Err("error-display-name-required");
        }
        if s.chars().count() > 120 {
            return Err("error-display-name-length");
        }
        if s.chars().any(char::is_control) {
            return Err("error-display-name-format");
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address: one `@`, a dot in the domain, no spaces, at most 254 characters.
/// Deliverability is proven by sending, not by a longer regular expression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let s = s.trim();
        if s.is_empty() {
            return Err("error-email-required");
        }
        let ok = s.len() <= 254
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err("error-email-format")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a person does in Elkarlan. One role per account; what the role may see of a given person
/// is decided by `policy` from the role, the relationship and the data category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Council IT: users, agencies, configuration. No case content.
    Administrator,
    /// Bilbao Ekintza strategic projects coordinator: portfolio, agreements, indicators.
    Coordinator,
    /// Reference professional of the employment and income guarantee service (Lanbide).
    EmploymentProfessional,
    /// Municipal social services social worker.
    SocialWorker,
    EducationProfessional,
    HousingProfessional,
    PrimaryCareProfessional,
    MentalHealthProfessional,
    /// Staff of a training or social entity that runs courses.
    TrainingEntityStaff,
    /// Aggregated, disclosure-controlled indicators only.
    Analyst,
    /// Data protection officer: audit trail, access logs, break-glass reviews.
    DataProtectionOfficer,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Administrator,
        Role::Coordinator,
        Role::EmploymentProfessional,
        Role::SocialWorker,
        Role::EducationProfessional,
        Role::HousingProfessional,
        Role::PrimaryCareProfessional,
        Role::MentalHealthProfessional,
        Role::TrainingEntityStaff,
        Role::Analyst,
        Role::DataProtectionOfficer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Coordinator => "coordinator",
            Role::EmploymentProfessional => "employment_professional",
            Role::SocialWorker => "social_worker",
            Role::EducationProfessional => "education_professional",
            Role::HousingProfessional => "housing_professional",
            Role::PrimaryCareProfessional => "primary_care_professional",
            Role::MentalHealthProfessional => "mental_health_professional",
            Role::TrainingEntityStaff => "training_entity_staff",
            Role::Analyst => "analyst",
            Role::DataProtectionOfficer => "data_protection_officer",
        }
    }

    pub fn parse(s: &str) -> Result<Role, &'static str> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or("error-role-unknown")
    }

    /// The locale key of the role's name.
    pub fn label_key(self) -> String {
        format!("role-{}", self.code().replace('_', "-"))
    }

    /// Roles that handle people's personal data must use a second factor by default (ENS high).
    pub fn handles_personal_data(self) -> bool {
        !matches!(self, Role::Analyst | Role::Coordinator)
    }

    /// Front-line professionals who may belong to a case team.
    /// The professionals who build employment itineraries: the employment service's reference
    /// professional and the social worker who leads an inclusion plan.
    pub fn works_on_itineraries(self) -> bool {
        matches!(self, Role::EmploymentProfessional | Role::SocialWorker)
    }

    pub fn is_case_professional(self) -> bool {
        matches!(
            self,
            Role::EmploymentProfessional
                | Role::SocialWorker
                | Role::EducationProfessional
                | Role::HousingProfessional
                | Role::PrimaryCareProfessional
                | Role::MentalHealthProfessional
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercase_and_restricted() {
        assert_eq!(
            Username::parse(" Admin ").map(|u| u.0),
            Ok("admin".to_owned())
        );
        assert_eq!(Username::parse(""), Err("error-username-required"));
        assert_eq!(Username::parse("ab"), Err("error-username-length"));
        assert_eq!(Username::parse("ane garcia"), Err("error-username-format"));
        assert_eq!(Username::parse("iñaki"), Err("error-username-format"));
    }

    #[test]
    fn emails_need_one_at_and_a_dotted_domain() {
        assert!(Email::parse("ane@bilbao.eus").is_ok());
        assert_eq!(Email::parse("ane@bilbao"), Err("error-email-format"));
        assert_eq!(Email::parse("ane@@bilbao.eus"), Err("error-email-format"));
        assert_eq!(Email::parse("a b@bilbao.eus"), Err("error-email-format"));
    }

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Ok(r));
        }
        assert_eq!(Role::parse("root"), Err("error-role-unknown"));
    }
}

/// The form or JSON body of a new account, as received.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// The published contract has always called this body `NewUserInput`.
#[cfg_attr(feature = "openapi", schema(as = NewUserInput))]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    /// Where the link to choose the password is sent. Required; a missing one is reported with
    /// the other fields' errors.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub email: String,
    pub role: String,
    /// Agency id, or empty for none.
    #[serde(default)]
    // Checked against the stored agencies by the service.
    pub agency: String,
}

/// A new account whose own fields are valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDraft {
    pub username: Username,
    pub display_name: DisplayName,
    pub email: Email,
    pub role: Role,
}

impl UserInput {
    /// Parses every field but the agency, collecting every error in field order.
    pub fn parse(&self) -> Result<UserDraft, crate::FieldErrors> {
        let mut errors = crate::FieldErrors::new();
        let username = errors.take("username", Username::parse(&self.username));
        let display_name = errors.take("display_name", DisplayName::parse(&self.display_name));
        // The enrolment link goes to this address: without one nobody could choose the password.
        let email = if self.email.trim().is_empty() {
            errors.add("email", "error-email-required-for-enrolment");
            None
        } else {
            errors.take("email", Email::parse(&self.email))
        };
        let role = errors.take("role", Role::parse(self.role.trim()));
        match (username, display_name, email, role) {
            (Some(username), Some(display_name), Some(email), Some(role)) => Ok(UserDraft {
                username,
                display_name,
                email,
                role,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod user_input_tests {
    use super::*;

    fn valid() -> UserInput {
        UserInput {
            username: "Miren.A".into(),
            display_name: "Miren Agirre".into(),
            email: "miren@example.org".into(),
            role: Role::ALL[0].code().into(),
            agency: String::new(),
        }
    }

    fn keys(input: &UserInput) -> Vec<(String, &'static str)> {
        match input.parse() {
            Ok(_) => Vec::new(),
            Err(e) => e.0.into_iter().map(|f| (f.field, f.key)).collect(),
        }
    }

    #[test]
    fn a_valid_account_parses_into_the_newtypes() {
        let draft = valid().parse().map(|d| {
            (
                d.username.as_str().to_owned(),
                d.display_name.as_str().to_owned(),
                d.email,
                d.role,
            )
        });
        assert_eq!(
            draft,
            Ok((
                "miren.a".to_owned(),
                "Miren Agirre".to_owned(),
                Email("miren@example.org".into()),
                Role::ALL[0],
            ))
        );
    }

    #[test]
    fn each_refusal_names_its_field_and_key() {
        let cases: [(UserInput, &str, &str); 5] = [
            (
                UserInput {
                    username: "a".into(),
                    ..valid()
                },
                "username",
                "error-username-length",
            ),
            (
                UserInput {
                    display_name: String::new(),
                    ..valid()
                },
                "display_name",
                "error-display-name-required",
            ),
            (
                UserInput {
                    email: "  ".into(),
                    ..valid()
                },
                "email",
                "error-email-required-for-enrolment",
            ),
            (
                UserInput {
                    email: "not-an-address".into(),
                    ..valid()
                },
                "email",
                "error-email-format",
            ),
            (
                UserInput {
                    role: "emperor".into(),
                    ..valid()
                },
                "role",
                "error-role-unknown",
            ),
        ];
        for (input, field, key) in cases {
            assert_eq!(keys(&input), vec![(field.to_owned(), key)], "{field}");
        }
    }

    #[test]
    fn errors_come_in_field_order_and_the_agency_is_left_to_the_service() {
        let input = UserInput {
            username: String::new(),
            display_name: String::new(),
            email: String::new(),
            role: String::new(),
            agency: "no such agency".into(),
        };
        let fields: Vec<String> = keys(&input).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["username", "display_name", "email", "role"]);
    }
}
