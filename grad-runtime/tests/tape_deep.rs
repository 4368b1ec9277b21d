//! Deep and wide graphs: backward, zero_grad and drop are iterative, so a chain of a million
//! operations, a million-node lattice or a node with half a million parents neither overflows
//! the stack (test threads have 2 MB) nor takes long. Every gradient has a closed form or a
//! hand-written adjoint to match.

use grad_runtime::tape::Value;

#[test]
fn million_node_chain_backward_and_drop() {
    const N: i32 = 1_000_000;
    let k = 1.000001;
    let x0 = Value::new(1.0);
    let mut x = x0.clone();
    for _ in 0..N {
        x = &x * k + 0.0;
    }
    x.backward();
    // x = k^N · x0, so dx/dx0 = k^N (≈ e); repeated rounding keeps it within a few ulps · N.
    let expected = k.powi(N);
    assert!((x.data() - expected).abs() < 1e-9, "{}", x.data());
    assert!((x0.grad() - expected).abs() < 1e-9, "{}", x0.grad());
    drop(x); // the whole chain hangs off `x`; `x0` stays alive
    assert_eq!(x0.data(), 1.0);
}

/// 250,000 levels of `x + sin(x / 10⁶)`: `zero_grad` is iterative too, and the chain can be
/// dropped through any handle. Each level multiplies the derivative by `1 + cos(x / 10⁶) / 10⁶`.
#[test]
fn deep_chain_zero_grad_and_drop_from_a_clone() {
    let x0 = Value::new(0.5);
    let mut x = x0.clone();
    let mut plain = 0.5f64;
    let mut derivative = 1.0;
    for _ in 0..250_000 {
        derivative *= 1.0 + (plain * 1e-6).cos() * 1e-6;
        plain += (plain * 1e-6).sin();
        x = (&x * 1e-6).sin() + &x;
    }
    x.backward();
    assert_eq!(x.data(), plain);
    assert!((x0.grad() / derivative - 1.0).abs() < 1e-9, "{}", x0.grad());
    assert!(derivative > 1.28, "{derivative}"); // ≈ e^0.25: nothing underflowed
    x.zero_grad();
    assert_eq!(x0.grad(), 0.0);
    let y = x.clone();
    drop(x);
    assert_eq!(y.data(), plain);
    drop(y);
    assert_eq!(x0.data(), 0.5);
}

/// A million nodes, wide and deep at once: 64 lanes mixed over 2,700 layers,
/// `y[l][j] = a y[l-1][j] + b tanh(y[l-1][j+1])` (lanes wrap around), then a weighted sum of
/// the last layer. Every input reaches the result along exponentially many paths; the
/// gradient is checked against the transposed recurrence run by hand in plain `f64`
/// (`λ[l-1][j] += a λ[l][j]`, `λ[l-1][j+1] += b (1 - tanh²(y[l-1][j+1])) λ[l][j]`).
#[test]
fn million_node_lattice_backward_matches_the_hand_written_adjoint() {
    const LANES: usize = 64;
    const LAYERS: usize = 2_700;
    // `a + b = 1`: the lattice neither explodes nor forgets its inputs over 2,700 layers.
    let (a, b) = (0.55, 0.45);
    let inputs: Vec<Value> = (0..LANES)
        .map(|j| Value::new(0.1 * (j as f64 * 0.37).sin()))
        .collect();
    let weights: Vec<f64> = (0..LANES).map(|j| 1.0 + (j % 5) as f64 * 0.1).collect();

    // The plain forward pass keeps every layer for the hand-written reverse pass.
    let mut plain = vec![inputs.iter().map(Value::data).collect::<Vec<f64>>()];
    let mut layer = inputs.clone();
    for _ in 0..LAYERS {
        let prev = plain.last().expect("a layer");
        let next: Vec<f64> = (0..LANES)
            .map(|j| a * prev[j] + b * prev[(j + 1) % LANES].tanh())
            .collect();
        layer = (0..LANES)
            .map(|j| &layer[j] * a + layer[(j + 1) % LANES].tanh() * b)
            .collect();
        plain.push(next);
    }
    let out: Value = layer.iter().zip(&weights).map(|(y, &w)| y * w).sum();
    let nodes = out.topological_order().len();
    assert!(nodes > 1_000_000, "{nodes} nodes");
    out.backward();

    let last = plain.last().expect("a layer");
    let expected_value: f64 = last.iter().zip(&weights).map(|(y, w)| y * w).sum();
    assert!(
        (out.data() - expected_value).abs() < 1e-12,
        "{}",
        out.data()
    );

    let mut adjoint = weights.clone();
    for l in (0..LAYERS).rev() {
        let y = &plain[l];
        let mut prev = vec![0.0; LANES];
        for j in 0..LANES {
            let k = (j + 1) % LANES;
            prev[j] += a * adjoint[j];
            prev[k] += b * (1.0 - y[k].tanh().powi(2)) * adjoint[j];
        }
        adjoint = prev;
    }
    for (x, expected) in inputs.iter().zip(&adjoint) {
        assert!(
            (x.grad() - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{} vs {expected}",
            x.grad()
        );
    }
    // Nothing vanished or blew up: the check means something.
    assert!(
        adjoint.iter().all(|g| (1.0..1.2).contains(g)),
        "{adjoint:?}"
    );
    drop(layer);
    drop(out); // a DAG of a million nodes, dropped iteratively
    assert_eq!(inputs[0].data(), 0.0);
}

/// Wide: one node with 500,000 parents (`Value::from_op`), and the same 500,000 squares summed
/// by `Iterator::sum` (a chain 500,000 additions deep): `d/dxᵢ Σ xᵢ² = 2xᵢ` through both.
#[test]
fn half_million_parents_and_a_half_million_deep_sum() {
    const N: usize = 500_000;
    let xs: Vec<Value> = (0..N).map(|i| Value::new(i as f64 * 1e-6 - 0.25)).collect();
    let squares: Vec<Value> = xs.iter().map(|x| x * x).collect();
    let wide = Value::from_op(
        squares.iter().map(Value::data).sum(),
        "sum",
        squares.iter().map(|s| (s, 1.0)),
    );
    let deep: Value = squares.iter().sum();
    let out = &wide + &deep;
    drop(squares);
    assert!(out.topological_order().len() > 1_500_000);
    out.backward();
    for (i, x) in xs.iter().enumerate().step_by(997) {
        assert_eq!(x.grad(), 2.0 * (2.0 * x.data()), "x[{i}]");
    }
    assert_eq!(wide.grad(), 1.0);
    assert_eq!(deep.grad(), 1.0);
    drop((out, wide, deep));
    assert_eq!(xs[N - 1].data(), (N - 1) as f64 * 1e-6 - 0.25);
}
