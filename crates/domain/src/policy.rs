//! The access policy: the one place that decides who may do what.
//!
//! `decide` is an exhaustive `match` on the action, so a new action does not compile until its
//! rule is written here. An allowed decision is a [`Grant`]: the store's write functions take one
//! and write the audit row from it, so no write can happen without a decision and an audit row.
//! A `Grant` cannot be built outside this module (its fields are private and it has no public
//! constructor), except the explicitly named [`Grant::system`] for the command line and the
//! job worker, which audits as the system task it names.

use crate::account::Role;
use crate::ids::{AgencyId, TenantId, UserId};
use crate::inclusion::consent::{ConsentScope, DataCategory, basis_for};
use crate::organisation::PublicSystem;

/// The signed-in person, as loaded from the session or bearer token for each request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub tenant: TenantId,
    pub user: UserId,
    pub username: String,
    pub role: Role,
    pub agency: Option<AgencyId>,
    pub agency_system: Option<PublicSystem>,
}

/// Everything Elkarlan lets a person do, in the words of the business. The code is what the
/// audit trail records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// See one's own start page and navigation.
    ViewHome,
    /// Change one's own password, second factor and language.
    ManageOwnAccount,
    ListUsers,
    ViewUser,
    CreateUser,
    UpdateUser,
    ListAgencies,
    CreateAgency,
    UpdateAgency,
    /// Read the audit trail (who did what, when).
    ViewAuditTrail,
    /// Districts and neighbourhoods: public information.
    ViewTerritory,
    /// Find people in the registry (minimal identification, to avoid duplicates and to refer).
    SearchPeople,
    RegisterPerson,
    /// Read a person's record (identification and contact).
    ViewPerson,
    UpdatePerson,
    /// Merge a duplicate record into another.
    MergePeople,
    RecordConsent,
    /// Read a person's consent records (purpose, recipients, categories, evidence): those who
    /// work on the case, not a referral recipient who has not accepted yet.
    ViewConsents,
    OpenCase,
    /// Read the case: team, assessment, plan, referrals, timeline (each section further
    /// filtered by data category).
    ViewCase,
    /// Change the case's status, team and lead.
    ManageCase,
    /// Add to the case: assessments, plan goals and actions, notes, meetings.
    ContributeToCase,
    SendReferral,
    /// Accept or decline a referral sent to one's agency, then record progress and outcome.
    AnswerReferral,
    WithdrawReferral,
    /// The agency's inbox of referrals.
    ViewReferralInbox,
    /// Emergency access to a case outside the team, with a reason.
    BreakGlass,
    /// The DPO's review of emergency accesses.
    ReviewBreakGlass,
    /// Who read or changed a person's data.
    ViewAccessLog,
    /// The subject access export of everything held about a person.
    ExportSubjectAccess,
    /// The register of subject access requests: record, list, start or refuse them.
    ManageSubjectAccessRequests,
    /// Record a coordination meeting (each case reviewed also needs `ContributeToCase`).
    RecordMeeting,
    /// Read the assessment instrument's versions (configuration, no personal data).
    ViewInstruments,
    /// Add a version of the assessment instrument.
    ManageInstruments,
    /// Read and change how long each kind of record is kept.
    ManageRetention,
    /// Anonymise or delete records whose retention period has ended: the job worker only.
    ApplyRetention,
    /// Publish what one's own service can take (open places, waiting list, expected wait).
    PublishCapacity,
    /// Read the employment programmes and their training actions (no personal data).
    ViewProgrammes,
    /// Create and change programmes: the promoter's coordinator.
    ManageProgrammes,
    /// Change a programme's itinerary templates: the coordinator or a partner entity (co-design).
    DesignItineraryTemplates,
    /// Create and change training actions: the coordinator, or an entity for its own actions.
    ManageTrainingActions,
    /// The people enrolled in a training action and their attendance: its provider only.
    ViewRoster,
    /// Record attendance, completion, drop-out and certificates: the action's provider.
    RecordAttendance,
    /// Import a referral list sent by the employment service's office.
    ImportReferrals,
    /// Read a person's itineraries, enrolments, placements and eligibility.
    ViewItinerary,
    /// Open and move itineraries, enrol, record placements and follow-ups.
    ManageItinerary,
    /// The list of one's own follow-ups that are due.
    ViewDueFollowUps,
    /// Read the ecosystem: organisations with their contacts, SSE profiles, the pole's
    /// activities and projects, agreements, commitments, contracts and social clauses.
    ViewEcosystem,
    /// Register and change organisations, SSE profiles, pole activities, entrepreneurship
    /// projects, agreements and their commitments.
    ManageEcosystem,
    /// Record public contracts, lots, social clauses and compliance checks; import OCDS.
    ManageProcurement,
    /// The ecosystem's figures: counts and sums, no organisation's contacts.
    ViewEcosystemAggregates,
    /// Read the strategic projects: objectives, budget, links and milestones (no personal data).
    ViewPortfolio,
    /// Create and change strategic projects, their links and milestones.
    ManagePortfolio,
}

impl Action {
    pub const ALL: [Action; 53] = [
        Action::ViewHome,
        Action::ManageOwnAccount,
        Action::ListUsers,
        Action::ViewUser,
        Action::CreateUser,
        Action::UpdateUser,
        Action::ListAgencies,
        Action::CreateAgency,
        Action::UpdateAgency,
        Action::ViewAuditTrail,
        Action::ViewTerritory,
        Action::SearchPeople,
        Action::RegisterPerson,
        Action::ViewPerson,
        Action::UpdatePerson,
        Action::MergePeople,
        Action::RecordConsent,
        Action::ViewConsents,
        Action::OpenCase,
        Action::ViewCase,
        Action::ManageCase,
        Action::ContributeToCase,
        Action::SendReferral,
        Action::AnswerReferral,
        Action::WithdrawReferral,
        Action::ViewReferralInbox,
        Action::BreakGlass,
        Action::ReviewBreakGlass,
        Action::ViewAccessLog,
        Action::ExportSubjectAccess,
        Action::ManageSubjectAccessRequests,
        Action::RecordMeeting,
        Action::ViewInstruments,
        Action::ManageInstruments,
        Action::ManageRetention,
        Action::ApplyRetention,
        Action::PublishCapacity,
        Action::ViewProgrammes,
        Action::ManageProgrammes,
        Action::DesignItineraryTemplates,
        Action::ManageTrainingActions,
        Action::ViewRoster,
        Action::RecordAttendance,
        Action::ImportReferrals,
        Action::ViewItinerary,
        Action::ManageItinerary,
        Action::ViewDueFollowUps,
        Action::ViewEcosystem,
        Action::ManageEcosystem,
        Action::ManageProcurement,
        Action::ViewEcosystemAggregates,
        Action::ViewPortfolio,
        Action::ManagePortfolio,
    ];

    /// Actions on one person's record (the person, their case, referrals, consents, employment
    /// file), decided from the actor's relationship to it. Their refusals are concealed.
    pub fn is_on_a_persons_record(self) -> bool {
        matches!(
            self,
            Action::ViewPerson
                | Action::UpdatePerson
                | Action::MergePeople
                | Action::RecordConsent
                | Action::ViewCase
                | Action::ManageCase
                | Action::ContributeToCase
                | Action::SendReferral
                | Action::AnswerReferral
                | Action::WithdrawReferral
                | Action::BreakGlass
                | Action::ViewItinerary
                | Action::ManageItinerary
                | Action::ViewConsents
        )
    }

    pub fn code(self) -> &'static str {
        match self {
            Action::ViewHome => "home.view",
            Action::ManageOwnAccount => "account.manage",
            Action::ListUsers => "user.list",
            Action::ViewUser => "user.view",
            Action::CreateUser => "user.create",
            Action::UpdateUser => "user.update",
            Action::ListAgencies => "agency.list",
            Action::CreateAgency => "agency.create",
            Action::UpdateAgency => "agency.update",
            Action::ViewAuditTrail => "audit.view",
            Action::ViewTerritory => "territory.view",
            Action::SearchPeople => "person.search",
            Action::RegisterPerson => "person.create",
            Action::ViewPerson => "person.view",
            Action::UpdatePerson => "person.update",
            Action::MergePeople => "person.merge",
            Action::RecordConsent => "consent.record",
            Action::ViewConsents => "consent.view",
            Action::OpenCase => "case.open",
            Action::ViewCase => "case.view",
            Action::ManageCase => "case.manage",
            Action::ContributeToCase => "case.contribute",
            Action::SendReferral => "referral.send",
            Action::AnswerReferral => "referral.answer",
            Action::WithdrawReferral => "referral.withdraw",
            Action::ViewReferralInbox => "referral.inbox",
            Action::BreakGlass => "case.break_glass",
            Action::ReviewBreakGlass => "break_glass.review",
            Action::ViewAccessLog => "person.access_log",
            Action::ExportSubjectAccess => "person.subject_access_export",
            Action::ManageSubjectAccessRequests => "subject_access_request.manage",
            Action::RecordMeeting => "meeting.record",
            Action::ViewInstruments => "instrument.view",
            Action::ManageInstruments => "instrument.manage",
            Action::ManageRetention => "retention.manage",
            Action::ApplyRetention => "retention.apply",
            Action::PublishCapacity => "capacity.publish",
            Action::ViewProgrammes => "programme.view",
            Action::ManageProgrammes => "programme.manage",
            Action::DesignItineraryTemplates => "itinerary_template.design",
            Action::ManageTrainingActions => "training_action.manage",
            Action::ViewRoster => "training_action.roster",
            Action::RecordAttendance => "attendance.record",
            Action::ImportReferrals => "referral_list.import",
            Action::ViewItinerary => "itinerary.view",
            Action::ManageItinerary => "itinerary.manage",
            Action::ViewDueFollowUps => "follow_up.due",
            Action::ViewEcosystem => "ecosystem.view",
            Action::ManageEcosystem => "ecosystem.manage",
            Action::ManageProcurement => "procurement.manage",
            Action::ViewEcosystemAggregates => "ecosystem.aggregates",
            Action::ViewPortfolio => "portfolio.view",
            Action::ManagePortfolio => "portfolio.manage",
        }
    }
}

/// How the actor stands towards the record the action touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relationship {
    /// The record is not about a person, or the actor has no tie to it.
    None,
    /// The record is the actor's own account.
    OwnAccount,
    /// The actor is the person's lead (reference) professional.
    Lead,
    /// The actor is on the case team (including a referral recipient who accepted).
    TeamMember,
    /// The actor's agency is on the team, but the actor is not.
    TeamAgency,
    /// A referral about the person was sent to the actor's agency and is not answered yet.
    ReferralRecipient,
    /// The actor opened the case in an emergency, with a reason, and the access is still in time.
    BreakGlass,
    /// The actor's agency runs the training action the record belongs to.
    Provider,
    /// The actor's agency promotes the programme or is one of its partner entities.
    Partner,
}

/// Why an action was allowed: recorded with every audit row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The actor's role permits it (administration, own account, published information).
    Role,
    /// A command-line or background task acting for the tenant.
    System(SystemTask),
    /// A law that allows the disclosure (see `inclusion::consent::LegalBasis`).
    Law(crate::inclusion::consent::LegalBasis),
    /// Emergency access, given a reason; reviewed by the DPO.
    BreakGlass,
    /// The data subject's right of access (GDPR art. 15), exercised through the DPO.
    SubjectAccess,
}

impl Basis {
    pub fn code(self) -> &'static str {
        match self {
            Basis::Role => "role",
            Basis::System(t) => t.code(),
            Basis::Law(l) => l.code(),
            Basis::BreakGlass => "break_glass",
            Basis::SubjectAccess => "gdpr_art_15",
        }
    }
}

/// The named tasks that act without a signed-in person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemTask {
    /// Schema set-up, the first administrator, the demo city.
    Bootstrap,
    /// The background job worker (reminders, retention, e-mail).
    Worker,
    /// An operator at the command line (`elkarlan user ...`).
    Operator,
}

impl SystemTask {
    pub fn code(self) -> &'static str {
        match self {
            SystemTask::Bootstrap => "system:bootstrap",
            SystemTask::Worker => "system:worker",
            SystemTask::Operator => "system:operator",
        }
    }
}

/// A refusal. `conceal` asks the adapter to answer "not found" rather than "forbidden", for
/// records whose very existence is confidential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denied {
    pub reason: &'static str,
    pub conceal: bool,
}

/// Proof that the policy allowed `action` for this actor. Store writes require one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    tenant: TenantId,
    actor: Option<UserId>,
    actor_name: String,
    role: Option<Role>,
    agency: Option<AgencyId>,
    action: Action,
    basis: Basis,
}

impl Grant {
    fn new(actor: &Actor, action: Action, basis: Basis) -> Self {
        Self {
            tenant: actor.tenant,
            actor: Some(actor.user),
            actor_name: actor.username.clone(),
            role: Some(actor.role),
            agency: actor.agency,
            action,
            basis,
        }
    }

    /// A grant for a task with no signed-in person. Audited under the task's name.
    pub fn system(tenant: TenantId, task: SystemTask, action: Action) -> Self {
        Self {
            tenant,
            actor: None,
            actor_name: task.code().to_owned(),
            role: None,
            agency: None,
            action,
            basis: Basis::System(task),
        }
    }

    pub fn tenant(&self) -> TenantId {
        self.tenant
    }
    pub fn actor(&self) -> Option<UserId> {
        self.actor
    }
    pub fn actor_name(&self) -> &str {
        &self.actor_name
    }
    pub fn role(&self) -> Option<Role> {
        self.role
    }
    pub fn agency(&self) -> Option<AgencyId> {
        self.agency
    }
    pub fn action(&self) -> Action {
        self.action
    }
    pub fn basis(&self) -> Basis {
        self.basis
    }
}

/// What the action is about, as far as the decision needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub tenant: TenantId,
    pub relationship: Relationship,
}

impl Target {
    /// A record the actor stands towards as `relationship`.
    pub fn new(tenant: TenantId, relationship: Relationship) -> Self {
        Self {
            tenant,
            relationship,
        }
    }

    pub fn tenant_wide(tenant: TenantId) -> Self {
        Self {
            tenant,
            relationship: Relationship::None,
        }
    }
}

const DENY: Denied = Denied {
    reason: "role",
    conceal: false,
};

/// Decides one action. Records of another tenant do not exist for the actor: always concealed.
pub fn decide(actor: &Actor, action: Action, target: Target) -> Result<Grant, Denied> {
    if target.tenant != actor.tenant {
        return Err(Denied {
            reason: "tenant",
            conceal: true,
        });
    }
    let allowed = match action {
        // Programmes and courses are public information of the council.
        Action::ViewHome | Action::ViewTerritory | Action::ViewProgrammes => true,
        Action::ManageProgrammes => actor.role == Role::Coordinator,
        Action::DesignItineraryTemplates => {
            actor.role == Role::Coordinator
                || (actor.role == Role::TrainingEntityStaff
                    && target.relationship == Relationship::Partner)
        }
        Action::ManageTrainingActions => {
            actor.role == Role::Coordinator
                || (actor.role == Role::TrainingEntityStaff
                    && matches!(
                        target.relationship,
                        Relationship::Partner | Relationship::Provider
                    ))
        }
        // An entity sees the people on its own courses, nothing of their social file.
        Action::ViewRoster | Action::RecordAttendance => {
            actor.role == Role::TrainingEntityStaff && target.relationship == Relationship::Provider
        }
        Action::ImportReferrals => actor.role == Role::EmploymentProfessional,
        Action::ViewItinerary => {
            actor.role.is_case_professional()
                && matches!(
                    target.relationship,
                    Relationship::Lead | Relationship::TeamMember | Relationship::BreakGlass
                )
        }
        Action::ManageItinerary => {
            actor.role.works_on_itineraries()
                && matches!(
                    target.relationship,
                    Relationship::Lead | Relationship::TeamMember
                )
        }
        Action::ViewDueFollowUps => actor.role.works_on_itineraries(),
        // The Strategic Projects coordinator keeps the ecosystem; organisations' own contacts
        // have no account yet, and case professionals have no need to know it.
        Action::ViewEcosystem | Action::ManageEcosystem | Action::ManageProcurement => {
            actor.role == Role::Coordinator
        }
        Action::ViewEcosystemAggregates | Action::ViewPortfolio => {
            matches!(actor.role, Role::Coordinator | Role::Analyst)
        }
        Action::ManagePortfolio => actor.role == Role::Coordinator,
        // No person erases records by hand; the worker applies the periods (`Grant::system`).
        Action::ApplyRetention => false,
        Action::ManageOwnAccount => target.relationship == Relationship::OwnAccount,
        Action::ListUsers
        | Action::ViewUser
        | Action::CreateUser
        | Action::UpdateUser
        | Action::CreateAgency
        | Action::UpdateAgency
        | Action::ManageInstruments => actor.role == Role::Administrator,
        // Knowing which agencies exist is needed to send referrals and build teams.
        Action::ListAgencies => actor.role != Role::Analyst,
        Action::ViewInstruments => {
            actor.role == Role::Administrator || actor.role.is_case_professional()
        }
        Action::ViewAuditTrail
        | Action::ReviewBreakGlass
        | Action::ViewAccessLog
        | Action::ManageSubjectAccessRequests
        | Action::ManageRetention => actor.role == Role::DataProtectionOfficer,
        Action::ExportSubjectAccess => {
            return if actor.role == Role::DataProtectionOfficer {
                Ok(Grant::new(actor, action, Basis::SubjectAccess))
            } else {
                Err(DENY)
            };
        }
        Action::SearchPeople
        | Action::RegisterPerson
        | Action::OpenCase
        | Action::ViewReferralInbox
        | Action::RecordMeeting
        | Action::PublishCapacity => actor.role.is_case_professional(),
        Action::BreakGlass => {
            // Only professionals outside the team need the glass broken.
            actor.role.is_case_professional()
                && matches!(
                    target.relationship,
                    Relationship::None | Relationship::TeamAgency
                )
        }
        Action::ViewPerson => {
            actor.role.is_case_professional()
                && matches!(
                    target.relationship,
                    Relationship::Lead
                        | Relationship::TeamMember
                        | Relationship::ReferralRecipient
                        | Relationship::BreakGlass
                )
        }
        Action::ViewCase | Action::ContributeToCase | Action::ViewConsents => {
            actor.role.is_case_professional()
                && matches!(
                    target.relationship,
                    Relationship::Lead | Relationship::TeamMember | Relationship::BreakGlass
                )
        }
        Action::UpdatePerson
        | Action::MergePeople
        | Action::RecordConsent
        | Action::SendReferral
        | Action::WithdrawReferral => {
            actor.role.is_case_professional()
                && matches!(
                    target.relationship,
                    Relationship::Lead | Relationship::TeamMember
                )
        }
        Action::ManageCase => {
            actor.role.is_case_professional() && target.relationship == Relationship::Lead
        }
        Action::AnswerReferral => {
            actor.role.is_case_professional()
                && matches!(
                    target.relationship,
                    Relationship::ReferralRecipient | Relationship::TeamMember | Relationship::Lead
                )
        }
    };
    let basis = if target.relationship == Relationship::BreakGlass {
        Basis::BreakGlass
    } else {
        Basis::Role
    };
    if allowed {
        Ok(Grant::new(actor, action, basis))
    } else if action.is_on_a_persons_record() {
        // Whether a person has a file, and with whom, is itself confidential: a refusal on
        // a person's record answers exactly as an id that does not exist.
        Err(Denied {
            reason: "relationship",
            conceal: true,
        })
    } else {
        Err(DENY)
    }
}

/// A rectification replaces a person's identification and contact: only someone who sees both
/// may make one, or they would overwrite what they were not shown.
pub fn decide_rectification(visible: &[DataCategory]) -> Result<(), Denied> {
    let sees = |c: DataCategory| visible.contains(&c);
    if sees(DataCategory::Identification) && sees(DataCategory::Contact) {
        Ok(())
    } else {
        Err(Denied {
            reason: "categories",
            conceal: false,
        })
    }
}

/// Whether the actor may see one category of a person's data, and on what basis: the actor's
/// own system's data, a law that allows the disclosure, or the person's consent. Break-glass
/// sees what the case's lead sees, and health flags only in health. Clinical content is not a
/// shared category at all: it never leaves the health agency.
pub fn decide_category(
    actor: &Actor,
    relationship: Relationship,
    lead_system: PublicSystem,
    category: DataCategory,
    consents: &[ConsentScope],
    now: crate::Timestamp,
) -> Result<Basis, Denied> {
    let Some(system) = actor
        .agency_system
        .filter(|_| actor.role.is_case_professional())
    else {
        return Err(DENY);
    };
    if !matches!(
        relationship,
        Relationship::Lead
            | Relationship::TeamMember
            | Relationship::BreakGlass
            | Relationship::ReferralRecipient
    ) {
        return Err(Denied {
            reason: "relationship",
            conceal: true,
        });
    }
    if relationship == Relationship::ReferralRecipient
        && !matches!(
            category,
            DataCategory::Identification | DataCategory::Contact
        )
    {
        // Before accepting, a recipient sees who the person is and how to reach them; anything
        // else travels with the referral's own shared categories, decided when it was sent.
        return Err(Denied {
            reason: "relationship",
            conceal: false,
        });
    }
    if relationship == Relationship::BreakGlass {
        // An emergency opens what the case's lead would see, never more; and health flags, which
        // even the lead needs consent for, only to a health professional.
        let as_lead = match category {
            DataCategory::HealthFlags => system.is_health(),
            DataCategory::Identification | DataCategory::Contact => true,
            _ => {
                let from = category.owner().unwrap_or(lead_system);
                from == lead_system
                    || basis_for(from, lead_system, category, consents, now).is_some()
            }
        };
        return if as_lead {
            Ok(Basis::BreakGlass)
        } else {
            Err(Denied {
                reason: "no legal basis or consent",
                conceal: false,
            })
        };
    }
    if matches!(
        category,
        DataCategory::Identification | DataCategory::Contact
    ) && relationship != Relationship::ReferralRecipient
    {
        return Ok(Basis::Role);
    }
    if category.owner() == Some(system)
        || (category == DataCategory::HealthFlags && system.is_health())
    {
        return Ok(Basis::Role);
    }
    // The data comes from the system that owns the category (health flags from health, income
    // from employment and income guarantee), not from whoever leads the case.
    let from = category.owner().unwrap_or(lead_system);
    basis_for(from, system, category, consents, now)
        .map(Basis::Law)
        .ok_or(Denied {
            reason: "no legal basis or consent",
            conceal: false,
        })
}

/// What a case's file says about another agency's part in the person's life. That a health or
/// mental-health service follows a person is itself health data, and a referral's wording may
/// carry any category it shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Involvement<'a> {
    /// An agency on the team, present at a meeting that reviewed the case, or owning a plan
    /// action.
    Agency {
        agency: AgencyId,
        system: PublicSystem,
    },
    /// That a referral was sent between two agencies (with its status and dates).
    Referral {
        from: (AgencyId, PublicSystem),
        to: (AgencyId, PublicSystem),
    },
    /// What a referral says: its reason, the reason it was declined and its outcome.
    ReferralWording {
        from: (AgencyId, PublicSystem),
        to: (AgencyId, PublicSystem),
        shares: &'a [DataCategory],
    },
}

/// Whether a reader who may already see the case (`visible` being the categories
/// `decide_category` opened to them) may also see this involvement. The agencies involved
/// always see their own part; anybody else sees an involvement of a health service only with
/// the health-flags category open, and a referral's wording only with every category the
/// referral shares open. What is not visible is left out entirely.
pub fn decide_involvement(actor: &Actor, visible: &[DataCategory], what: Involvement<'_>) -> bool {
    let own = |a: AgencyId| actor.agency == Some(a);
    let sees = |c: &DataCategory| visible.contains(c);
    let health_known = sees(&DataCategory::HealthFlags);
    match what {
        Involvement::Agency { agency, system } => {
            own(agency) || !system.is_health() || health_known
        }
        Involvement::Referral { from, to } => {
            own(from.0) || own(to.0) || !(from.1.is_health() || to.1.is_health()) || health_known
        }
        Involvement::ReferralWording { from, to, shares } => {
            own(from.0)
                || own(to.0)
                || (shares.iter().all(sees)
                    && (!(from.1.is_health() || to.1.is_health()) || health_known))
        }
    }
}

/// Who wrote a record of a case whose content reveals a data category (a plan goal in a life
/// domain, an assessed domain's severity): the reader (or their agency), the case's lead (or
/// the lead's agency), or anybody else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writer {
    Reader,
    Lead,
    Other,
}

/// Whether a reader who may see the case (`visible` being the categories `decide_category`
/// opened to them) sees a record written on it that reveals `category`. Writers know what they
/// wrote; anybody else needs the category open. Break-glass shows what the lead sees, and the
/// lead sees what they wrote: so what the lead wrote is shown under break-glass too, except
/// health flags, which in an emergency only a health professional reads.
pub fn decide_written(
    relationship: Relationship,
    writer: Writer,
    category: DataCategory,
    visible: &[DataCategory],
) -> bool {
    visible.contains(&category)
        || writer == Writer::Reader
        || (relationship == Relationship::BreakGlass
            && writer == Writer::Lead
            && category != DataCategory::HealthFlags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organisation::PublicSystem;

    fn actor(role: Role) -> Actor {
        Actor {
            tenant: TenantId::new(),
            user: UserId::new(),
            username: "ane".into(),
            role,
            agency: None,
            agency_system: None,
        }
    }

    #[test]
    fn other_tenants_are_invisible_even_to_administrators() {
        let a = actor(Role::Administrator);
        let d = decide(&a, Action::ListUsers, Target::tenant_wide(TenantId::new()));
        assert_eq!(
            d,
            Err(Denied {
                reason: "tenant",
                conceal: true
            })
        );
    }

    #[test]
    fn own_account_only_for_oneself() {
        let a = actor(Role::SocialWorker);
        let own = Target {
            tenant: a.tenant,
            relationship: Relationship::OwnAccount,
        };
        assert!(decide(&a, Action::ManageOwnAccount, own).is_ok());
        assert!(decide(&a, Action::ManageOwnAccount, Target::tenant_wide(a.tenant)).is_err());
    }

    #[test]
    fn only_the_dpo_reads_the_audit_trail() {
        for r in Role::ALL {
            let a = actor(r);
            let ok = decide(&a, Action::ViewAuditTrail, Target::tenant_wide(a.tenant)).is_ok();
            assert_eq!(ok, r == Role::DataProtectionOfficer, "{r}");
        }
    }

    fn professional(role: Role, system: PublicSystem) -> Actor {
        Actor {
            agency_system: Some(system),
            agency: Some(AgencyId::new()),
            ..actor(role)
        }
    }

    #[test]
    fn case_content_needs_a_relationship_and_is_concealed_otherwise() {
        let a = professional(Role::SocialWorker, PublicSystem::SocialServices);
        let t = |relationship| Target {
            tenant: a.tenant,
            relationship,
        };
        assert!(decide(&a, Action::ViewCase, t(Relationship::Lead)).is_ok());
        assert!(decide(&a, Action::ViewCase, t(Relationship::TeamMember)).is_ok());
        assert_eq!(
            decide(&a, Action::ViewCase, t(Relationship::TeamAgency))
                .err()
                .map(|d| d.conceal),
            Some(true)
        );
        assert_eq!(
            decide(&a, Action::ViewCase, t(Relationship::None))
                .err()
                .map(|d| d.conceal),
            Some(true)
        );
        assert!(decide(&a, Action::ViewCase, t(Relationship::ReferralRecipient)).is_err());
        assert!(decide(&a, Action::ViewPerson, t(Relationship::ReferralRecipient)).is_ok());
        assert_eq!(
            decide(&a, Action::ViewConsents, t(Relationship::ReferralRecipient))
                .err()
                .map(|d| d.conceal),
            Some(true),
            "consent records wait until the referral is accepted"
        );
        assert!(decide(&a, Action::ViewConsents, t(Relationship::TeamMember)).is_ok());
        let g = decide(&a, Action::ViewCase, t(Relationship::BreakGlass)).ok();
        assert_eq!(g.map(|g| g.basis()), Some(Basis::BreakGlass));
        assert!(
            decide(&a, Action::ManageCase, t(Relationship::TeamMember)).is_err(),
            "only the lead manages the case"
        );
        assert!(
            decide(&a, Action::BreakGlass, t(Relationship::TeamMember)).is_err(),
            "the team needs no glass broken"
        );
    }

    #[test]
    fn administrators_coordinators_analysts_trainers_and_the_dpo_never_see_case_content() {
        for role in [
            Role::Administrator,
            Role::Coordinator,
            Role::Analyst,
            Role::TrainingEntityStaff,
            Role::DataProtectionOfficer,
        ] {
            let a = professional(role, PublicSystem::Council);
            for rel in [
                Relationship::Lead,
                Relationship::TeamMember,
                Relationship::BreakGlass,
            ] {
                let t = Target {
                    tenant: a.tenant,
                    relationship: rel,
                };
                assert!(decide(&a, Action::ViewCase, t).is_err(), "{role:?} {rel:?}");
                assert!(
                    decide(&a, Action::ViewPerson, t).is_err(),
                    "{role:?} {rel:?}"
                );
            }
        }
    }

    #[test]
    fn categories_follow_system_law_and_consent() {
        use crate::inclusion::consent::{ConsentScope, DataCategory as C};
        let housing = professional(Role::HousingProfessional, PublicSystem::Housing);
        let now = crate::Timestamp(10);
        let lead = PublicSystem::SocialServices;
        assert_eq!(
            decide_category(
                &housing,
                Relationship::TeamMember,
                lead,
                C::Housing,
                &[],
                now
            ),
            Ok(Basis::Role)
        );
        assert!(
            decide_category(
                &housing,
                Relationship::TeamMember,
                lead,
                C::Income,
                &[],
                now
            )
            .is_err()
        );
        let mut consent = ConsentScope {
            recipients: vec![PublicSystem::Housing],
            categories: vec![C::Income],
            given_at: crate::Timestamp(0),
            expires_at: None,
            withdrawn_at: None,
        };
        assert!(
            decide_category(
                &housing,
                Relationship::TeamMember,
                lead,
                C::Income,
                std::slice::from_ref(&consent),
                now
            )
            .is_ok()
        );
        // Withdrawal takes effect on the next decision.
        consent.withdrawn_at = Some(crate::Timestamp(10));
        assert!(
            decide_category(
                &housing,
                Relationship::TeamMember,
                lead,
                C::Income,
                &[consent],
                now
            )
            .is_err()
        );
        let lanbide = professional(Role::EmploymentProfessional, PublicSystem::EmploymentIncome);
        assert!(
            decide_category(
                &lanbide,
                Relationship::TeamMember,
                lead,
                C::SocialServicesNotes,
                &[],
                now
            )
            .is_ok(),
            "Ley 14/2022"
        );
        assert!(
            decide_category(
                &lanbide,
                Relationship::ReferralRecipient,
                lead,
                C::Income,
                &[],
                now
            )
            .is_err()
        );
        assert!(
            decide_category(
                &lanbide,
                Relationship::ReferralRecipient,
                lead,
                C::Contact,
                &[],
                now
            )
            .is_ok()
        );
        let social = professional(Role::SocialWorker, PublicSystem::SocialServices);
        assert!(
            decide_category(
                &social,
                Relationship::TeamMember,
                lead,
                C::HealthFlags,
                &[],
                now
            )
            .is_err(),
            "health flags need consent"
        );
    }

    #[test]
    fn only_the_dpo_exports_subject_access_on_article_15() {
        let d = actor(Role::DataProtectionOfficer);
        assert_eq!(
            decide(
                &d,
                Action::ExportSubjectAccess,
                Target::tenant_wide(d.tenant)
            )
            .map(|g| g.basis()),
            Ok(Basis::SubjectAccess)
        );
        let s = professional(Role::SocialWorker, PublicSystem::SocialServices);
        assert!(
            decide(
                &s,
                Action::ExportSubjectAccess,
                Target {
                    tenant: s.tenant,
                    relationship: Relationship::Lead
                }
            )
            .is_err()
        );
    }

    #[test]
    fn break_glass_sees_what_the_lead_sees_and_health_flags_only_in_health() {
        use crate::inclusion::consent::DataCategory as C;
        let now = crate::Timestamp(10);
        let lead = PublicSystem::SocialServices;
        let housing = professional(Role::HousingProfessional, PublicSystem::Housing);
        let seen = |a: &Actor, consents: &[ConsentScope]| -> Vec<C> {
            C::ALL
                .into_iter()
                .filter(|c| {
                    decide_category(a, Relationship::BreakGlass, lead, *c, consents, now)
                        == Ok(Basis::BreakGlass)
                })
                .collect()
        };
        // Social services see employment, income (Ley 14/2022) and their own notes; housing and
        // education data need the person's consent even for the lead.
        assert_eq!(
            seen(&housing, &[]),
            vec![
                C::Identification,
                C::Contact,
                C::Employment,
                C::Income,
                C::SocialServicesNotes
            ]
        );
        let consent = ConsentScope {
            recipients: vec![PublicSystem::SocialServices],
            categories: vec![C::Housing, C::HealthFlags],
            given_at: crate::Timestamp(0),
            expires_at: None,
            withdrawn_at: None,
        };
        let with_consent = seen(&housing, std::slice::from_ref(&consent));
        assert!(with_consent.contains(&C::Housing), "{with_consent:?}");
        assert!(
            !with_consent.contains(&C::HealthFlags),
            "the lead's consent for health flags does not open them to housing"
        );
        let doctor = professional(Role::PrimaryCareProfessional, PublicSystem::PrimaryCare);
        assert!(seen(&doctor, &[]).contains(&C::HealthFlags));
    }

    #[test]
    fn health_involvement_and_referral_wording_stay_with_those_involved() {
        use crate::inclusion::consent::DataCategory as C;
        let housing = professional(Role::HousingProfessional, PublicSystem::Housing);
        let from = (AgencyId::new(), PublicSystem::SocialServices);
        let social = Actor {
            agency: Some(from.0),
            ..professional(Role::SocialWorker, from.1)
        };
        let health = (AgencyId::new(), PublicSystem::PrimaryCare);
        let employment = (AgencyId::new(), PublicSystem::EmploymentIncome);
        let team_view = [C::Identification, C::Contact, C::Housing];
        let with_flags = [C::Identification, C::Contact, C::Housing, C::HealthFlags];
        let agency = Involvement::Agency {
            agency: health.0,
            system: health.1,
        };
        assert!(!decide_involvement(&housing, &team_view, agency));
        assert!(decide_involvement(&housing, &with_flags, agency));
        assert!(decide_involvement(
            &housing,
            &team_view,
            Involvement::Agency {
                agency: employment.0,
                system: employment.1
            }
        ));
        let to_health = Involvement::Referral { from, to: health };
        assert!(!decide_involvement(&housing, &team_view, to_health));
        assert!(
            decide_involvement(&social, &[C::Identification], to_health),
            "the sending agency"
        );
        let shares = [C::Identification, C::Contact, C::Income];
        let wording = Involvement::ReferralWording {
            from,
            to: employment,
            shares: &shares,
        };
        assert!(
            !decide_involvement(&housing, &team_view, wording),
            "income is not open to housing"
        );
        assert!(decide_involvement(
            &housing,
            &[C::Identification, C::Contact, C::Income],
            wording
        ));
        assert!(decide_involvement(&social, &[], wording));
        let health_wording = Involvement::ReferralWording {
            from,
            to: health,
            shares: &[C::Identification, C::Contact],
        };
        assert!(!decide_involvement(&housing, &team_view, health_wording));
        assert!(decide_involvement(&housing, &with_flags, health_wording));
    }

    #[test]
    fn grants_carry_who_and_why() {
        let a = actor(Role::Administrator);
        let g = decide(&a, Action::CreateUser, Target::tenant_wide(a.tenant)).ok();
        assert_eq!(g.as_ref().map(Grant::actor_name), Some("ane"));
        assert_eq!(g.map(|g| g.basis()), Some(Basis::Role));
    }

    #[test]
    fn break_glass_sees_what_the_lead_wrote_but_health_only_in_health() {
        use crate::inclusion::consent::DataCategory as C;
        let open = [C::Identification, C::Contact, C::SocialServicesNotes];
        let bg = Relationship::BreakGlass;
        assert!(decide_written(bg, Writer::Lead, C::Housing, &open));
        assert!(!decide_written(bg, Writer::Other, C::Housing, &open));
        assert!(!decide_written(bg, Writer::Lead, C::HealthFlags, &open));
        assert!(decide_written(
            bg,
            Writer::Lead,
            C::HealthFlags,
            &[C::HealthFlags]
        ));
        // Only break-glass borrows the lead's view: a team member reads by category.
        let team = Relationship::TeamMember;
        assert!(!decide_written(team, Writer::Lead, C::Housing, &open));
        assert!(decide_written(team, Writer::Reader, C::Housing, &open));
        assert!(decide_written(
            team,
            Writer::Other,
            C::SocialServicesNotes,
            &open
        ));
    }
}
