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

/// A field of a differentiated struct parameter read in code generated on dual numbers
/// (`_hvp`, `_hessian` of a function taking `p: &S`): a float field becomes a dual number
/// whose tangent is the tangent struct's field; an integer or a `bool` stays what it is.
///
/// The tangent of a field is `tangent - shadow`, where the shadow is `zero_like` of the
/// tangent struct with its constants put back (`restore_constants`): zero for a
/// differentiated float, and equal to the tangent's own value for a `#[grad(skip)]` constant,
/// whose tangent is therefore exactly zero (compared bit for bit, so a NaN or infinite
/// constant gives zero too).
pub trait TwinField<T> {
    /// What the field becomes.
    type Out;
    /// The field as a value of the twin, from its value, its tangent and its shadow.
    fn field(self, tangent: Self, shadow: Self) -> Self::Out;
}

macro_rules! float_fields {
    ($($t:ty),*) => {$(
        impl<T: Tangent<$t>> TwinField<T> for $t {
            type Out = T;
            #[inline(always)]
            fn field(self, tangent: $t, shadow: $t) -> T {
                let d = if tangent.to_bits() == shadow.to_bits() { 0.0 } else { tangent - shadow };
                T::from_parts(self, d)
            }
        }
    )*};
}

float_fields!(f32, f64);

macro_rules! unchanged_fields {
    ($($t:ty),*) => {$(
        impl<T> TwinField<T> for $t {
            type Out = $t;
            #[inline(always)]
            fn field(self, _tangent: $t, _shadow: $t) -> $t {
                self
            }
        }
    )*};
}

unchanged_fields!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool);

/// Adds an adjoint on dual numbers into a struct field's gradient (`value`) and the field's
/// Hessian-vector product (`tangent`): the two parts of `x`, through
/// [`crate::differentiable::CastAdjoint`] (so an integer field read through a cast takes
/// nothing).
#[inline(always)]
pub fn add_dual<F, A, T>(value: &mut A, tangent: &mut A, x: T)
where
    T: Tangent<F>,
    A: crate::differentiable::CastAdjoint<F>,
{
    let (v, d) = x.parts();
    value.add_adjoint(v);
    tangent.add_adjoint(d);
}

/// `(value, tangent) += alpha (x, x_tangent)` for struct gradients on dual numbers: a fused
/// loop's scratch gradient added in by the gradient twin. The value part is exactly
/// `value.axpy(alpha.value, x)`, as the plain gradient adds it.
#[inline]
pub fn axpy_dual<S, F, T>(value: &mut S, tangent: &mut S, alpha: T, x: &S, x_tangent: &S)
where
    S: crate::Differentiable,
    F: crate::Float,
    T: Tangent<F>,
{
    let (a, b) = alpha.parts();
    value.axpy_slots(a.to_f64(), x);
    tangent.axpy_slots(b.to_f64(), x);
    tangent.axpy_slots(a.to_f64(), x_tangent);
}

/// Adds NaN into the adjoint slot of a parameter a pullback does not differentiate (a
/// parameter `wrt(...)` leaves out that flows into a plain helper, which has no derivative):
/// a caller that differentiates through it gets NaN, not a gradient missing the helper's part.
#[doc(hidden)]
pub fn unknown_adjoints<T: crate::Float>(slot: &mut [T]) {
    for e in slot {
        *e = *e + T::NAN;
    }
}

/// [`unknown_adjoints`] of a float parameter.
#[doc(hidden)]
pub fn unknown_adjoint<T: crate::Float>(slot: &mut T) {
    *slot = *slot + T::NAN;
}

/// [`unknown_adjoints`] on dual numbers: both parts NaN (the gradient and the Hessian-vector
/// product of such a parameter are unknown).
#[doc(hidden)]
pub fn unknown_dual_adjoints<F: crate::Float, T: Tangent<F> + Copy + core::ops::Add<Output = T>>(
    slot: &mut [T],
) {
    for e in slot {
        *e = *e + T::from_parts(F::NAN, F::NAN);
    }
}

/// [`unknown_dual_adjoints`] of a float parameter.
#[doc(hidden)]
pub fn unknown_dual_adjoint<F: crate::Float, T: Tangent<F> + Copy + core::ops::Add<Output = T>>(
    slot: &mut T,
) {
    *slot = *slot + T::from_parts(F::NAN, F::NAN);
}

/// Whether a float argument of code on dual numbers carries a tangent.
#[doc(hidden)]
pub fn has_tangent<F: crate::Float, T: Tangent<F> + Copy>(x: T) -> bool {
    x.parts().1 != F::ZERO
}

/// Whether an element of an array argument of code on dual numbers carries a tangent.
#[doc(hidden)]
pub fn has_tangents<F: crate::Float, T: Tangent<F> + Copy>(xs: &[T]) -> bool {
    xs.iter().any(|&x| has_tangent(x))
}

/// `x` with a NaN tangent: the forward sweep of a function whose parameter left out by
/// `wrt(...)` flows into a plain helper, when a caller gives that parameter a tangent.
#[doc(hidden)]
pub fn unknown_tangent<F: crate::Float, T: Tangent<F> + Copy>(x: T) -> T {
    T::from_parts(x.parts().0, F::NAN)
}
