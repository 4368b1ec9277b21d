//! The generated code must compile under the strictest crate-level lints a user may set.
#![forbid(unsafe_code)]
#![deny(warnings)]
#![deny(missing_docs)]

use grad::prelude::*;

/// A helper with a companion, so calls from other differentiable functions work.
#[differentiable]
pub fn sq(t: f64) -> f64 {
    t * t
}

/// Loops, branches, early exits, local arrays, slices and calls.
#[differentiable]
pub fn loss(x: &[f64], w: [f64; 3], scale: f64, n: usize) -> f64 {
    let mut h = [0.0; 3];
    for i in 0..3 {
        h[i] = w[i] * scale;
    }
    let mut buf = vec![0.0; n];
    for (i, &v) in x.iter().enumerate() {
        if i < n {
            buf[i] = v.tanh();
        }
    }
    let mut s = 0.0;
    for &v in x {
        if v > 0.0 {
            s += sq(v) * h[0];
        } else if v < -1.0 {
            s -= v.exp() * h[1];
            continue;
        } else {
            s += v.relu() + v.sigmoid();
        }
        if s > 1e6 {
            break;
        }
    }
    let mut k = 0;
    while k < n {
        s += buf[k] * h[2];
        k += 1;
    }
    for j in (0..n).rev().step_by(2) {
        s += (j as f64) * scale.powi(2);
    }
    if s > 1e300 {
        return 0.0;
    }
    let y = if s > 0.0 { s.sqrt() } else { -s };
    y.max(scale.abs()) + std::f64::consts::PI * scale
}

/// An `f32` function with `wrt(...)`.
#[differentiable(wrt(a))]
pub fn pair(a: f32, b: f32) -> f32 {
    let mut acc = 0.0;
    for i in 0..4 {
        acc += (a * (i as f32)).sin() * b;
    }
    acc
}

fn main() {
    let x = [0.5, -2.0, 0.25, -0.5];
    let w = [1.0, 2.0, 3.0];
    let (v, dx, dw, ds) = loss_grad(&x, w, 1.5, 3);
    assert_eq!(v, loss(&x, w, 1.5, 3));
    assert_eq!(dx.len(), x.len());
    grad::check::check_gradient(|p| loss(&p[..4], w, p[4], 3), &[0.5, -2.0, 0.25, -0.5, 1.5], &{
        let mut g = dx.clone();
        g.push(ds);
        g
    }, 1e-6)
    .unwrap();
    let _ = dw;
    let (pv, da) = pair_grad(0.3, 2.0);
    assert_eq!(pv, pair(0.3, 2.0));
    let _ = da;
    let (sv, dt) = sq_grad(3.0);
    assert_eq!((sv, dt), (9.0, 6.0));
}
