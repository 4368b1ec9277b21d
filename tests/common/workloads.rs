//! `#[differentiable]` functions used by more than one test file.

use grad::prelude::*;

#[differentiable]
pub fn seed_loss(x1: f64, x2: f64, x3: f64) -> f64 {
    let a = x1 * x2;
    a.ln() + (x1 * x3).sin() + x2 * x3
}

#[differentiable]
pub fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i];
        let b = x[i + 1] - x[i] * x[i];
        s += a * a + 100.0 * b * b;
    }
    s
}

#[differentiable]
pub fn logsumexp(xs: &[f64]) -> f64 {
    let mut m = xs[0];
    for &v in xs {
        if v > m {
            m = v;
        }
    }
    let mut s = 0.0;
    for &v in xs {
        s += (v - m).exp();
    }
    m + s.ln()
}

#[differentiable]
pub fn babylonian(x: f64, iters: usize) -> f64 {
    let mut g = x;
    let mut k = 0;
    while k < iters {
        g = 0.5 * (g + x / g);
        k += 1;
    }
    g
}

#[differentiable]
pub fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}
