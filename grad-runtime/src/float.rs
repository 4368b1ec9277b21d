//! The [`Float`] trait: the scalar types the rules are written for (`f32`, `f64` and their
//! [`Dual`](crate::Dual) numbers).

use core::ops::{Add, Div, Mul, Neg, Sub};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl<F: super::Float> Sealed for crate::dual::Dual<F> {}
}

macro_rules! float_methods {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = concat!("The inherent `", stringify!($name), "` of the float type.")]
            fn $name(self) -> Self;
        )*
    };
}

macro_rules! forward_methods {
    ($($name:ident),* $(,)?) => {
        $(
            #[inline(always)]
            fn $name(self) -> Self {
                Self::$name(self)
            }
        )*
    };
}

/// A floating-point scalar the derivative rules work on: implemented for `f32` and `f64`, and for
/// [`Dual<F>`](crate::Dual) of any `F: Float` (forward-mode dual numbers).
///
/// Every method forwards to the inherent method of the same name, so a rule computes its value
/// with exactly the operation the user's plain function performs (bit-for-bit the same result).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a float type",
    label = "a differentiable function computes with `f64`, `f32` or a type parameter `T: Real`",
    note = "a function without `f64`/`f32` in its signature takes the type it returns (or the \
            one-letter type of its slices) as its float type"
)]
pub trait Float:
    sealed::Sealed
    + Copy
    + PartialOrd
    + core::fmt::Debug
    + core::fmt::Display
    + Default
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + crate::stack::Recycled
    + crate::stack::Sink<Slot = Self>
    + 'static
{
    /// Zero.
    const ZERO: Self;
    /// Negative zero, `-0.0`: the additive identity (`-0.0 + x` is `x` bit for bit, also for
    /// `x = -0.0`), which generated code starts sums from.
    const NEG_ZERO: Self;
    /// One.
    const ONE: Self;
    /// ln(2).
    const LN_2: Self;
    /// ln(10).
    const LN_10: Self;
    /// Positive infinity.
    const INFINITY: Self;
    /// Negative infinity.
    const NEG_INFINITY: Self;
    /// The difference between 1 and the next larger number.
    const EPSILON: Self;
    /// The largest finite number.
    const MAX: Self;
    /// The smallest (most negative) finite number.
    const MIN: Self;
    /// A quiet NaN.
    const NAN: Self;

    /// Converts an `f64` constant to this type (rounding for `f32`).
    fn from_f64(x: f64) -> Self;
    /// Converts an `i32` to this type.
    fn from_i32(n: i32) -> Self;
    /// Widens to `f64` (exact for `f32`).
    fn to_f64(self) -> f64;
    /// `true` if the value is NaN.
    fn is_nan(self) -> bool;
    /// The inherent `is_finite`.
    fn is_finite(self) -> bool;
    /// The inherent `is_infinite`.
    fn is_infinite(self) -> bool;
    /// The inherent `is_normal`.
    fn is_normal(self) -> bool;
    /// The inherent `is_subnormal`.
    fn is_subnormal(self) -> bool;
    /// The inherent `is_sign_negative`.
    fn is_sign_negative(self) -> bool;
    /// The inherent `is_sign_positive`.
    fn is_sign_positive(self) -> bool;

    float_methods!(
        sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, exp, exp2, exp_m1,
        ln, log2, log10, ln_1p, sqrt, cbrt, recip, abs, signum, floor, ceil, round, trunc,
        to_degrees, to_radians,
    );
    /// The inherent `powi`.
    fn powi(self, n: i32) -> Self;
    /// The inherent `powf`.
    fn powf(self, n: Self) -> Self;
    /// The inherent `log`.
    fn log(self, base: Self) -> Self;
    /// The inherent `mul_add`.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// The inherent `hypot`.
    fn hypot(self, other: Self) -> Self;
    /// The inherent `atan2`.
    fn atan2(self, other: Self) -> Self;
    /// The inherent `max`.
    fn max(self, other: Self) -> Self;
    /// The inherent `min`.
    fn min(self, other: Self) -> Self;
    /// The inherent `clamp` (panics, as the inherent one does, if `lo > hi` or either is NaN).
    fn clamp(self, lo: Self, hi: Self) -> Self;
    /// The inherent `total_cmp` (IEEE 754 total order; a dual number compares its value), so
    /// `max_by(|a, b| a.total_cmp(b))` is written the same in generic code.
    fn total_cmp(&self, other: &Self) -> core::cmp::Ordering;

    /// `self * c` for a constant `c` (a partial that depends on no value, such as the `±1` of
    /// `a + b`): the same product, and for a dual number one that skips the constant's zero
    /// tangent. Generated code scales adjoints by constant partials with it.
    #[inline(always)]
    fn mul_const(self, c: Self) -> Self {
        self * c
    }

    /// Whether an adjoint is exactly zero (either sign), so that a loop's reverse it alone
    /// feeds adds nothing and is skipped (the `skip` pass). For a dual number both parts
    /// must be zero: a zero gradient can still carry a Hessian-vector product.
    #[inline(always)]
    fn is_zero_adjoint(self) -> bool {
        self == Self::ZERO
    }
}

macro_rules! impl_float {
    ($t:ident) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const NEG_ZERO: Self = -0.0;
            const ONE: Self = 1.0;
            const LN_2: Self = core::$t::consts::LN_2;
            const LN_10: Self = core::$t::consts::LN_10;
            const INFINITY: Self = $t::INFINITY;
            const NEG_INFINITY: Self = $t::NEG_INFINITY;
            const EPSILON: Self = $t::EPSILON;
            const MAX: Self = $t::MAX;
            const MIN: Self = $t::MIN;
            const NAN: Self = $t::NAN;

            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn from_i32(n: i32) -> Self {
                n as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                $t::is_nan(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                $t::is_finite(self)
            }
            #[inline(always)]
            fn is_infinite(self) -> bool {
                $t::is_infinite(self)
            }
            #[inline(always)]
            fn is_normal(self) -> bool {
                $t::is_normal(self)
            }
            #[inline(always)]
            fn is_subnormal(self) -> bool {
                $t::is_subnormal(self)
            }
            #[inline(always)]
            fn is_sign_negative(self) -> bool {
                $t::is_sign_negative(self)
            }
            #[inline(always)]
            fn is_sign_positive(self) -> bool {
                $t::is_sign_positive(self)
            }
            forward_methods!(
                sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, exp, exp2,
                exp_m1, ln, log2, log10, ln_1p, sqrt, cbrt, recip, abs, signum, floor, ceil, round,
                trunc, to_degrees, to_radians,
            );
            #[inline(always)]
            fn powi(self, n: i32) -> Self {
                $t::powi(self, n)
            }
            #[inline(always)]
            fn powf(self, n: Self) -> Self {
                $t::powf(self, n)
            }
            #[inline(always)]
            fn log(self, base: Self) -> Self {
                $t::log(self, base)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                $t::mul_add(self, a, b)
            }
            #[inline(always)]
            fn hypot(self, other: Self) -> Self {
                $t::hypot(self, other)
            }
            #[inline(always)]
            fn atan2(self, other: Self) -> Self {
                $t::atan2(self, other)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                $t::max(self, other)
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                $t::min(self, other)
            }
            #[inline(always)]
            fn clamp(self, lo: Self, hi: Self) -> Self {
                $t::clamp(self, lo, hi)
            }
            #[inline(always)]
            fn total_cmp(&self, other: &Self) -> core::cmp::Ordering {
                $t::total_cmp(self, other)
            }
        }
    };
}

impl_float!(f32);
impl_float!(f64);
