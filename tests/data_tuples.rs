//! Tuples of constant data in slices (`edges: &[(usize, usize)]`, springs `&[(usize, usize,
//! f64)]` left out by `wrt(...)`): taken apart by `for &(i, j) in edges`, `let (i, j, r) =
//! springs[k];`, `edges[k].0`, `e.1` of a loop item and closures `|&(i, j)|`, in `_grad`,
//! `_graph`, `_jvp` and `_hessian`. Each against a closed form.

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

/// `Σ (u_i - u_j)²` over the edges, as a `for` over the tuples.
#[differentiable(jvp, hessian)]
fn smooth(u: &[f64], edges: &[(usize, usize)]) -> f64 {
    let mut s = 0.0;
    for &(i, j) in edges {
        s += (u[i] - u[j]).powi(2);
    }
    s
}

/// The same through a loop item's fields.
#[differentiable]
fn smooth_fields(u: &[f64], edges: &[(usize, usize)]) -> f64 {
    let mut s = 0.0;
    for e in edges.iter() {
        s += (u[e.0] - u[e.1]).powi(2);
    }
    s
}

/// The same as an iterator chain.
#[differentiable]
fn smooth_chain(u: &[f64], edges: &[(usize, usize)]) -> f64 {
    edges.iter().map(|&(i, j)| (u[i] - u[j]).powi(2)).sum()
}

/// Springs with rest lengths and stiffness: floats in the data, left out by `wrt(...)`.
#[differentiable(wrt(x), jvp, hessian)]
fn springs(x: &[f64], springs: &[(usize, usize, f64)], k: &[f64]) -> f64 {
    let mut e = 0.0;
    for s in 0..springs.len() {
        let (i, j, rest) = springs[s];
        let stretch = x[j] - x[i] - rest;
        e += 0.5 * k[s] * stretch * stretch * springs[s].2;
    }
    e
}

const U: [f64; 4] = [1.0, 2.5, 4.0, -0.5];
const EDGES: [(usize, usize); 4] = [(0, 1), (1, 2), (0, 2), (3, 1)];

/// The Laplacian's action: `∂/∂u_v = 2 Σ_{edges at v} ±(u_i - u_j)`.
fn laplacian_grad(u: &[f64], edges: &[(usize, usize)]) -> Vec<f64> {
    let mut g = vec![0.0; u.len()];
    for &(i, j) in edges {
        g[i] += 2.0 * (u[i] - u[j]);
        g[j] -= 2.0 * (u[i] - u[j]);
    }
    g
}

#[test]
fn edges_taken_apart_every_way() {
    let want = laplacian_grad(&U, &EDGES);
    for (v, g) in [
        smooth_grad(&U, &EDGES),
        smooth_fields_grad(&U, &EDGES),
        smooth_chain_grad(&U, &EDGES),
    ] {
        assert_eq!(v.to_bits(), smooth(&U, &EDGES).to_bits());
        assert_eq!(g, want);
    }
    // The Hessian is twice the graph Laplacian, exactly.
    let (_, _, h) = smooth_hessian(&U, &EDGES);
    for (a, row) in h.iter().enumerate() {
        for (b, &x) in row.iter().enumerate() {
            let degree = EDGES.iter().filter(|&&(i, j)| i == a || j == a).count() as f64;
            let adjacent = EDGES
                .iter()
                .filter(|&&(i, j)| (i, j) == (a, b) || (j, i) == (a, b))
                .count() as f64;
            let l = if a == b { degree } else { -adjacent };
            assert_eq!(x, 2.0 * l, "H[{a}][{b}]");
        }
    }
    let t = [0.5, -1.0, 0.25, 2.0];
    let (_, d) = smooth_jvp(&U, &EDGES, &t);
    let dot: f64 = want.iter().zip(&t).map(|(g, t)| g * t).sum();
    assert!((d - dot).abs() < 1e-12);
    // `_graph` back-propagates the same gradient.
    let root = smooth_graph(&U, &EDGES);
    assert_eq!(root.data().to_bits(), smooth(&U, &EDGES).to_bits());
}

#[test]
fn float_data_left_out_by_wrt() {
    let x = [0.0, 1.3, 2.1];
    let data = [(0, 1, 1.0), (1, 2, 0.5), (0, 2, 2.0)];
    let k = [2.0, 3.0, 0.5];
    let (v, g) = springs_grad(&x, &data, &k);
    assert_eq!(v.to_bits(), springs(&x, &data, &k).to_bits());
    let mut want = [0.0; 3];
    let mut hess = [[0.0; 3]; 3];
    for (s, &(i, j, rest)) in data.iter().enumerate() {
        let c = k[s] * rest;
        let stretch = x[j] - x[i] - rest;
        want[j] += c * stretch;
        want[i] -= c * stretch;
        hess[i][i] += c;
        hess[j][j] += c;
        hess[i][j] -= c;
        hess[j][i] -= c;
    }
    for i in 0..3 {
        assert!((g[i] - want[i]).abs() < 1e-12, "{g:?} vs {want:?}");
    }
    let (_, _, h) = springs_hessian(&x, &data, &k);
    for i in 0..3 {
        for j in 0..3 {
            assert!((h[i][j] - hess[i][j]).abs() < 1e-12, "{h:?} vs {hess:?}");
        }
    }
    let (_, d) = springs_jvp(&x, &data, &k, &[1.0, 1.0, 1.0]);
    assert!(d.abs() < 1e-12, "a rigid shift stretches nothing: {d}");
}

/// `Σ_k k x_i x_j` over the edges, numbered by `enumerate`, each taken apart in the pattern.
#[differentiable(wrt(x))]
fn numbered_edges(x: &[f64], edges: &[(usize, usize)]) -> f64 {
    let mut s = 0.0;
    for (k, &(i, j)) in edges.iter().enumerate() {
        s += x[i] * x[j] * k as f64;
    }
    s
}

#[test]
fn enumerate_over_tuples_taken_apart() {
    let x = [1.0, 2.0, 3.0];
    let edges = [(0, 1), (1, 2), (2, 0)];
    let (value, g) = numbered_edges_grad(&x, &edges);
    assert_eq!(value.to_bits(), numbered_edges(&x, &edges).to_bits());
    // 0 x0 x1 + 1 x1 x2 + 2 x2 x0.
    assert_eq!(value, x[1] * x[2] + 2.0 * x[2] * x[0]);
    assert_eq!(g, vec![2.0 * x[2], x[2], x[1] + 2.0 * x[0]]);
}
