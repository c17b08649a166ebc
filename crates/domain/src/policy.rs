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
}

impl Action {
    pub const ALL: [Action; 11] = [
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
    ];

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
}

/// Why an action was allowed: recorded with every audit row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The actor's role permits it (administration, own account, published information).
    Role,
    /// A command-line or background task acting for the tenant.
    System(SystemTask),
}

impl Basis {
    pub fn code(self) -> &'static str {
        match self {
            Basis::Role => "role",
            Basis::System(t) => t.code(),
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
        Action::ViewHome | Action::ViewTerritory => true,
        Action::ManageOwnAccount => target.relationship == Relationship::OwnAccount,
        Action::ListUsers
        | Action::ViewUser
        | Action::CreateUser
        | Action::UpdateUser
        | Action::CreateAgency
        | Action::UpdateAgency => actor.role == Role::Administrator,
        // Knowing which agencies exist is needed to send referrals and build teams.
        Action::ListAgencies => actor.role != Role::Analyst,
        Action::ViewAuditTrail => actor.role == Role::DataProtectionOfficer,
    };
    if allowed {
        Ok(Grant::new(actor, action, Basis::Role))
    } else {
        Err(DENY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn grants_carry_who_and_why() {
        let a = actor(Role::Administrator);
        let g = decide(&a, Action::CreateUser, Target::tenant_wide(a.tenant)).ok();
        assert_eq!(g.as_ref().map(Grant::actor_name), Some("ane"));
        assert_eq!(g.map(|g| g.basis()), Some(Basis::Role));
    }
}
