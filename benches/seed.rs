//! Criterion benchmarks: one group per small workload, each with the plain function, the
//! compiled gradient, the hand-written gradient, the tape engine and forward mode (`num-dual`).
//! `cargo bench --bench seed`; for the one-table summary of every workload (Rosenbrock at
//! three sizes, the moons batch, ADBench's GMM) see `benches/compare.rs`.

mod workloads;

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use workloads::*;

fn seed_group(c: &mut Criterion) {
    let (x1, x2, x3) = SEED_X;
    let mut g = c.benchmark_group("seed");
    g.bench_function("primal", |b| {
        b.iter(|| seed(black_box(x1), black_box(x2), black_box(x3)))
    });
    g.bench_function("compiled", |b| {
        b.iter(|| seed_grad(black_box(x1), black_box(x2), black_box(x3)))
    });
    g.bench_function("hand-written", |b| {
        b.iter(|| seed_hand(black_box(x1), black_box(x2), black_box(x3)))
    });
    g.bench_function("tape", |b| {
        b.iter(|| seed_tape(black_box(x1), black_box(x2), black_box(x3)))
    });
    g.bench_function("forward", |b| {
        b.iter(|| seed_forward(black_box(x1), black_box(x2), black_box(x3)))
    });
    g.finish();
}

fn neuron_group(c: &mut Criterion) {
    let (x1, x2, w1, w2, bias) = NEURON_X;
    let bb = black_box::<f64>;
    let mut g = c.benchmark_group("neuron");
    g.bench_function("primal", |b| {
        b.iter(|| neuron(bb(x1), bb(x2), bb(w1), bb(w2), bb(bias)))
    });
    g.bench_function("compiled", |b| {
        b.iter(|| neuron_grad(bb(x1), bb(x2), bb(w1), bb(w2), bb(bias)))
    });
    g.bench_function("hand-written", |b| {
        b.iter(|| neuron_hand(bb(x1), bb(x2), bb(w1), bb(w2), bb(bias)))
    });
    g.bench_function("tape", |b| {
        b.iter(|| neuron_tape(bb(x1), bb(x2), bb(w1), bb(w2), bb(bias)))
    });
    g.bench_function("forward", |b| {
        b.iter(|| neuron_forward(bb(x1), bb(x2), bb(w1), bb(w2), bb(bias)))
    });
    g.finish();
}

fn more_ops_group(c: &mut Criterion) {
    let (a, b) = MORE_OPS_X;
    let bb = black_box::<f64>;
    let mut g = c.benchmark_group("more_ops");
    g.bench_function("primal", |bn| bn.iter(|| more_ops(bb(a), bb(b))));
    g.bench_function("compiled", |bn| bn.iter(|| more_ops_grad(bb(a), bb(b))));
    g.bench_function("hand-written", |bn| bn.iter(|| more_ops_hand(bb(a), bb(b))));
    g.bench_function("tape", |bn| bn.iter(|| more_ops_tape(bb(a), bb(b))));
    g.bench_function("forward", |bn| bn.iter(|| more_ops_forward(bb(a), bb(b))));
    g.finish();
}

fn rosen_group(c: &mut Criterion) {
    let x = rosen_x(1000);
    let mut g = c.benchmark_group("rosenbrock_1000");
    g.bench_function("primal", |b| b.iter(|| rosen(black_box(&x))));
    g.bench_function("compiled", |b| b.iter(|| rosen_grad(black_box(&x))));
    g.bench_function("hand-written", |b| b.iter(|| rosen_hand(black_box(&x))));
    g.bench_function("tape", |b| b.iter(|| rosen_tape(black_box(&x))));
    g.bench_function("forward", |b| b.iter(|| rosen_forward(black_box(&x))));
    g.finish();
}

fn mlp_group(c: &mut Criterion) {
    let (p, x, y) = mlp_data();
    let mut g = c.benchmark_group("mlp_2_16_16_1");
    g.bench_function("primal", |b| {
        b.iter(|| mlp(black_box(&p), black_box(&x), black_box(y)))
    });
    g.bench_function("compiled", |b| {
        b.iter(|| mlp_grad(black_box(&p), black_box(&x), black_box(y)))
    });
    g.bench_function("hand-written", |b| {
        b.iter(|| mlp_hand(black_box(&p), black_box(&x), black_box(y)))
    });
    g.bench_function("tape", |b| {
        b.iter(|| mlp_tape(black_box(&p), black_box(&x), black_box(y)))
    });
    g.bench_function("forward", |b| {
        b.iter(|| mlp_forward(black_box(&p), black_box(&x), black_box(y)))
    });
    g.finish();
}

/// Checks every gradient once before criterion measures anything.
fn check(_: &mut Criterion) {
    check_all();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = check, seed_group, neuron_group, more_ops_group, rosen_group, mlp_group
}
criterion_main!(benches);
