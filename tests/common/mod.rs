//! Helpers shared by the integration tests: tolerant comparison and the tape-engine reference.
#![allow(dead_code)]

use grad::tape::Value;

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
pub mod workloads;
