//! The closed lists of the employment capability. Each value has a stable code (stored, sent in
//! the API) and a Fluent label key `<prefix>-<code with dashes>`.

code_list! {
    /// Where a programme is in its year.
    ProgrammeStatus, "programme-status", "error-programme-status" {
        Draft => "draft",
        Open => "open",
        Running => "running",
        Closed => "closed",
    }
}

code_list! {
    /// The groups a programme is aimed at (Basque and state employment priority groups).
    TargetGroup, "target-group", "error-target-group" {
        Under30 => "under_30",
        Over45 => "over_45",
        LongTermUnemployed => "long_term_unemployed",
        IncomeGuarantee => "income_guarantee",
        Migrant => "migrant",
        Disability => "disability",
        Women => "women",
        LowQualification => "low_qualification",
        SingleParent => "single_parent",
    }
}

code_list! {
    TrainingStatus, "training-status", "error-training-status" {
        Planned => "planned",
        Open => "open",
        InProgress => "in_progress",
        Finished => "finished",
        Cancelled => "cancelled",
    }
}

code_list! {
    /// The steps of an itinerary, from intake to follow-up after insertion.
    StepKind, "step-kind", "error-step-kind" {
        Intake => "intake",
        Orientation => "orientation",
        BasicSkills => "basic_skills",
        VocationalTraining => "vocational_training",
        WorkPlacement => "work_placement",
        JobSearch => "job_search",
        Insertion => "insertion",
        FollowUp => "follow_up",
    }
}

code_list! {
    StepStatus, "step-status", "error-step-status" {
        Planned => "planned",
        InProgress => "in_progress",
        Done => "done",
        Skipped => "skipped",
    }
}

code_list! {
    ItineraryStatus, "itinerary-status", "error-itinerary-status" {
        Active => "active",
        Completed => "completed",
        DroppedOut => "dropped_out",
    }
}

code_list! {
    EnrolmentStatus, "enrolment-status", "error-enrolment-status" {
        Enrolled => "enrolled",
        Completed => "completed",
        DroppedOut => "dropped_out",
    }
}

code_list! {
    /// Why a person left a training action before the end.
    DropOutReason, "dropout-reason", "error-dropout-reason" {
        FoundJob => "found_job",
        Health => "health",
        CareDuties => "care_duties",
        Moved => "moved",
        LostContact => "lost_contact",
        OtherProgramme => "other_programme",
        Other => "other",
    }
}

code_list! {
    AttendanceMark, "attendance", "error-attendance-mark" {
        Present => "present",
        Absent => "absent",
        Excused => "excused",
    }
}

code_list! {
    /// Spanish contract types, with the insertion company's transition contract (Ley 44/2007 as
    /// reformed in 2026) and special employment centres, and self-employment.
    ContractType, "contract-type", "error-contract-type" {
        Indefinite => "indefinite",
        FixedDiscontinuous => "fixed_discontinuous",
        Temporary => "temporary",
        Training => "training",
        InsertionTransition => "insertion_transition",
        SpecialEmploymentCentre => "special_employment_centre",
        PublicEmploymentPlan => "public_employment_plan",
        SelfEmployment => "self_employment",
    }
}

code_list! {
    /// Sections of the Spanish classification of economic activities (CNAE-2009, as NACE Rev. 2).
    Sector, "sector", "error-sector" {
        A => "a", B => "b", C => "c", D => "d", E => "e", F => "f", G => "g", H => "h",
        I => "i", J => "j", K => "k", L => "l", M => "m", N => "n", O => "o", P => "p",
        Q => "q", R => "r", S => "s", T => "t", U => "u",
    }
}

code_list! {
    /// How a follow-up was checked.
    FollowUpEvidence, "followup-evidence", "error-followup-evidence" {
        SelfReport => "self_report",
        Employer => "employer",
        Administrative => "administrative",
    }
}

impl StepKind {
    /// The usual path of an itinerary, the default template.
    pub const USUAL_PATH: [StepKind; 8] = [
        StepKind::Intake,
        StepKind::Orientation,
        StepKind::BasicSkills,
        StepKind::VocationalTraining,
        StepKind::WorkPlacement,
        StepKind::JobSearch,
        StepKind::Insertion,
        StepKind::FollowUp,
    ];
}

/// Follow-ups after a placement starts, in months.
pub const FOLLOW_UP_MONTHS: [u8; 3] = [3, 6, 12];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_back_and_unknown_codes_name_their_error() {
        for c in ContractType::ALL {
            assert_eq!(ContractType::parse(c.code()), Ok(*c));
        }
        assert_eq!(
            ContractType::parse("zero_hours"),
            Err("error-contract-type")
        );
        assert_eq!(
            StepKind::VocationalTraining.label_key(),
            "step-kind-vocational-training"
        );
        assert_eq!(Sector::ALL.len(), 21);
    }
}
