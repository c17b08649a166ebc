//! Identifiers. Every id is a UUIDv7 newtype so ids of different records cannot be mixed up and
//! sort by creation time.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type! {
    /// A municipality hosted by this installation. Every record belongs to exactly one.
    TenantId;
    /// A staff account.
    UserId;
    /// An agency: a team of one public system (or an entity) that professionals belong to.
    AgencyId;
    /// A district or neighbourhood of the territory.
    AreaId;
    /// A background job.
    JobId;
    /// A queued e-mail.
    EmailId;
    /// A person in the registry.
    PersonId;
    ConsentId;
    /// A shared case (one per person and period).
    CaseId;
    ReferralId;
    /// An emergency access to a case.
    BreakGlassId;
    /// A programme: a neighbourhood employment plan or a city-wide singular plan.
    ProgrammeId;
    /// A training action of a programme, run by one entity.
    TrainingActionId;
    /// One dated session of a training action.
    SessionId;
    /// A person's itinerary towards employment.
    ItineraryId;
    ItineraryStepId;
    /// A person's enrolment in a training action.
    EnrolmentId;
    /// A job placement (employment contract or self-employment).
    PlacementId;
    /// A follow-up of a placement at 3, 6 or 12 months.
    FollowUpId;
    /// One referral list imported from the employment service's office.
    ReferralImportId;
    /// An organisation of the ecosystem: an SSE entity, a company, a university, a public body.
    OrganisationId;
    /// A dated, typed tie between two organisations (member of, promoted by, ...).
    OrganisationRelationId;
    /// An official qualification of an organisation (insertion company or special employment
    /// centre register entry) with its expiry.
    QualificationId;
    /// An activity of the social economy pole: an event, a training or a co-creation session.
    PoleActivityId;
    /// An entrepreneurship project supported by the pole.
    VentureId;
    /// A partnership agreement with private actors or a collaboration agreement with public agents.
    AgreementId;
    /// A document of an agreement (the signed text, an annex, a minute).
    AgreementDocumentId;
    /// A quantified commitment of an agreement or of a contract's social clause.
    CommitmentId;
    /// A public contract of the council.
    ContractId;
    /// A lot of a public contract.
    LotId;
    /// A social clause of a contract or lot.
    SocialClauseId;
    /// A check of a social clause's compliance.
    ComplianceCheckId;
    /// A strategic project of the area.
    ProjectId;
    /// A milestone of a strategic project.
    MilestoneId;
}
