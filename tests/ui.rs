//! trybuild UI tests: every construct `#[differentiable]` refuses must be refused at compile
//! time with a message under the offending tokens (`tests/ui/*.rs` + `.stderr`), and the
//! supported subset must compile cleanly under strict lints (`tests/ui-pass/*.rs`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
