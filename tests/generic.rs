//! Generic float code: `fn f<T: Real>(...)`, checked at `f64` and `f32`. At `f64` the value is
//! the plain function's bit for bit and the gradient agrees with central differences; at `f32`
//! the value is the plain `f32` function's bit for bit and the gradient agrees with the `f64`
//! one to `f32` precision.
// Indexed loops and a named lifetime are what these tests exercise.
#![allow(clippy::needless_range_loop, clippy::needless_lifetimes)]

mod common;

use common::{assert_close, check_point};
use grad::prelude::*;

/// The `f32` gradient agrees with the `f64` one to this (relative) tolerance.
const F32_TOL: f64 = 1e-4;

/// Checks one point at both precisions. `g64` / `g32` return the companion's value and
/// gradient flattened; `p64` / `p32` the plain function's value.
#[track_caller]
fn check_both(
    what: &str,
    x: &[f64],
    g64: impl Fn(&[f64]) -> (f64, Vec<f64>),
    p64: impl Fn(&[f64]) -> f64,
    g32: impl Fn(&[f32]) -> (f32, Vec<f32>),
    p32: impl Fn(&[f32]) -> f32,
) {
    let want = g64(x);
    check_point(&format!("{what} (f64)"), x, want.clone(), p64, None, true);
    let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let (value, grad) = g32(&x32);
    let plain = p32(&x32);
    assert_eq!(
        value.to_bits(),
        plain.to_bits(),
        "{what} (f32) at {x:?}: value {value:e} vs plain {plain:e}"
    );
    assert_eq!(grad.len(), x.len(), "{what} (f32): gradient length");
    for (i, (&g, &w)) in grad.iter().zip(&want.1).enumerate() {
        assert_close(
            &format!("{what} (f32) at {x:?}: d[{i}]"),
            f64::from(g),
            w,
            F32_TOL,
        );
    }
}

/// The example of the README: a scalar, a slice, a loop, constants of `T`.
#[differentiable]
fn f<T: Real>(x: T, ys: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..ys.len() {
        s += (x * ys[i]).sin() * T::from_f64(0.5);
    }
    s + x * x + T::ONE
}

#[test]
fn scalar_and_slice() {
    let (v, dx, dys) = f_grad::<f64>(0.3, &[1.0, 2.0]);
    assert_eq!(v, f(0.3, &[1.0, 2.0]));
    assert_eq!(dys.len(), 2);
    let (v32, dx32, _) = f_grad(0.3f32, &[1.0f32, 2.0]);
    assert_eq!(v32, f(0.3f32, &[1.0, 2.0]));
    assert_close("dx f32", f64::from(dx32), dx, F32_TOL);
    for x in [[0.3, 1.0, 2.0], [-1.2, 0.5, -0.25], [2.0, 0.0, 3.0]] {
        check_both(
            "f",
            &x,
            |x| {
                let (v, dx, dys) = f_grad(x[0], &x[1..]);
                (v, [vec![dx], dys].concat())
            },
            |x| f(x[0], &x[1..]),
            |x| {
                let (v, dx, dys) = f_grad(x[0], &x[1..]);
                (v, [vec![dx], dys].concat())
            },
            |x| f(x[0], &x[1..]),
        );
    }
}

/// Branches and the methods with kinks: `powi`, `max`, `min`, `abs`, `relu`, `sigmoid`.
#[differentiable]
fn branchy<T: Real>(x: T, y: T) -> T {
    let a = if x > y { (x - y).powi(3) } else { x.max(y) * y };
    let b = if a < T::from_f64(0.25) {
        a.relu()
    } else {
        a.sqrt()
    };
    b + y.sigmoid() + x.min(y).abs() + (x * y).exp().ln_1p() + x.powf(y.abs() + T::ONE).tanh()
}

#[test]
fn branches_and_methods() {
    for x in [[0.7, 0.2], [0.3, 0.9], [1.5, -0.4], [0.45, 0.3], [2.0, 1.1]] {
        check_both(
            "branchy",
            &x,
            |x| {
                let (v, dx, dy) = branchy_grad(x[0], x[1]);
                (v, vec![dx, dy])
            },
            |x| branchy(x[0], x[1]),
            |x| {
                let (v, dx, dy) = branchy_grad(x[0], x[1]);
                (v, vec![dx, dy])
            },
            |x| branchy(x[0], x[1]),
        );
    }
}

#[differentiable]
fn square<T: Real>(x: T) -> T {
    x * x
}

/// Calls of another generic differentiable function, with and without the turbofish, and of
/// one over a slice (through its pullback).
#[differentiable]
fn calls<T>(x: T, ys: &[T]) -> T
where
    T: Real,
{
    square::<T>(x) + square(x * ys[0]).sqrt() + x * f::<T>(x, ys) + f(ys[1], ys)
}

#[test]
fn calls_of_generic_functions() {
    for x in [[0.3, 1.0, 2.0], [-0.8, 0.4, -1.5]] {
        check_both(
            "calls",
            &x,
            |x| {
                let (v, dx, dys) = calls_grad(x[0], &x[1..]);
                (v, [vec![dx], dys].concat())
            },
            |x| calls(x[0], &x[1..]),
            |x| {
                let (v, dx, dys) = calls_grad(x[0], &x[1..]);
                (v, [vec![dx], dys].concat())
            },
            |x| calls(x[0], &x[1..]),
        );
    }
}

/// A lifetime, `grad::Real` by path, a `mut` parameter, `while`, early `return`, a fixed
/// array, an iterator sum and integer conversions.
#[differentiable]
fn mixed<'a, T: grad::Real>(mut x: T, w: &'a [T; 3], n: i32) -> T {
    let mut k = 0;
    while k < n {
        x = x * T::from_f64(0.9) + w[k as usize % 3];
        k += 1;
    }
    if x > T::from_i32(100) {
        return x;
    }
    let s: T = w.iter().map(|&v| v * x).sum();
    let p = w.iter().map(|&v| v + T::ONE).product::<T>();
    s * p + x.hypot(w[2]) + x.atan2(w[1]).cos()
}

#[test]
fn lifetimes_loops_and_sums() {
    for x in [[0.3, 1.0, 2.0, -0.5], [-0.8, 0.4, -1.5, 0.25]] {
        check_both(
            "mixed",
            &x,
            |x| {
                let (v, dx, dw) = mixed_grad(x[0], &[x[1], x[2], x[3]], 4);
                (v, [vec![dx], dw.to_vec()].concat())
            },
            |x| mixed(x[0], &[x[1], x[2], x[3]], 4),
            |x| {
                let (v, dx, dw) = mixed_grad(x[0], &[x[1], x[2], x[3]], 4);
                (v, [vec![dx], dw.to_vec()].concat())
            },
            |x| mixed(x[0], &[x[1], x[2], x[3]], 4),
        );
    }
}

/// Writes through a `&mut` slice: only a pullback, generic too.
#[differentiable]
fn scale_into<T: Real>(out: &mut [T], xs: &[T], k: T) {
    for i in 0..xs.len() {
        out[i] = xs[i] * k + out[i].sin();
    }
}

/// Local arrays and `vec!` buffers of `T`, a call writing into one, an array sum.
#[differentiable]
fn buffers<T: Real>(x: T, ys: &[T]) -> T {
    let mut h = [T::ZERO; 3];
    for i in 0..3 {
        h[i] = x * T::from_i32(i as i32 + 1);
    }
    let mut buf = vec![T::ONE; ys.len()];
    scale_into(&mut buf, ys, x);
    let mut s = T::NEG_ZERO;
    for (i, &b) in buf.iter().enumerate() {
        s += b * h[i % 3] - (b / x).clamp(-T::ONE, T::ONE);
    }
    s + h.iter().map(|&v| v * v).sum::<T>() + x.mul_add(ys[0], ys[1]).cbrt()
}

#[test]
fn arrays_buffers_and_pullbacks() {
    for x in [&[0.7, 1.0, 2.0, 0.5][..], &[-1.3, 0.4, -1.5, 0.25, 2.5]] {
        check_both(
            "buffers",
            x,
            |x| {
                let (v, dx, dys) = buffers_grad(x[0], &x[1..]);
                (v, [vec![dx], dys].concat())
            },
            |x| buffers(x[0], &x[1..]),
            |x| {
                let (v, dx, dys) = buffers_grad(x[0], &x[1..]);
                (v, [vec![dx], dys].concat())
            },
            |x| buffers(x[0], &x[1..]),
        );
    }
}

/// The value and gradient at `f32` are exactly those of the same function written for `f32`
/// (the generic code is the concrete code with `T` substituted).
#[differentiable]
fn concrete32(x: f32, ys: &[f32]) -> f32 {
    let mut s = 0.0;
    for i in 0..ys.len() {
        s += (x * ys[i]).sin() * 0.5;
    }
    s + x * x + 1.0
}

#[test]
fn same_as_concrete_code() {
    let ys = [1.0f32, 2.0, -0.75];
    let (v, dx, dys) = f_grad(0.3f32, &ys);
    let (w, ex, eys) = concrete32_grad(0.3f32, &ys);
    assert_eq!(v.to_bits(), w.to_bits());
    assert_eq!(dx.to_bits(), ex.to_bits());
    assert_eq!(dys, eys);
}

/// A concrete function calling generic ones (instantiated at `f64`).
#[differentiable]
fn concrete_caller(x: f64, ys: &[f64]) -> f64 {
    square(x) + f(x, ys) * branchy(x, ys[0])
}

#[test]
fn concrete_code_calls_generic_code() {
    for x in [[0.3, 1.0, 2.0], [1.4, -0.6, 0.5]] {
        check_point(
            "concrete_caller",
            &x,
            {
                let (v, dx, dys) = concrete_caller_grad(x[0], &x[1..]);
                (v, [vec![dx], dys].concat())
            },
            |x| concrete_caller(x[0], &x[1..]),
            None,
            true,
        );
    }
}

/// An `f64` function with a lifetime parameter: its companions, `_graph` included, carry it.
#[differentiable]
fn with_lifetime<'a>(xs: &'a [f64], k: f64) -> f64 {
    xs[0] * k + xs[1].sin()
}

#[test]
fn lifetimes_on_concrete_code() {
    let (v, dxs, dk) = with_lifetime_grad(&[2.0, 0.5], 3.0);
    assert_eq!(v, with_lifetime(&[2.0, 0.5], 3.0));
    assert_eq!((dxs, dk), (vec![3.0, 0.5f64.cos()], 2.0));
    assert_eq!(with_lifetime_graph(&[2.0, 0.5], 3.0).data(), v);
}
