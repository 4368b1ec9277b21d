//! Helpers shared by the integration tests: tolerant comparison and the tape-engine reference.
#![allow(dead_code)]

use grad::check::check_gradient;
use grad::tape::Value;

/// Central differences agree with an analytic gradient to this (relative) tolerance.
pub const FD_TOL: f64 = 1e-6;
/// The compiled gradient agrees with the tape engine's to this (relative) tolerance.
pub const TAPE_TOL: f64 = 1e-11;

/// The same computation written on the tape engine.
pub type OnTape<'a> = dyn Fn(&[Value]) -> Value + 'a;

/// What a point must satisfy: the value is the plain function's bit for bit; the gradient
/// matches the tape version (where given) and central differences (where `fd`).
#[track_caller]
pub fn check_point(
    what: &str,
    x: &[f64],
    (value, grad): (f64, Vec<f64>),
    plain: impl Fn(&[f64]) -> f64,
    on_tape: Option<&OnTape<'_>>,
    fd: bool,
) {
    let what = format!("{what} at {x:?}");
    let p = plain(x);
    assert_eq!(
        value.to_bits(),
        p.to_bits(),
        "{what}: value {value:e} vs plain {p:e}"
    );
    assert_eq!(grad.len(), x.len(), "{what}: gradient length");
    if let Some(on_tape) = on_tape {
        let (tape_value, tape_grad) = tape(x, on_tape);
        assert_close(
            &format!("{what}: value vs tape"),
            value,
            tape_value,
            TAPE_TOL,
        );
        for (i, (&g, &t)) in grad.iter().zip(&tape_grad).enumerate() {
            assert_close(&format!("{what}: d[{i}] vs tape"), g, t, TAPE_TOL);
        }
    }
    if fd {
        if let Err(e) = check_gradient(&plain, x, &grad, FD_TOL) {
            panic!("{what}: {e} (gradient {grad:?})");
        }
    }
}

/// `|got - want| <= tol * max(1, |got|, |want|)`, with a message naming what was compared.
#[track_caller]
pub fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    let scale = 1.0f64.max(got.abs()).max(want.abs());
    assert!(
        (got - want).abs() <= tol * scale,
        "{what}: got {got:e}, want {want:e} (tol {tol:e})"
    );
}

/// Fresh tape leaves holding `xs`.
pub fn leaves(xs: &[f64]) -> Vec<Value> {
    xs.iter().map(|&x| Value::new(x)).collect()
}

/// The gradient held by every value.
pub fn grads(vs: &[Value]) -> Vec<f64> {
    vs.iter().map(Value::grad).collect()
}

/// Runs `f` on fresh tape leaves holding `xs`, back-propagates, and returns the value and the
/// gradient of every leaf.
pub fn tape(xs: &[f64], f: impl Fn(&[Value]) -> Value) -> (f64, Vec<f64>) {
    let xs = leaves(xs);
    let out = f(&xs);
    out.backward();
    (out.data(), grads(&xs))
}
pub mod pass_off;
pub mod workloads;

/// `|got - want| <= 1e-12 (1 + |want|)`: closed forms computed the same way up to rounding.
#[track_caller]
pub fn close(got: f64, want: f64) {
    close_to(got, want, 1e-12);
}

/// `|got - want| <= tol (1 + |want|)`, with a message naming both.
#[track_caller]
pub fn close_to(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * (1.0 + want.abs()),
        "got {got}, want {want}"
    );
}

/// Each `g[i]` against the central difference of `f` in `x[i]` (step 1e-6), to `tol` as in
/// [`close_to`].
#[track_caller]
pub fn central_differences(f: impl Fn(&[f64]) -> f64, x: &[f64], g: &[f64], tol: f64) {
    let e = 1e-6;
    for i in 0..x.len() {
        let (mut up, mut down) = (x.to_vec(), x.to_vec());
        up[i] += e;
        down[i] -= e;
        close_to(g[i], (f(&up) - f(&down)) / (2.0 * e), tol);
    }
}
