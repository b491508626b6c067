//! The checked-in generated code equals what the spec generates (rust-analyzer style):
//! a spec change without `cargo xtask codegen` fails here and in CI.

use std::path::Path;

#[test]
fn generated_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen lives inside the workspace");
    let generated = match alipay_codegen::generate(root) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    };
    let stale = alipay_codegen::check(root, &generated);
    if !stale.is_empty() {
        let mut report = String::new();
        for s in &stale {
            report.push_str(&s.diff);
        }
        let names: Vec<String> = stale.iter().map(|s| s.path.display().to_string()).collect();
        panic!(
            "generated code is out of date with spec/ ({}); run `cargo xtask codegen` and commit the result:\n{report}",
            names.join(", ")
        );
    }
}
