-- The ecosystem: organisations of the social and solidarity economy pole and their partners,
-- agreements with private actors and public agents, commitments (one model for agreements and
-- social clauses), public contracts with lots, reserved contracts, social clauses and their
-- compliance checks. Amounts are integer cents; dates are ISO text (YYYY-MM-DD).

CREATE TABLE organisations (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    tax_id TEXT NOT NULL,
    legal_form TEXT NOT NULL CHECK (legal_form IN ('cooperative', 'insertion_company',
        'special_employment_centre', 'labour_company', 'association', 'foundation',
        'mutual_society', 'fishermen_guild', 'company', 'self_employed', 'university',
        'public_body', 'other')),
    -- The exact legal wording the organisation uses (for instance "Centro Especial de Empleo de
    -- iniciativa social"), shown instead of the form's generic label when present.
    legal_label TEXT,
    sector TEXT NOT NULL,
    area_id BLOB REFERENCES areas(id),
    address TEXT,
    email TEXT,
    phone TEXT,
    website TEXT,
    description TEXT,
    pole_member INTEGER NOT NULL DEFAULT 0,
    pole_member_since TEXT,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, tax_id)
);
CREATE INDEX organisations_tenant ON organisations (tenant_id, legal_form);

-- Activities as CPV codes: what the organisation does, for matching it to contracts.
CREATE TABLE organisation_activities (
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    cpv TEXT NOT NULL,
    PRIMARY KEY (organisation_id, cpv)
);
CREATE INDEX organisation_activities_cpv ON organisation_activities (cpv);

-- Official register numbers (cooperatives register, foundations register, ...).
CREATE TABLE organisation_registers (
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    position INTEGER NOT NULL,
    register TEXT NOT NULL,
    number TEXT NOT NULL,
    PRIMARY KEY (organisation_id, position)
);

-- The organisation's contact people: business contact data, kept for the coordinator only.
CREATE TABLE organisation_contacts (
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    email TEXT,
    phone TEXT,
    PRIMARY KEY (organisation_id, position)
);

CREATE TABLE organisation_relations (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    from_organisation BLOB NOT NULL REFERENCES organisations(id),
    to_organisation BLOB NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL CHECK (kind IN ('member_of', 'federated_in', 'promoted_by', 'owned_by',
        'subcontractor_of', 'partner_of')),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    CHECK (from_organisation <> to_organisation),
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX organisation_relations_from ON organisation_relations (from_organisation);
CREATE INDEX organisation_relations_to ON organisation_relations (to_organisation);

-- Register entries that make an organisation eligible for reserved contracts, with expiry.
CREATE TABLE qualifications (
    id BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL CHECK (kind IN ('insertion_company_register',
        'special_employment_centre_register')),
    register_number TEXT NOT NULL,
    granted_on TEXT NOT NULL,
    expires_on TEXT,
    evidence TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    CHECK (expires_on IS NULL OR expires_on > granted_on)
);
CREATE INDEX qualifications_organisation ON qualifications (organisation_id);

-- The social audit figures of one organisation for one year (REAS social audit).
CREATE TABLE sse_profiles (
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    year INTEGER NOT NULL,
    workforce INTEGER NOT NULL CHECK (workforce >= 0),
    women INTEGER NOT NULL CHECK (women >= 0),
    women_in_responsibility INTEGER NOT NULL CHECK (women_in_responsibility >= 0),
    people_in_responsibility INTEGER NOT NULL CHECK (people_in_responsibility >= 0),
    hired_from_exclusion INTEGER NOT NULL CHECK (hired_from_exclusion >= 0),
    permanent_contracts INTEGER NOT NULL CHECK (permanent_contracts >= 0),
    -- Highest to lowest salary, times 100 (2.5 is 250).
    salary_ratio_centi INTEGER,
    renewable_energy_percent INTEGER CHECK (renewable_energy_percent BETWEEN 0 AND 100),
    ethical_finance INTEGER NOT NULL DEFAULT 0,
    turnover_cents INTEGER CHECK (turnover_cents >= 0),
    volunteers INTEGER CHECK (volunteers >= 0),
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, year)
);

CREATE TABLE pole_activities (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL CHECK (kind IN ('event', 'training', 'co_creation')),
    title_eu TEXT NOT NULL,
    title_es TEXT NOT NULL,
    held_on TEXT NOT NULL,
    area_id BLOB REFERENCES areas(id),
    hours_centi INTEGER NOT NULL DEFAULT 0,
    attendees INTEGER NOT NULL DEFAULT 0 CHECK (attendees >= 0),
    created_at INTEGER NOT NULL
);
CREATE INDEX pole_activities_tenant ON pole_activities (tenant_id, held_on);

CREATE TABLE pole_participation (
    activity_id BLOB NOT NULL REFERENCES pole_activities(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    people INTEGER NOT NULL CHECK (people > 0),
    PRIMARY KEY (activity_id, organisation_id)
);

-- Entrepreneurship projects supported by the pole, from idea to operating organisation.
CREATE TABLE ventures (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('idea', 'incubation', 'constituted', 'operating')),
    area_id BLOB REFERENCES areas(id),
    started_on TEXT NOT NULL,
    -- Set once the project has become an organisation.
    organisation_id BLOB REFERENCES organisations(id),
    intended_form TEXT,
    promoters INTEGER NOT NULL DEFAULT 1 CHECK (promoters > 0),
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ventures_tenant ON ventures (tenant_id, stage);

CREATE TABLE venture_support (
    venture_id BLOB NOT NULL REFERENCES ventures(id),
    position INTEGER NOT NULL,
    given_on TEXT NOT NULL,
    support TEXT NOT NULL,
    hours_centi INTEGER NOT NULL DEFAULT 0 CHECK (hours_centi >= 0),
    amount_cents INTEGER NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    PRIMARY KEY (venture_id, position)
);

CREATE TABLE agreements (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL CHECK (kind IN ('private_partnership', 'public_collaboration')),
    title_eu TEXT NOT NULL,
    title_es TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'active', 'expired', 'renewed',
        'terminated')),
    target_groups TEXT NOT NULL,
    signed_on TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- How many days before the end the coordinator is reminded to renew it.
    renewal_notice_days INTEGER NOT NULL DEFAULT 60 CHECK (renewal_notice_days BETWEEN 0 AND 365),
    renewal_reminded_at INTEGER,
    renews BLOB REFERENCES agreements(id),
    budget_cents INTEGER CHECK (budget_cents >= 0),
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX agreements_tenant ON agreements (tenant_id, status, ends_on);

CREATE TABLE agreement_parties (
    agreement_id BLOB NOT NULL REFERENCES agreements(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL CHECK (role IN ('promoter', 'signatory', 'collaborator')),
    PRIMARY KEY (agreement_id, organisation_id)
);
CREATE INDEX agreement_parties_organisation ON agreement_parties (organisation_id);

CREATE TABLE agreement_areas (
    agreement_id BLOB NOT NULL REFERENCES agreements(id),
    area_id BLOB NOT NULL REFERENCES areas(id),
    PRIMARY KEY (agreement_id, area_id)
);

-- Documents are referenced (title, date, where the signed original is kept), not stored.
CREATE TABLE agreement_documents (
    id BLOB PRIMARY KEY,
    agreement_id BLOB NOT NULL REFERENCES agreements(id),
    title TEXT NOT NULL,
    dated_on TEXT NOT NULL,
    reference TEXT NOT NULL,
    added_by BLOB REFERENCES users(id),
    added_at INTEGER NOT NULL
);
CREATE INDEX agreement_documents_agreement ON agreement_documents (agreement_id);

CREATE TABLE contracts (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    -- The OCDS contracting process identifier: prefix and the council's file number.
    ocid TEXT NOT NULL,
    file_number TEXT NOT NULL,
    contracting_body TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    cpv TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('goods', 'works', 'services')),
    procedure TEXT NOT NULL CHECK (procedure IN ('open', 'simplified_open', 'restricted',
        'negotiated', 'minor', 'innovation_partnership')),
    status TEXT NOT NULL CHECK (status IN ('planned', 'tendering', 'awarded', 'in_execution',
        'completed', 'cancelled')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    published_on TEXT,
    awarded_on TEXT,
    starts_on TEXT,
    ends_on TEXT,
    reservation TEXT NOT NULL CHECK (reservation IN ('not_reserved', 'insertion_companies',
        'special_employment_centres', 'both')),
    awardee BLOB REFERENCES organisations(id),
    awarded_cents INTEGER CHECK (awarded_cents >= 0),
    -- Why a reserved contract went to an organisation not shown eligible on the award date.
    eligibility_justification TEXT,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, ocid),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX contracts_tenant ON contracts (tenant_id, awarded_on);

CREATE TABLE contract_lots (
    id BLOB PRIMARY KEY,
    contract_id BLOB NOT NULL REFERENCES contracts(id),
    number INTEGER NOT NULL CHECK (number > 0),
    title TEXT NOT NULL,
    cpv TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    reservation TEXT NOT NULL CHECK (reservation IN ('not_reserved', 'insertion_companies',
        'special_employment_centres', 'both')),
    awardee BLOB REFERENCES organisations(id),
    awarded_cents INTEGER CHECK (awarded_cents >= 0),
    eligibility_justification TEXT,
    UNIQUE (contract_id, number)
);
CREATE INDEX contract_lots_awardee ON contract_lots (awardee);

-- The council's target for the share of the year's procurement reserved (per thousand).
CREATE TABLE procurement_targets (
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    year INTEGER NOT NULL,
    reserved_permille INTEGER NOT NULL CHECK (reserved_permille BETWEEN 0 AND 1000),
    PRIMARY KEY (tenant_id, year)
);

CREATE TABLE social_clauses (
    id BLOB PRIMARY KEY,
    contract_id BLOB NOT NULL REFERENCES contracts(id),
    lot_id BLOB REFERENCES contract_lots(id),
    stage TEXT NOT NULL CHECK (stage IN ('specification', 'selection', 'award_criterion',
        'execution_condition')),
    purpose TEXT NOT NULL CHECK (purpose IN ('hiring_at_risk', 'gender_equality',
        'accessibility', 'sse_subcontracting', 'decent_work', 'local_training', 'environmental')),
    description TEXT NOT NULL,
    -- Points of the award criterion out of 100 (award criteria only).
    weight_percent INTEGER CHECK (weight_percent BETWEEN 1 AND 100),
    penalty TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX social_clauses_contract ON social_clauses (contract_id);

-- One model for what agreements and social clauses promise.
CREATE TABLE commitments (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    agreement_id BLOB REFERENCES agreements(id),
    social_clause_id BLOB REFERENCES social_clauses(id),
    -- Who must deliver it: its placements or training action count towards it.
    organisation_id BLOB REFERENCES organisations(id),
    kind TEXT NOT NULL CHECK (kind IN ('hire_participants', 'offer_practicum_places', 'other')),
    description TEXT NOT NULL,
    target INTEGER NOT NULL CHECK (target > 0),
    unit TEXT NOT NULL,
    due_on TEXT NOT NULL,
    training_action_id BLOB REFERENCES training_actions(id),
    -- Progress recorded by hand, for commitments that no record counts ('other').
    recorded_progress INTEGER NOT NULL DEFAULT 0 CHECK (recorded_progress >= 0),
    evidence TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'met', 'missed', 'waived')),
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK ((agreement_id IS NULL) <> (social_clause_id IS NULL))
);
CREATE INDEX commitments_agreement ON commitments (agreement_id);
CREATE INDEX commitments_clause ON commitments (social_clause_id);

CREATE TABLE compliance_checks (
    id BLOB PRIMARY KEY,
    social_clause_id BLOB NOT NULL REFERENCES social_clauses(id),
    commitment_id BLOB REFERENCES commitments(id),
    checked_on TEXT NOT NULL,
    evidence TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('compliant', 'partially_compliant', 'non_compliant')),
    penalty_cents INTEGER NOT NULL DEFAULT 0 CHECK (penalty_cents >= 0),
    note TEXT,
    recorded_by BLOB REFERENCES users(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX compliance_checks_clause ON compliance_checks (social_clause_id);

-- A placement's employer, when it is an organisation of the ecosystem: hires then count towards
-- that organisation's commitments. The link to a social clause (social_clause_id, created with
-- the employment tables) needs the person's consent to the council knowing their employment.
ALTER TABLE placements ADD COLUMN employer_organisation BLOB REFERENCES organisations(id);
CREATE INDEX placements_employer_organisation ON placements (employer_organisation);
CREATE INDEX placements_social_clause ON placements (social_clause_id);
