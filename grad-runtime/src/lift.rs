//! [`Lift`]: a constant of a concrete float type as a value of a float type that extends it.

/// Converts a constant of the float type `F` to `Self`, exactly: `f64` to `f64` (the same
/// value) and, for forward-mode dual numbers over `F`, to a dual with a zero tangent.
///
/// Code generated for Hessians and directional derivatives runs a function written for `f64`
/// on dual numbers; its literals and casts (`2.0`, `n as f64`, `PI`) go through `lift`, so the
/// value part is bit for bit what the `f64` code computes.
///
/// ```
/// use grad_runtime::Lift;
///
/// assert_eq!(<f64 as Lift<f64>>::lift(2.5), 2.5);
/// ```
pub trait Lift<F>: Sized {
    /// `x` as a value of this type.
    fn lift(x: F) -> Self;
}

impl Lift<f64> for f64 {
    #[inline(always)]
    fn lift(x: f64) -> Self {
        x
    }
}

impl Lift<f32> for f32 {
    #[inline(always)]
    fn lift(x: f32) -> Self {
        x
    }
}

impl<F: crate::Float> Lift<F> for crate::dual::Dual<F> {
    #[inline(always)]
    fn lift(x: F) -> Self {
        crate::dual::Dual::constant(x)
    }
}

/// A value of a float type that extends `F` as its value and tangent parts: a dual number's
/// two parts, or a plain float and a zero tangent. Code generated on dual numbers takes a
/// call's arguments apart with [`Tangent::parts`] to call the callee's `_jvp` or `_hvp` (its
/// own or a hand-written custom rule) on plain floats, and builds the result with
/// [`Tangent::from_parts`].
///
/// ```
/// use grad_runtime::{Dual, Tangent};
///
/// assert_eq!(Dual::new(2.0, 0.5).parts(), (2.0, 0.5));
/// assert_eq!(<f64 as Tangent<f64>>::from_parts(3.0, 1.0), 3.0); // a float has no tangent
/// ```
pub trait Tangent<F>: Lift<F> {
    /// The value and the tangent.
    fn parts(self) -> (F, F);
    /// A value with this tangent (a plain float drops it).
    fn from_parts(value: F, tangent: F) -> Self;
}

macro_rules! plain_tangent {
    ($($t:ty),*) => {$(
        impl Tangent<$t> for $t {
            #[inline(always)]
            fn parts(self) -> ($t, $t) {
                (self, 0.0)
            }
            #[inline(always)]
            fn from_parts(value: $t, _tangent: $t) -> Self {
                value
            }
        }
    )*};
}

plain_tangent!(f32, f64);

impl<F: crate::Float> Tangent<F> for crate::dual::Dual<F> {
    #[inline(always)]
    fn parts(self) -> (F, F) {
        (self.v, self.d)
    }
    #[inline(always)]
    fn from_parts(value: F, tangent: F) -> Self {
        crate::dual::Dual::new(value, tangent)
    }
}

/// A constant argument of a call in code generated on dual numbers, of a type the macro cannot
/// see (`f(x, K)`): a float constant becomes a value of the float type `T` ([`Lift`]); an
/// integer or a `bool` stays what it is.
pub trait TwinArg<T> {
    /// What the argument becomes.
    type Out;
    /// Converts the argument.
    fn arg(self) -> Self::Out;
}

impl<T: Lift<f64>> TwinArg<T> for f64 {
    type Out = T;
    #[inline(always)]
    fn arg(self) -> T {
        T::lift(self)
    }
}

impl<T: Lift<f32>> TwinArg<T> for f32 {
    type Out = T;
    #[inline(always)]
    fn arg(self) -> T {
        T::lift(self)
    }
}

macro_rules! unchanged_args {
    ($($t:ty),*) => {$(
        impl<T> TwinArg<T> for $t {
            type Out = $t;
            #[inline(always)]
            fn arg(self) -> $t {
                self
            }
        }
    )*};
}

unchanged_args!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool);
