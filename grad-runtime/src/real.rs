//! The [`Real`] trait: the float type of generic code (`fn f<T: Real>(x: T) -> T`), and the
//! activation functions that `f32` and `f64` lack, usable in plain code.

use crate::float::Float;
use core::iter::{Product, Sum};
use core::ops::{AddAssign, DivAssign, MulAssign, Rem, RemAssign, SubAssign};

/// The float type of generic code, implemented for `f32`, `f64` and their [`Dual`](crate::Dual)
/// numbers, in scope through `grad::prelude::*`; plus the activation functions `relu` and
/// `sigmoid`.
///
/// With `T: Real` a function has everything a concrete float body uses:
///
/// - the operators `+ - * / %` and unary `-`, the compound assignments `+= -= *= /= %=`,
///   the comparisons (`PartialOrd`, `PartialEq`), `Sum` and `Product` of iterators;
/// - every float method `#[differentiable]` differentiates (`x.sin()`, `x.powi(2)`,
///   `x.max(y)`, `x.mul_add(a, b)`, ... from [`Float`], callable on `T` without importing
///   it), and [`relu`](Real::relu) / [`sigmoid`](Real::sigmoid);
/// - the constants and constructors `T::ZERO`, `T::ONE`, `T::NEG_ZERO`, `T::INFINITY`,
///   `T::from_f64(0.5)` and `T::from_i32(n)` (a float literal has no generic type, so
///   `x * 2.0` is written `x * T::from_f64(2.0)`).
///
/// ```
/// use grad_runtime::Real;
///
/// assert_eq!((-2.0_f64).relu(), 0.0);
/// assert_eq!(3.0_f64.relu(), 3.0);
/// assert_eq!(0.0_f32.sigmoid(), 0.5);
///
/// fn norm2<T: Real>(xs: &[T]) -> T {
///     let mut s = T::ZERO;
///     for &x in xs {
///         s += x.powi(2);
///     }
///     s.sqrt() * T::from_f64(1.0)
/// }
/// assert_eq!(norm2(&[3.0_f64, 4.0]), 5.0);
/// assert_eq!(norm2(&[3.0_f32, 4.0]), 5.0);
/// ```
pub trait Real:
    Float
    + crate::differentiable::Differentiable
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Rem<Output = Self>
    + RemAssign
    + PartialEq
    + Sum
    + Product
    + for<'a> Sum<&'a Self>
    + for<'a> Product<&'a Self>
{
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

    /// `(sin x, cos x)`, as `f64::sin_cos` computes it (for generic code: `let (s, c) =
    /// x.sin_cos();` in a `T: Real` function).
    fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
}

impl Real for f32 {}
impl Real for f64 {}
