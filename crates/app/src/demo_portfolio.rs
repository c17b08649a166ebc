//! The demo's strategic projects: the area's five (the Ekonopolo social and solidarity economy
//! pole, the Otxarkoaga neighbourhood employment plan, partnership agreements with private
//! actors, responsible public procurement, the Otxarkoaga social inclusion coordination), with
//! budgets for 2025–2027, milestones, and links to the demo's programmes, agreements and
//! contracts found by listing the store, and the catalogue indicators each is judged by. Written with the coordinator's grant. Skipped when the
//! tenant already has projects.

use crate::demo_ecosystem::DemoOrganisations;
use anyhow::Context;
use elkarlan_domain::ecosystem::codes::AgreementKind;
use elkarlan_domain::policy::{self, Action, Target};
use elkarlan_domain::portfolio::{LinkKind, MilestoneInput, ProjectInput};
use elkarlan_domain::{ProjectId, TenantId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::contracts::ContractFilter;
use elkarlan_store::{
    Store, agreements, contracts, indicator_results, programmes, projects, territory, users,
};
use uuid::Uuid;

#[allow(clippy::needless_pass_by_value)] // shaped for `map_err`, which hands over the value
fn fail(e: elkarlan_domain::FieldErrors) -> anyhow::Error {
    anyhow::anyhow!("demo portfolio data does not parse: {e:?}")
}

struct Demo {
    code: &'static str,
    name_eu: &'static str,
    name_es: &'static str,
    objectives: &'static str,
    partners: &'static [&'static str],
    budget: &'static str,
    /// (title, due, done)
    milestones: &'static [(&'static str, &'static str, &'static str)],
    /// The catalogue indicators the project is judged by.
    indicators: &'static [&'static str],
}

const PROJECTS: [Demo; 5] = [
    Demo {
        code: "EKONOPOLO",
        name_eu: "Ekonopoloa: ekonomia sozial eta solidarioaren poloa",
        name_es: "Ekonopolo: polo de economía social y solidaria",
        objectives: "Acompañar la creación y consolidación de entidades de economía social en el distrito; espacio compartido, formación y mercado social.",
        partners: &["garbiker", "sukalde", "berriztu", "lanberri", "federazioa"],
        budget: "2025; 180.000; 171.500\n2026; 210.000; 96.000\n2027; 210.000; 0",
        milestones: &[
            (
                "Apertura del local del polo en Otxarkoaga",
                "2025-03-01",
                "2025-03-14",
            ),
            ("Primera feria de mercado social", "2025-10-15", ""),
            ("Diez nuevas iniciativas acompañadas", "2027-06-30", ""),
        ],
        indicators: &["SSE-01", "SSE-02", "SSE-04", "SSE-05", "SSE-06"],
    },
    Demo {
        code: "OTX-ENPLEGU",
        name_eu: "Otxarkoagako auzo enplegu plana",
        name_es: "Plan de empleo de barrio de Otxarkoaga",
        objectives: "Itinerarios de inserción, formación para el empleo y contratación de vecinas y vecinos de Otxarkoaga.",
        partners: &["lanbide", "berriztu", "biltegi"],
        budget: "2025; 350.000; 362.400\n2026; 380.000; 150.000\n2027; 380.000; 0",
        milestones: &[
            (
                "Convocatoria de itinerarios 2025",
                "2025-02-15",
                "2025-02-10",
            ),
            ("Evaluación intermedia del plan", "2026-01-31", ""),
        ],
        indicators: &["IT-01", "IT-03", "TR-01", "PL-01", "PL-03", "PL-05"],
    },
    Demo {
        code: "ITUNAK",
        name_eu: "Eragile pribatuekin lankidetza itunak",
        name_es: "Convenios de colaboración con agentes privados",
        objectives: "Compromisos de contratación y plazas de prácticas con el comercio, la distribución y la universidad.",
        partners: &["merkatariak", "super_bizkaia", "upv"],
        budget: "2025; 40.000; 32.000\n2026; 45.000; 10.000\n2027; 45.000; 0",
        milestones: &[("Firma de cinco convenios", "2025-12-31", "")],
        indicators: &["AG-01", "AG-02", "PL-07"],
    },
    Demo {
        code: "EROSKETA-ARDURATSUA",
        name_eu: "Erosketa publiko arduratsua",
        name_es: "Compra pública responsable",
        objectives: "Contratos reservados y cláusulas sociales con seguimiento de su cumplimiento.",
        partners: &["garbiker", "lorategi"],
        budget: "2025; 25.000; 24.000\n2026; 25.000; 8.000\n2027; 25.000; 0",
        milestones: &[
            (
                "Instrucción municipal de cláusulas sociales",
                "2025-05-31",
                "2025-06-20",
            ),
            ("Informe anual de cumplimiento", "2026-03-31", ""),
        ],
        indicators: &["PR-01", "PR-02", "PR-03", "PR-05", "PL-06"],
    },
    Demo {
        code: "OTX-GIZARTERATZEA",
        name_eu: "Otxarkoagako gizarteratzearen koordinazioa",
        name_es: "Coordinación para la inclusión social en Otxarkoaga",
        objectives: "Mesa de coordinación de servicios sociales, empleo, educación, vivienda y salud con planes conjuntos por caso.",
        partners: &["aldundia", "auzo_elkartea", "elkarrekin"],
        budget: "2025; 60.000; 58.000\n2026; 60.000; 20.000\n2027; 60.000; 0",
        milestones: &[
            (
                "Protocolo de derivaciones firmado",
                "2025-04-30",
                "2025-05-12",
            ),
            ("Revisión anual de casos compartidos", "2026-02-28", ""),
        ],
        indicators: &["RF-01", "RF-02", "CS-01", "CS-02", "CS-03"],
    },
];

pub async fn seed(
    store: &Store,
    tenant: TenantId,
    orgs: &DemoOrganisations,
) -> anyhow::Result<usize> {
    if !projects::list(store, tenant).await?.is_empty() {
        return Ok(0);
    }
    let coordinator = users::credentials(store, tenant, "coordinator")
        .await?
        .context("demo account coordinator is missing")?
        .user
        .actor();
    let grant = policy::decide(
        &coordinator,
        Action::ManagePortfolio,
        Target::tenant_wide(tenant),
    )
    .map_err(|d| anyhow::anyhow!("demo grant refused: {}", d.reason))?;
    let meta = RequestMeta::default();
    let otxarkoaga: Vec<String> = territory::list(store, tenant)
        .await?
        .iter()
        .filter(|a| a.kind == "neighbourhood" && a.name_es == "Otxarkoaga")
        .map(|a| a.id.to_string())
        .collect();
    let mut ids: Vec<ProjectId> = Vec::new();
    for p in &PROJECTS {
        let mut partners = Vec::new();
        for key in p.partners {
            partners.push(orgs.get(key)?.to_string());
        }
        let d = ProjectInput {
            code: p.code.into(),
            name_eu: p.name_eu.into(),
            name_es: p.name_es.into(),
            objectives: p.objectives.into(),
            status: "active".into(),
            starts_on: "2025-01-01".into(),
            ends_on: "2027-12-31".into(),
            neighbourhoods: otxarkoaga.clone(),
            partners,
            budget: p.budget.into(),
        }
        .parse()
        .map_err(fail)?;
        let id = projects::create(store, &grant, &meta, &d).await?;
        for (title, due, done) in p.milestones {
            let m = MilestoneInput {
                title: (*title).into(),
                due_on: (*due).into(),
                done_on: (*done).into(),
            }
            .parse()
            .map_err(fail)?;
            projects::add_milestone(store, &grant, &meta, id, &m).await?;
        }
        let codes: Vec<String> = p.indicators.iter().map(|c| (*c).to_owned()).collect();
        if let Some(unknown) = codes
            .iter()
            .find(|c| elkarlan_domain::indicators::catalogue::find(c).is_none())
        {
            anyhow::bail!("demo project indicator {unknown} is not in the catalogue");
        }
        indicator_results::set_project_indicators(store, &grant, &meta, id, &codes).await?;
        ids.push(id);
    }
    // Links to what the other demos made, found by listing.
    let mut links: Vec<(usize, LinkKind, Uuid)> = Vec::new();
    for p in programmes::list(store, tenant).await? {
        if p.name_es.contains("Otxarkoaga") {
            links.push((1, LinkKind::Programme, p.id.0));
        }
    }
    for a in agreements::list(store, tenant, &agreements::Filter::default()).await? {
        match a.kind {
            AgreementKind::PrivatePartnership => links.push((2, LinkKind::Agreement, a.id.0)),
            AgreementKind::PublicCollaboration => links.push((4, LinkKind::Agreement, a.id.0)),
        }
    }
    for c in contracts::list(store, tenant, &ContractFilter::default()).await? {
        links.push((3, LinkKind::Contract, c.id.0));
        if c.title.contains("Otxarkoaga") {
            links.push((0, LinkKind::Contract, c.id.0));
        }
    }
    for (i, kind, target) in links {
        projects::add_link(store, &grant, &meta, ids[i], kind, target).await?;
    }
    Ok(ids.len())
}
