//! Plain helpers (no companions) on parameters `wrt(...)` leaves out: `lgamma(ys[i] + 1.0)` in
//! a Poisson likelihood over data, `lgamma(nu)` of a constant degree of freedom. `_grad` and
//! `_hessian` call them as plain functions, as the function does. The pullback and the twins,
//! which callers passing arrays go through, differentiate only what `wrt(...)` lists; a caller
//! that differentiates through a left-out parameter gets NaN, never a gradient missing the
//! helper's part. Checked against central differences and closed forms.

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

/// A plain helper with no companions (Stirling's series stands in for `ln Γ`).
fn lgamma(x: f64) -> f64 {
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x)
}

#[differentiable(hessian, wrt(w))]
fn poisson(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let mut t = 0.0;
    for i in 0..ys.len() {
        let eta = w[0] * xs[i] + w[1];
        t += eta.exp() - ys[i] * eta + lgamma(ys[i] + 1.0);
    }
    t
}

#[differentiable(hessian, wrt(w))]
fn student(w: &[f64], nu: f64, ys: &[f64]) -> f64 {
    let mut t = lgamma(nu) * ys.len() as f64;
    for i in 0..ys.len() {
        let r = ys[i] - w[0];
        t += (nu + 1.0) * 0.5 * (1.0 + r * r / nu).ln();
    }
    t
}

/// Calls both, passing its data on.
#[differentiable(hessian, wrt(w))]
fn total(w: &[f64], xs: &[f64], ys: &[f64], nu: f64) -> f64 {
    poisson(w, xs, ys) * 2.0 + student(w, nu, ys)
}

/// Differentiates through `ys`, which `poisson` leaves out.
#[differentiable(hessian)]
fn through(w: &[f64], s: f64) -> f64 {
    let xs = [0.5, 1.0];
    let ys = [s, 2.0 * s];
    poisson(w, &xs, &ys)
}

const XS: [f64; 3] = [0.5, 1.0, -1.5];
const YS: [f64; 3] = [1.0, 0.0, 3.0];

fn fd(f: &dyn Fn(&[f64]) -> f64, w: &[f64], k: usize) -> f64 {
    let h = 1e-6;
    let (mut wp, mut wm) = (w.to_vec(), w.to_vec());
    wp[k] += h;
    wm[k] -= h;
    (f(&wp) - f(&wm)) / (2.0 * h)
}

#[test]
fn a_likelihood_with_a_plain_helper_on_its_data_has_a_gradient_and_a_hessian() {
    let w = [0.3, -0.2];
    let (v, g) = total_grad(&w, &XS, &YS, 3.0);
    assert_eq!(v.to_bits(), total(&w, &XS, &YS, 3.0).to_bits());
    let (v2, g2, h) = total_hessian(&w, &XS, &YS, 3.0);
    assert_eq!(v2.to_bits(), v.to_bits());
    assert_eq!(g, g2);
    for k in 0..2 {
        let want = fd(&|w| total(w, &XS, &YS, 3.0), &w, k);
        assert!(
            (g[k] - want).abs() < 1e-7 * (1.0 + want.abs()),
            "{} {want}",
            g[k]
        );
        for i in 0..2 {
            let want = fd(&|w| total_grad(w, &XS, &YS, 3.0).1[i], &w, k);
            assert!((h[i][k] - want).abs() < 1e-6 * (1.0 + want.abs()));
            assert_eq!(h[i][k].to_bits(), h[k][i].to_bits());
        }
    }
    // Closed form: ∂²/∂w₀² of 2 Σ exp(η) + Student's (ν + 1)/2 Σ ln(1 + r²/ν).
    let (nu, mut want) = (3.0, 0.0);
    for i in 0..3 {
        want += 2.0 * (w[0] * XS[i] + w[1]).exp() * XS[i] * XS[i];
        let r = YS[i] - w[0];
        want += (nu + 1.0) * (nu - r * r) / (nu + r * r).powi(2);
    }
    assert!(
        (h[0][0] - want).abs() < 1e-12 * (1.0 + want.abs()),
        "{} {want}",
        h[0][0]
    );
}

#[test]
fn differentiating_through_a_left_out_parameter_gives_nan() {
    let w = [0.3, -0.2];
    let (v, gw, gs) = through_grad(&w, 0.7);
    assert_eq!(v.to_bits(), through(&w, 0.7).to_bits());
    assert!(gs.is_nan(), "the helper's part of d/ds is unknown: {gs}");
    for k in 0..2 {
        let want = fd(&|w| through(w, 0.7), &w, k);
        assert!((gw[k] - want).abs() < 1e-7 * (1.0 + want.abs()));
    }
    let (_, _, h) = through_hessian(&w, 0.7);
    for i in 0..3 {
        assert!(
            h[i][2].is_nan() && h[2][i].is_nan(),
            "row and column of s: {h:?}"
        );
    }
    for i in 0..2 {
        for k in 0..2 {
            let want = fd(&|w| through_grad(w, 0.7).1[i], &w, k);
            assert!((h[i][k] - want).abs() < 1e-6 * (1.0 + want.abs()));
        }
    }
}
