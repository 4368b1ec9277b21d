//! The [`Real`] trait: activation functions that `f32` and `f64` lack, usable in plain code.

use crate::float::Float;

/// Activation functions for `f32` and `f64`, in scope through `grad::prelude::*`.
///
/// They are ordinary methods, so a `#[differentiable]` function that calls `x.relu()` still
/// compiles and runs as plain Rust; the macro differentiates them with the rules in
/// [`crate::rules`].
///
/// ```
/// use grad_runtime::Real;
///
/// assert_eq!((-2.0_f64).relu(), 0.0);
/// assert_eq!(3.0_f64.relu(), 3.0);
/// assert_eq!(0.0_f32.sigmoid(), 0.5);
/// ```
pub trait Real: Float + crate::differentiable::Differentiable {
    /// `max(x, 0)`: returns `x` when `x > 0`, else `0` (NaN gives `0`).
    fn relu(self) -> Self {
        if self > Self::ZERO {
            self
        } else {
            Self::ZERO
        }
    }

    /// The logistic function `1 / (1 + exp(-x))`.
    fn sigmoid(self) -> Self {
        Self::ONE / (Self::ONE + (-self).exp())
    }
}

impl Real for f32 {}
impl Real for f64 {}
