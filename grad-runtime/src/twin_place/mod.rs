//! Places of struct parameters passed to calls in the code generated on dual numbers (the
//! twins behind `_hvp` / `_hessian`): `dot(&self.w, x)`, `self.layers[0].forward(x, &mut h)`.
//!
//! The macro sees a place (`&self.w`, `&self.layers[0]`) but not its type, so the argument is
//! built by method resolution on the place's type (probes, one auto-dereference per level,
//! the first that applies wins):
//! - floats (`Vec<F>`, `[F]`, `[F; N]`): dual numbers, each element's tangent read from the
//!   tangent struct as [`crate::TwinField`] reads a field; in the reverse sweep a buffer of
//!   dual adjoints, split into the gradient and the Hessian-vector product after the call;
//! - a struct ([`crate::Differentiable`]): the struct with its tangent and shadow ([`TwinRef`]), and in
//!   the reverse sweep its two gradients ([`TwinMut`]);
//! - anything else (indices, settings): the place itself, and `()` as its slot.
//!
//! A place of a struct the code does not differentiate goes through the `Const` probes: its
//! floats are lifted with a zero tangent, a struct is passed as it is.
//!
//! A struct parameter of a twin that carries a tangent takes `impl TwinStruct<S>`: a
//! [`TwinRef`], or a plain `&S`, whose tangent is zero.
//!
//! `args.rs` builds the arguments, `slots.rs` the adjoint slots.

mod args;
mod slots;

pub use args::*;
pub use slots::*;

use crate::lift::Tangent;

/// A struct argument with its tangent and the tangent's shadow (see [`crate::TwinField`]).
pub struct TwinRef<'a, S: ?Sized> {
    /// The struct.
    pub value: &'a S,
    /// Its tangent.
    pub tangent: &'a S,
    /// `zero_like` of the tangent with its constants put back (see [`crate::TwinField`]).
    pub shadow: &'a S,
}

impl<S: ?Sized> Clone for TwinRef<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ?Sized> Copy for TwinRef<'_, S> {}

/// A struct parameter of a twin: the struct, its tangent and the tangent's shadow.
pub trait TwinStruct<S: ?Sized> {
    /// `(value, tangent, shadow)`.
    fn parts(&self) -> (&S, &S, &S);
}

/// A plain struct: its tangent is zero (the tangent and the shadow are the same value).
impl<S: ?Sized> TwinStruct<S> for &S {
    #[inline(always)]
    fn parts(&self) -> (&S, &S, &S) {
        (self, self, self)
    }
}

impl<S: ?Sized> TwinStruct<S> for TwinRef<'_, S> {
    #[inline(always)]
    fn parts(&self) -> (&S, &S, &S) {
        (self.value, self.tangent, self.shadow)
    }
}

impl<S: ?Sized> TwinStruct<S> for &TwinRef<'_, S> {
    #[inline(always)]
    fn parts(&self) -> (&S, &S, &S) {
        (self.value, self.tangent, self.shadow)
    }
}

/// The two gradients of a struct in the reverse sweep on dual numbers: the value parts (the
/// gradient) and the tangent parts (the Hessian-vector product).
pub struct TwinMut<'a, S: ?Sized> {
    /// The gradient.
    pub value: &'a mut S,
    /// The Hessian-vector product.
    pub tangent: &'a mut S,
}

impl<S: ?Sized> TwinMut<'_, S> {
    /// The slot passed to the callee.
    #[inline(always)]
    pub fn arg(&mut self) -> TwinMut<'_, S> {
        TwinMut {
            value: &mut *self.value,
            tangent: &mut *self.tangent,
        }
    }

    /// After the call: nothing to do.
    #[inline(always)]
    pub fn finish(self) {}
}

/// The floats a field can hold.
pub trait TwinFloat: Copy + crate::Float {
    /// The tangent of an element: `tangent - shadow`, exactly zero where the two are the same
    /// value (a constant; see [`crate::TwinField`]).
    fn tangent_of(tangent: Self, shadow: Self) -> Self;
}

macro_rules! twin_floats {
    ($($t:ty),*) => {$(
        impl TwinFloat for $t {
            #[inline(always)]
            fn tangent_of(tangent: $t, shadow: $t) -> $t {
                if tangent.to_bits() == shadow.to_bits() { 0.0 } else { tangent - shadow }
            }
        }
    )*};
}

twin_floats!(f32, f64);

pub(crate) fn duals<F: TwinFloat, T: Tangent<F>>(v: &[F], t: &[F], s: &[F]) -> Vec<T> {
    v.iter()
        .zip(t)
        .zip(s)
        .map(|((&v, &t), &s)| T::from_parts(v, F::tangent_of(t, s)))
        .collect()
}

/// The integers (and `bool`s) a field can hold: data, passed as it is.
pub trait TwinInt: Copy {}

macro_rules! twin_ints {
    ($($t:ty),*) => {$( impl TwinInt for $t {} )*};
}

twin_ints!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool);

/// What a probe gave, as the callee takes it: floats by reference (`&[T]`, `&[T; N]`), the
/// rest as it is.
pub trait TwinArgOf<'b> {
    /// The argument.
    type Out;
    /// The argument.
    fn twin_arg(&'b self) -> Self::Out;
}

impl<'b, T: 'b> TwinArgOf<'b> for Vec<T> {
    type Out = &'b [T];
    #[inline(always)]
    fn twin_arg(&'b self) -> &'b [T] {
        self
    }
}

impl<'b, T: 'b, const N: usize> TwinArgOf<'b> for [T; N] {
    type Out = &'b [T; N];
    #[inline(always)]
    fn twin_arg(&'b self) -> &'b [T; N] {
        self
    }
}

impl<'a, S: ?Sized> TwinArgOf<'_> for TwinRef<'a, S> {
    type Out = TwinRef<'a, S>;
    #[inline(always)]
    fn twin_arg(&self) -> TwinRef<'a, S> {
        *self
    }
}

impl<'a, P: ?Sized> TwinArgOf<'_> for &'a P {
    type Out = &'a P;
    #[inline(always)]
    fn twin_arg(&self) -> &'a P {
        self
    }
}

/// `a` as the callee takes it (see [`TwinArgOf`]).
#[inline(always)]
pub fn arg<'b, A: TwinArgOf<'b>>(a: &'b A) -> A::Out {
    a.twin_arg()
}
