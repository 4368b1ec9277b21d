//! The adjoint slots a twin's reverse sweep passes for places ([`SlotProbe`] where the
//! struct carries a tangent, [`ConstSlotProbe`] a scratch one where it does not, and where a
//! place reaches one call twice), and those of the plain companions ([`FirstSlotProbe`]).

use super::{TwinFloat, TwinInt, TwinMut};
use crate::differentiable::Differentiable;
use crate::lift::Tangent;
use std::cell::Cell;

/// `()` as the slot of integers in `Vec`s, slices and arrays, for probe `$probe`'s trait
/// `$trait` (before a `Vec<usize>` can be taken for a struct).
macro_rules! unit_for_ints {
    ($trait:ident, $probe:ident, $method:ident $(<$t:ident>)?) => {
        impl<I: TwinInt> $trait for &&$probe<'_, Vec<I>> {
            #[inline(always)]
            fn $method$(<$t>)?(&self) -> UnitSlot {
                UnitSlot(())
            }
        }

        impl<I: TwinInt> $trait for &&$probe<'_, [I]> {
            #[inline(always)]
            fn $method$(<$t>)?(&self) -> UnitSlot {
                UnitSlot(())
            }
        }

        impl<I: TwinInt, const N: usize> $trait for &&$probe<'_, [I; N]> {
            #[inline(always)]
            fn $method$(<$t>)?(&self) -> UnitSlot {
                UnitSlot(())
            }
        }
    };
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

unit_for_ints!(SlotInts, SlotProbe, twin_slot<T>);

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

unit_for_ints!(ConstSlotInts, ConstSlotProbe, twin_slot<T>);

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

/// Rows without tangent (`pos: &[[f64; 3]]` passed whole): two scratch `Vec`s of rows.
impl<T: Differentiable> ConstSlotStruct<Vec<T>> for &ConstSlotProbe<'_, [T]> {
    fn twin_slot<U>(&self) -> OwnedTwinMut<Vec<T>> {
        OwnedTwinMut {
            value: self.0.iter().map(T::zero_like).collect(),
            tangent: self.0.iter().map(T::zero_like).collect(),
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

    /// After the call: the scratch gradients into the struct's (skipped fields too: see
    /// `Differentiable::axpy_slots`; `1 · x` is `x`, so this is the sum `accumulate` makes).
    pub fn add_into(self, value: &mut S, tangent: &mut S) {
        value.axpy_slots(1.0, &self.value);
        tangent.axpy_slots(1.0, &self.tangent);
    }

    /// After the call: the scratch gradient into the struct's (plain companions).
    pub fn add_value_into(self, value: &mut S) {
        value.axpy_slots(1.0, &self.value);
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

unit_for_ints!(FirstSlotInts, FirstSlotProbe, first_slot);

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
