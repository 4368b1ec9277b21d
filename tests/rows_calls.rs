//! Rows (`pos: &[[f64; D]]`) passed to other differentiable functions under every companion:
//! whole (differentiated or data), one row by reference, one row copied by value. Second order
//! included: the Hessians are checked against central differences of `_grad`.

#![allow(clippy::needless_range_loop)] // as users write them

mod common;

use common::{central_differences, close_to};
use grad::prelude::*;

#[differentiable(jvp, hessian)]
fn inner(pos: &[[f64; 2]], k: f64) -> f64 {
    k * k * pos[0][0] * pos[0][0] * pos[1][1] + (pos[1][0] * k).sin()
}

/// Rows passed whole, differentiated on both sides.
#[differentiable(jvp, hessian)]
fn outer(pos: &[[f64; 2]], k: f64) -> f64 {
    inner(pos, k) * 0.5 + inner(pos, k * k)
}

/// Rows left out here, passed whole to a callee that differentiates them.
#[differentiable(wrt(k), hessian)]
fn outer_k(pos: &[[f64; 2]], k: f64) -> f64 {
    inner(pos, k).cosh()
}

#[differentiable(hessian)]
fn pair_val(a: [f64; 3], b: [f64; 3]) -> f64 {
    let dx = a[0] - b[0];
    dx * dx * a[2] * b[2] + a[1] * b[1]
}

#[differentiable(hessian)]
fn pair_ref(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[1] - a[2] * a[2] * b[0]
}

/// One row copied by value, one by reference through a name.
#[differentiable(hessian)]
fn rows_to_pairs(pos: &[[f64; 3]]) -> f64 {
    let a = pos[0];
    let b = &pos[2];
    pair_val(pos[0], pos[1]) + pair_val(a, pos[2]) + pair_ref(&pos[1], b)
}

/// The Hessian of `grad` (a gradient over `n` flattened inputs) at `x`, by central
/// differences, against `h`; and `h` exactly symmetric.
fn hessian_matches(h: &[Vec<f64>], x: &[f64], grad: impl Fn(&[f64]) -> Vec<f64>) {
    let n = x.len();
    for col in 0..n {
        let (mut up, mut down) = (x.to_vec(), x.to_vec());
        up[col] += 1e-5;
        down[col] -= 1e-5;
        let (gu, gd) = (grad(&up), grad(&down));
        for row in 0..n {
            close_to(h[row][col], (gu[row] - gd[row]) / 2e-5, 1e-6);
            assert_eq!(h[row][col].to_bits(), h[col][row].to_bits());
        }
    }
}

fn rows2(p: &[f64]) -> Vec<[f64; 2]> {
    p.chunks(2).map(|r| [r[0], r[1]]).collect()
}

fn rows3(p: &[f64]) -> Vec<[f64; 3]> {
    p.chunks(3).map(|r| [r[0], r[1], r[2]]).collect()
}

#[test]
fn rows_passed_whole_under_second_order() {
    let pos = [[1.5, 0.3], [0.7, 2.0]];
    let k = 0.8;
    let (v, dpos, dk) = outer_grad(&pos, k);
    assert_eq!(v.to_bits(), outer(&pos, k).to_bits());
    let x: Vec<f64> = pos.iter().flatten().copied().chain([k]).collect();
    let g: Vec<f64> = dpos.iter().flatten().copied().chain([dk]).collect();
    central_differences(|p| outer(&rows2(&p[..4]), p[4]), &x, &g, 1e-7);
    let (hv, hg, h) = outer_hessian(&pos, k);
    assert_eq!(hv.to_bits(), v.to_bits());
    for (a, b) in hg.iter().zip(&g) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    hessian_matches(&h, &x, |p| {
        let (_, d, dk) = outer_grad(&rows2(&p[..4]), p[4]);
        d.iter().flatten().copied().chain([dk]).collect()
    });
    // The rows block is not zero (it was, silently, when the callee got no tangent).
    assert!(h[0][0].abs() > 0.1);

    let (v, dk) = outer_k_grad(&pos, k);
    assert_eq!(v.to_bits(), outer_k(&pos, k).to_bits());
    central_differences(|p| outer_k(&pos, p[0]), &[k], &[dk], 1e-7);
    let (_, _, h) = outer_k_hessian(&pos, k);
    hessian_matches(&h, &[k], |p| vec![outer_k_grad(&pos, p[0]).1]);
}

#[test]
fn single_rows_by_value_and_by_reference_under_second_order() {
    let pos = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-0.7, 0.9, 1.1]];
    let (v, dpos) = rows_to_pairs_grad(&pos);
    assert_eq!(v.to_bits(), rows_to_pairs(&pos).to_bits());
    let x: Vec<f64> = pos.iter().flatten().copied().collect();
    let g: Vec<f64> = dpos.iter().flatten().copied().collect();
    central_differences(|p| rows_to_pairs(&rows3(p)), &x, &g, 1e-7);
    let (hv, hg, h) = rows_to_pairs_hessian(&pos);
    assert_eq!(hv.to_bits(), v.to_bits());
    for (a, b) in hg.iter().zip(&g) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    hessian_matches(&h, &x, |p| {
        let (_, d) = rows_to_pairs_grad(&rows3(p));
        d.iter().flatten().copied().collect()
    });
}

/// A helper that leaves its rows out, taking only a float besides them: called through its
/// pullback like any helper taking rows.
#[differentiable(wrt(k))]
fn scaled(k: f64, xs: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += (k * x[0]).sin() * x[1];
    }
    s
}

#[differentiable]
fn spring_energy(x: &[f64], edges: &[[usize; 2]]) -> f64 {
    let mut e = 0.0;
    for s in 0..edges.len() {
        let [a, b] = edges[s];
        let d = x[b] - x[a] - 1.0;
        e += d * d;
    }
    e
}

#[differentiable(wrt(k, x))]
fn uses_data_helpers(k: f64, x: &[f64], xs: &[[f64; 2]], edges: &[[usize; 2]]) -> f64 {
    scaled(k, xs) * k + spring_energy(x, edges) * k
}

#[test]
fn helpers_that_leave_rows_out() {
    let xs = [[0.5, 1.0], [-1.0, 2.0]];
    let edges = [[0, 1], [1, 2]];
    let (k, x) = (0.7, [0.0, 1.3, 2.1]);
    let (v, dk, dx) = uses_data_helpers_grad(k, &x, &xs, &edges);
    assert_eq!(v.to_bits(), uses_data_helpers(k, &x, &xs, &edges).to_bits());
    let mut p = vec![k];
    p.extend(x);
    let mut g = vec![dk];
    g.extend(&dx);
    central_differences(
        |p| uses_data_helpers(p[0], &p[1..], &xs, &edges),
        &p,
        &g,
        1e-7,
    );
}
