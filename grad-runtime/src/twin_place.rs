//! Places of struct parameters passed to calls in the code generated on dual numbers (the
//! twins behind `_hvp` / `_hessian`): `dot(&self.w, x)`, `self.layers[0].forward(x, &mut h)`.
//!
//! The macro sees a place (`&self.w`, `&self.layers[0]`) but not its type, so the argument is
//! built by method resolution on the place's type (probes, one auto-dereference per level,
//! the first that applies wins):
//! - floats (`Vec<F>`, `[F]`, `[F; N]`): dual numbers, each element's tangent read from the
//!   tangent struct as [`crate::TwinField`] reads a field; in the reverse sweep a buffer of
//!   dual adjoints, split into the gradient and the Hessian-vector product after the call;
//! - a struct ([`Differentiable`]): the struct with its tangent and shadow ([`TwinRef`]), and in
//!   the reverse sweep its two gradients ([`TwinMut`]);
//! - anything else (indices, settings): the place itself, and `()` as its slot.
//!
//! A place of a struct the code does not differentiate goes through the `Const` probes: its
//! floats are lifted with a zero tangent, a struct is passed as it is.
//!
//! A struct parameter of a twin that carries a tangent takes `impl TwinStruct<S>`: a
//! [`TwinRef`], or a plain `&S`, whose tangent is zero.

use crate::differentiable::Differentiable;
use crate::lift::{Lift, Tangent};
use std::cell::Cell;

/// A struct argument with its tangent and the tangent's shadow (see [`crate::TwinField`]).
pub struct TwinRef<'a, S: ?Sized> {
    /// The struct.
    pub value: &'a S,
    /// Its tangent.
    pub tangent: &'a S,
    /// `zero_like` of the tangent.
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

fn duals<F: TwinFloat, T: Tangent<F>>(v: &[F], t: &[F], s: &[F]) -> Vec<T> {
    v.iter()
        .zip(t)
        .zip(s)
        .map(|((&v, &t), &s)| T::from_parts(v, F::tangent_of(t, s)))
        .collect()
}

/// A place passed to a call by a twin, with its tangent and shadow places.
pub struct PlaceProbe<'a, P: ?Sized>(pub &'a P, pub &'a P, pub &'a P);

/// A float slice or `Vec`: dual numbers.
pub trait PlaceFloats<F> {
    /// The argument.
    fn twin_place<T: Tangent<F>>(&self) -> Vec<T>;
}

impl<F: TwinFloat> PlaceFloats<F> for &&PlaceProbe<'_, [F]> {
    fn twin_place<T: Tangent<F>>(&self) -> Vec<T> {
        duals(self.0, self.1, self.2)
    }
}

impl<F: TwinFloat> PlaceFloats<F> for &&PlaceProbe<'_, Vec<F>> {
    fn twin_place<T: Tangent<F>>(&self) -> Vec<T> {
        duals(self.0, self.1, self.2)
    }
}

/// A float array: an array of dual numbers.
pub trait PlaceArray<F, const N: usize> {
    /// The argument.
    fn twin_place<T: Tangent<F>>(&self) -> [T; N];
}

impl<F: TwinFloat, const N: usize> PlaceArray<F, N> for &&PlaceProbe<'_, [F; N]> {
    fn twin_place<T: Tangent<F>>(&self) -> [T; N] {
        core::array::from_fn(|k| T::from_parts(self.0[k], F::tangent_of(self.1[k], self.2[k])))
    }
}

/// The integers (and `bool`s) a field can hold: data, passed as it is.
pub trait TwinInt: Copy {}

macro_rules! twin_ints {
    ($($t:ty),*) => {$( impl TwinInt for $t {} )*};
}

twin_ints!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool);

/// Integers (indices): the place itself, before a `Vec<usize>` can be taken for a struct.
pub trait PlaceInts<'a, P: ?Sized> {
    /// The argument.
    fn twin_place<T>(&self) -> &'a P;
}

impl<'a, I: TwinInt> PlaceInts<'a, Vec<I>> for &&PlaceProbe<'a, Vec<I>> {
    #[inline(always)]
    fn twin_place<T>(&self) -> &'a Vec<I> {
        self.0
    }
}

impl<'a, I: TwinInt> PlaceInts<'a, [I]> for &&PlaceProbe<'a, [I]> {
    #[inline(always)]
    fn twin_place<T>(&self) -> &'a [I] {
        self.0
    }
}

impl<'a, I: TwinInt, const N: usize> PlaceInts<'a, [I; N]> for &&PlaceProbe<'a, [I; N]> {
    #[inline(always)]
    fn twin_place<T>(&self) -> &'a [I; N] {
        self.0
    }
}

/// A struct: itself with its tangent.
pub trait PlaceStruct<'a, S: ?Sized> {
    /// The argument.
    fn twin_place<T>(&self) -> TwinRef<'a, S>;
}

impl<'a, S: Differentiable> PlaceStruct<'a, S> for &PlaceProbe<'a, S> {
    #[inline(always)]
    fn twin_place<T>(&self) -> TwinRef<'a, S> {
        TwinRef {
            value: self.0,
            tangent: self.1,
            shadow: self.2,
        }
    }
}

/// Anything else: the place itself.
pub trait PlaceOther<'a, P: ?Sized> {
    /// The argument.
    fn twin_place<T>(&self) -> &'a P;
}

impl<'a, P: ?Sized> PlaceOther<'a, P> for PlaceProbe<'a, P> {
    #[inline(always)]
    fn twin_place<T>(&self) -> &'a P {
        self.0
    }
}

/// A place of a struct without tangent passed to a call by a twin.
pub struct ConstProbe<'a, P: ?Sized>(pub &'a P);

/// A float slice or `Vec` without tangent: lifted.
pub trait ConstFloats<F> {
    /// The argument.
    fn twin_place<T: Lift<F>>(&self) -> Vec<T>;
}

impl<F: TwinFloat> ConstFloats<F> for &ConstProbe<'_, [F]> {
    fn twin_place<T: Lift<F>>(&self) -> Vec<T> {
        self.0.iter().map(|&x| T::lift(x)).collect()
    }
}

impl<F: TwinFloat> ConstFloats<F> for &ConstProbe<'_, Vec<F>> {
    fn twin_place<T: Lift<F>>(&self) -> Vec<T> {
        self.0.iter().map(|&x| T::lift(x)).collect()
    }
}

/// A float array without tangent: lifted.
pub trait ConstArray<F, const N: usize> {
    /// The argument.
    fn twin_place<T: Lift<F>>(&self) -> [T; N];
}

impl<F: TwinFloat, const N: usize> ConstArray<F, N> for &ConstProbe<'_, [F; N]> {
    fn twin_place<T: Lift<F>>(&self) -> [T; N] {
        core::array::from_fn(|k| T::lift(self.0[k]))
    }
}

/// Anything else (a struct, indices): the place itself.
pub trait ConstOther<'a, P: ?Sized> {
    /// The argument.
    fn twin_place<T>(&self) -> &'a P;
}

impl<'a, P: ?Sized> ConstOther<'a, P> for ConstProbe<'a, P> {
    #[inline(always)]
    fn twin_place<T>(&self) -> &'a P {
        self.0
    }
}

/// The adjoint slots of a place passed to a call by a twin's reverse sweep: its gradient and
/// its Hessian-vector product (taken once, by the level that applies).
pub struct SlotProbe<'a, P: ?Sized>(Cell<Option<(&'a mut P, &'a mut P)>>);

impl<'a, P: ?Sized> SlotProbe<'a, P> {
    /// The probe of the two gradients of one place.
    pub fn new(value: &'a mut P, tangent: &'a mut P) -> Self {
        SlotProbe(Cell::new(Some((value, tangent))))
    }

    fn take(&self) -> (&'a mut P, &'a mut P) {
        match self.0.take() {
            Some(pair) => pair,
            None => unreachable!("grad: a slot probe is used once"),
        }
    }
}

/// The slot of floats: a buffer of dual adjoints, split into the two gradients by
/// [`DualSlot::finish`].
pub struct DualSlot<'a, F, T> {
    buf: Vec<T>,
    out: Option<(&'a mut [F], &'a mut [F])>,
}

impl<F: TwinFloat, T: Tangent<F>> DualSlot<'_, F, T> {
    /// The slot passed to the callee.
    #[inline(always)]
    pub fn arg(&mut self) -> &mut [T] {
        &mut self.buf
    }

    /// After the call: each dual adjoint back into the gradient and the Hessian-vector
    /// product (the buffer started from them, so the callee's additions happen in the order
    /// `_grad`'s do, and the gradient is `_grad`'s bit for bit).
    pub fn finish(self) {
        if let Some((value, tangent)) = self.out {
            for ((v, t), x) in value.iter_mut().zip(tangent.iter_mut()).zip(self.buf) {
                (*v, *t) = x.parts();
            }
        }
    }
}

/// A float slice or `Vec`.
pub trait SlotFloats<'a, F> {
    /// The slot.
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'a, F, T>;
}

fn dual_slot<'a, F: TwinFloat, T: Tangent<F>>(
    value: &'a mut [F],
    tangent: &'a mut [F],
) -> DualSlot<'a, F, T> {
    let buf = value
        .iter()
        .zip(tangent.iter())
        .map(|(&v, &t)| T::from_parts(v, t))
        .collect();
    DualSlot {
        buf,
        out: Some((value, tangent)),
    }
}

impl<'a, F: TwinFloat> SlotFloats<'a, F> for &&SlotProbe<'a, [F]> {
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'a, F, T> {
        let (v, t) = self.take();
        dual_slot(v, t)
    }
}

impl<'a, F: TwinFloat> SlotFloats<'a, F> for &&SlotProbe<'a, Vec<F>> {
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'a, F, T> {
        let (v, t) = self.take();
        dual_slot(v, t)
    }
}

/// A float array.
pub trait SlotArray<'a, F, const N: usize> {
    /// The slot.
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'a, F, T>;
}

impl<'a, F: TwinFloat, const N: usize> SlotArray<'a, F, N> for &&SlotProbe<'a, [F; N]> {
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'a, F, T> {
        let (v, t) = self.take();
        dual_slot(v, t)
    }
}

/// Integers (indices): `()`, before a `Vec<usize>` can be taken for a struct.
pub trait SlotInts {
    /// The slot.
    fn twin_slot<T>(&self) -> UnitSlot;
}

impl<I: TwinInt> SlotInts for &&SlotProbe<'_, Vec<I>> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> UnitSlot {
        UnitSlot(())
    }
}

impl<I: TwinInt> SlotInts for &&SlotProbe<'_, [I]> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> UnitSlot {
        UnitSlot(())
    }
}

impl<I: TwinInt, const N: usize> SlotInts for &&SlotProbe<'_, [I; N]> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> UnitSlot {
        UnitSlot(())
    }
}

/// A struct: its two gradients.
pub trait SlotStruct<'a, S: ?Sized> {
    /// The slot.
    fn twin_slot<T>(&self) -> TwinMut<'a, S>;
}

impl<'a, S: Differentiable> SlotStruct<'a, S> for &SlotProbe<'a, S> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> TwinMut<'a, S> {
        let (value, tangent) = self.take();
        TwinMut { value, tangent }
    }
}

/// The slot of anything else: `()`.
pub struct UnitSlot(());

impl UnitSlot {
    /// The slot passed to the callee.
    #[inline(always)]
    pub fn arg(&mut self) -> &mut () {
        &mut self.0
    }

    /// After the call: nothing to do.
    #[inline(always)]
    pub fn finish(self) {}
}

/// Anything else: `()`.
pub trait SlotOther {
    /// The slot.
    fn twin_slot<T>(&self) -> UnitSlot;
}

impl<P: ?Sized> SlotOther for SlotProbe<'_, P> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> UnitSlot {
        UnitSlot(())
    }
}

/// The slots of a place of a struct the code does not differentiate: scratch gradients.
pub struct ConstSlotProbe<'a, P: ?Sized>(pub &'a P);

/// A float slice, `Vec` or array: a scratch buffer of dual adjoints.
pub trait ConstSlotFloats<F> {
    /// The slot.
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'static, F, T>;
}

fn scratch<F: TwinFloat, T: Tangent<F>>(n: usize) -> DualSlot<'static, F, T> {
    DualSlot {
        buf: (0..n).map(|_| T::lift(F::ZERO)).collect(),
        out: None,
    }
}

impl<F: TwinFloat> ConstSlotFloats<F> for &&ConstSlotProbe<'_, [F]> {
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'static, F, T> {
        scratch(self.0.len())
    }
}

impl<F: TwinFloat> ConstSlotFloats<F> for &&ConstSlotProbe<'_, Vec<F>> {
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'static, F, T> {
        scratch(self.0.len())
    }
}

/// A float array: a scratch buffer of dual adjoints.
pub trait ConstSlotArray<F, const N: usize> {
    /// The slot.
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'static, F, T>;
}

impl<F: TwinFloat, const N: usize> ConstSlotArray<F, N> for &&ConstSlotProbe<'_, [F; N]> {
    fn twin_slot<T: Tangent<F>>(&self) -> DualSlot<'static, F, T> {
        scratch(N)
    }
}

/// A struct: two scratch gradients.
pub struct OwnedTwinMut<S> {
    value: S,
    tangent: S,
}

impl<S> OwnedTwinMut<S> {
    /// The slot passed to the callee.
    #[inline(always)]
    pub fn arg(&mut self) -> TwinMut<'_, S> {
        TwinMut {
            value: &mut self.value,
            tangent: &mut self.tangent,
        }
    }

    /// After the call: nothing to do (nobody reads the scratch gradients).
    #[inline(always)]
    pub fn finish(self) {}
}

/// Integers (indices): `()`, before a `Vec<usize>` can be taken for a struct.
pub trait ConstSlotInts {
    /// The slot.
    fn twin_slot<T>(&self) -> UnitSlot;
}

impl<I: TwinInt> ConstSlotInts for &&ConstSlotProbe<'_, Vec<I>> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> UnitSlot {
        UnitSlot(())
    }
}

impl<I: TwinInt> ConstSlotInts for &&ConstSlotProbe<'_, [I]> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> UnitSlot {
        UnitSlot(())
    }
}

impl<I: TwinInt, const N: usize> ConstSlotInts for &&ConstSlotProbe<'_, [I; N]> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> UnitSlot {
        UnitSlot(())
    }
}

/// A struct: two scratch gradients.
pub trait ConstSlotStruct<S> {
    /// The slot.
    fn twin_slot<T>(&self) -> OwnedTwinMut<S>;
}

impl<S: Differentiable> ConstSlotStruct<S> for &ConstSlotProbe<'_, S> {
    fn twin_slot<T>(&self) -> OwnedTwinMut<S> {
        OwnedTwinMut {
            value: self.0.zero_like(),
            tangent: self.0.zero_like(),
        }
    }
}

/// Anything else: `()`.
pub trait ConstSlotOther {
    /// The slot.
    fn twin_slot<T>(&self) -> UnitSlot;
}

impl<P: ?Sized> ConstSlotOther for ConstSlotProbe<'_, P> {
    #[inline(always)]
    fn twin_slot<T>(&self) -> UnitSlot {
        UnitSlot(())
    }
}

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

// A place passed twice to one call (`dot(&self.v, &self.v)`): the second slot is a scratch one
// (a `ConstSlotProbe`'s), added into the place's own slots after the call, since Rust cannot
// borrow the place's adjoint twice at once. The same scratch serves the plain companions
// (`T` the float type itself), through `first_order_arg` / `add_value_into`.

impl<F: TwinFloat, T: Tangent<F>> DualSlot<'_, F, T> {
    /// The slot passed to a plain pullback.
    #[inline(always)]
    pub fn first_order_arg(&mut self) -> &mut [T] {
        &mut self.buf
    }

    /// After the call: the scratch's dual adjoints into the gradient and the Hessian-vector
    /// product.
    pub fn add_into(self, value: &mut [F], tangent: &mut [F]) {
        for ((v, t), x) in value.iter_mut().zip(tangent.iter_mut()).zip(self.buf) {
            let (a, b) = x.parts();
            *v = *v + a;
            *t = *t + b;
        }
    }

    /// After the call: the scratch's adjoints into the gradient (plain companions).
    pub fn add_value_into(self, value: &mut [F]) {
        for (v, x) in value.iter_mut().zip(self.buf) {
            *v = *v + x.parts().0;
        }
    }
}

impl<S: Differentiable> OwnedTwinMut<S> {
    /// The slot passed to a plain pullback.
    #[inline(always)]
    pub fn first_order_arg(&mut self) -> &mut S {
        &mut self.value
    }

    /// After the call: the scratch gradients into the struct's.
    pub fn add_into(self, value: &mut S, tangent: &mut S) {
        value.accumulate(&self.value);
        tangent.accumulate(&self.tangent);
    }

    /// After the call: the scratch gradient into the struct's (plain companions).
    pub fn add_value_into(self, value: &mut S) {
        value.accumulate(&self.value);
    }
}

impl UnitSlot {
    /// The slot passed to a plain pullback.
    #[inline(always)]
    pub fn first_order_arg(&mut self) -> &mut () {
        &mut self.0
    }

    /// After the call: nothing to add.
    #[inline(always)]
    pub fn add_into<P: ?Sized>(self, _value: &mut P, _tangent: &mut P) {}

    /// After the call: nothing to add.
    #[inline(always)]
    pub fn add_value_into<P: ?Sized>(self, _value: &mut P) {}
}

/// The adjoint slot of a place in a plain companion: the place's adjoint as it is, or `()`
/// for integers (a `Vec<usize>` field passed to a helper's `&[usize]` parameter, whose slot
/// is `&mut ()`).
pub struct FirstSlotProbe<'a, P: ?Sized>(Cell<Option<&'a mut P>>);

impl<'a, P: ?Sized> FirstSlotProbe<'a, P> {
    /// The probe of a place's adjoint.
    pub fn new(adjoint: &'a mut P) -> Self {
        FirstSlotProbe(Cell::new(Some(adjoint)))
    }

    fn take(&self) -> &'a mut P {
        match self.0.take() {
            Some(a) => a,
            None => unreachable!("grad: a slot probe is used once"),
        }
    }
}

/// The place's adjoint, passed on.
pub struct PassSlot<'a, P: ?Sized>(&'a mut P);

impl<P: ?Sized> PassSlot<'_, P> {
    /// The slot passed to a plain pullback.
    #[inline(always)]
    pub fn first_order_arg(&mut self) -> &mut P {
        self.0
    }
}

/// Integers: `()`.
pub trait FirstSlotInts {
    /// The slot.
    fn first_slot(&self) -> UnitSlot;
}

impl<I: TwinInt> FirstSlotInts for &&FirstSlotProbe<'_, Vec<I>> {
    #[inline(always)]
    fn first_slot(&self) -> UnitSlot {
        UnitSlot(())
    }
}

impl<I: TwinInt> FirstSlotInts for &&FirstSlotProbe<'_, [I]> {
    #[inline(always)]
    fn first_slot(&self) -> UnitSlot {
        UnitSlot(())
    }
}

impl<I: TwinInt, const N: usize> FirstSlotInts for &&FirstSlotProbe<'_, [I; N]> {
    #[inline(always)]
    fn first_slot(&self) -> UnitSlot {
        UnitSlot(())
    }
}

/// Anything else: the adjoint itself.
pub trait FirstSlotOther<'a, P: ?Sized> {
    /// The slot.
    fn first_slot(&self) -> PassSlot<'a, P>;
}

impl<'a, P: ?Sized> FirstSlotOther<'a, P> for &FirstSlotProbe<'a, P> {
    #[inline(always)]
    fn first_slot(&self) -> PassSlot<'a, P> {
        PassSlot(self.take())
    }
}
