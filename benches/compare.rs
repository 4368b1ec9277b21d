//! `cargo bench --bench compare`: every variant of every workload in one run, one Markdown
//! table.
//!
//! The timer is deliberately simple. Each variant runs in batches sized to take about
//! [`BATCH`]; a round runs one batch of each of a workload's variants (four, or three for
//! workloads without a tape variant), starting from a different variant each round, so slow
//! drifts of the machine (frequency, other processes) hit all of them alike. A workload gets
//! [`ROUNDS_TIME`] of rounds; the table shows the median ns/call over the rounds, and each
//! ratio is the median of the per-round ratios (paired samples, so noise common to a round
//! cancels).
//!
//! Without `--bench` (as under `cargo test --benches`) it only checks the gradients.
//! `COMPARE_SECS=<s>` changes the time per workload.

mod workloads;

use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant};
use workloads::*;

/// The target duration of one batch.
const BATCH: Duration = Duration::from_millis(1);
/// The default time spent in rounds per workload.
const ROUNDS_TIME: Duration = Duration::from_secs(8);
/// Warm-up per variant before calibrating.
const WARM_UP: Duration = Duration::from_millis(150);

/// Runs a batch of `n` calls.
type Batch = Box<dyn Fn(u64)>;

/// A batch runner for `f`, which black-boxes its own inputs; the result is black-boxed too.
fn batch<R>(f: impl Fn() -> R + 'static) -> Batch {
    Box::new(move |n| {
        for _ in 0..n {
            black_box(f());
        }
    })
}

/// The variants of a workload, in table order: primal, compiled, hand-written and, when the
/// workload has one, tape.
struct Workload {
    name: &'static str,
    variants: Vec<Batch>,
}

const PRIMAL: usize = 0;
const COMPILED: usize = 1;
const HAND: usize = 2;
const TAPE: usize = 3;

fn workloads() -> Vec<Workload> {
    let (x1, x2, x3) = SEED_X;
    let (n1, n2, nw1, nw2, nb) = NEURON_X;
    let rx = rosen_x();
    let (mp, mx, my) = mlp_data();
    let (rx1, rx2, rx3) = (rx.clone(), rx.clone(), rx.clone());
    let (mp1, mp2, mp3) = (mp.clone(), mp.clone(), mp.clone());
    let bb = black_box::<f64>;
    vec![
        Workload {
            name: "seed: ln(x1 x2) + sin(x1 x3) + x2 x3",
            variants: vec![
                batch(move || seed(bb(x1), bb(x2), bb(x3))),
                batch(move || seed_grad(bb(x1), bb(x2), bb(x3))),
                batch(move || seed_hand(bb(x1), bb(x2), bb(x3))),
                batch(move || seed_tape(bb(x1), bb(x2), bb(x3))),
            ],
        },
        Workload {
            name: "neuron: tanh(x1 w1 + x2 w2 + b)",
            variants: vec![
                batch(move || neuron(bb(n1), bb(n2), bb(nw1), bb(nw2), bb(nb))),
                batch(move || neuron_grad(bb(n1), bb(n2), bb(nw1), bb(nw2), bb(nb))),
                batch(move || neuron_hand(bb(n1), bb(n2), bb(nw1), bb(nw2), bb(nb))),
                batch(move || neuron_tape(bb(n1), bb(n2), bb(nw1), bb(nw2), bb(nb))),
            ],
        },
        Workload {
            name: "Rosenbrock, n = 1000",
            variants: vec![
                batch(move || rosen(black_box(&rx))),
                batch(move || rosen_grad(black_box(&rx1))),
                batch(move || rosen_hand(black_box(&rx2))),
                batch(move || rosen_tape(black_box(&rx3))),
            ],
        },
        Workload {
            name: "MLP 2-16-16-1, 337 params",
            variants: vec![
                batch(move || mlp(black_box(&mp), black_box(&mx), bb(my))),
                batch(move || mlp_grad(black_box(&mp1), black_box(&mx), bb(my))),
                batch(move || mlp_hand(black_box(&mp2), black_box(&mx), bb(my))),
                batch(move || mlp_tape(black_box(&mp3), black_box(&mx), bb(my))),
            ],
        },
    ]
    .into_iter()
    .chain(GMM_SIZES.map(gmm_workload))
    .collect()
}

/// ADBench's GMM with `d` dimensions and `k` components over [`GMM_N`] points (no tape
/// variant: the graph would have millions of nodes per call).
fn gmm_workload((d, k): (usize, usize)) -> Workload {
    let name = match (d, k) {
        (2, 5) => "GMM d = 2, K = 5, n = 1000",
        (10, 5) => "GMM d = 10, K = 5, n = 1000",
        _ => "GMM",
    };
    let g = Rc::new(gmm_data(d, k));
    let (g1, g2) = (Rc::clone(&g), Rc::clone(&g));
    Workload {
        name,
        variants: vec![
            batch(move || black_box(&*g).objective()),
            batch(move || black_box(&*g1).compiled()),
            batch(move || black_box(&*g2).hand()),
        ],
    }
}

/// Nanoseconds per call of one batch of `n` calls.
fn time(f: &Batch, n: u64) -> f64 {
    let t = Instant::now();
    f(n);
    t.elapsed().as_nanos() as f64 / n as f64
}

/// The number of calls that makes a batch of `f` last about [`BATCH`].
fn calibrate(f: &Batch) -> u64 {
    let start = Instant::now();
    while start.elapsed() < WARM_UP {
        f(16);
    }
    let mut n = 1u64;
    loop {
        let t = Instant::now();
        f(n);
        let e = t.elapsed();
        if e >= BATCH / 4 || n >= 1 << 30 {
            let per = e.as_nanos().max(1) as f64 / n as f64;
            return ((BATCH.as_nanos() as f64 / per) as u64).max(1);
        }
        n *= 2;
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Medians for one workload: ns/call of each variant (no tape for some), then the paired
/// ratios.
struct Row {
    ns: Vec<f64>,
    compiled_over_hand: f64,
    compiled_over_primal: f64,
    hand_over_primal: f64,
    tape_over_compiled: Option<f64>,
    rounds: usize,
}

fn measure(w: &Workload, budget: Duration) -> Row {
    let sizes: Vec<u64> = w.variants.iter().map(calibrate).collect();
    let nv = w.variants.len();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); nv];
    let start = Instant::now();
    let mut round = 0;
    while start.elapsed() < budget || round < 20 {
        for k in 0..nv {
            let v = (round + k) % nv;
            samples[v].push(time(&w.variants[v], sizes[v]));
        }
        round += 1;
    }
    let paired = |a: usize, b: usize| {
        let mut r: Vec<f64> = samples[a]
            .iter()
            .zip(&samples[b])
            .map(|(x, y)| x / y)
            .collect();
        median(&mut r)
    };
    let compiled_over_hand = paired(COMPILED, HAND);
    let compiled_over_primal = paired(COMPILED, PRIMAL);
    let hand_over_primal = paired(HAND, PRIMAL);
    let tape_over_compiled = (nv > TAPE).then(|| paired(TAPE, COMPILED));
    let ns = samples.iter_mut().map(|s| median(s)).collect();
    Row {
        ns,
        compiled_over_hand,
        compiled_over_primal,
        hand_over_primal,
        tape_over_compiled,
        rounds: round,
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns < 100.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.0}")
    }
}

fn main() {
    workloads::check_all();
    if !std::env::args().any(|a| a == "--bench") {
        println!("compare: gradients checked (run `cargo bench --bench compare` to measure)");
        return;
    }
    let budget = std::env::var("COMPARE_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .map_or(ROUNDS_TIME, Duration::from_secs_f64);
    let start = Instant::now();
    let mut rows = Vec::new();
    for w in workloads() {
        eprintln!("measuring {} ...", w.name);
        rows.push((w.name, measure(&w, budget)));
    }
    println!();
    println!(
        "| workload | primal ns | compiled grad ns | hand-written grad ns | tape ns \
         | compiled/hand-written | compiled/primal | hand-written/primal | tape/compiled |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, r) in &rows {
        println!(
            "| {name} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {} |",
            fmt_ns(r.ns[PRIMAL]),
            fmt_ns(r.ns[COMPILED]),
            fmt_ns(r.ns[HAND]),
            r.ns.get(TAPE).map_or("-".to_string(), |&t| fmt_ns(t)),
            r.compiled_over_hand,
            r.compiled_over_primal,
            r.hand_over_primal,
            r.tape_over_compiled
                .map_or("-".to_string(), |t| format!("{t:.1}")),
        );
    }
    let rounds: Vec<String> = rows.iter().map(|(_, r)| r.rounds.to_string()).collect();
    println!();
    println!(
        "Median ns/call over interleaved ~{} ms batches ({} rounds per workload); ratios are \
         medians of per-round ratios. Total {:.1} s.",
        BATCH.as_millis(),
        rounds.join("/"),
        start.elapsed().as_secs_f64()
    );
}
