//! `#[differentiable]` in a user crate with default settings: a scratch crate (in
//! `target/user-crate/`) that depends on the workspace's `grad` by path and has no profile
//! section of its own, so syn is built without optimization as it is for every user (the
//! workspace's `[profile.dev.package.syn] opt-level = 1` does not reach it), and the macro runs
//! on the 8 MB stack rustc gives it. Its function nests `((e) * 0.999 + 0.01 * (x).sin())`
//! `GRAD_USER_DEPTH` levels deep (default 580, two parentheses a level: rustc's own parser
//! overflows its stack near 590 levels without an attribute, near 585 under any attribute);
//! the crate's binary checks the companion's value (bit for bit), its gradient (against the
//! same recurrence differentiated by hand, and central differences) and `_graph`'s value.
//!
//! One debug build (dependencies included the first time; then only the scratch crate).
//! `GRAD_USER_PROFILE=release` builds and runs it in release; see grad-fuzz/README.md.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("grad-fuzz is in the workspace")
        .to_path_buf()
}

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// The scratch crate's `main.rs`: the deep function and its checks.
fn source(depth: usize) -> String {
    let mut e = String::from("x");
    for _ in 0..depth {
        e = format!("(({e}) * 0.999 + 0.01 * (x).sin())");
    }
    format!(
        r#"#![allow(unused_parens)]
use grad::prelude::*;

#[differentiable]
fn deep(x: f64) -> f64 {{
    {e}
}}

fn main() {{
    for x in [-1.3, 0.2, 0.9] {{
        let (value, d_x) = deep_grad(x);
        assert_eq!(value.to_bits(), deep(x).to_bits(), "value at {{x}}");
        // The same computation as a loop, differentiated by hand.
        let (mut e, mut de) = (x, 1.0);
        for _ in 0..{depth} {{
            (e, de) = (e * 0.999 + 0.01 * (x).sin(), de * 0.999 + 0.01 * x.cos());
        }}
        assert_eq!(e.to_bits(), value.to_bits(), "recurrence at {{x}}");
        assert!((d_x - de).abs() <= 1e-12 * de.abs().max(1.0), "d_x {{d_x}} vs {{de}} at {{x}}");
        let h = 1e-5;
        let fd = (deep(x + h) - deep(x - h)) / (2.0 * h);
        assert!((d_x - fd).abs() <= 1e-6 * fd.abs().max(1.0), "d_x {{d_x}} vs {{fd}} at {{x}}");
        let root = deep_graph(x);
        assert_eq!(root.data().to_bits(), value.to_bits(), "graph value at {{x}}");
    }}
    println!("depth {depth}: value, gradient and graph agree at 3 points");
}}
"#
    )
}

#[test]
fn a_deep_function_expands_and_compiles_in_a_user_crate_with_default_settings() {
    let depth: usize = setting("GRAD_USER_DEPTH", "580")
        .parse()
        .expect("GRAD_USER_DEPTH is a number");
    let profile = setting("GRAD_USER_PROFILE", "debug");
    let root = workspace_root();
    let dir = root.join("target/user-crate/deep");
    std::fs::create_dir_all(dir.join("src")).expect("scratch directory");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"deep\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\ngrad = {{ path = {:?}, default-features = false \
             }}\n\n[workspace]\n",
            root.display().to_string()
        ),
    )
    .expect("scratch Cargo.toml");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    std::fs::write(dir.join("src/main.rs"), source(depth)).expect("scratch main.rs");
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .current_dir(&dir)
        .args(["run", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        // Nothing of this workspace's build settings reaches the user crate.
        .env_remove("RUSTFLAGS")
        .env_remove("RUST_MIN_STACK")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    match profile.as_str() {
        "debug" => {}
        "release" => {
            cargo.arg("--release");
        }
        other => panic!("GRAD_USER_PROFILE is debug or release, not {other}"),
    }
    let out = cargo.output().expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the user crate at depth {depth} ({profile}) failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("agree at 3 points"), "{stdout}");
}
