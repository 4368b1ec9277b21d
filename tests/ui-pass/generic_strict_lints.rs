//! Generic float code must compile under the strictest crate-level lints a user may set.
#![forbid(unsafe_code)]
#![deny(warnings)]
#![deny(missing_docs)]

use grad::prelude::*;

/// A generic helper.
#[differentiable]
pub fn sq<T: Real>(t: T) -> T {
    t * t
}

/// Local arrays, buffers, loops, branches and calls at the float type `T`.
#[differentiable]
pub fn loss<'a, T>(x: &'a [T], w: [T; 3], n: usize) -> T
where
    T: Real,
{
    let mut h = [T::ZERO; 3];
    for i in 0..3 {
        h[i] = w[i] * T::from_f64(0.5);
    }
    let mut buf = vec![T::ZERO; n];
    for (i, &v) in x.iter().enumerate() {
        if i < n {
            buf[i] = v.tanh();
        }
    }
    let mut s = T::NEG_ZERO;
    for &v in x {
        if v > T::ZERO {
            s += sq(v) * h[0];
        } else {
            s -= v.relu() + h[1];
        }
    }
    s + buf.iter().sum::<T>() * h[2]
}

/// Bounds in both places and lifetime bounds.
#[differentiable]
pub fn both<'a, 'b: 'a, T: Real>(x: &'a [T], y: &'b [T]) -> T
where
    T: Real,
    'b: 'a,
{
    x[0] * y[0]
}

fn main() {
    assert!(both_grad(&[2.0_f32], &[3.0]).0 == 6.0);
    let (v, dx, dw) = loss_grad(&[1.0_f64, -2.0], [1.0, 2.0, 3.0], 2);
    let (v32, dx32, dw32) = loss_grad(&[1.0_f32, -2.0], [1.0, 2.0, 3.0], 2);
    assert!(v.is_finite() && v32.is_finite() && dx.len() == dx32.len() && dw.len() == dw32.len());
}
