//! Parameters that are containers of float containers (`[[f64; 2]; 2]`, `&[[f64; 3]; 2]`,
//! `&Vec<Vec<f64>>`), indexed `m[i][j]` and iterated: each is a `Differentiable` value and its
//! gradient has its shape. Checked against closed forms and central differences.

#![allow(clippy::needless_range_loop, clippy::ptr_arg)] // as users write them

mod common;

use common::central_differences;
use grad::prelude::*;

#[differentiable]
fn det2(m: [[f64; 2]; 2]) -> f64 {
    m[0][0] * m[1][1] - m[0][1] * m[1][0]
}

#[differentiable]
fn weighted(m: &[[f64; 3]; 2], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        for j in 0..3 {
            s += m[i][j] * x[j] * (i + 1) as f64;
        }
    }
    s.tanh()
}

#[differentiable]
fn ragged(m: &Vec<Vec<f64>>, x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..m.len() {
        for j in 0..m[i].len() {
            s += m[i][j] * x.powi((i + j) as i32);
        }
    }
    s
}

#[test]
fn a_two_by_two_determinant() {
    let m = [[0.3, -0.8], [1.2, 0.5]];
    let (v, g) = det2_grad(m);
    assert_eq!(v.to_bits(), det2(m).to_bits());
    assert_eq!(g, [[0.5, -1.2], [0.8, 0.3]]);
}

#[test]
fn nested_arrays_and_vectors_match_central_differences() {
    let m = [[0.3, -0.8, 0.1], [1.2, 0.5, -0.4]];
    let x = [0.2, 0.7, -0.3];
    let (v, g, gx) = weighted_grad(&m, &x);
    assert_eq!(v.to_bits(), weighted(&m, &x).to_bits());
    let flat: Vec<f64> = m.iter().flatten().copied().collect();
    let g_flat: Vec<f64> = g.iter().flatten().copied().collect();
    let rebuild = |p: &[f64]| [[p[0], p[1], p[2]], [p[3], p[4], p[5]]];
    central_differences(|p| weighted(&rebuild(p), &x), &flat, &g_flat, 1e-8);
    central_differences(|p| weighted(&m, p), &x, &gx, 1e-8);

    let r = vec![vec![0.3, -0.8], vec![1.2, 0.5, 0.1]];
    let (v, g, gx) = ragged_grad(&r, 0.7);
    assert_eq!(v.to_bits(), ragged(&r, 0.7).to_bits());
    assert_eq!(g.len(), 2);
    assert_eq!((g[0].len(), g[1].len()), (2, 3));
    let flat: Vec<f64> = r.iter().flatten().copied().collect();
    let g_flat: Vec<f64> = g.iter().flatten().copied().collect();
    let rebuild = |p: &[f64]| vec![p[..2].to_vec(), p[2..].to_vec()];
    central_differences(|p| ragged(&rebuild(p), 0.7), &flat, &g_flat, 1e-8);
    central_differences(|p| ragged(&r, p[0]), &[0.7], &[gx], 1e-8);
}
