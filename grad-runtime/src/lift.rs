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
