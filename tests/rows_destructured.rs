//! Rows destructured (`let [a, b] = edges[k];`) and rows of integers (`edges: &[[usize; 2]]`,
//! a mesh's or a molecule's connectivity) indexing floats: a spring network's energy against a
//! closed-form gradient and central differences.

#![allow(clippy::needless_range_loop)] // as users write them

mod common;

use common::{central_differences, close_to};
use grad::prelude::*;

/// Springs between points on a line, each written a different way.
#[differentiable(wrt(x))]
fn springs(x: &[f64], edges: &[[usize; 2]], rest: &[f64]) -> f64 {
    let mut e = 0.0;
    for k in 0..edges.len() {
        let [a, b] = edges[k];
        let d = x[b] - x[edges[k][0]] - rest[k] + (x[edges[k][1]] - x[b]);
        let c = edges[k];
        e += 0.5 * d * d + 0.25 * (x[c[1]] - x[a] - rest[k]).powi(2);
    }
    for edge in edges {
        e += 0.1 * x[edge[0]] * x[edge[1]];
    }
    e
}

/// Float rows destructured, read-only and `mut`.
#[differentiable]
fn planar(w: &[f64; 2], pts: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for i in 0..pts.len() {
        let [px, mut py] = pts[i];
        py *= 2.0;
        s += (w[0] * px + w[1] * py).sin();
    }
    s
}

#[test]
fn a_spring_network_over_integer_rows() {
    let x = [0.0, 1.1, 1.9, 3.2];
    let edges = [[0, 1], [1, 2], [2, 3], [0, 2]];
    let rest = [1.0, 1.0, 1.0, 2.0];
    let (v, dx) = springs_grad(&x, &edges, &rest);
    assert_eq!(v.to_bits(), springs(&x, &edges, &rest).to_bits());
    // Closed form: each spring's energy is (0.5 + 0.25) d², so it adds 1.5 d to its end and
    // takes it from its start; the coupling adds 0.1 x_b to x_a and 0.1 x_a to x_b.
    let mut expected = [0.0; 4];
    for (k, &[a, b]) in edges.iter().enumerate() {
        let d = x[b] - x[a] - rest[k];
        expected[b] += 1.5 * d;
        expected[a] -= 1.5 * d;
        expected[a] += 0.1 * x[b];
        expected[b] += 0.1 * x[a];
    }
    for i in 0..4 {
        close_to(dx[i], expected[i], 1e-14);
    }
    central_differences(|p| springs(p, &edges, &rest), &x, &dx, 1e-7);
}

#[test]
fn float_rows_destructured() {
    let w = [0.7, -0.3];
    let pts = [[1.0, 0.5], [-0.4, 2.0], [0.3, -1.2]];
    let (v, dw, dpts) = planar_grad(&w, &pts);
    assert_eq!(v.to_bits(), planar(&w, &pts).to_bits());
    for (i, p) in pts.iter().enumerate() {
        let c = (w[0] * p[0] + w[1] * 2.0 * p[1]).cos();
        close_to(dpts[i][0], c * w[0], 1e-15);
        close_to(dpts[i][1], c * w[1] * 2.0, 1e-15);
    }
    let expected = [
        pts.iter()
            .map(|p| (w[0] * p[0] + w[1] * 2.0 * p[1]).cos() * p[0])
            .sum::<f64>(),
        pts.iter()
            .map(|p| (w[0] * p[0] + w[1] * 2.0 * p[1]).cos() * 2.0 * p[1])
            .sum::<f64>(),
    ];
    close_to(dw[0], expected[0], 1e-14);
    close_to(dw[1], expected[1], 1e-14);
}
