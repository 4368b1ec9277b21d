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
