//! Generates the random programs of the differential test into `$OUT_DIR/generated_{k}.rs`,
//! one file per test target `tests/generated_{k}.rs` (the programs are split over several test
//! targets so that each rustc holds only a share of them).
//!
//! - `GRAD_FUZZ_PROGRAMS`: how many programs (default 300).
//! - `GRAD_FUZZ_SEED`: the seed, decimal or `0x` hex (default `0x67726164`, "grad").
//! - `GRAD_FUZZ_START`: the index of the first program (default 0). Program `k` of a seed is
//!   the same whatever the count, so `GRAD_FUZZ_START=k GRAD_FUZZ_PROGRAMS=1` rebuilds just
//!   program `k` of a failing run.
//! - `GRAD_FUZZ_KNOWN_BUGS=all` (or a comma-separated list of `exits`, `consts`, `twins`,
//!   `nested`, `unused`, `callinit`): also generate the constructs the macro is known to get
//!   wrong (see the README), to check a fix.
//!
//! It also writes `$OUT_DIR/large.rs` (one function of `GRAD_FUZZ_LARGE_STATEMENTS`
//! statements, default 1,000) and `$OUT_DIR/deep.rs` (expressions nested
//! `GRAD_FUZZ_DEPTH` deep, default 600) for `tests/large.rs` and `tests/deep.rs`.

#[path = "generator/mod.rs"]
mod generator;

const DEFAULT_PROGRAMS: usize = 300;
const DEFAULT_SEED: u64 = 0x6772_6164;
const DEFAULT_LARGE_STATEMENTS: u64 = 1_000;
const DEFAULT_DEPTH: u64 = 600;

fn var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={name}");
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number(name: &str, default: u64) -> u64 {
    match var(name) {
        None => default,
        Some(v) => {
            let v = v.trim().replace('_', "");
            let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|e| panic!("{name}={v:?} is not a number: {e}"))
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=generator");
    let count = number("GRAD_FUZZ_PROGRAMS", DEFAULT_PROGRAMS as u64) as usize;
    let seed = number("GRAD_FUZZ_SEED", DEFAULT_SEED);
    let start = number("GRAD_FUZZ_START", 0) as usize;
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let known_bugs =
        generator::ast::KnownBugs::parse(&var("GRAD_FUZZ_KNOWN_BUGS").unwrap_or_default());
    let write = |name: &str, source: String| {
        std::fs::write(out.join(name), source).unwrap_or_else(|e| panic!("write {name}: {e}"))
    };
    for (name, source) in generator::generate(seed, start, count, known_bugs) {
        write(&name, source);
    }

    use generator::large::{deep_function, long_function, test_module, Nesting};
    let statements = number("GRAD_FUZZ_LARGE_STATEMENTS", DEFAULT_LARGE_STATEMENTS) as usize;
    let long = long_function("long", statements, seed);
    assert_eq!(
        long.statements,
        statements.max(8),
        "statements of the long function"
    );
    write("large.rs", test_module(&[long], seed, "large.rs"));
    let depth = number("GRAD_FUZZ_DEPTH", DEFAULT_DEPTH) as usize;
    let deep: Vec<_> = [
        ("deep_mixed", Nesting::Mixed),
        ("deep_parens", Nesting::Parens),
        ("deep_chain", Nesting::Chain),
        ("deep_sum", Nesting::Sum),
    ]
    .into_iter()
    .map(|(name, nesting)| deep_function(name, nesting, depth, seed))
    .collect();
    write("deep.rs", test_module(&deep, seed, "deep.rs"));
}
