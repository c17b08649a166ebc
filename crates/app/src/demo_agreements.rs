//! The demo's agreements: partnerships with Otxarkoaga's shops' association, a supermarket chain
//! and a university; collaborations with the employment service and the Provincial Council; one
//! in every state (draft, signed, active, one about to end, expired, renewed, terminated), with
//! commitments whose progress comes from the demo's placements and enrolments. The parties are
//! the directory's demo organisations (`demo_ecosystem`): the insertion company and the
//! logistics company that sign hiring commitments are the employers of the demo placements.
//! Written through the store's functions with the coordinator's grant. Skipped when the tenant
//! already has agreements.

use crate::demo_ecosystem::DemoOrganisations;
use anyhow::Context;
use chrono::{Days, Months, NaiveDate};
use elkarlan_domain::ecosystem::agreement::{AgreementInput, PartyInput};
use elkarlan_domain::ecosystem::codes::AgreementStatus;
use elkarlan_domain::ecosystem::commitment::CommitmentInput;
use elkarlan_domain::policy::{self, Action, Grant, Target};
use elkarlan_domain::{AgreementId, OrganisationId, TenantId};
use elkarlan_store::agreements::{self, Filter};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::commitments::{self, CommitmentOwner};
use elkarlan_store::{Store, itineraries, programmes, territory, users};

#[allow(clippy::needless_pass_by_value)] // shaped for `map_err`, which hands over the value
fn fail(e: elkarlan_domain::FieldErrors) -> anyhow::Error {
    anyhow::anyhow!("demo agreements data does not parse: {e:?}")
}

struct Seed<'a> {
    store: &'a Store,
    grant: Grant,
    meta: RequestMeta,
}

impl Seed<'_> {
    async fn agreement(&self, input: AgreementInput) -> anyhow::Result<AgreementId> {
        let d = input.parse().map_err(fail)?;
        Ok(agreements::create(self.store, &self.grant, &self.meta, &d).await?)
    }

    /// Moves an agreement through `path`, signing on `signed`.
    async fn walk(
        &self,
        id: AgreementId,
        signed: NaiveDate,
        path: &[AgreementStatus],
    ) -> anyhow::Result<()> {
        for to in path {
            let a = agreements::get(self.store, self.grant.tenant(), id).await?;
            let on = (*to == AgreementStatus::Signed).then_some(signed);
            agreements::move_status(
                self.store,
                &self.grant,
                &self.meta,
                id,
                a.version,
                a.status,
                *to,
                on,
            )
            .await?;
        }
        Ok(())
    }

    async fn commitment(&self, id: AgreementId, input: CommitmentInput) -> anyhow::Result<()> {
        let owner = CommitmentOwner::Agreement(id);
        let window = commitments::owner_window(self.store, self.grant.tenant(), owner).await?;
        let d = input.parse(window).map_err(fail)?;
        commitments::create(self.store, &self.grant, &self.meta, owner, &d).await?;
        Ok(())
    }
}

fn parties(list: &[(OrganisationId, &str)]) -> Vec<PartyInput> {
    list.iter()
        .map(|(o, role)| PartyInput {
            organisation: o.to_string(),
            role: (*role).into(),
        })
        .collect()
}

#[allow(clippy::too_many_lines)] // one city's agreements, read top to bottom
pub async fn seed(
    store: &Store,
    tenant: TenantId,
    orgs: &DemoOrganisations,
) -> anyhow::Result<usize> {
    if !agreements::list(store, tenant, &Filter::default())
        .await?
        .is_empty()
    {
        return Ok(0);
    }
    let coordinator = users::credentials(store, tenant, "coordinator")
        .await?
        .context("demo account coordinator is missing")?
        .user
        .actor();
    let grant = policy::decide(
        &coordinator,
        Action::ManageEcosystem,
        Target::tenant_wide(tenant),
    )
    .map_err(|d| anyhow::anyhow!("demo grant refused: {}", d.reason))?;
    let s = Seed {
        store,
        grant,
        meta: RequestMeta::default(),
    };
    let today = chrono::Utc::now().date_naive();
    let day = |d: NaiveDate| d.to_string();
    let areas = territory::list(store, tenant).await?;
    let otxarkoaga: Vec<String> = areas
        .iter()
        .filter(|a| a.kind == "neighbourhood" && a.name_es == "Otxarkoaga")
        .map(|a| a.id.to_string())
        .collect();

    let shops = orgs.get("merkatariak")?;
    let supermarket = orgs.get("super_bizkaia")?;
    let university = orgs.get("upv")?;
    let lanbide = orgs.get("lanbide")?;
    let province = orgs.get("aldundia")?;
    let berriztu = orgs.get("berriztu")?;
    let biltegi = orgs.get("biltegi")?;
    // The demo placements with these employers now count towards their commitments.
    for (name, org) in [
        ("Berriztu Gizarteratze Enpresa SL", berriztu),
        ("Biltegi Logistika SL", biltegi),
        ("Lanberri CEE", orgs.get("lanberri")?),
    ] {
        itineraries::link_employer_by_name(store, &s.grant, &s.meta, name, org).await?;
    }
    // The demo courses whose enrolments count as practicum places.
    let mut shop_course = None;
    let mut warehouse_course = None;
    for p in programmes::list(store, tenant).await? {
        for a in programmes::actions(store, tenant, p.id).await? {
            if a.title_es.starts_with("Dependiente/a de comercio") {
                shop_course = Some(a.id);
            } else if a.title_es.starts_with("Mozo de almacén") {
                warehouse_course = Some(a.id);
            }
        }
    }

    let base = |kind: &str,
                eu: &str,
                es: &str,
                scope: &str,
                who: Vec<PartyInput>,
                groups: &[&str],
                from: NaiveDate,
                to: NaiveDate,
                budget: &str| AgreementInput {
        kind: kind.into(),
        title_eu: eu.into(),
        title_es: es.into(),
        scope: scope.into(),
        parties: who,
        neighbourhoods: otxarkoaga.clone(),
        target_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        starts_on: day(from),
        ends_on: day(to),
        budget: budget.into(),
        ..AgreementInput::default()
    };
    use AgreementStatus::{Active, Expired, Signed, Terminated};

    // 1. The shops' association: active, ending within its renewal notice (highlighted).
    let start = today - Months::new(10);
    let shops_now = s.agreement(base("private_partnership", "Otxarkoagako merkataritza eta enplegua", "Comercio y empleo en Otxarkoaga",
        "Prácticas en comercios del barrio para participantes del plan de empleo y campaña de compra local.",
        parties(&[(shops, "signatory")]), &["shops_and_businesses", "job_seekers"], start, today + Days::new(40), "18.000")).await?;
    s.walk(shops_now, start - Days::new(10), &[Signed, Active])
        .await?;
    if let Some(course) = shop_course {
        s.commitment(
            shops_now,
            CommitmentInput {
                organisation: shops.to_string(),
                kind: "offer_practicum_places".into(),
                description: "Plazas de prácticas en comercios para el curso de dependiente/a"
                    .into(),
                target: "6".into(),
                unit: "plazas".into(),
                due_on: day(today + Days::new(30)),
                training_action: course.to_string(),
                ..CommitmentInput::default()
            },
        )
        .await?;
    }
    s.commitment(
        shops_now,
        CommitmentInput {
            organisation: shops.to_string(),
            kind: "other".into(),
            description: "Campañas de compra local con escaparates en euskera y castellano".into(),
            target: "4".into(),
            unit: "campañas".into(),
            due_on: day(today + Days::new(35)),
            recorded_progress: "3".into(),
            evidence: "Carteles y actas de la asociación".into(),
            ..CommitmentInput::default()
        },
    )
    .await?;
    // 2. The same association's first agreement, expired.
    let old_start = today - Months::new(34);
    let shops_old = s
        .agreement(base(
            "private_partnership",
            "Otxarkoagako merkataritza 2023-2024",
            "Comercio de Otxarkoaga 2023-2024",
            "Primer convenio con el comercio del barrio.",
            parties(&[(shops, "signatory")]),
            &["shops_and_businesses"],
            old_start,
            today - Months::new(11),
            "",
        ))
        .await?;
    s.walk(shops_old, old_start, &[Signed, Active, Expired])
        .await?;

    // 3. The supermarket chain: last year's agreement renewed into this one, active, with
    //    hires by its logistics partner counted from the placements.
    let sm_start = today - Months::new(20);
    let sm_old = s
        .agreement(base(
            "private_partnership",
            "Super Bizkaia: kontratazioa auzoan",
            "Super Bizkaia: contratación en el barrio",
            "Contratación de personas del plan de empleo en tiendas y almacén.",
            parties(&[(supermarket, "signatory"), (biltegi, "collaborator")]),
            &["job_seekers", "young_people"],
            sm_start,
            today - Months::new(8),
            "25.000",
        ))
        .await?;
    s.walk(sm_old, sm_start - Days::new(5), &[Signed, Active])
        .await?;
    let old = agreements::get(store, tenant, sm_old).await?;
    let sm_new = agreements::renew(
        store,
        &s.grant,
        &s.meta,
        &old,
        old.version,
        today - Months::new(8) + Days::new(1),
        today + Months::new(16),
    )
    .await?;
    s.walk(sm_new, today - Months::new(8), &[Signed, Active])
        .await?;
    s.commitment(
        sm_new,
        CommitmentInput {
            organisation: biltegi.to_string(),
            kind: "hire_participants".into(),
            description: "Contratar participantes en el almacén de distribución".into(),
            target: "3".into(),
            unit: "personas contratadas".into(),
            due_on: day(today + Months::new(12)),
            ..CommitmentInput::default()
        },
    )
    .await?;
    if let Some(course) = warehouse_course {
        s.commitment(
            sm_new,
            CommitmentInput {
                organisation: supermarket.to_string(),
                kind: "offer_practicum_places".into(),
                description: "Prácticas en almacén para el curso de mozo/a de almacén".into(),
                target: "4".into(),
                unit: "plazas".into(),
                due_on: day(today + Months::new(6)),
                training_action: course.to_string(),
                ..CommitmentInput::default()
            },
        )
        .await?;
    }

    // 4. The university: signed, starting next month; another one terminated early.
    let uni = s
        .agreement(base(
            "private_partnership",
            "Unibertsitatea eta ekonomia soziala",
            "Universidad y economía social",
            "Sesiones de co-creación con entidades del polo y prácticas de grado.",
            parties(&[(university, "signatory"), (shops, "collaborator")]),
            &["social_economy_entities", "young_people"],
            today + Months::new(1),
            today + Months::new(25),
            "9.500",
        ))
        .await?;
    s.walk(uni, today - Days::new(7), &[Signed]).await?;
    s.commitment(
        uni,
        CommitmentInput {
            organisation: university.to_string(),
            kind: "other".into(),
            description: "Sesiones de co-creación con el polo de economía social".into(),
            target: "3".into(),
            unit: "sesiones".into(),
            due_on: day(today + Months::new(12)),
            ..CommitmentInput::default()
        },
    )
    .await?;
    let uni_old = s
        .agreement(base(
            "private_partnership",
            "Unibertsitateko praktikak 2025",
            "Prácticas universitarias 2025",
            "Prácticas de grado en entidades del barrio.",
            parties(&[(university, "signatory")]),
            &["young_people"],
            today - Months::new(9),
            today + Months::new(3),
            "",
        ))
        .await?;
    s.walk(
        uni_old,
        today - Months::new(9),
        &[Signed, Active, Terminated],
    )
    .await?;

    // 5. The employment service: active, hires by the insertion company counted.
    let emp_start = today - Months::new(7);
    let emp = s
        .agreement(base(
            "public_collaboration",
            "Enplegu zerbitzuarekin lankidetza",
            "Colaboración con el servicio público de empleo",
            "Derivación, intermediación y seguimiento de las inserciones del plan de empleo.",
            parties(&[(lanbide, "promoter"), (berriztu, "collaborator")]),
            &["job_seekers", "migrants", "women"],
            emp_start,
            today + Months::new(17),
            "",
        ))
        .await?;
    s.walk(emp, emp_start, &[Signed, Active]).await?;
    s.commitment(
        emp,
        CommitmentInput {
            organisation: berriztu.to_string(),
            kind: "hire_participants".into(),
            description: "Contratos de inserción en la empresa de inserción".into(),
            target: "4".into(),
            unit: "personas contratadas".into(),
            due_on: day(today + Months::new(5)),
            ..CommitmentInput::default()
        },
    )
    .await?;

    // 6. The Provincial Council: a draft under negotiation.
    let province_draft = s
        .agreement(base(
            "public_collaboration",
            "Foru Aldundiarekin ekintzailetza",
            "Emprendimiento con la Diputación Foral",
            "Apoyo a proyectos de emprendimiento de personas migrantes y mujeres del barrio.",
            parties(&[(province, "promoter")]),
            &["entrepreneurs", "migrants", "women"],
            today + Months::new(2),
            today + Months::new(26),
            "40.000",
        ))
        .await?;
    s.commitment(
        province_draft,
        CommitmentInput {
            kind: "other".into(),
            description: "Proyectos de emprendimiento acompañados".into(),
            target: "10".into(),
            unit: "proyectos".into(),
            due_on: day(today + Months::new(20)),
            ..CommitmentInput::default()
        },
    )
    .await?;

    tracing::info!(agreements = 8, "demo agreements loaded");
    Ok(8)
}
