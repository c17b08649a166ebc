//! The records the services hand to the adapters: the store's types, re-exported without its
//! functions, so an adapter can name a `Person` or a `Case` but can only obtain one through a
//! service that has asked the policy first. Only what the adapters name is here.

pub mod agencies {
    pub use elkarlan_store::agencies::Agency;
}

pub mod agreements {
    pub use elkarlan_store::agreements::{Agreement, Filter};
}

pub mod audit {
    pub use elkarlan_store::audit::{AuditEvent, AuditFilter, RequestMeta};
}

pub mod cases {
    pub use elkarlan_store::cases::BreakGlassOpening;
}

pub mod casework {
    pub use elkarlan_store::casework::PlanAction;
}

pub mod commitments {
    pub use elkarlan_store::commitments::{Commitment, CommitmentOwner};
}

pub mod contracts {
    pub use elkarlan_store::contracts::{
        Candidate, Check, Clause, Contract, ContractFilter, Lot, ReservedShare,
    };
}

pub mod itineraries {
    pub use elkarlan_store::itineraries::{Enrolment, FollowUp, Itinerary, Placement};
}

pub mod organisations {
    pub use elkarlan_store::organisations::{Organisation, OrganisationSummary};
}

pub mod people {
    pub use elkarlan_store::people::Person;
}

pub mod pole {
    pub use elkarlan_store::pole::{PoleActivity, Venture};
}

pub mod programmes {
    pub use elkarlan_store::programmes::{Programme, Session, Template, TrainingAction};
}

pub mod projects {
    pub use elkarlan_store::projects::Project;
}

pub mod referral_imports {
    pub use elkarlan_store::referral_imports::RowOutcome;
}

pub mod referrals {
    pub use elkarlan_store::referrals::Referral;
}

pub mod sessions {
    pub use elkarlan_store::sessions::Session;
}

pub mod subject_access {
    pub use elkarlan_store::subject_access::SubjectAccessRequest;
}

pub mod territory {
    pub use elkarlan_store::territory::Area;
}

pub mod users {
    pub use elkarlan_store::users::User;
}
