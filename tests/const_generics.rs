//! Const generics: functions over arrays of a length the caller chooses, in every companion,
//! called from generic and non-generic callers with local arrays. Each against a closed form
//! or central differences.

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

mod common;
use common::{close, close_to};

/// `|v|²`.
#[differentiable(jvp, hessian)]
fn norm2<const N: usize>(v: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s += v[i] * v[i];
    }
    s
}

/// `|a ∘ b k|² + sin a₀` through `norm2` of a local `[0.0; N]`.
#[differentiable(hessian)]
fn weighted<const N: usize>(a: [f64; N], b: [f64; N], k: f64) -> f64 {
    let mut t = [0.0; N];
    for i in 0..N {
        t[i] = a[i] * b[i] * k;
    }
    norm2(&t) + a[0].sin()
}

/// One explicit Euler step of `s' = -s³ + c` on `N` independent states, generic in the float.
#[differentiable]
fn step<T: Real, const N: usize>(s: [T; N], h: T, c: T) -> [T; N] {
    let mut out = s;
    for i in 0..N {
        out[i] = s[i] + h * (c - s[i] * s[i] * s[i]);
    }
    out
}

/// A non-generic caller: twenty steps of three states, then the sum of squares.
#[differentiable]
fn simulate(s0: [f64; 3], c: f64) -> f64 {
    let mut s = s0;
    for _ in 0..20 {
        s = step(s, 0.05, c);
    }
    norm2(&s)
}

#[test]
fn a_length_generic_function_in_every_companion() {
    let v = [1.0, -2.0, 0.5];
    let (val, g) = norm2_grad(&v);
    assert_eq!(val.to_bits(), norm2(&v).to_bits());
    assert_eq!(g, [2.0, -4.0, 1.0]);
    let (_, gh, h) = norm2_hessian(&v);
    assert_eq!(gh, g.to_vec());
    for (i, row) in h.iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            assert_eq!(x, if i == j { 2.0 } else { 0.0 });
        }
    }
    let (_, d) = norm2_jvp(&v, &[0.5, 1.0, 0.0]);
    assert_eq!(d, 1.0 - 4.0);
    // The same function at another length.
    let (val5, g5) = norm2_grad(&[1.0; 5]);
    assert_eq!((val5, g5), (5.0, [2.0; 5]));
    assert_eq!(norm2_graph(&[3.0, 4.0]).data(), 25.0);
}

#[test]
fn a_local_array_passed_to_a_length_generic_callee() {
    let (a, b, k) = ([1.0, 2.0], [3.0, 4.0], 0.5);
    let (val, ga, gb, gk) = weighted_grad(a, b, k);
    assert_eq!(val.to_bits(), weighted(a, b, k).to_bits());
    for i in 0..2 {
        let t = a[i] * b[i] * k;
        let cos = if i == 0 { a[0].cos() } else { 0.0 };
        close(ga[i], 2.0 * t * b[i] * k + cos);
        close(gb[i], 2.0 * t * a[i] * k);
    }
    close(gk, (0..2).map(|i| 2.0 * (a[i] * b[i]).powi(2) * k).sum());
    // The Hessian against central differences of the gradient.
    let flat = |a: [f64; 2], b: [f64; 2], k: f64| {
        let (_, ga, gb, gk) = weighted_grad(a, b, k);
        vec![ga[0], ga[1], gb[0], gb[1], gk]
    };
    let x0 = [a[0], a[1], b[0], b[1], k];
    let (_, _, h) = weighted_hessian(a, b, k);
    let e = 1e-6;
    for j in 0..5 {
        let (mut up, mut down) = (x0, x0);
        up[j] += e;
        down[j] -= e;
        let gu = flat([up[0], up[1]], [up[2], up[3]], up[4]);
        let gd = flat([down[0], down[1]], [down[2], down[3]], down[4]);
        for i in 0..5 {
            close_to(h[i][j], (gu[i] - gd[i]) / (2.0 * e), 1e-7);
        }
    }
}

#[test]
fn array_results_of_a_length_generic_function() {
    let (s0, c) = ([0.4, -0.3, 0.9], 0.2);
    let (val, gs, gc) = simulate_grad(s0, c);
    assert_eq!(val.to_bits(), simulate(s0, c).to_bits());
    let e = 1e-6;
    for i in 0..3 {
        let (mut up, mut down) = (s0, s0);
        up[i] += e;
        down[i] -= e;
        close_to(
            gs[i],
            (simulate(up, c) - simulate(down, c)) / (2.0 * e),
            1e-7,
        );
    }
    close_to(
        gc,
        (simulate(s0, c + e) - simulate(s0, c - e)) / (2.0 * e),
        1e-7,
    );
    // `_jacobian` of one step, at f32 and f64: diagonal 1 - 3 h s², and h for `c`.
    let (out, jac) = step_jacobian([0.5f32, 1.0], 0.1, 0.0);
    assert_eq!(out, step([0.5f32, 1.0], 0.1, 0.0));
    assert_eq!(jac.len(), 2);
    let (_, jac64) = step_jacobian([0.5, 1.0], 0.1, 0.0);
    for (i, s) in [0.5, 1.0].into_iter().enumerate() {
        close(jac64[i][i], 1.0 - 0.3 * s * s);
        close(jac64[i][1 - i], 0.0);
        close(jac64[i][3], 0.1);
        assert!((f64::from(jac[i][i]) - jac64[i][i]).abs() < 1e-6);
    }
}

/// Two lengths, and integer arithmetic on them (`M.min(N)`, `N - 1 - i`).
#[differentiable(jvp, hessian)]
fn reversed_dot<const M: usize, const N: usize>(a: &[f64; M], b: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..M.min(N) {
        s += a[i] * b[N - 1 - i];
    }
    s
}

#[test]
fn integer_arithmetic_on_lengths() {
    let (a, b) = ([0.3, -0.6, 1.1], [0.7, 0.2]);
    let (v, ga, gb) = reversed_dot_grad(&a, &b);
    assert_eq!(v.to_bits(), reversed_dot(&a, &b).to_bits());
    assert_eq!(ga, [0.2, 0.7, 0.0]);
    assert_eq!(gb, [-0.6, 0.3]);
    let (_, _, h) = reversed_dot_hessian(&a, &b);
    assert_eq!(h[0][4], 1.0);
    assert_eq!(h[1][3], 1.0);
    assert_eq!(h[2][3], 0.0);
}
