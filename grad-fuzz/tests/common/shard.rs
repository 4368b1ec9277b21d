// The body of every `tests/generated_{k}.rs`: includes the shard `build.rs` wrote for this test
// target (chosen by the target's name) and checks its programs.

use std::io::Write;

include!(concat!(
    env!("OUT_DIR"),
    "/",
    env!("CARGO_CRATE_NAME"),
    ".rs"
));

/// Each program is compiled with `#[differentiable]` and checked at its points against the
/// plain function (value, bit for bit), the tape engine (gradient, relative 1e-9) and central
/// differences (gradient, relative 1e-5, where steps `h` and `h/4` agree).
#[test]
fn generated_programs_agree_with_the_tape_engine_and_finite_differences() {
    let report = grad_fuzz::check_all(generated::PROGRAMS);
    // Straight to stderr, past the test harness's capture: the counts are always shown.
    let _ = writeln!(
        std::io::stderr(),
        "{}",
        report.summary(
            generated::SEED,
            generated::SHARD,
            generated::SHARDS,
            generated::RANGE
        )
    );
    report.assert_ok(generated::SEED);
}
