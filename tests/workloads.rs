//! Every gradient the comparison table (`cargo bench --bench compare`) measures, checked here
//! too: the benchmark workloads (`benches/workloads`) are included, and for each one the
//! compiled gradient, the tape engine and forward mode (`num-dual`) must agree with the
//! hand-written gradient to `1e-10`, which is itself checked against an independent reference
//! (closed forms, micrograd's numbers, central differences, ADBench's values in
//! `tests/gmm.rs`). The bench binaries run the same checks on the benchmarked inputs before
//! measuring; here the slowest peers run on fewer GMM points (unoptimized, a tape of millions
//! of nodes would take minutes).

#[path = "../benches/workloads/mod.rs"]
#[allow(dead_code)]
mod workloads;

use workloads::*;

#[test]
fn seed_variants_agree() {
    check_seed();
}

#[test]
fn neuron_variants_agree() {
    check_neuron();
}

#[test]
fn more_ops_variants_agree() {
    check_more_ops();
}

#[test]
fn rosenbrock_variants_agree() {
    for n in ROSEN_SIZES {
        check_rosen(&rosen_x(n), rosen_has_tape(n), rosen_has_forward(n));
    }
    check_rosen_reference();
}

#[test]
fn rosenbrock_forward_mode_both_ways() {
    // Ten variables go through `num_dual::gradient`; one pass per variable must agree.
    let x = rosen_x(10);
    let (v, g) = rosen_forward_10(&x);
    let (pv, pg) = rosen_forward(&x);
    assert_eq!(v, pv);
    for (a, b) in g.iter().zip(&pg) {
        assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
    }
}

#[test]
fn mlp_variants_agree() {
    check_mlp();
}

#[test]
fn moons_variants_agree() {
    let (p, moons) = moons_setup();
    check_moons(&p, &moons.xs, &moons.ys, true);
    // After some training, when other ReLUs are active and most margins are met.
    let trained = moons_model::train_compiled(p, &moons.xs, &moons.ys, 10, |_| {}).params;
    check_moons(&trained, &moons.xs, &moons.ys, false);
}

#[test]
fn moons_as_structs_agrees_with_the_flat_loss() {
    // `examples/mlp_struct.rs`: the same start, the value bit for bit, the gradient to 1e-12.
    check_moons_struct();
}

#[test]
fn moons_workload_is_the_examples() {
    // The same data and starting point as `cargo run --example moons`.
    let (p, moons) = moons_setup();
    assert_eq!(p.len(), MLP_PARAMS);
    assert_eq!(moons.len(), MOONS_N);
    let start = grad::nn::MLP::new(2, &[16, 16, 1], 1).parameter_values();
    assert_eq!(p, start);
    // The single-sample MLP and the batch loss share the layout: the batch loss of one point
    // with α = 0 would be the MLP's loss; with the penalty it is that plus α Σ p².
    let x = moons.point(0);
    let y = moons.ys[0];
    let reg: f64 = p.iter().map(|w| w * w).sum();
    let one = moons_loss(&p, &x, &[y]);
    let want = mlp(&p, &x, y) + moons_model::ALPHA * reg;
    assert!(
        (one - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{one} vs {want}"
    );
}

#[test]
fn gmm_variants_agree() {
    for (d, k) in GMM_SIZES {
        let g = gmm_data(d, k);
        assert_eq!(g.x.len(), GMM_N * d);
        // The compiled gradient on the benchmarked instance.
        check_gmm(&g, false, false);
        // The tape and forward mode on its first points.
        let few = gmm_prefix(&g, 10);
        check_gmm(&few, gmm_has_tape(d, k), gmm_has_forward(d, k));
    }
    check_gmm_reference();
}

#[test]
fn gmm_forward_mode_on_the_smallest_benchmark() {
    // The forward-mode variant the table measures at (2, 5), on all the points.
    check_gmm(&gmm_data(2, 5), false, true);
}

#[test]
fn lstm_natural_inlined_and_hand_written_agree() {
    check_lstm();
}

#[test]
fn rk4_natural_inlined_and_hand_written_agree() {
    check_rk4();
}
