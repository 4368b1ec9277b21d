//! The wrappers' checks of their arguments' shapes name the argument and panic at the
//! caller's line (`#[track_caller]`).

use grad::prelude::*;

#[differentiable(jvp)]
fn vout(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v.sin()).collect()
}

#[test]
fn vjp_with_right_weights() {
    let (v, g) = vout_vjp(&[0.1, 0.2], &[1.0, 2.0]);
    assert_eq!(v, vec![0.1f64.sin(), 0.2f64.sin()]);
    assert_eq!(g, vec![0.1f64.cos(), 2.0 * 0.2f64.cos()]);
}

#[test]
#[should_panic(
    expected = "grad: the weights (`w` of `_vjp`, `d_out` of `_pullback`) must have one element per element of the result"
)]
fn vjp_with_short_weights() {
    let _ = vout_vjp(&[0.1, 0.2], &[1.0]);
}

#[test]
#[should_panic(expected = "grad: `w` must have one element per element of `vout`'s result")]
fn vjp_with_empty_weights() {
    // The pullback takes an empty adjoint for zero (callers reading no result pass it).
    let _ = vout_vjp(&[0.1, 0.2], &[]);
}

#[test]
fn tangent_panics_at_the_callers_line() {
    let line = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = line.clone();
    // The hook is the whole process's: the other tests of this file panic on their own
    // threads at the same time, and only this thread's panic counts.
    let me = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == me {
            *seen.lock().unwrap() = info.location().map(|l| l.line());
        }
    }));
    let expected = line!() + 1;
    let r = std::panic::catch_unwind(|| vout_jvp(&[0.1, 0.2], &[1.0]));
    let _ = std::panic::take_hook();
    assert!(r.is_err());
    assert_eq!(*line.lock().unwrap(), Some(expected));
}
