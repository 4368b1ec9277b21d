//! Helpers and iterator chains together, as users combine them: a `dot` written as a chain,
//! called from a closure over `chunks` items; a log-sum-exp and a cross-entropy over chains; a
//! two-layer network whose layer writes its output through `iter_mut` on a `&mut` parameter and
//! takes an array literal as an argument. Values bit for bit, gradients against central
//! differences.

#![allow(clippy::needless_range_loop)]
use grad::check::check_gradient;
use grad::prelude::*;

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>()
}

#[differentiable]
fn rows(xs: &[f64], w: &[f64]) -> f64 {
    xs.chunks(3).map(|c| dot(c, w).tanh()).sum::<f64>()
}

#[differentiable]
fn lse(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

#[differentiable]
fn softmax_ce(logits: &[f64], gold: &[f64]) -> f64 {
    let l = lse(logits);
    -gold
        .iter()
        .zip(logits)
        .map(|(g, y)| g * (y - l))
        .sum::<f64>()
}

#[differentiable]
fn mlp_layer(w: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for (j, o) in out.iter_mut().enumerate() {
        *o = dot(&w[j * n..(j + 1) * n], x).tanh();
    }
}

#[differentiable]
fn two_layers(w1: &[f64], w2: &[f64], x: &[f64]) -> f64 {
    let mut h = [0.0; 3];
    mlp_layer(w1, x, &mut h);
    let mut o = [0.0; 2];
    mlp_layer(w2, &h, &mut o);
    softmax_ce(&o, &[1.0, 0.0])
}

#[test]
fn helpers_and_chains_together() {
    let xs = [0.3, -0.5, 1.2, 0.7, 0.2, -0.1];
    let w = [0.5, -0.25, 0.75];
    let (v, dxs, dw) = rows_grad(&xs, &w);
    assert_eq!(v.to_bits(), rows(&xs, &w).to_bits());
    let p: Vec<f64> = xs.iter().chain(&w).copied().collect();
    let g: Vec<f64> = dxs.iter().chain(&dw).copied().collect();
    check_gradient(|p| rows(&p[..6], &p[6..]), &p, &g, 1e-6).unwrap();

    let logits = [0.2, 1.5, -0.3];
    let (v, dl, _) = softmax_ce_grad(&logits, &[0.0, 1.0, 0.0]);
    assert_eq!(v.to_bits(), softmax_ce(&logits, &[0.0, 1.0, 0.0]).to_bits());
    check_gradient(|l| softmax_ce(l, &[0.0, 1.0, 0.0]), &logits, &dl, 1e-6).unwrap();

    let w1: Vec<f64> = (0..6).map(|i| 0.1 * i as f64 - 0.2).collect();
    let w2: Vec<f64> = (0..6).map(|i| 0.3 - 0.07 * i as f64).collect();
    let x = [0.5, -1.5];
    let (v, d1, d2, dx) = two_layers_grad(&w1, &w2, &x);
    assert_eq!(v.to_bits(), two_layers(&w1, &w2, &x).to_bits());
    let p: Vec<f64> = w1.iter().chain(&w2).chain(&x).copied().collect();
    let g: Vec<f64> = d1.iter().chain(&d2).chain(&dx).copied().collect();
    check_gradient(|p| two_layers(&p[..6], &p[6..12], &p[12..]), &p, &g, 1e-6).unwrap();
}

#[differentiable]
fn step(s: [f64; 4], h: f64) -> [f64; 4] {
    let [x, y, vx, vy] = s;
    [x + h * vx, y + h * vy, vx - h * x.sin(), vy - h * y]
}

/// Array results destructured, iterated by chains and passed on.
#[differentiable]
fn results_as_arrays(a: f64, b: f64) -> f64 {
    let s = [a, b, 0.5, -0.5];
    let [x, y, _, _] = step(s, 0.1);
    let next = step(s, 0.2);
    let total: f64 = next.iter().sum();
    let again = step(next, 0.3);
    x * y + total + again.iter().map(|v| v * v).sum::<f64>()
}

#[test]
fn array_results_destructured_iterated_and_passed_on() {
    for (a, b) in [(0.3, 0.7), (-1.2, 0.4)] {
        let (v, da, db) = results_as_arrays_grad(a, b);
        assert_eq!(v.to_bits(), results_as_arrays(a, b).to_bits());
        check_gradient(|p| results_as_arrays(p[0], p[1]), &[a, b], &[da, db], 1e-6).unwrap();
    }
}

#[differentiable]
fn indexed_result(a: f64, b: f64) -> f64 {
    let s = [a, b, 0.5, -0.5];
    // Only passed on, never indexed here: its type says it is an array.
    let t: [f64; 4] = step(s, 0.1);
    step(s, 0.1)[0] * step(s, 0.2)[3] + step(t, 0.1)[1]
}

#[test]
fn a_call_result_indexed_directly() {
    for (a, b) in [(0.3, 0.7), (-1.2, 0.4)] {
        let (v, da, db) = indexed_result_grad(a, b);
        assert_eq!(v.to_bits(), indexed_result(a, b).to_bits());
        check_gradient(|p| indexed_result(p[0], p[1]), &[a, b], &[da, db], 1e-6).unwrap();
    }
}
