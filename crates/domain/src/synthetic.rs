//! Synthetic people for the demo, tests and benchmarks. Every person is invented: names are
//! drawn at random from lists of common names, e-mail addresses use the reserved `example.org`
//! domain. Document numbers carry a valid check letter and phone numbers look like Spanish
//! mobiles, so either may coincide with a real one: never dial, message or look them up.
//!
//! People are a pure function of `(seed, i)`, so a demo database, a failing test and a
//! benchmark can all be rebuilt exactly without storing anything.

use crate::identity::{IdentityDocument, dni_letter};
use crate::search::fold;
use chrono::{Days, NaiveDate};

/// Neighbourhoods in the bundled territory file (`crates/app/data/bilbao-territory.csv`);
/// a person's `neighbourhood` is a row index in that file (Otxarkoaga is row 10).
pub const NEIGHBOURHOODS: usize = 37;

/// The share of people placed in the focus neighbourhood, in per mille.
const FOCUS_PER_MILLE: u64 = 350;

const FIRST_BIRTH: NaiveDate = date(1945, 1, 1);
const LAST_BIRTH: NaiveDate = date(2008, 12, 31);

/// A compile-time date: an invalid one fails the build, not a run.
const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("invalid date"),
    }
}

/// One invented person. Codes follow the rest of the domain: `sex` is `woman`, `man` or
/// `non_binary`; `nationality` ISO 3166-1 alpha-2; languages ISO 639-1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticPerson {
    pub given_name: String,
    pub first_surname: String,
    pub second_surname: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub document: IdentityDocument,
    pub nationality: String,
    /// Languages spoken, first the one learnt at home.
    pub languages: Vec<String>,
    /// `eu` or `es`: the official language the person wants to be addressed in.
    pub preferred_language: String,
    /// `6XX XXX XXX`.
    pub phone: String,
    pub email: String,
    /// Row index in the territory file, `0..NEIGHBOURHOODS`.
    pub neighbourhood: usize,
}

/// A reproducible population: the same seed always yields the same people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntheticPeople {
    seed: u64,
    focus: Option<usize>,
}

impl SyntheticPeople {
    /// `focus` is the neighbourhood that gets about 35% of people (the project's pilot area);
    /// an index outside `0..NEIGHBOURHOODS` is ignored and people spread evenly.
    pub fn new(seed: u64, focus: Option<usize>) -> Self {
        Self {
            seed,
            focus: focus.filter(|&f| f < NEIGHBOURHOODS),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The `i`-th person. Each person draws from their own stream, so person `i` does not
    /// depend on how many others were generated before.
    pub fn person(&self, i: u64) -> SyntheticPerson {
        let mut rng = Rng::for_person(self.seed, i);
        let sex = pick_sex(&mut rng);
        let (document, nationality) = pick_document(&mut rng);
        let origin = nationality.origin;
        let given_name = pick_given_name(&mut rng, origin, sex);
        let first_surname = rng.pick(origin.surnames()).to_string();
        let second_surname = rng.pick(origin.surnames()).to_string();
        let languages = pick_languages(&mut rng, origin);
        let preferred_language = pick_preferred(&mut rng, &languages);
        SyntheticPerson {
            email: email(&given_name, &first_surname, i),
            given_name,
            first_surname,
            second_surname,
            sex: sex.code().to_owned(),
            birth_date: pick_birth_date(&mut rng),
            document,
            nationality: nationality.code.to_owned(),
            languages,
            preferred_language,
            phone: pick_phone(&mut rng),
            neighbourhood: self.pick_neighbourhood(&mut rng),
        }
    }

    /// A `Vec` of people `0..n`, for seeding and benchmarks.
    pub fn people(&self, n: u64) -> Vec<SyntheticPerson> {
        (0..n).map(|i| self.person(i)).collect()
    }

    fn pick_neighbourhood(&self, rng: &mut Rng) -> usize {
        match self.focus {
            Some(f) if rng.chance(FOCUS_PER_MILLE) => f,
            // Skip the focus among the rest so its share is exactly the intended one.
            Some(f) => {
                let j = rng.below(NEIGHBOURHOODS as u64 - 1) as usize;
                if j >= f { j + 1 } else { j }
            }
            None => rng.below(NEIGHBOURHOODS as u64) as usize,
        }
    }
}

/// splitmix64 (Steele, Lea and Flood 2014): tiny, fast, and good enough for test data.
struct Rng(u64);

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The splitmix64 output function, also used to scatter `(seed, i)` into a starting state.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// Hashing `i` (rather than stepping `seed` by `i`) keeps neighbouring people's streams from
    /// overlapping, which would make person `i + 1` a shifted copy of person `i`.
    fn for_person(seed: u64, i: u64) -> Self {
        Self(mix(seed ^ mix(i.wrapping_add(GOLDEN_GAMMA))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix(self.0)
    }

    /// Uniform in `0..n` by multiply-shift (Lemire), without modulo bias worth the name.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Picks by weight; the lists here are constants with a positive total.
    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|&(_, w)| w).sum();
        let mut r = self.below(total);
        for &(item, w) in items {
            if r < w {
                return item;
            }
            r -= w;
        }
        items[items.len() - 1].0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sex {
    Woman,
    Man,
    NonBinary,
}

impl Sex {
    fn code(self) -> &'static str {
        match self {
            Sex::Woman => "woman",
            Sex::Man => "man",
            Sex::NonBinary => "non_binary",
        }
    }
}

fn pick_sex(rng: &mut Rng) -> Sex {
    rng.weighted(&[(Sex::Woman, 495), (Sex::Man, 495), (Sex::NonBinary, 10)])
}

/// Where a person's names and home language come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Local,
    Maghreb,
    Romanian,
    LatinAmerican,
    WestAfrican,
    Chinese,
}

const LOCAL_WOMEN: &[&str] = &[
    "Ane", "Miren", "Amaia", "Nerea", "Leire", "Maite", "June", "Itziar", "Irati", "Garazi",
    "Nahia", "Uxue", "Edurne", "Arantza", "Begoña", "María", "Carmen", "Lucía", "Ana", "Isabel",
    "Laura", "Marta", "Pilar", "Rosa", "Sara",
];
const LOCAL_MEN: &[&str] = &[
    "Iker",
    "Jon",
    "Unai",
    "Asier",
    "Aitor",
    "Iñaki",
    "Mikel",
    "Gorka",
    "Xabier",
    "Ander",
    "Koldo",
    "Josu",
    "Eneko",
    "Ibai",
    "Julen",
    "José",
    "Antonio",
    "Javier",
    "Manuel",
    "Francisco",
    "David",
    "Carlos",
    "Juan",
    "Luis",
    "Pablo",
];
const MAGHREB_WOMEN: &[&str] = &["Fatima", "Khadija", "Amina", "Salma", "Nadia"];
const MAGHREB_MEN: &[&str] = &["Mohamed", "Youssef", "Hamza", "Karim", "Rachid"];
const ROMANIAN_WOMEN: &[&str] = &["Ioana", "Elena", "Andreea", "Mihaela"];
const ROMANIAN_MEN: &[&str] = &["Andrei", "Mihai", "Ionuț", "Gheorghe"];
const LATIN_WOMEN: &[&str] = &["Valentina", "Camila", "Daniela", "Yesenia", "Gladys"];
const LATIN_MEN: &[&str] = &["Santiago", "Sebastián", "Wilson", "Jhon", "Edwin"];
const WEST_AFRICAN_WOMEN: &[&str] = &["Aminata", "Fatou", "Awa", "Mariama"];
const WEST_AFRICAN_MEN: &[&str] = &["Mamadou", "Moussa", "Ousmane", "Ibrahima"];
const CHINESE_WOMEN: &[&str] = &["Mei", "Li Na", "Xiu Ying", "Yan"];
const CHINESE_MEN: &[&str] = &["Wei", "Jun", "Hao", "Jian"];

/// Common Basque and Spanish surnames, with both spellings where both are in use.
const LOCAL_SURNAMES: &[&str] = &[
    "Etxeberria",
    "Echeverría",
    "Goikoetxea",
    "Goicoechea",
    "Agirre",
    "Aguirre",
    "Garai",
    "Garay",
    "Bengoetxea",
    "Bengoechea",
    "Barrenetxea",
    "Barrenechea",
    "Otxoa",
    "Ochoa",
    "Aranburu",
    "Arámburu",
    "Ibarra",
    "Zubiri",
    "Uriarte",
    "Arrieta",
    "Bilbao",
    "Urrutia",
    "Zabala",
    "Arana",
    "Elorza",
    "Larrañaga",
    "Olabarria",
    "Mendizabal",
    "Iturbe",
    "Lasa",
    "Uribe",
    "Ugarte",
    "Zuloaga",
    "Gorostiza",
    "Larrea",
    "Azkue",
    "Unamuno",
    "Ormaetxea",
    "Loizaga",
    "Zorrilla",
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Serrano",
    "Blanco",
    "Molina",
    "Ortiz",
    "Castro",
    "Rubio",
    "Iglesias",
];
const MAGHREB_SURNAMES: &[&str] = &[
    "El Idrissi",
    "Benali",
    "El Amrani",
    "Bennani",
    "Alaoui",
    "Ouali",
    "Belkacem",
    "Haddad",
];
const ROMANIAN_SURNAMES: &[&str] = &[
    "Popescu",
    "Ionescu",
    "Popa",
    "Stan",
    "Dumitru",
    "Constantin",
];
const LATIN_SURNAMES: &[&str] = &[
    "Mendoza",
    "Quispe",
    "Mamani",
    "Vargas",
    "Rojas",
    "Castillo",
    "Flores",
    "Rodríguez",
    "Morales",
    "Cruz",
    "Gutiérrez",
    "Salazar",
];
const WEST_AFRICAN_SURNAMES: &[&str] = &["Diallo", "Ndiaye", "Diop", "Fall", "Sow", "Ba"];
const CHINESE_SURNAMES: &[&str] = &["Wang", "Li", "Zhang", "Chen", "Liu", "Lin"];

impl Origin {
    fn given_names(self, sex: Sex) -> &'static [&'static str] {
        let woman = sex == Sex::Woman;
        match self {
            Origin::Local if woman => LOCAL_WOMEN,
            Origin::Local => LOCAL_MEN,
            Origin::Maghreb if woman => MAGHREB_WOMEN,
            Origin::Maghreb => MAGHREB_MEN,
            Origin::Romanian if woman => ROMANIAN_WOMEN,
            Origin::Romanian => ROMANIAN_MEN,
            Origin::LatinAmerican if woman => LATIN_WOMEN,
            Origin::LatinAmerican => LATIN_MEN,
            Origin::WestAfrican if woman => WEST_AFRICAN_WOMEN,
            Origin::WestAfrican => WEST_AFRICAN_MEN,
            Origin::Chinese if woman => CHINESE_WOMEN,
            Origin::Chinese => CHINESE_MEN,
        }
    }

    fn surnames(self) -> &'static [&'static str] {
        match self {
            Origin::Local => LOCAL_SURNAMES,
            Origin::Maghreb => MAGHREB_SURNAMES,
            Origin::Romanian => ROMANIAN_SURNAMES,
            Origin::LatinAmerican => LATIN_SURNAMES,
            Origin::WestAfrican => WEST_AFRICAN_SURNAMES,
            Origin::Chinese => CHINESE_SURNAMES,
        }
    }

    /// The language learnt at home other than Spanish, and how likely (per mille) the person
    /// also speaks Spanish and French.
    fn home_language(self) -> Option<(&'static str, u64, u64)> {
        match self {
            Origin::Local | Origin::LatinAmerican => None,
            Origin::Maghreb => Some(("ar", 700, 300)),
            Origin::Romanian => Some(("ro", 800, 0)),
            Origin::WestAfrican => Some(("wo", 700, 800)),
            Origin::Chinese => Some(("zh", 600, 0)),
        }
    }
}

fn pick_given_name(rng: &mut Rng, origin: Origin, sex: Sex) -> String {
    // Non-binary people carry any name; half of Latin Americans have names common in Spain.
    let sex = match sex {
        Sex::NonBinary => rng.pick(&[Sex::Woman, Sex::Man]),
        s => s,
    };
    let origin = if origin == Origin::LatinAmerican && rng.chance(500) {
        Origin::Local
    } else {
        origin
    };
    rng.pick(origin.given_names(sex)).to_owned()
}

#[derive(Clone, Copy, Debug)]
struct Nationality {
    code: &'static str,
    origin: Origin,
}

const SPANISH: Nationality = Nationality {
    code: "ES",
    origin: Origin::Local,
};

/// Foreign nationalities, weighted roughly like Bilbao's foreign-born residents.
const FOREIGN: &[(Nationality, u64)] = &[
    (
        Nationality {
            code: "MA",
            origin: Origin::Maghreb,
        },
        22,
    ),
    (
        Nationality {
            code: "CO",
            origin: Origin::LatinAmerican,
        },
        12,
    ),
    (
        Nationality {
            code: "RO",
            origin: Origin::Romanian,
        },
        10,
    ),
    (
        Nationality {
            code: "BO",
            origin: Origin::LatinAmerican,
        },
        10,
    ),
    (
        Nationality {
            code: "VE",
            origin: Origin::LatinAmerican,
        },
        8,
    ),
    (
        Nationality {
            code: "PE",
            origin: Origin::LatinAmerican,
        },
        8,
    ),
    (
        Nationality {
            code: "NI",
            origin: Origin::LatinAmerican,
        },
        6,
    ),
    (
        Nationality {
            code: "SN",
            origin: Origin::WestAfrican,
        },
        6,
    ),
    (
        Nationality {
            code: "DZ",
            origin: Origin::Maghreb,
        },
        5,
    ),
    (
        Nationality {
            code: "CN",
            origin: Origin::Chinese,
        },
        5,
    ),
    (
        Nationality {
            code: "PY",
            origin: Origin::LatinAmerican,
        },
        4,
    ),
    (
        Nationality {
            code: "HN",
            origin: Origin::LatinAmerican,
        },
        4,
    ),
];

#[derive(Clone, Copy)]
enum DocKind {
    Dni,
    Nie,
    Passport,
}

/// About 85% DNI (Spanish), 12% NIE and 3% passport (foreign).
fn pick_document(rng: &mut Rng) -> (IdentityDocument, Nationality) {
    match rng.weighted(&[
        (DocKind::Dni, 850),
        (DocKind::Nie, 120),
        (DocKind::Passport, 30),
    ]) {
        DocKind::Dni => (dni(rng), SPANISH),
        DocKind::Nie => (nie(rng), rng.weighted(FOREIGN)),
        DocKind::Passport => {
            let nationality = rng.weighted(FOREIGN);
            (passport(rng, nationality.code), nationality)
        }
    }
}

fn dni(rng: &mut Rng) -> IdentityDocument {
    let n = rng.below(100_000_000) as u32;
    IdentityDocument::Dni(format!("{n:08}{}", dni_letter(n)))
}

/// Y is the most common prefix today (X ran out in 2008, Z began in 2019).
fn nie(rng: &mut Rng) -> IdentityDocument {
    let (prefix, value) = rng.weighted(&[(('X', 0), 30), (('Y', 1), 60), (('Z', 2), 10)]);
    let n = rng.below(10_000_000) as u32;
    let letter = dni_letter(value * 10_000_000 + n);
    IdentityDocument::Nie(format!("{prefix}{n:07}{letter}"))
}

/// Two letters and seven digits, the shape of many countries' passport numbers.
fn passport(rng: &mut Rng, country: &str) -> IdentityDocument {
    let letter = |rng: &mut Rng| char::from(b'A' + rng.below(26) as u8);
    let (a, b) = (letter(rng), letter(rng));
    let n = rng.below(10_000_000);
    IdentityDocument::Passport {
        number: format!("{a}{b}{n:07}"),
        country: country.to_owned(),
    }
}

/// Spanish unless the home language is another (then usually Spanish too); Basque for about 45%
/// of Spanish nationals and 10% of foreign ones, so about 40% overall.
fn pick_languages(rng: &mut Rng, origin: Origin) -> Vec<String> {
    let mut langs = Vec::new();
    let eu_per_mille = match origin.home_language() {
        None => {
            langs.push("es");
            if origin == Origin::Local { 450 } else { 100 }
        }
        Some((home, es, fr)) => {
            langs.push(home);
            if rng.chance(fr) {
                langs.push("fr");
            }
            if rng.chance(es) {
                langs.push("es");
            }
            100
        }
    };
    if rng.chance(eu_per_mille) {
        langs.push("eu");
    }
    langs.into_iter().map(str::to_owned).collect()
}

/// Basque speakers choose Basque about 60% of the time; everyone else is addressed in Spanish.
fn pick_preferred(rng: &mut Rng, languages: &[String]) -> String {
    let eu = languages.iter().any(|l| l == "eu") && rng.chance(600);
    if eu { "eu" } else { "es" }.to_owned()
}

fn pick_birth_date(rng: &mut Rng) -> NaiveDate {
    let span = (LAST_BIRTH - FIRST_BIRTH).num_days() as u64 + 1;
    FIRST_BIRTH + Days::new(rng.below(span))
}

fn pick_phone(rng: &mut Rng) -> String {
    let (a, b, c) = (rng.below(100), rng.below(1000), rng.below(1000));
    format!("6{a:02} {b:03} {c:03}")
}

/// `given.surname.i@example.org`, ASCII-folded; `i` keeps addresses unique.
fn email(given: &str, surname: &str, i: u64) -> String {
    let slug = |s: &str| -> String {
        fold(s)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    };
    format!("{}.{}.{i}@example.org", slug(given), slug(surname))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Email;

    const N: u64 = 10_000;

    fn share(people: &[SyntheticPerson], f: impl Fn(&SyntheticPerson) -> bool) -> f64 {
        people.iter().filter(|p| f(p)).count() as f64 / people.len() as f64
    }

    fn in_range(name: &str, x: f64, lo: f64, hi: f64) {
        assert!((lo..=hi).contains(&x), "{name}: {x} not in {lo}..={hi}");
    }

    #[test]
    fn same_seed_and_index_give_the_same_person() {
        let a = SyntheticPeople::new(42, Some(10));
        let b = SyntheticPeople::new(42, Some(10));
        for i in [0, 1, 2, 999, u64::MAX] {
            assert_eq!(a.person(i), b.person(i));
        }
        // Generating others first changes nothing.
        let all = a.people(50);
        assert_eq!(all[37], b.person(37));
    }

    #[test]
    fn different_indices_and_seeds_give_different_people() {
        let g = SyntheticPeople::new(42, None);
        let people = g.people(1000);
        let mut docs: Vec<&str> = people.iter().map(|p| p.document.number()).collect();
        docs.sort_unstable();
        docs.dedup();
        assert!(docs.len() > 990, "only {} distinct documents", docs.len());
        let names = people
            .windows(2)
            .filter(|w| {
                (&w[0].given_name, &w[0].first_surname) != (&w[1].given_name, &w[1].first_surname)
            })
            .count();
        assert!(names > 950, "{names}");
        let other = SyntheticPeople::new(43, None);
        let same = (0..1000)
            .filter(|&i| g.person(i) == other.person(i))
            .count();
        assert_eq!(same, 0);
    }

    #[test]
    fn every_document_parses() {
        let g = SyntheticPeople::new(7, Some(10));
        for p in g.people(N) {
            let d = &p.document;
            let parsed = IdentityDocument::parse(d.kind(), d.number(), d.country().unwrap_or(""));
            assert_eq!(parsed.as_ref(), Ok(d), "{d}");
        }
    }

    #[test]
    fn documents_match_nationality() {
        let g = SyntheticPeople::new(7, None);
        for p in g.people(N) {
            match p.document {
                IdentityDocument::Dni(_) => assert_eq!(p.nationality, "ES"),
                IdentityDocument::Passport { ref country, .. } => {
                    assert_ne!(p.nationality, "ES");
                    assert_eq!(*country, p.nationality);
                }
                _ => assert_ne!(p.nationality, "ES"),
            }
            assert!(FOREIGN.iter().any(|(n, _)| n.code == p.nationality) || p.nationality == "ES");
        }
    }

    #[test]
    fn ratios_are_roughly_right() {
        let people = SyntheticPeople::new(2024, Some(10)).people(N);
        let kind = |k: &'static str| move |p: &SyntheticPerson| p.document.kind() == k;
        in_range("dni", share(&people, kind("dni")), 0.83, 0.87);
        in_range("nie", share(&people, kind("nie")), 0.10, 0.14);
        in_range("passport", share(&people, kind("passport")), 0.02, 0.04);
        in_range(
            "non_binary",
            share(&people, |p| p.sex == "non_binary"),
            0.004,
            0.02,
        );
        in_range("woman", share(&people, |p| p.sex == "woman"), 0.46, 0.53);
        in_range(
            "eu",
            share(&people, |p| p.languages.iter().any(|l| l == "eu")),
            0.36,
            0.44,
        );
        in_range(
            "focus",
            share(&people, |p| p.neighbourhood == 10),
            0.32,
            0.38,
        );
        in_range(
            "prefers eu",
            share(&people, |p| p.preferred_language == "eu"),
            0.2,
            0.28,
        );
    }

    #[test]
    fn without_focus_people_spread_over_every_neighbourhood() {
        let people = SyntheticPeople::new(5, None).people(N);
        let mut counts = [0u32; NEIGHBOURHOODS];
        for p in &people {
            counts[p.neighbourhood] += 1;
        }
        // Expected 270 each.
        assert!(
            counts.iter().all(|&c| (180..=360).contains(&c)),
            "{counts:?}"
        );
        // An out-of-range focus is ignored rather than producing impossible indices.
        let g = SyntheticPeople::new(5, Some(NEIGHBOURHOODS));
        assert!((0..1000).all(|i| g.person(i).neighbourhood < NEIGHBOURHOODS));
    }

    #[test]
    fn names_fit_sex_and_origin() {
        for p in SyntheticPeople::new(11, None).people(N) {
            let women = [
                LOCAL_WOMEN,
                MAGHREB_WOMEN,
                ROMANIAN_WOMEN,
                LATIN_WOMEN,
                WEST_AFRICAN_WOMEN,
                CHINESE_WOMEN,
            ];
            let is_womans = women.iter().any(|l| l.contains(&p.given_name.as_str()));
            match p.sex.as_str() {
                "woman" => assert!(is_womans, "{}", p.given_name),
                "man" => assert!(!is_womans, "{}", p.given_name),
                other => assert_eq!(other, "non_binary"),
            }
            if p.nationality == "ES" {
                assert!(LOCAL_SURNAMES.contains(&p.first_surname.as_str()));
                assert!(LOCAL_SURNAMES.contains(&p.second_surname.as_str()));
            }
        }
    }

    #[test]
    fn languages_follow_nationality() {
        for p in SyntheticPeople::new(3, None).people(N) {
            let speaks = |l: &str| p.languages.iter().any(|x| x == l);
            match p.nationality.as_str() {
                "ES" | "CO" | "BO" | "VE" | "PE" | "NI" | "PY" | "HN" => assert!(speaks("es")),
                "MA" | "DZ" => assert!(speaks("ar")),
                "RO" => assert!(speaks("ro")),
                "SN" => assert!(speaks("wo")),
                "CN" => assert!(speaks("zh")),
                other => panic!("unexpected nationality {other}"),
            }
            assert!(p.preferred_language == "es" || (p.preferred_language == "eu" && speaks("eu")));
        }
    }

    #[test]
    fn contact_and_birth_date_shapes() {
        for p in SyntheticPeople::new(9, None).people(N) {
            assert!(p.email.ends_with("@example.org"), "{}", p.email);
            assert!(Email::parse(&p.email).is_ok(), "{}", p.email);
            assert!(p.email.is_ascii() && !p.email.contains(' '), "{}", p.email);
            let b = p.phone.as_bytes();
            assert_eq!(b.len(), 11, "{}", p.phone);
            assert_eq!((b[0], b[3], b[7]), (b'6', b' ', b' '), "{}", p.phone);
            assert!(p.phone.replace(' ', "").bytes().all(|c| c.is_ascii_digit()));
            assert!((FIRST_BIRTH..=LAST_BIRTH).contains(&p.birth_date));
        }
    }

    #[test]
    fn emails_are_folded() {
        assert_eq!(
            email("Iñaki", "El Idrissi", 3),
            "inaki.elidrissi.3@example.org"
        );
        assert_eq!(
            email("Ionuț", "Echeverría", 0),
            "ionut.echeverria.0@example.org"
        );
    }
}
