//! A deterministic stand-in for the fuzz target (`fuzz/`), so CI without nightly still feeds
//! thousands of random and damaged files through the import.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "common/referral_import.rs"]
mod referral_import;

use referral_import::referral_import;

/// xorshift64*: deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

fn fixtures() -> Vec<Vec<u8>> {
    [
        "referrals_good.xlsx",
        "referrals_good.csv",
        "referrals_good_cp1252.csv",
        "referrals_mixed.xlsx",
        "referrals_mixed.csv",
    ]
    .iter()
    .map(|n| {
        std::fs::read(format!("{}/tests/fixtures/{n}", env!("CARGO_MANIFEST_DIR")))
            .expect("fixture")
    })
    .collect()
}

/// Bytes that stress the CSV reader: separators, quotes, line ends, dates, long runs.
const PIECES: &[&[u8]] = &[
    b";",
    b",",
    b"\"",
    b"\r\n",
    b"\n",
    b"\r",
    b"=",
    b"-",
    b"\xEF\xBB\xBF",
    b"\xF1",
    b"\xC3",
    b"Referencia",
    b"Nombre",
    b"Sexo",
    b"Fecha de derivaci\xC3\xB3n",
    b"Primer apellido",
    b"Fecha de nacimiento",
    b"14/03/1985",
    b"2026-10-05",
    b"X1234567L",
    b"45678123P",
    b"Bai",
    b"9",
    b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    b"PK\x03\x04",
    b"\0",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(5) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, rng.byte()),
            2 => data.truncate(at),
            3 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            _ => {
                let piece = PIECES[rng.below(PIECES.len())];
                data.splice(at..at, piece.iter().copied());
            }
        }
    }
    data
}

fn random_text(rng: &mut Rng) -> Vec<u8> {
    let mut data = Vec::new();
    for _ in 0..rng.below(200) {
        data.extend_from_slice(PIECES[rng.below(PIECES.len())]);
    }
    data
}

#[test]
fn random_and_damaged_files_never_panic() {
    let seeds = fixtures();
    for seed in &seeds {
        assert!(referral_import(seed) > 0);
    }
    let mut rng = Rng(0x5EED_E1CA_71A4);
    for i in 0..4_000 {
        let data = match i % 4 {
            0 => random_text(&mut rng),
            1 => (0..rng.below(512)).map(|_| rng.byte()).collect(),
            _ => {
                let seed = &seeds[rng.below(seeds.len())];
                mutate(&mut rng, seed)
            }
        };
        referral_import(&data);
    }
}
