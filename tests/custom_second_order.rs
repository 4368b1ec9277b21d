//! Custom rules for forward mode and second order (issue 14): a hand-written `f_jvp` or `f_hvp`
//! next to a plain `f` is what callers with `jvp` / `hessian` use, as a hand-written `f_grad`
//! is for first order. Checked against closed forms, and the rules are seen to be called.

use grad::prelude::*;
use std::cell::Cell;

thread_local! {
    static JVP_CALLS: Cell<usize> = const { Cell::new(0) };
    static HVP_CALLS: Cell<usize> = const { Cell::new(0) };
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Not differentiable as written (a branch on the value); the rules below say how.
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

fn softplus_grad(x: f64) -> (f64, f64) {
    (softplus(x), logistic(x))
}

fn softplus_jvp(x: f64, t: f64) -> (f64, f64) {
    JVP_CALLS.with(|c| c.set(c.get() + 1));
    (softplus(x), logistic(x) * t)
}

fn softplus_hvp(x: f64, v: f64) -> (f64, f64, f64) {
    HVP_CALLS.with(|c| c.set(c.get() + 1));
    let s = logistic(x);
    (softplus(x), s, s * (1.0 - s) * v)
}

/// `ln(e^a + e^b)`, computed stably; a rule of two arguments and an integer one.
fn lse(a: f64, k: usize, b: f64) -> f64 {
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln() + k as f64 * 0.0
}

fn lse_grad(a: f64, k: usize, b: f64) -> (f64, f64, f64) {
    let (pa, pb) = weights(a, b);
    (lse(a, k, b), pa, pb)
}

fn weights(a: f64, b: f64) -> (f64, f64) {
    let pa = 1.0 / (1.0 + (b - a).exp());
    (pa, 1.0 - pa)
}

fn lse_jvp(a: f64, k: usize, b: f64, ta: f64, tb: f64) -> (f64, f64) {
    let (pa, pb) = weights(a, b);
    (lse(a, k, b), pa * ta + pb * tb)
}

fn lse_hvp(a: f64, k: usize, b: f64, va: f64, vb: f64) -> (f64, f64, f64, f64, f64) {
    HVP_CALLS.with(|c| c.set(c.get() + 1));
    let (pa, pb) = weights(a, b);
    // The Hessian of log-sum-exp: diag(p) - p p^T.
    let c = pa * pb;
    (lse(a, k, b), pa, pb, c * va - c * vb, -c * va + c * vb)
}

#[differentiable(jvp, hessian)]
fn model(w: f64, x: f64) -> f64 {
    softplus(w * x) * 2.0 + w * w
}

#[differentiable(jvp, hessian)]
fn mix(u: f64, v: f64) -> f64 {
    lse(u * u, 3, v) + u * v
}

fn close(what: &str, a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-13 * a.abs().max(b.abs()).max(1.0),
        "{what}: {a} against the closed form {b}"
    );
}

#[test]
fn hessian_and_jvp_use_hand_written_rules_of_one_argument() {
    let (w, x) = (0.7, -1.3);
    let s = logistic(w * x);
    let ds = s * (1.0 - s);
    let before = HVP_CALLS.with(Cell::get);
    let (value, g, h) = model_hessian(w, x);
    assert!(
        HVP_CALLS.with(Cell::get) > before,
        "softplus_hvp was called"
    );
    assert_eq!(value.to_bits(), model(w, x).to_bits());
    close("df/dw", g[0], 2.0 * s * x + 2.0 * w);
    close("df/dx", g[1], 2.0 * s * w);
    close("H_ww", h[0][0], 2.0 * ds * x * x + 2.0);
    close("H_wx", h[0][1], 2.0 * ds * w * x + 2.0 * s);
    close("H_xx", h[1][1], 2.0 * ds * w * w);
    assert_eq!(h[0][1].to_bits(), h[1][0].to_bits());
    let (_, gw, gx) = model_grad(w, x);
    assert_eq!(
        (gw.to_bits(), gx.to_bits()),
        (g[0].to_bits(), g[1].to_bits())
    );

    let before = JVP_CALLS.with(Cell::get);
    let (v, d) = model_jvp(w, x, 0.5, -2.0);
    assert!(
        JVP_CALLS.with(Cell::get) > before,
        "softplus_jvp was called"
    );
    assert_eq!(v.to_bits(), model(w, x).to_bits());
    close("jvp", d, (2.0 * s * x + 2.0 * w) * 0.5 + 2.0 * s * w * -2.0);
}

#[test]
fn hessian_uses_a_hand_written_rule_of_two_arguments_and_a_constant() {
    let (u, v) = (0.4, 1.1);
    let a = u * u;
    let (pa, pb) = weights(a, v);
    let c = pa * pb;
    let (value, g, h) = mix_hessian(u, v);
    assert_eq!(value.to_bits(), mix(u, v).to_bits());
    close("df/du", g[0], pa * 2.0 * u + v);
    close("df/dv", g[1], pb + u);
    // d/du (pa 2u + v) = 2 pa + 2u * dpa/du, dpa/du = c * 2u.
    close("H_uu", h[0][0], 2.0 * pa + 4.0 * u * u * c);
    close("H_uv", h[0][1], -2.0 * u * c + 1.0);
    close("H_vv", h[1][1], c);
    let (_, d) = mix_jvp(u, v, 1.0, 0.0);
    close("jvp along u", d, g[0]);
}
