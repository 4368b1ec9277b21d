//! What `#[differentiable]` costs at compile time, for generated functions of 100, 1,000 and
//! 10,000 statements (issue 6): the expansion itself (`grad_macro_core::expand`, timed
//! in-process), the size of the generated code, and the build time a user feels (a scratch
//! crate built with and without the attribute, in the dev profile with and without debuginfo
//! and in release, up to `--build-max` statements). Prints Markdown tables.
//!
//! ```sh
//! cargo run -p grad-fuzz --release --bin compile-cost                 # the whole table
//! cargo run -p grad-fuzz --release --bin compile-cost -- --no-build   # expansion and size only
//! cargo run -p grad-fuzz --release --bin compile-cost -- --sizes 100,1000 --profiles release
//! cargo run -p grad-fuzz --release --bin compile-cost -- --deep 400 --sizes ""
//! ```
//!
//! The scratch crates live in `target/compile-cost/` and use the workspace's crates by path
//! and its `Cargo.lock`, offline: nothing is downloaded.

// The generator `build.rs` uses for `tests/large.rs` (only part of it is used here).
#[allow(dead_code)]
#[path = "../../generator/large.rs"]
mod large;
#[allow(dead_code)]
#[path = "../../generator/rng.rs"]
mod rng;

use proc_macro2::{TokenStream, TokenTree};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SEED: u64 = 0x6772_6164;

struct Options {
    sizes: Vec<usize>,
    build: bool,
    deep: Option<usize>,
    runs: usize,
    /// Run `--deep` in a thread with this stack (bytes), to see what the macro needs.
    stack: Option<usize>,
    /// `--deep` only: parse with syn, no expansion.
    parse_only: bool,
    /// A build taking longer is stopped.
    limit: Duration,
    /// Which of [`PROFILES`] to build with (by key).
    profiles: Vec<String>,
    /// Sizes above this are expanded but not built (10,000 statements take minutes to build).
    build_max: usize,
}

fn options() -> Options {
    let mut o = Options {
        sizes: vec![100, 1_000, 10_000],
        build: true,
        deep: None,
        runs: 5,
        stack: None,
        parse_only: false,
        limit: Duration::from_secs(600),
        build_max: 1_000,
        profiles: PROFILES.iter().map(|p| p.key.to_string()).collect(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{a} needs {what}"))
                .replace('_', "")
        };
        match a.as_str() {
            "--no-build" => o.build = false,
            "--sizes" => {
                o.sizes = value("a list of sizes")
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().parse().expect("a size"))
                    .collect()
            }
            "--deep" => o.deep = Some(value("a depth").parse().expect("a depth")),
            "--runs" => o.runs = value("a count").parse().expect("a count"),
            "--stack" => o.stack = Some(value("bytes").parse().expect("bytes")),
            "--parse-only" => o.parse_only = true,
            "--limit" => o.limit = Duration::from_secs(value("seconds").parse().expect("seconds")),
            "--build-max" => o.build_max = value("a size").parse().expect("a size"),
            "--profiles" => {
                o.profiles = value("a list of profiles")
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect()
            }
            "--print" => {
                let n = value("a size").parse().expect("a size");
                print!("{}", large::long_function("long", n, SEED).plain);
                std::process::exit(0);
            }
            "--expand" => {
                let n = value("a size").parse().expect("a size");
                let (_, out) = expand(&large::long_function("long", n, SEED).plain, 1);
                print!("{}", pretty(&out));
                std::process::exit(0);
            }
            "-h" | "--help" => {
                println!(
                    "compile-cost [--sizes 100,1000,10000] [--no-build] [--runs 5] [--deep D] \
                     [--print N] [--expand N] \
                     [--limit SECONDS] \
                     [--profiles debug,nodebuginfo,release] [--build-max 1000]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown argument {other:?} (try --help)"),
        }
    }
    o
}

/// Leaf tokens (identifiers, punctuation, literals; a group counts for its contents only).
fn count_tokens(ts: &TokenStream) -> usize {
    ts.clone()
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => count_tokens(&g.stream()),
            _ => 1,
        })
        .sum()
}

/// The best of `runs` expansions of `source` under `#[differentiable]`, and the output.
fn expand(source: &str, runs: usize) -> (Duration, TokenStream) {
    let item: TokenStream = source.parse().expect("the generated source parses");
    let mut best = Duration::MAX;
    let mut out = TokenStream::new();
    for _ in 0..runs.max(1) {
        let input = item.clone();
        let start = Instant::now();
        out = grad_macro_core::expand(TokenStream::new(), input);
        best = best.min(start.elapsed());
    }
    let text = out.to_string();
    assert!(
        !text.contains("compile_error"),
        "the macro refused the generated function: {}",
        &text[text.find("compile_error").unwrap_or(0)..][..400.min(text.len())]
    );
    (best, out)
}

fn pretty(ts: &TokenStream) -> String {
    let file: syn::File = syn::parse2(ts.clone()).expect("the expansion parses as items");
    prettyplease::unparse(&file)
}

struct Row {
    n: usize,
    in_tokens: usize,
    in_bytes: usize,
    expand: Duration,
    out_tokens: usize,
    out_bytes: usize,
    /// Per profile: the plain crate's build and the one with `#[differentiable]`.
    builds: Vec<(Profile, Build, Build)>,
}

/// How a scratch crate is built.
#[derive(Clone, Copy)]
struct Profile {
    key: &'static str,
    name: &'static str,
    release: bool,
    /// `false`: the dev profile with `debug = false` (no debuginfo).
    debuginfo: bool,
}

const PROFILES: [Profile; 3] = [
    Profile {
        key: "debug",
        name: "debug",
        release: false,
        debuginfo: true,
    },
    Profile {
        key: "nodebuginfo",
        name: "debug, no debuginfo",
        release: false,
        debuginfo: false,
    },
    Profile {
        key: "release",
        name: "release",
        release: true,
        debuginfo: false,
    },
];

/// The outcome of a timed build.
enum Build {
    /// The wall time, and the peak resident memory of a process of the build (bytes; 0 where
    /// `/proc` cannot tell).
    Took(Duration, u64),
    Failed(&'static str),
    TimedOut(Duration),
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("grad-fuzz is in the workspace")
        .to_path_buf()
}

/// Writes the scratch crate `name` with `source` as its `lib.rs`; returns its directory.
fn scratch_crate(base: &Path, name: &str, source: &str) -> PathBuf {
    let dir = base.join(name);
    std::fs::create_dir_all(dir.join("src")).expect("scratch directory");
    let root = workspace_root();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\ngrad = {{ path = {:?}, default-features = false \
             }}\n\n[workspace]\n",
            root.display().to_string()
        ),
    )
    .expect("scratch Cargo.toml");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    std::fs::write(dir.join("src/lib.rs"), source).expect("scratch lib.rs");
    dir
}

fn cargo(dir: &Path, target: &Path, profile: Profile) -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(dir)
        .args(["build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", target)
        // A whole compile of the crate each time, as a first build is.
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS");
    if profile.release {
        c.arg("--release");
    } else if !profile.debuginfo {
        c.env("CARGO_PROFILE_DEV_DEBUG", "false");
    }
    c
}

/// Builds the crate in `dir` (its dependencies first, not timed), stopping after `limit`.
fn timed_build(dir: &Path, target: &Path, profile: Profile, limit: Duration) -> Build {
    let deps = cargo(dir, target, profile)
        .args(["-p", "grad"])
        .status()
        .expect("cargo runs");
    assert!(deps.success(), "building grad for {}", dir.display());
    let mut c = cargo(dir, target, profile);
    c.arg("--lib").stderr(std::process::Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut c, 0);
    let start = Instant::now();
    let mut child = c.spawn().expect("cargo runs");
    let mut peak = 0;
    let status = loop {
        peak = peak.max(group_peak_rss(child.id()));
        if let Some(status) = child.try_wait().expect("cargo runs") {
            break status;
        }
        if start.elapsed() > limit {
            // cargo and its rustc, as a group.
            #[cfg(unix)]
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            return Build::TimedOut(limit);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let took = start.elapsed();
    if status.success() {
        return Build::Took(took, peak);
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    eprintln!(
        "  build of {} ({}) failed:\n    {}",
        dir.display(),
        profile.name,
        lines[lines.len().saturating_sub(4)..].join("\n    ")
    );
    if err.contains("overflowed its stack") {
        Build::Failed("rustc stack overflow")
    } else if err.contains("SIGKILL") {
        Build::Failed("killed (out of memory?)")
    } else {
        Build::Failed("failed")
    }
}

fn scratch_source(function: &str, attribute: bool) -> String {
    format!(
        "#![allow(warnings)]\nuse grad::prelude::*;\n\n{}{function}",
        if attribute { "#[differentiable]\n" } else { "" }
    )
}

fn builds(n: usize, function: &str, o: &Options) -> Vec<(Profile, Build, Build)> {
    let base = workspace_root().join("target/compile-cost");
    let target = base.join("target");
    let plain = scratch_crate(
        &base,
        &format!("cost_{n}_plain"),
        &scratch_source(function, false),
    );
    let grad = scratch_crate(
        &base,
        &format!("cost_{n}_grad"),
        &scratch_source(function, true),
    );
    PROFILES
        .iter()
        .filter(|p| o.profiles.iter().any(|k| k == p.key))
        .map(|&profile| {
            eprintln!(
                "  n = {n}: cargo build ({}), plain and #[differentiable] ...",
                profile.name
            );
            let p = timed_build(&plain, &target, profile, o.limit);
            let g = timed_build(&grad, &target, profile, o.limit);
            (profile, p, g)
        })
        .collect()
}

fn cell(b: &Build) -> String {
    match b {
        Build::Took(d, _) => format!("{:.1}", d.as_secs_f64()),
        Build::Failed(why) => why.to_string(),
        Build::TimedOut(d) => format!("> {:.0}", d.as_secs_f64()),
    }
}

fn added(plain: &Build, grad: &Build) -> String {
    match (plain, grad) {
        (Build::Took(p, _), Build::Took(g, _)) => {
            format!("{:+.1}", g.as_secs_f64() - p.as_secs_f64())
        }
        _ => "-".into(),
    }
}

fn peak(b: &Build) -> String {
    match b {
        Build::Took(_, bytes) if *bytes > 0 => {
            format!("{:.2}", *bytes as f64 / (1u64 << 30) as f64)
        }
        _ => "-".into(),
    }
}

/// The largest peak resident set (`VmHWM`, bytes) among the live processes of process group
/// `group` (cargo and its rustc), read from `/proc`; 0 elsewhere.
fn group_peak_rss(group: u32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut peak = 0;
    for entry in dir.flatten() {
        let path = entry.path();
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: the fields after the command's closing parenthesis.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let pgrp = rest
            .split_whitespace()
            .nth(2)
            .and_then(|f| f.parse::<u32>().ok());
        if pgrp != Some(group) {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(path.join("status")) else {
            continue;
        };
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
        peak = peak.max(hwm * 1024);
    }
    peak
}

fn deep(depth: usize, runs: usize, parse_only: bool) {
    use large::Nesting::*;
    println!("| nesting | depth | expansion (ms) | output tokens |");
    println!("|---|---:|---:|---:|");
    for nesting in [Mixed, Chain, Sum, Parens] {
        let f = large::deep_function("deep", nesting, depth, SEED);
        if parse_only {
            let start = Instant::now();
            let item: syn::ItemFn = syn::parse_str(&f.plain).expect("parses");
            println!(
                "| {nesting:?} | {depth} | parsed in {:.2} | |",
                start.elapsed().as_secs_f64() * 1e3
            );
            drop(item);
            continue;
        }
        let (t, out) = expand(&f.plain, runs);
        println!(
            "| {nesting:?} | {depth} | {:.2} | {} |",
            t.as_secs_f64() * 1e3,
            count_tokens(&out)
        );
    }
}

fn main() {
    let o = options();
    if let Some(depth) = o.deep {
        let (runs, parse_only) = (o.runs, o.parse_only);
        match o.stack {
            Some(bytes) => std::thread::Builder::new()
                .stack_size(bytes)
                .spawn(move || deep(depth, runs, parse_only))
                .expect("a thread")
                .join()
                .expect("no panic"),
            None => deep(depth, runs, parse_only),
        }
        if o.sizes.is_empty() {
            return;
        }
        println!();
    }
    let mut rows = Vec::new();
    for &n in &o.sizes {
        let f = large::long_function("long", n, SEED);
        let input: TokenStream = f.plain.parse().expect("the generated source parses");
        eprintln!("n = {n}: expanding ...");
        let (t, out) = expand(&f.plain, o.runs);
        let builds = if o.build && n <= o.build_max {
            builds(n, &f.plain, &o)
        } else {
            Vec::new()
        };
        rows.push(Row {
            n: f.statements,
            in_tokens: count_tokens(&input),
            in_bytes: pretty(&input).len(),
            expand: t,
            out_tokens: count_tokens(&out),
            out_bytes: pretty(&out).len(),
            builds,
        });
    }
    println!(
        "| statements | input tokens | input bytes | expansion (ms) | µs / statement | output \
         tokens | output bytes | output / input |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let ms = r.expand.as_secs_f64() * 1e3;
        println!(
            "| {} | {} | {} | {:.1} | {:.1} | {} | {} | {:.1}x |",
            r.n,
            r.in_tokens,
            r.in_bytes,
            ms,
            ms * 1e3 / r.n as f64,
            r.out_tokens,
            r.out_bytes,
            r.out_bytes as f64 / r.in_bytes as f64
        );
    }
    if o.build {
        println!(
            "\n| statements | profile | build without the macro (s) | with `#[differentiable]` (s) \
             | added (s) | peak memory without / with (GB) |"
        );
        println!("|---:|---|---:|---:|---:|---:|");
        for r in &rows {
            for (profile, plain, grad) in &r.builds {
                println!(
                    "| {} | {} | {} | {} | {} | {} / {} |",
                    r.n,
                    profile.name,
                    cell(plain),
                    cell(grad),
                    added(plain, grad),
                    peak(plain),
                    peak(grad)
                );
            }
        }
    }
}
