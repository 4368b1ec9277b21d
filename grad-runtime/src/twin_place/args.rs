//! The arguments a twin passes for places: dual numbers for floats ([`PlaceProbe`] where the
//! struct carries a tangent, [`ConstProbe`] where it does not), the struct with its tangent,
//! or the place itself.

use super::{duals, TwinFloat, TwinInt, TwinRef};
use crate::differentiable::Differentiable;
use crate::lift::{Lift, Tangent};

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

/// Rows (`pos: &[[f64; 3]]` passed whole): themselves with their tangent.
impl<'a, T: Differentiable> PlaceStruct<'a, [T]> for &PlaceProbe<'a, [T]> {
    #[inline(always)]
    fn twin_place<U>(&self) -> TwinRef<'a, [T]> {
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
