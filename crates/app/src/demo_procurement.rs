//! The demo's responsible procurement: the council's contracts of 2026 (twenty, most in
//! Otxarkoaga and its surroundings), with lots reserved to insertion companies and special
//! employment centres, social clauses of every stage, their commitments and compliance checks
//! (some failed, with penalties), one award reserved to insertion companies justified because
//! the only bid came from a special employment centre, and the council's target of 8 % of the
//! year's awards reserved. The awardees are the directory's demo organisations (`demo_ecosystem`): the same
//! insertion companies and special employment centres the pole knows. Written through the
//! store's functions with the coordinator's grant. Skipped when the tenant already has contracts.

use crate::demo_ecosystem::DemoOrganisations;
use anyhow::Context;
use chrono::NaiveDate;
use elkarlan_domain::ecosystem::commitment::CommitmentInput;
use elkarlan_domain::ecosystem::procurement::{
    AwardDraft, CheckInput, ClauseInput, ContractInput, LotInput,
};
use elkarlan_domain::policy::{self, Action, Grant, Target};
use elkarlan_domain::{ContractId, LotId, OrganisationId, TenantId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::commitments::{self, CommitmentOwner};
use elkarlan_store::contracts::{self, ContractFilter};
use elkarlan_store::{Store, users};

#[allow(clippy::needless_pass_by_value)] // shaped for `map_err`, which hands over the value
fn fail(e: elkarlan_domain::FieldErrors) -> anyhow::Error {
    anyhow::anyhow!("demo procurement data does not parse: {e:?}")
}

fn day(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("demo date {s}"))
}

/// One lot: (title, CPV, amount €, reservation, awardee's demo directory key, awarded €).
type LotSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

/// One contract of the year.
struct Spec {
    title: &'static str,
    cpv: &'static str,
    category: &'static str,
    procedure: &'static str,
    amount: &'static str,
    status: &'static str,
    reservation: &'static str,
    published: &'static str,
    /// (awardee's demo directory key, awarded €, date) for a contract without lots.
    award: Option<(&'static str, &'static str, &'static str)>,
    lots: &'static [LotSpec],
    /// The award date of the lots.
    lots_awarded: &'static str,
}

const CONTRACTS: &[Spec] = &[
    Spec {
        title: "Limpieza de los centros cívicos de Otxarkoaga y Txurdinaga",
        cpv: "90910000",
        category: "services",
        procedure: "open",
        amount: "420.000",
        status: "in_execution",
        reservation: "not_reserved",
        published: "2026-01-12",
        award: None,
        lots: &[
            (
                "Centro cívico de Otxarkoaga",
                "90911000",
                "180.000",
                "insertion_companies",
                Some("berriztu"),
                "176.400",
            ),
            (
                "Centro cívico de Txurdinaga",
                "90911000",
                "240.000",
                "not_reserved",
                Some("zerbitzuak"),
                "231.000",
            ),
        ],
        lots_awarded: "2026-03-02",
    },
    Spec {
        title: "Mantenimiento de zonas verdes del distrito 4",
        cpv: "77310000",
        category: "services",
        procedure: "open",
        amount: "310.000",
        status: "in_execution",
        reservation: "not_reserved",
        published: "2026-01-20",
        award: None,
        lots: &[
            (
                "Parques de Otxarkoaga",
                "77310000",
                "95.000",
                "special_employment_centres",
                Some("lanberri"),
                "93.100",
            ),
            (
                "Alcorques y medianas",
                "77310000",
                "215.000",
                "not_reserved",
                Some("zerbitzuak"),
                "204.250",
            ),
        ],
        lots_awarded: "2026-03-16",
    },
    Spec {
        title: "Recogida selectiva de textil y voluminosos",
        cpv: "90510000",
        category: "services",
        procedure: "open",
        amount: "88.000",
        status: "in_execution",
        reservation: "insertion_companies",
        published: "2026-02-02",
        award: Some(("berriztu", "86.240", "2026-03-30")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Comedor social de Otxarkoaga",
        cpv: "55520000",
        category: "services",
        procedure: "simplified_open",
        amount: "64.000",
        status: "in_execution",
        reservation: "insertion_companies",
        published: "2026-02-09",
        award: Some(("sukalde_irekia", "63.500", "2026-04-06")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Lavandería de las escuelas infantiles municipales",
        cpv: "98310000",
        category: "services",
        procedure: "simplified_open",
        amount: "36.500",
        status: "in_execution",
        reservation: "special_employment_centres",
        published: "2026-02-16",
        award: Some(("lanberri", "35.900", "2026-04-13")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Jardinería de los cementerios de Derio y Bilbao",
        cpv: "77310000",
        category: "services",
        procedure: "simplified_open",
        amount: "52.000",
        status: "in_execution",
        reservation: "insertion_companies",
        published: "2026-02-23",
        award: Some(("lanberri", "51.000", "2026-04-20")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Reforma del polideportivo de Otxarkoaga",
        cpv: "45000000",
        category: "works",
        procedure: "open",
        amount: "1.250.000",
        status: "in_execution",
        reservation: "not_reserved",
        published: "2026-01-05",
        award: Some(("eraikuntza", "1.187.500", "2026-03-09")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Accesibilidad de las paradas de autobús de Txurdinaga",
        cpv: "45400000",
        category: "works",
        procedure: "open",
        amount: "380.000",
        status: "awarded",
        reservation: "not_reserved",
        published: "2026-03-02",
        award: Some(("eraikuntza", "372.400", "2026-05-04")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Servicio de información y atención ciudadana",
        cpv: "79500000",
        category: "services",
        procedure: "open",
        amount: "540.000",
        status: "in_execution",
        reservation: "not_reserved",
        published: "2026-01-26",
        award: Some(("zerbitzuak", "529.200", "2026-03-23")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Limpieza de locales de asociaciones vecinales",
        cpv: "90911000",
        category: "services",
        procedure: "minor",
        amount: "14.800",
        status: "completed",
        reservation: "not_reserved",
        published: "2026-01-15",
        award: Some(("berriztu", "14.800", "2026-01-30")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Catering de actividades del polo de economía social",
        cpv: "55520000",
        category: "services",
        procedure: "minor",
        amount: "9.600",
        status: "completed",
        reservation: "not_reserved",
        published: "2026-03-10",
        award: Some(("sukalde_irekia", "9.450", "2026-03-20")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Mantenimiento de fuentes y mobiliario urbano",
        cpv: "45000000",
        category: "works",
        procedure: "open",
        amount: "260.000",
        status: "in_execution",
        reservation: "not_reserved",
        published: "2026-03-16",
        award: None,
        lots: &[
            (
                "Mobiliario urbano",
                "45000000",
                "170.000",
                "not_reserved",
                Some("eraikuntza"),
                "161.500",
            ),
            (
                "Pintura y limpieza de grafitis",
                "90910000",
                "90.000",
                "insertion_companies",
                Some("berriztu"),
                "88.200",
            ),
        ],
        lots_awarded: "2026-05-11",
    },
    Spec {
        title: "Gestión del punto limpio móvil",
        cpv: "90500000",
        category: "services",
        procedure: "simplified_open",
        amount: "72.000",
        status: "awarded",
        reservation: "insertion_companies",
        published: "2026-04-06",
        award: Some(("berriztu", "70.560", "2026-06-01")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Limpieza de las oficinas de Bilbao Ekintza",
        cpv: "90910000",
        category: "services",
        procedure: "open",
        amount: "195.000",
        status: "awarded",
        reservation: "not_reserved",
        published: "2026-04-13",
        award: Some(("zerbitzuak", "187.200", "2026-06-15")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Huertos urbanos de Otxarkoaga",
        cpv: "77310000",
        category: "services",
        procedure: "minor",
        amount: "12.000",
        status: "in_execution",
        reservation: "special_employment_centres",
        published: "2026-04-20",
        award: Some(("lanberri", "11.800", "2026-05-04")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Rehabilitación de viviendas municipales de alquiler social",
        cpv: "45000000",
        category: "works",
        procedure: "open",
        amount: "860.000",
        status: "tendering",
        reservation: "not_reserved",
        published: "2026-09-07",
        award: None,
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Servicio de comidas a domicilio",
        cpv: "55520000",
        category: "services",
        procedure: "open",
        amount: "230.000",
        status: "tendering",
        reservation: "insertion_companies",
        published: "2026-10-05",
        award: None,
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Lavandería de los centros de día",
        cpv: "98310000",
        category: "services",
        procedure: "simplified_open",
        amount: "48.000",
        status: "planned",
        reservation: "special_employment_centres",
        published: "",
        award: None,
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Conserjería de los centros cívicos",
        cpv: "79500000",
        category: "services",
        procedure: "open",
        amount: "310.000",
        status: "awarded",
        reservation: "not_reserved",
        published: "2026-05-04",
        award: Some(("zerbitzuak", "301.000", "2026-07-06")),
        lots: &[],
        lots_awarded: "",
    },
    Spec {
        title: "Desbroce de taludes de Monte Avril",
        cpv: "77310000",
        category: "services",
        procedure: "minor",
        amount: "13.500",
        status: "completed",
        reservation: "not_reserved",
        published: "2026-05-18",
        award: Some(("lorategi", "13.200", "2026-05-29")),
        lots: &[],
        lots_awarded: "",
    },
];

/// A social clause of the demo: (contract index, lot number or 0, stage, purpose, description,
/// weight, penalty, commitment target of hires or 0, checks: (date, verdict, penalty €, note)).
type ClauseSpec = (
    usize,
    u32,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
    &'static [(&'static str, &'static str, &'static str, &'static str)],
);

const CLAUSES: &[ClauseSpec] = &[
    (
        0,
        0,
        "execution_condition",
        "hiring_at_risk",
        "Al menos el 30 % de las nuevas contrataciones, personas en itinerario de inserción del barrio",
        "",
        "1 % del precio anual por cada mes de incumplimiento",
        4,
        &[
            (
                "2026-06-30",
                "compliant",
                "",
                "Dos contrataciones acreditadas",
            ),
            (
                "2026-09-30",
                "partially_compliant",
                "",
                "Una contratación pendiente",
            ),
        ],
    ),
    (
        0,
        0,
        "award_criterion",
        "gender_equality",
        "Plan de igualdad registrado y medidas de conciliación",
        "10",
        "",
        0,
        &[],
    ),
    (
        1,
        0,
        "specification",
        "environmental",
        "Uso exclusivo de productos fitosanitarios ecológicos",
        "",
        "",
        0,
        &[("2026-07-15", "compliant", "", "")],
    ),
    (
        1,
        2,
        "execution_condition",
        "sse_subcontracting",
        "Subcontratar con entidades de economía social al menos el 15 % del lote",
        "",
        "3 % del importe del lote",
        0,
        &[(
            "2026-09-15",
            "non_compliant",
            "6.127,50",
            "Sin subcontratación acreditada en el semestre",
        )],
    ),
    (
        6,
        0,
        "award_criterion",
        "hiring_at_risk",
        "Puntos por cada persona en riesgo de exclusión contratada para la obra",
        "15",
        "",
        3,
        &[(
            "2026-07-31",
            "compliant",
            "",
            "Tres contrataciones acreditadas con TC2",
        )],
    ),
    (
        6,
        0,
        "selection",
        "decent_work",
        "Solvencia: cumplimiento del convenio sectorial de la construcción de Bizkaia",
        "",
        "",
        0,
        &[],
    ),
    (
        7,
        0,
        "specification",
        "accessibility",
        "Diseño según la normativa vasca de accesibilidad; plataformas a nivel",
        "",
        "",
        0,
        &[],
    ),
    (
        8,
        0,
        "execution_condition",
        "local_training",
        "Formación de 40 horas en atención a personas mayores para la plantilla",
        "",
        "500 € por persona sin formar",
        0,
        &[(
            "2026-10-01",
            "non_compliant",
            "2.000",
            "Cuatro personas sin la formación comprometida",
        )],
    ),
    (
        8,
        0,
        "award_criterion",
        "hiring_at_risk",
        "Contratación de personas desempleadas de larga duración",
        "12",
        "",
        2,
        &[],
    ),
    (
        13,
        0,
        "execution_condition",
        "decent_work",
        "Subrogación del personal y salario según convenio",
        "",
        "Resolución del contrato",
        0,
        &[("2026-09-01", "compliant", "", "")],
    ),
    (
        18,
        0,
        "execution_condition",
        "hiring_at_risk",
        "Incorporar dos personas del programa de empleo de Otxarkoaga",
        "",
        "2 % del precio por persona no incorporada",
        2,
        &[(
            "2026-10-15",
            "non_compliant",
            "6.020",
            "Ninguna incorporación en el trimestre",
        )],
    ),
    (
        11,
        2,
        "selection",
        "sse_subcontracting",
        "Experiencia en trabajos con personas en inserción",
        "",
        "",
        0,
        &[],
    ),
];

/// Loads the demo contracts; returns how many it wrote (0 when the tenant already has some).
pub async fn seed(
    store: &Store,
    tenant: TenantId,
    orgs: &DemoOrganisations,
) -> anyhow::Result<usize> {
    if !contracts::list(store, tenant, &ContractFilter::default())
        .await?
        .is_empty()
    {
        return Ok(0);
    }
    let actor = users::credentials(store, tenant, "coordinator")
        .await?
        .context("demo account coordinator is missing")?
        .user
        .actor();
    let grant: Grant = policy::decide(
        &actor,
        Action::ManageProcurement,
        Target::tenant_wide(tenant),
    )
    .map_err(|d| anyhow::anyhow!("demo grant refused: {}", d.reason))?;
    let meta = RequestMeta::default();
    let org = |key: &str| orgs.get(key);
    let mut made: Vec<(ContractId, Vec<LotId>)> = Vec::new();
    for (i, s) in CONTRACTS.iter().enumerate() {
        let d = ContractInput {
            file_number: format!("2026/CON/{:04}", i + 1),
            contracting_body: "Bilboko Udala / Ayuntamiento de Bilbao".into(),
            title: s.title.into(),
            description: String::new(),
            cpv: s.cpv.into(),
            category: s.category.into(),
            procedure: s.procedure.into(),
            status: if s.award.is_some() || !s.lots.is_empty() {
                "tendering".into()
            } else {
                s.status.into()
            },
            amount: s.amount.into(),
            published_on: s.published.into(),
            starts_on: String::new(),
            ends_on: String::new(),
            reservation: s.reservation.into(),
        }
        .parse()
        .map_err(fail)?;
        let id = contracts::create(store, &grant, &meta, &d).await?;
        let mut lot_ids = Vec::new();
        for (n, (title, cpv, amount, reservation, awardee, awarded)) in s.lots.iter().enumerate() {
            let lot = LotInput {
                number: (n + 1).to_string(),
                title: (*title).into(),
                cpv: (*cpv).into(),
                amount: (*amount).into(),
                reservation: (*reservation).into(),
            }
            .parse()
            .map_err(fail)?;
            let lot_id = contracts::add_lot(store, &grant, &meta, id, &lot).await?;
            if let Some(key) = awardee {
                award(
                    store,
                    &grant,
                    &meta,
                    id,
                    Some(lot_id),
                    org(key)?,
                    awarded,
                    s.lots_awarded,
                )
                .await?;
            }
            lot_ids.push(lot_id);
        }
        if let Some((key, awarded, on)) = s.award {
            award(store, &grant, &meta, id, None, org(key)?, awarded, on).await?;
        }
        if s.award.is_some() || !s.lots.is_empty() {
            // The award moved it to `awarded`; the demo's later status is set as typed.
            let now = contracts::get(store, tenant, id).await?;
            let mut d = d.clone();
            d.status = elkarlan_domain::ecosystem::codes::ContractStatus::parse(s.status)
                .map_err(|e| anyhow::anyhow!("demo status: {e}"))?;
            contracts::update(store, &grant, &meta, id, now.version, &d).await?;
        }
        made.push((id, lot_ids));
    }
    for (contract, lot, stage, purpose, description, weight, penalty, hires, checks) in CLAUSES {
        let (id, lots) = made.get(*contract).context("demo clause contract")?;
        let lot = if *lot == 0 {
            String::new()
        } else {
            lots.get(*lot as usize - 1)
                .context("demo clause lot")?
                .to_string()
        };
        let d = ClauseInput {
            lot,
            stage: (*stage).into(),
            purpose: (*purpose).into(),
            description: (*description).into(),
            weight: (*weight).into(),
            penalty: (*penalty).into(),
        }
        .parse()
        .map_err(fail)?;
        let clause = contracts::add_clause(store, &grant, &meta, *id, &d).await?;
        let commitment = if *hires > 0 {
            // Delivered by the clause's awardee, which the store fills in.
            let owner = CommitmentOwner::Clause(clause);
            let window = commitments::owner_window(store, tenant, owner).await?;
            let k = CommitmentInput {
                kind: "hire_participants".into(),
                description: format!("Contratar {hires} personas en itinerario de inserción"),
                target: hires.to_string(),
                unit: "personas".into(),
                due_on: "2026-12-31".into(),
                ..CommitmentInput::default()
            }
            .parse(window)
            .map_err(fail)?;
            Some(commitments::create(store, &grant, &meta, owner, &k).await?)
        } else {
            None
        };
        for (on, verdict, penalty, note) in *checks {
            let c = CheckInput {
                checked_on: (*on).into(),
                evidence: "Documentación aportada por la adjudicataria (TC2, contratos, facturas)"
                    .into(),
                verdict: (*verdict).into(),
                penalty: (*penalty).into(),
                note: (*note).into(),
                commitment: commitment.map(|k| k.to_string()).unwrap_or_default(),
            }
            .parse()
            .map_err(fail)?;
            contracts::add_check(store, &grant, &meta, clause, &c).await?;
        }
    }
    contracts::set_target(store, &grant, &meta, 2026, 80).await?;
    Ok(CONTRACTS.len())
}

/// Awards a contract or lot; a reserved award the awardee's registers do not cover on the day
/// carries the justification the coordinator gave.
#[allow(clippy::too_many_arguments)] // every part of an award, named at the call site
async fn award(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    contract: ContractId,
    lot: Option<LotId>,
    awardee: OrganisationId,
    amount: &str,
    on: &str,
) -> anyhow::Result<()> {
    let awarded_on = day(on)?;
    let awarded_cents = elkarlan_domain::ecosystem::procurement::amount(amount)
        .map_err(|e| anyhow::anyhow!("demo amount {amount}: {e}"))?;
    let c = contracts::get(store, grant.tenant(), contract).await?;
    let reservation = match lot {
        None => c.reservation,
        Some(l) => contracts::lots(store, contract)
            .await?
            .iter()
            .find(|x| x.id == l)
            .map(|x| x.reservation)
            .context("demo lot")?,
    };
    let facts = contracts::organisation_facts(store, grant.tenant(), awardee).await?;
    let covered = facts.covers(reservation, awarded_on);
    let d = AwardDraft {
        lot,
        awardee,
        awarded_cents,
        awarded_on,
        justification: (!covered).then(|| {
            "Ninguna empresa de inserción licitó; única oferta, de un centro especial de empleo inscrito en su registro".to_owned()
        }),
    };
    contracts::award(store, grant, meta, contract, &d, covered).await?;
    Ok(())
}
