//! The fuzz targets' functions (`alipay_tests::fuzz`) over the committed seed
//! corpus (`fuzz/corpus/<target>/`), on stable Rust: the targets cannot rot
//! unnoticed, and the seeds still reach the paths past parsing (verified answers
//! and notifications, loaded keys and certificates, decrypted text, parsed
//! requests). Regenerate the seeds with
//! `cargo run -p alipay-tests --example record_fuzz_corpus`.

use std::path::PathBuf;

use alipay_tests::fuzz::TARGETS;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; the seed corpus is part of the repository",
                dir.display()
            )
        })
        .flatten()
        .map(|e| {
            let p = e.path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_target_runs_over_its_seeds_and_accepts_real_ones() {
    for (target, run) in TARGETS {
        let seeds = seeds(target);
        assert!(seeds.len() >= 5, "{target}: only {} seeds", seeds.len());
        let accepted = seeds.iter().filter(|(_, data)| run(data)).count();
        println!("{target}: {accepted} of {} seeds accepted", seeds.len());
        assert!(accepted > 0, "{target}: no seed gets past parsing any more");
    }
}
