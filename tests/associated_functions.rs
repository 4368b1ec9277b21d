//! Associated functions of `impl` blocks that neither take `self` nor name `Self`: the macro
//! cannot tell them from free functions, so the wrappers hold their own copies of what they
//! call (`siblings::nested` in grad-macro-core). Every companion is checked against closed forms, central
//! differences and `_grad`, the values bit for bit against the plain functions.

#![allow(clippy::needless_range_loop)]

mod common;

use common::assert_close;
use grad::prelude::*;

const H: f64 = 1e-6;

pub struct Model;

#[derive(Clone, Debug, Differentiable)]
pub struct Gains {
    a: f64,
    b: f64,
}

impl Model {
    /// `x₀ Σ xᵢ²`.
    #[differentiable(jvp, hessian)]
    fn energy(x: &[f64]) -> f64 {
        let mut e = 0.0;
        for i in 0..x.len() {
            e += x[i] * x[i] * x[0];
        }
        e
    }

    #[differentiable(jvp, hessian)]
    pub fn wave(x: f64, y: f64) -> f64 {
        x * y.sin()
    }

    /// Array-valued: `_vjp` and `_jacobian` from plain `#[differentiable]`, `_jvp` too.
    #[differentiable(jvp)]
    fn polar(r: f64, t: f64) -> [f64; 2] {
        [r * t.cos(), r * t.sin()]
    }

    #[differentiable]
    fn squares(x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        for i in 0..x.len() {
            out[i] = x[i] * x[i];
        }
        out
    }

    #[differentiable(jvp, hessian)]
    fn generic<T: Real>(x: T) -> T {
        x * x.sin()
    }

    /// A struct parameter: `_jvp` through `_grad`.
    #[differentiable(jvp, hessian)]
    fn gained(g: &Gains, x: f64) -> f64 {
        g.a * x.sin() + g.b * g.b
    }
}

/// A free function calling the associated one.
#[differentiable(jvp, hessian)]
fn doubled(x: &[f64]) -> f64 {
    Model::energy(x) * 2.0
}

#[test]
fn every_companion_of_associated_functions() {
    let x = [0.5, -1.0, 2.0];
    let s: f64 = x.iter().map(|v| v * v).sum();
    let (v, g) = Model::energy_grad(&x);
    assert_eq!(v.to_bits(), Model::energy(&x).to_bits());
    let (jv, jd) = Model::energy_jvp(&x, &[1.0, 0.5, 0.0]);
    assert_eq!(jv.to_bits(), v.to_bits());
    assert_close("energy jvp", jd, g[0] + 0.5 * g[1], 1e-14);
    // ∂₀ = Σ + 2x₀², ∂ᵢ = 2 x₀ xᵢ; H₀₀ = 6 x₀, H₀ᵢ = 2 xᵢ, Hᵢᵢ = 2 x₀.
    let (hv, hg, h) = Model::energy_hessian(&x);
    assert_eq!((hv, &hg), (v, &g));
    assert_close("∂₀", g[0], s + 2.0 * x[0] * x[0], 1e-14);
    assert_close("H₀₀", h[0][0], 6.0 * x[0], 1e-14);
    assert_close("H₀₂", h[0][2], 2.0 * x[2], 1e-14);
    assert_close("H₁₁", h[1][1], 2.0 * x[0], 1e-14);
    assert_eq!(h[1][2], 0.0);
    let (_, dg, dh) = doubled_hessian(&x);
    assert_close("doubled ∂₀", dg[0], 2.0 * g[0], 1e-14);
    assert_close("doubled H₀₀", dh[0][0], 2.0 * h[0][0], 1e-14);

    let (px, py) = (0.5, 1.25);
    let (wv, wx, wy) = Model::wave_grad(px, py);
    assert_eq!(wv.to_bits(), Model::wave(px, py).to_bits());
    let (_, d) = Model::wave_jvp(px, py, 1.0, -0.5);
    assert_close("wave jvp", d, wx - 0.5 * wy, 1e-14);
    let (_, _, _, hx, hy) = Model::wave_hvp(px, py, 1.0, 0.0);
    assert_eq!(hx, 0.0);
    assert_close("wave H v", hy, py.cos(), 1e-14);

    let (r, t) = (2.0, 0.7);
    let (pv, rows) = Model::polar_jacobian(r, t);
    assert_eq!(pv, Model::polar(r, t));
    let want = [[t.cos(), -r * t.sin()], [t.sin(), r * t.cos()]];
    for i in 0..2 {
        for j in 0..2 {
            assert_close("polar J", rows[i][j], want[i][j], 1e-14);
        }
    }
    let (_, gr, gt) = Model::polar_vjp(r, t, [1.0, 2.0]);
    assert_close("polar vjp r", gr, want[0][0] + 2.0 * want[1][0], 1e-14);
    assert_close("polar vjp t", gt, want[0][1] + 2.0 * want[1][1], 1e-14);
    let (_, pd) = Model::polar_jvp(r, t, 0.0, 1.0);
    assert_close("polar jvp", pd[1], want[1][1], 1e-14);

    let (sv, sj) = Model::squares_jacobian(&x);
    assert_eq!(sv, Model::squares(&x));
    for i in 0..3 {
        assert_eq!(sj[i][i], 2.0 * x[i]);
    }

    // x sin x: f' = sin x + x cos x, f'' = 2 cos x - x sin x.
    let z = 0.5f64;
    let (_, gz, hz) = Model::generic_hessian(z);
    assert_close("generic f'", gz[0], z.sin() + z * z.cos(), 1e-14);
    assert_close("generic f''", hz[0][0], 2.0 * z.cos() - z * z.sin(), 1e-14);
    let (_, d32) = Model::generic_jvp(0.5f32, 1.0);
    assert!((d32 - (0.5f32.sin() + 0.5 * 0.5f32.cos())).abs() < 1e-6);

    let gains = Gains { a: 2.0, b: 3.0 };
    let (gv, gd) = Model::gained_jvp(&gains, 0.5, &Gains { a: 1.0, b: 0.0 }, 1.0);
    assert_eq!(gv.to_bits(), Model::gained(&gains, 0.5).to_bits());
    let fd = (Model::gained(&Gains { a: 2.0 + H, b: 3.0 }, 0.5 + H)
        - Model::gained(&Gains { a: 2.0 - H, b: 3.0 }, 0.5 - H))
        / (2.0 * H);
    assert_close("gained jvp", gd, fd, 1e-8);
    let (_, _, gh) = Model::gained_hessian(&gains, 0.5);
    assert_close("∂a∂x", gh[0][2], 0.5f64.cos(), 1e-14);
    assert_close("∂x∂x", gh[2][2], -2.0 * 0.5f64.sin(), 1e-14);
}
