//! The closed lists of the ecosystem, agreements and procurement. Each value has a stable code
//! (stored, sent in the API and in the open-data exports) and a Fluent label key
//! `<prefix>-<code with dashes>`.

code_list! {
    /// The legal form of an organisation (social economy families of Ley 5/2011, and the rest).
    LegalForm, "legal-form", "error-legal-form" {
        Cooperative => "cooperative",
        InsertionCompany => "insertion_company",
        SpecialEmploymentCentre => "special_employment_centre",
        LabourCompany => "labour_company",
        Association => "association",
        Foundation => "foundation",
        MutualSociety => "mutual_society",
        FishermenGuild => "fishermen_guild",
        Company => "company",
        SelfEmployed => "self_employed",
        University => "university",
        PublicBody => "public_body",
        Other => "other",
    }
}

impl LegalForm {
    /// The families of the social economy (Ley 5/2011, art. 5): members of the pole by law.
    pub fn is_social_economy(self) -> bool {
        matches!(
            self,
            LegalForm::Cooperative
                | LegalForm::InsertionCompany
                | LegalForm::SpecialEmploymentCentre
                | LegalForm::LabourCompany
                | LegalForm::Association
                | LegalForm::Foundation
                | LegalForm::MutualSociety
                | LegalForm::FishermenGuild
        )
    }
}

code_list! {
    /// How one organisation stands towards another, for a period.
    RelationKind, "relation-kind", "error-relation-kind" {
        MemberOf => "member_of",
        FederatedIn => "federated_in",
        PromotedBy => "promoted_by",
        OwnedBy => "owned_by",
        SubcontractorOf => "subcontractor_of",
        PartnerOf => "partner_of",
    }
}

code_list! {
    /// The official registers whose entry lets an organisation bid for reserved contracts
    /// (Ley 9/2017, DA 4ª): insertion companies (Ley 44/2007, Basque register) and special
    /// employment centres of social initiative (RDL 1/2013, art. 43).
    QualificationKind, "qualification-kind", "error-qualification-kind" {
        InsertionCompanyRegister => "insertion_company_register",
        SpecialEmploymentCentreRegister => "special_employment_centre_register",
    }
}

code_list! {
    /// What an activity of the social economy pole was.
    PoleActivityKind, "pole-activity-kind", "error-pole-activity-kind" {
        Event => "event",
        Training => "training",
        CoCreation => "co_creation",
    }
}

code_list! {
    /// Where an entrepreneurship project is.
    VentureStage, "venture-stage", "error-venture-stage" {
        Idea => "idea",
        Incubation => "incubation",
        Constituted => "constituted",
        Operating => "operating",
    }
}

code_list! {
    /// With whom an agreement is made.
    AgreementKind, "agreement-kind", "error-agreement-kind" {
        PrivatePartnership => "private_partnership",
        PublicCollaboration => "public_collaboration",
    }
}

code_list! {
    /// An agreement's lifecycle: draft, signed, active, then expired, renewed or terminated.
    AgreementStatus, "agreement-status", "error-agreement-status" {
        Draft => "draft",
        Signed => "signed",
        Active => "active",
        Expired => "expired",
        Renewed => "renewed",
        Terminated => "terminated",
    }
}

impl AgreementStatus {
    /// The moves the lifecycle allows. A renewed agreement is closed: its renewal is a new
    /// agreement that points back to it.
    pub fn can_move_to(self, to: AgreementStatus) -> bool {
        use AgreementStatus::{Active, Draft, Expired, Renewed, Signed, Terminated};
        matches!(
            (self, to),
            (Draft, Signed)
                | (Signed, Active)
                | (Signed | Active, Terminated)
                | (Active, Expired)
                | (Active | Expired, Renewed)
        )
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            AgreementStatus::Expired | AgreementStatus::Renewed | AgreementStatus::Terminated
        )
    }
}

code_list! {
    /// Whom an agreement is for.
    AgreementTarget, "agreement-target", "error-agreement-target" {
        ShopsAndBusinesses => "shops_and_businesses",
        Entrepreneurs => "entrepreneurs",
        Migrants => "migrants",
        JobSeekers => "job_seekers",
        YoungPeople => "young_people",
        Women => "women",
        SocialEconomyEntities => "social_economy_entities",
        Residents => "residents",
    }
}

code_list! {
    /// The part an organisation plays in an agreement.
    PartyRole, "party-role", "error-party-role" {
        Promoter => "promoter",
        Signatory => "signatory",
        Collaborator => "collaborator",
    }
}

code_list! {
    /// What a commitment promises, which decides how its progress is counted.
    CommitmentKind, "commitment-kind", "error-commitment-kind" {
        /// Counted from placements with the commitment's organisation as employer.
        HireParticipants => "hire_participants",
        /// Counted from enrolments in the commitment's training action.
        OfferPracticumPlaces => "offer_practicum_places",
        /// Progress recorded by hand, with its evidence.
        Other => "other",
    }
}

code_list! {
    CommitmentStatus, "commitment-status", "error-commitment-status" {
        Open => "open",
        Met => "met",
        Missed => "missed",
        Waived => "waived",
    }
}

code_list! {
    /// How a contract was awarded (Ley 9/2017).
    ProcurementProcedure, "procedure", "error-procedure" {
        Open => "open",
        SimplifiedOpen => "simplified_open",
        Restricted => "restricted",
        Negotiated => "negotiated",
        Minor => "minor",
        InnovationPartnership => "innovation_partnership",
    }
}

impl ProcurementProcedure {
    /// The OCDS `procurementMethod` code.
    pub fn ocds_method(self) -> &'static str {
        match self {
            ProcurementProcedure::Open | ProcurementProcedure::SimplifiedOpen => "open",
            ProcurementProcedure::Restricted | ProcurementProcedure::InnovationPartnership => {
                "selective"
            }
            ProcurementProcedure::Negotiated => "limited",
            ProcurementProcedure::Minor => "direct",
        }
    }
}

code_list! {
    /// The OCDS `mainProcurementCategory`.
    ProcurementCategory, "procurement-category", "error-procurement-category" {
        Goods => "goods",
        Works => "works",
        Services => "services",
    }
}

code_list! {
    ContractStatus, "contract-status", "error-contract-status" {
        Planned => "planned",
        Tendering => "tendering",
        Awarded => "awarded",
        InExecution => "in_execution",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

code_list! {
    /// Whether a contract or lot is reserved (Ley 9/2017, DA 4ª), and to whom.
    Reservation, "reservation", "error-reservation" {
        NotReserved => "not_reserved",
        InsertionCompanies => "insertion_companies",
        SpecialEmploymentCentres => "special_employment_centres",
        Both => "both",
    }
}

impl Reservation {
    pub fn is_reserved(self) -> bool {
        self != Reservation::NotReserved
    }

    /// Whether an entry in this register satisfies the reservation.
    pub fn accepts(self, qualification: QualificationKind) -> bool {
        match self {
            Reservation::NotReserved => true,
            Reservation::InsertionCompanies => {
                qualification == QualificationKind::InsertionCompanyRegister
            }
            Reservation::SpecialEmploymentCentres => {
                qualification == QualificationKind::SpecialEmploymentCentreRegister
            }
            Reservation::Both => true,
        }
    }
}

code_list! {
    /// The stage of the procedure a social clause belongs to.
    ClauseStage, "clause-stage", "error-clause-stage" {
        Specification => "specification",
        Selection => "selection",
        AwardCriterion => "award_criterion",
        ExecutionCondition => "execution_condition",
    }
}

code_list! {
    /// What a social clause is for.
    ClausePurpose, "clause-purpose", "error-clause-purpose" {
        HiringAtRisk => "hiring_at_risk",
        GenderEquality => "gender_equality",
        Accessibility => "accessibility",
        SseSubcontracting => "sse_subcontracting",
        DecentWork => "decent_work",
        LocalTraining => "local_training",
        Environmental => "environmental",
    }
}

code_list! {
    /// The verdict of a compliance check.
    Verdict, "verdict", "error-verdict" {
        Compliant => "compliant",
        PartiallyCompliant => "partially_compliant",
        NonCompliant => "non_compliant",
    }
}

/// Every label key of every list above, for the translation completeness test.
pub fn label_keys() -> Vec<String> {
    fn keys<T: Copy>(all: &[T], key: fn(T) -> String) -> impl Iterator<Item = String> + '_ {
        all.iter().map(move |x| key(*x))
    }
    let mut out = Vec::new();
    out.extend(keys(LegalForm::ALL, LegalForm::label_key));
    out.extend(keys(RelationKind::ALL, RelationKind::label_key));
    out.extend(keys(QualificationKind::ALL, QualificationKind::label_key));
    out.extend(keys(PoleActivityKind::ALL, PoleActivityKind::label_key));
    out.extend(keys(VentureStage::ALL, VentureStage::label_key));
    out.extend(keys(AgreementKind::ALL, AgreementKind::label_key));
    out.extend(keys(AgreementStatus::ALL, AgreementStatus::label_key));
    out.extend(keys(AgreementTarget::ALL, AgreementTarget::label_key));
    out.extend(keys(PartyRole::ALL, PartyRole::label_key));
    out.extend(keys(CommitmentKind::ALL, CommitmentKind::label_key));
    out.extend(keys(CommitmentStatus::ALL, CommitmentStatus::label_key));
    out.extend(keys(
        ProcurementProcedure::ALL,
        ProcurementProcedure::label_key,
    ));
    out.extend(keys(
        ProcurementCategory::ALL,
        ProcurementCategory::label_key,
    ));
    out.extend(keys(ContractStatus::ALL, ContractStatus::label_key));
    out.extend(keys(Reservation::ALL, Reservation::label_key));
    out.extend(keys(ClauseStage::ALL, ClauseStage::label_key));
    out.extend(keys(ClausePurpose::ALL, ClausePurpose::label_key));
    out.extend(keys(Verdict::ALL, Verdict::label_key));
    out
}

/// Every error key of the lists above (a value outside the list).
pub const MESSAGE_KEYS: &[&str] = &[
    "error-legal-form",
    "error-relation-kind",
    "error-qualification-kind",
    "error-pole-activity-kind",
    "error-venture-stage",
    "error-agreement-kind",
    "error-agreement-status",
    "error-agreement-target",
    "error-party-role",
    "error-commitment-kind",
    "error-commitment-status",
    "error-procedure",
    "error-procurement-category",
    "error-contract-status",
    "error-reservation",
    "error-clause-stage",
    "error-clause-purpose",
    "error-verdict",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_lifecycle_moves_forward_only() {
        use AgreementStatus::*;
        assert!(Draft.can_move_to(Signed));
        assert!(Signed.can_move_to(Active));
        assert!(Active.can_move_to(Expired));
        assert!(Expired.can_move_to(Renewed));
        assert!(Active.can_move_to(Terminated));
        assert!(
            !Draft.can_move_to(Active),
            "an unsigned agreement cannot start"
        );
        assert!(!Terminated.can_move_to(Active));
        assert!(!Renewed.can_move_to(Active));
        assert!(!Expired.can_move_to(Terminated));
        for s in AgreementStatus::ALL {
            assert!(!s.can_move_to(*s), "{s:?} to itself");
        }
    }

    #[test]
    fn reservations_accept_their_register_only() {
        assert!(
            Reservation::InsertionCompanies.accepts(QualificationKind::InsertionCompanyRegister)
        );
        assert!(
            !Reservation::InsertionCompanies
                .accepts(QualificationKind::SpecialEmploymentCentreRegister)
        );
        assert!(
            Reservation::SpecialEmploymentCentres
                .accepts(QualificationKind::SpecialEmploymentCentreRegister)
        );
        assert!(Reservation::Both.accepts(QualificationKind::InsertionCompanyRegister));
        assert!(!Reservation::NotReserved.is_reserved());
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_fail() {
        for f in LegalForm::ALL {
            assert_eq!(LegalForm::parse(f.code()), Ok(*f));
        }
        assert_eq!(LegalForm::parse("sociedad"), Err("error-legal-form"));
        assert_eq!(
            ClauseStage::parse(" award_criterion "),
            Ok(ClauseStage::AwardCriterion)
        );
        assert!(LegalForm::SpecialEmploymentCentre.is_social_economy());
        assert!(!LegalForm::Company.is_social_economy());
        let keys = label_keys();
        let unique: std::collections::HashSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "two lists share a label key");
    }
}
