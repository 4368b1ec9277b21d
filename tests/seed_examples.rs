//! micrograd's seed examples, each written as a `#[differentiable]` function and checked three
//! ways: against the known numbers (derived by hand or taken from micrograd's own tests),
//! against the tape engine (`grad::tape::Value`) computing the same expression, and the value
//! against the plain function bit for bit.

use grad::prelude::*;

mod common;
use common::workloads::{seed_loss, seed_loss_grad};
use common::{assert_close, tape};

/// Compares a compiled value and gradient to the tape engine's.
#[track_caller]
fn assert_matches_tape(what: &str, value: f64, grad: &[f64], tape: (f64, Vec<f64>)) {
    assert_close(&format!("{what}: value vs tape"), value, tape.0, 1e-12);
    assert_eq!(grad.len(), tape.1.len());
    for (i, (&g, &t)) in grad.iter().zip(&tape.1).enumerate() {
        assert_close(&format!("{what}: d[{i}] vs tape"), g, t, 1e-12);
    }
}

// ----- L = ln(x1 x2) + sin(x1 x3) + x2 x3 ---------------------------------------------------

#[test]
fn seed_loss_known_numbers() {
    let (x1, x2, x3) = (2.0f64, 3.0f64, 4.0f64);
    let (v, d1, d2, d3) = seed_loss_grad(x1, x2, x3);
    assert_eq!(v.to_bits(), seed_loss(x1, x2, x3).to_bits());
    // dL/dx1 = 1/x1 + x3 cos(x1 x3), dL/dx2 = 1/x2 + x3, dL/dx3 = x1 cos(x1 x3) + x2.
    let c = (x1 * x3).cos();
    assert_close("value", v, 6.0f64.ln() + 8.0f64.sin() + 12.0, 1e-14);
    assert_close("d_x1", d1, 1.0 / x1 + x3 * c, 1e-14);
    assert_close("d_x2", d2, 1.0 / x2 + x3, 1e-14);
    assert_close("d_x3", d3, x1 * c + x2, 1e-14);
    // The same numbers written out: cos 8 = -0.14550003380861354.
    assert_close(
        "d_x1 literal",
        d1,
        0.5 + 4.0 * -0.145_500_033_808_613_54,
        1e-14,
    );
    assert_close(
        "d_x3 literal",
        d3,
        2.0 * -0.145_500_033_808_613_54 + 3.0,
        1e-14,
    );

    let t = tape(&[x1, x2, x3], |x| {
        (&x[0] * &x[1]).ln() + (&x[0] * &x[2]).sin() + &x[1] * &x[2]
    });
    assert_matches_tape("seed_loss", v, &[d1, d2, d3], t);
}

// ----- L = (a b + c) f ---------------------------------------------------------------------

#[differentiable]
fn seed_expr(a: f64, b: f64, c: f64, f: f64) -> f64 {
    let e = a * b;
    let d = e + c;
    d * f
}

#[test]
fn seed_expr_known_numbers() {
    let (a, b, c, f) = (2.0, -3.0, 10.0, -2.0);
    let (v, da, db, dc, df) = seed_expr_grad(a, b, c, f);
    assert_eq!(v.to_bits(), seed_expr(a, b, c, f).to_bits());
    // Exact in binary floating point.
    assert_eq!((v, da, db, dc, df), (-8.0, 6.0, -4.0, -2.0, 4.0));
    let t = tape(&[a, b, c, f], |x| (&x[0] * &x[1] + &x[2]) * &x[3]);
    assert_matches_tape("seed_expr", v, &[da, db, dc, df], t);
}

// ----- the tanh neuron -------------------------------------------------------------------

const NEURON_B: f64 = 6.881_373_587_019_543;

#[differentiable]
fn neuron_tanh(x1: f64, x2: f64, w1: f64, w2: f64, b: f64) -> f64 {
    let n = x1 * w1 + x2 * w2 + b;
    n.tanh()
}

#[differentiable]
fn neuron_exp(x1: f64, x2: f64, w1: f64, w2: f64, b: f64) -> f64 {
    let n = x1 * w1 + x2 * w2 + b;
    let e = (2.0 * n).exp();
    (e - 1.0) / (e + 1.0)
}

fn check_neuron(what: &str, got: (f64, f64, f64, f64, f64, f64), tol: f64) {
    let (o, dx1, dx2, dw1, dw2, db) = got;
    assert_close(
        &format!("{what}: o"),
        o,
        std::f64::consts::FRAC_1_SQRT_2,
        tol,
    );
    assert_close(&format!("{what}: d_x1"), dx1, -1.5, tol);
    assert_close(&format!("{what}: d_x2"), dx2, 0.5, tol);
    assert_close(&format!("{what}: d_w1"), dw1, 1.0, tol);
    // x2 = 0 exactly, so d_w2 = x2 * do/dn is exactly zero.
    assert_eq!(dw2, 0.0, "{what}: d_w2");
    assert_close(&format!("{what}: d_b"), db, 0.5, tol);
}

#[test]
fn neuron_with_tanh() {
    let args = (2.0, 0.0, -3.0, 1.0, NEURON_B);
    let got = neuron_tanh_grad(args.0, args.1, args.2, args.3, args.4);
    assert_eq!(
        got.0.to_bits(),
        neuron_tanh(args.0, args.1, args.2, args.3, args.4).to_bits()
    );
    check_neuron("tanh", got, 1e-12);
    let t = tape(&[2.0, 0.0, -3.0, 1.0, NEURON_B], |x| {
        (&x[0] * &x[2] + &x[1] * &x[3] + &x[4]).tanh()
    });
    assert_matches_tape(
        "neuron_tanh",
        got.0,
        &[got.1, got.2, got.3, got.4, got.5],
        t,
    );
}

#[test]
fn neuron_with_exp() {
    let args = (2.0, 0.0, -3.0, 1.0, NEURON_B);
    let got = neuron_exp_grad(args.0, args.1, args.2, args.3, args.4);
    assert_eq!(
        got.0.to_bits(),
        neuron_exp(args.0, args.1, args.2, args.3, args.4).to_bits()
    );
    check_neuron("exp", got, 1e-12);
    let t = tape(&[2.0, 0.0, -3.0, 1.0, NEURON_B], |x| {
        let n = &x[0] * &x[2] + &x[1] * &x[3] + &x[4];
        let e = (2.0 * n).exp();
        (&e - 1.0) / (&e + 1.0)
    });
    assert_matches_tape("neuron_exp", got.0, &[got.1, got.2, got.3, got.4, got.5], t);
    // Both spellings agree with each other.
    let other = neuron_tanh_grad(args.0, args.1, args.2, args.3, args.4);
    assert_close("exp vs tanh: d_x1", got.1, other.1, 1e-12);
    assert_close("exp vs tanh: d_b", got.5, other.5, 1e-12);
}

// ----- L = a (b + c d) ----------------------------------------------------------------------

#[differentiable]
fn seed_nested(a: f64, b: f64, c: f64, d: f64) -> f64 {
    a * (b + c * d)
}

#[test]
fn seed_nested_known_numbers() {
    let (a, b, c, d) = (2.0, -3.0, 10.0, -2.0);
    let (v, da, db, dc, dd) = seed_nested_grad(a, b, c, d);
    assert_eq!(v.to_bits(), seed_nested(a, b, c, d).to_bits());
    // dL/da = b + c d, dL/db = a, dL/dc = a d, dL/dd = a c.
    assert_eq!((v, da, db, dc, dd), (-46.0, -23.0, 2.0, -4.0, 20.0));
    let t = tape(&[a, b, c, d], |x| &x[0] * (&x[1] + &x[2] * &x[3]));
    assert_matches_tape("seed_nested", v, &[da, db, dc, dd], t);
}

// ----- micrograd's test_sanity_check -------------------------------------------------------

#[differentiable]
fn sanity_check(x: f64) -> f64 {
    let z = 2.0 * x + 2.0 + x;
    let q = z.relu() + z * x;
    let h = (z * z).relu();
    h + q + q * x
}

#[test]
fn micrograd_sanity_check() {
    let (y, dx) = sanity_check_grad(-4.0);
    assert_eq!(y.to_bits(), sanity_check(-4.0).to_bits());
    assert_eq!(y, -20.0);
    assert_eq!(dx, 46.0);
    let t = tape(&[-4.0], |x| {
        let x = &x[0];
        let z = 2.0 * x + 2.0 + x;
        let q = z.relu() + &z * x;
        let h = (&z * &z).relu();
        &h + &q + &q * x
    });
    assert_matches_tape("sanity_check", y, &[dx], t);
}

// ----- micrograd's test_more_ops ----------------------------------------------------------

// micrograd's test_more_ops, written exactly as micrograd writes it (`c += c + 1`).
#[allow(clippy::misrefactored_assign_op)]
#[differentiable]
fn more_ops(a: f64, b: f64) -> f64 {
    let mut c = a + b;
    let mut d = a * b + b.powi(3);
    c += c + 1.0;
    c += 1.0 + c + (-a);
    d += d * 2.0 + (b + a).relu();
    d += 3.0 * d + (b - a).relu();
    let e = c - d;
    let f = e.powi(2);
    let mut g = f / 2.0;
    g += 10.0 / f;
    g
}

#[test]
fn micrograd_more_ops() {
    let (g, da, db) = more_ops_grad(-4.0, 2.0);
    assert_eq!(g.to_bits(), more_ops(-4.0, 2.0).to_bits());
    assert_close("g", g, 24.704_081_632_653_06, 1e-12);
    assert_close("dg/da", da, 138.833_819_241_982_52, 1e-12);
    assert_close("dg/db", db, 645.577_259_475_218_6, 1e-12);
    let t = tape(&[-4.0, 2.0], |x| {
        let (a, b) = (&x[0], &x[1]);
        let mut c = a + b;
        let mut d = a * b + b.powi(3);
        c = &c + (&c + 1.0);
        c = &c + (1.0 + &c + (-a));
        d = &d + (&d * 2.0 + (b + a).relu());
        d = &d + (3.0 * &d + (b - a).relu());
        let e = &c - &d;
        let f = e.powi(2);
        let g = &f / 2.0;
        &g + 10.0 / &f
    });
    assert_matches_tape("more_ops", g, &[da, db], t);
}

/// The seed examples agree with central differences too (a check of the checker as much as of
/// the macro, at the same points).
#[test]
fn seed_examples_vs_central_differences() {
    use grad::check::check_gradient;
    let (_, d1, d2, d3) = seed_loss_grad(2.0, 3.0, 4.0);
    check_gradient(
        |x| seed_loss(x[0], x[1], x[2]),
        &[2.0, 3.0, 4.0],
        &[d1, d2, d3],
        1e-6,
    )
    .unwrap();
    let (_, da, db) = more_ops_grad(-4.0, 2.0);
    check_gradient(|x| more_ops(x[0], x[1]), &[-4.0, 2.0], &[da, db], 1e-6).unwrap();
    let (_, dx) = sanity_check_grad(-4.0);
    check_gradient(|x| sanity_check(x[0]), &[-4.0], &[dx], 1e-6).unwrap();
    let p = [2.0, 0.0, -3.0, 1.0, NEURON_B];
    let (_, a, b, c, d, e) = neuron_exp_grad(p[0], p[1], p[2], p[3], p[4]);
    check_gradient(
        |x| neuron_exp(x[0], x[1], x[2], x[3], x[4]),
        &p,
        &[a, b, c, d, e],
        1e-6,
    )
    .unwrap();
}
