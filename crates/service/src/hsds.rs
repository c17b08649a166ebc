//! The directory of organisations as Open Referral HSDS 3.0 JSON: one `organization` per record
//! with its identifiers (the NIF/CIF and official register numbers), one `service` per CPV
//! activity classified by a CPV `taxonomy_term`, a physical `location` with its address, and a
//! `phone`. Contact people are never exported. Ids are stable: the organisation's uuid, and
//! uuids derived from it for the nested objects.

use elkarlan_domain::Lang;
use elkarlan_store::organisations::Organisation;
use serde_json::{Value, json};
use uuid::Uuid;

/// The HSDS version the document follows.
pub const VERSION: &str = "3.0";

/// A stable id for an object nested in `parent`: the same export twice gives the same ids.
fn derived(parent: Uuid, what: &str) -> String {
    let mut input = parent.as_bytes().to_vec();
    input.extend_from_slice(what.as_bytes());
    let hash = elkarlan_store::sha256(&input);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn organization(o: &Organisation, lang: Lang) -> Value {
    let id = o.id.0;
    let org_id = id.to_string();
    let description = o.description.clone().unwrap_or_else(|| {
        let form = o
            .legal_label
            .clone()
            .unwrap_or_else(|| o.legal_form.code().replace('_', " "));
        format!("{} ({form})", o.name)
    });
    let services: Vec<Value> = o
        .activities
        .iter()
        .map(|c| {
            let term_id = derived(Uuid::nil(), &format!("cpv:{}", c.code()));
            let service_id = derived(id, &format!("service:{}", c.code()));
            json!({
                "id": service_id,
                "organization_id": org_id,
                "name": c.label(lang),
                "description": format!("{} — CPV {}", c.label(lang), c.code()),
                "status": "active",
                "email": o.email,
                "url": o.website,
                "attributes": [{
                    "id": derived(id, &format!("attribute:{}", c.code())),
                    "link_id": service_id,
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term_id": term_id,
                    "taxonomy_term": {
                        "id": term_id,
                        "code": c.code(),
                        "name": c.label(lang),
                        "description": c.label(Lang::En),
                        "taxonomy": "CPV 2008",
                        "language": lang.code(),
                    },
                }],
            })
        })
        .collect();
    let mut identifiers = vec![json!({
        "id": derived(id, "identifier:tax_id"),
        "identifier_scheme": "ES-NIF",
        "identifier_type": "NIF",
        "identifier": o.tax_id,
    })];
    identifiers.extend(o.registers.iter().enumerate().map(|(i, r)| {
        json!({
            "id": derived(id, &format!("identifier:register:{i}")),
            "identifier_type": r.register,
            "identifier": r.number,
        })
    }));
    let locations: Vec<Value> = o
        .address
        .iter()
        .map(|a| {
            let loc = derived(id, "location");
            json!({
                "id": loc,
                "location_type": "physical",
                "organization_id": org_id,
                "name": o.name,
                "addresses": [{
                    "id": derived(id, "address"),
                    "location_id": loc,
                    "address_1": a,
                    "city": "",
                    "state_province": "",
                    "postal_code": "",
                    "country": "ES",
                    "address_type": "physical",
                }],
            })
        })
        .collect();
    let phones: Vec<Value> = o
        .phone
        .iter()
        .map(|p| {
            json!({
                "id": derived(id, "phone"),
                "organization_id": org_id,
                "number": p,
                "type": "voice",
            })
        })
        .collect();
    json!({
        "id": org_id,
        "name": o.name,
        "description": description,
        "email": o.email,
        "website": o.website,
        "tax_id": o.tax_id,
        "legal_status": o.legal_label.clone().unwrap_or_else(|| o.legal_form.code().to_owned()),
        "organization_identifiers": identifiers,
        "services": services,
        "locations": locations,
        "phones": phones,
    })
}

/// The whole directory: `{"hsds_version": "3.0", "organizations": [...]}`.
pub fn document(list: &[Organisation], lang: Lang) -> Value {
    json!({
        "hsds_version": VERSION,
        "language": lang.code(),
        "organizations": list.iter().map(|o| organization(o, lang)).collect::<Vec<_>>(),
    })
}
