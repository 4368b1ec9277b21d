//! A bare `return;` in a function returning `()` (which works through `&mut` parameters):
//! the rest of the body is skipped, from a branch and from inside a loop. Checked through
//! callers against closed forms and central differences of the plain functions.

#![allow(
    clippy::needless_range_loop,
    clippy::needless_return,
    clippy::manual_memcpy
)] // as users write them

mod common;

use common::central_differences;
use grad::prelude::*;

/// Squashes `h[0]` unless switched off.
#[differentiable]
fn clip(h: &mut [f64], on: bool) {
    if !on {
        return;
    }
    h[0] = h[0].tanh();
}

/// Scales the elements in order until one exceeds `limit`.
#[differentiable]
fn scale_until(h: &mut [f64], k: f64, limit: f64) {
    for i in 0..h.len() {
        if h[i] > limit {
            return;
        }
        h[i] *= k;
    }
}

#[differentiable]
fn clipped(x: &[f64], on: bool) -> f64 {
    let mut h = [0.0; 2];
    h[0] = x[0] * 2.0;
    h[1] = x[1];
    clip(&mut h, on);
    h[0] + h[1] * h[1]
}

#[differentiable]
fn scaled(x: &[f64], k: f64) -> f64 {
    let mut h = [0.0; 3];
    for i in 0..3 {
        h[i] = x[i];
    }
    scale_until(&mut h, k, 1.0);
    h[0] * h[1] + h[2]
}

#[test]
fn a_bare_return_leaves_a_unit_function() {
    let x = [0.3, -0.7];
    let (v, g) = clipped_grad(&x, true);
    assert_eq!(v.to_bits(), clipped(&x, true).to_bits());
    let t = (2.0 * x[0]).tanh();
    assert_eq!(v, t + x[1] * x[1]);
    assert!((g[0] - 2.0 * (1.0 - t * t)).abs() < 1e-15 && g[1] == 2.0 * x[1]);
    let (v, g) = clipped_grad(&x, false);
    assert_eq!(v, 2.0 * x[0] + x[1] * x[1]);
    assert_eq!(g, vec![2.0, 2.0 * x[1]]);
}

#[test]
fn a_bare_return_inside_a_loop_skips_the_remaining_iterations() {
    let k = 1.5;
    // Every trip count: no element over the limit, the second, the first.
    for x in [[0.2, 0.4, 0.6], [0.2, 1.4, 0.6], [2.0, 0.4, 0.6]] {
        let (v, g, dk) = scaled_grad(&x, k);
        assert_eq!(v.to_bits(), scaled(&x, k).to_bits());
        central_differences(|xs| scaled(xs, k), &x, &g, 1e-8);
        central_differences(|p| scaled(&x, p[0]), &[k], &[dk], 1e-8);
    }
    // The limit stops at the second element: h = (k x0, x1, x2).
    let x = [0.2, 1.4, 0.6];
    let (_, g, dk) = scaled_grad(&x, k);
    assert_eq!(g, vec![k * x[1], k * x[0], 1.0]);
    assert_eq!(dk, x[0] * x[1]);
}
