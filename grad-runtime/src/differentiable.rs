//! The [`Differentiable`] trait: values whose gradient is a value of the same type (a model's
//! parameters, as JAX's pytrees, Zygote's structural tangents and Enzyme's shadows are).
//!
//! Floats (`f32`, `f64`) are the variables; integers, `bool`, `char`, `String` and `()` are
//! constants, carried over unchanged. Containers (`Vec`, arrays, `Option`, `Box`, tuples up to
//! four elements) hold either, and `#[derive(Differentiable)]` (in the `grad` crate) covers
//! user structs field by field.

/// A value whose gradient is a value of the same type: zeros in every float, constants (sizes,
/// flags, names) carried over from the value.
///
/// The methods are what a training loop needs: [`zero_like`](Differentiable::zero_like) starts
/// a gradient, [`accumulate`](Differentiable::accumulate) sums the gradients of data chunks,
/// [`axpy`](Differentiable::axpy) takes an optimizer step, and
/// [`flatten`](Differentiable::flatten)/[`unflatten`](Differentiable::unflatten) convert to and
/// from a flat `Vec<f64>` (finite-difference checks, optimizers over flat vectors).
///
/// Containers panic when two values of different shapes meet (a `Vec` of another length, a
/// `Some` against a `None`): a gradient always has its value's shape.
///
/// ```
/// use grad_runtime::Differentiable;
///
/// // Weights, a bias and a constant size (`usize` is carried over, never differentiated).
/// let params: (Vec<f64>, f32, usize) = (vec![1.0, 2.0], 0.5, 3);
///
/// let mut grad = params.zero_like();
/// assert_eq!(grad, (vec![0.0, 0.0], 0.0, 3));
///
/// // Two chunks of data, two gradients, one sum.
/// grad.accumulate(&(vec![0.25, -1.0], 1.0, 3));
/// grad.accumulate(&(vec![0.25, 3.0], 1.0, 3));
/// assert_eq!(grad, (vec![0.5, 2.0], 2.0, 3));
///
/// // One step of gradient descent with learning rate 0.5.
/// let mut next = params.clone();
/// next.axpy(-0.5, &grad);
/// assert_eq!(next, (vec![0.75, 1.0], -0.5, 3));
///
/// // The floats in order, and back.
/// let mut flat = Vec::new();
/// next.flatten(&mut flat);
/// assert_eq!(flat, [0.75, 1.0, -0.5]);
/// assert_eq!(next.param_count(), 3);
/// let mut restored = params.zero_like();
/// restored.unflatten(&mut flat.as_slice());
/// assert_eq!(restored, next);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Differentiable`",
    label = "its gradient cannot be built field by field",
    note = "add `#[derive(Differentiable, Clone)]` to the type's definition (a field of a type \
            without a gradient: mark it `#[grad(skip)]`); or, for a parameter of a \
            `#[differentiable]` function, leave it out of the gradient with \
            `#[differentiable(wrt(...))]` listing the other parameters"
)]
pub trait Differentiable: Clone {
    /// The gradient's starting value: every float zero, every constant field a copy of self's.
    /// (A derived struct's `#[grad(skip)]` field of a `Differentiable` type is zeroed too: in
    /// a gradient it is the slot the companions of `#[differentiable]` accumulate its adjoint
    /// in, and they put its value back with [`Differentiable::restore_constants`].)
    fn zero_like(&self) -> Self;

    /// Adds other's floats into self's (sums the gradients of data chunks); constants untouched.
    fn accumulate(&mut self, other: &Self);

    /// self += alpha * other on every float (an SGD step is `p.axpy(-lr, &grad)`); constants
    /// untouched. An `f32` float computes in `f32`, with `alpha` rounded to `f32`.
    fn axpy(&mut self, alpha: f64, other: &Self);

    /// Appends every float, in field order (depth first, elements in order), as f64.
    fn flatten(&self, out: &mut Vec<f64>);

    /// Overwrites every float from the front of `values` in flatten's order (rounding to f32
    /// where the field is f32), advancing the slice past what it used. Panics if too short.
    fn unflatten(&mut self, values: &mut &[f64]);

    /// The number of floats (flatten's length).
    fn param_count(&self) -> usize {
        let mut out = Vec::new();
        self.flatten(&mut out);
        out.len()
    }

    /// `self += alpha * other` on every float, `#[grad(skip)]` fields of a `Differentiable`
    /// type included: in the gradients the companions of `#[differentiable]` build, a
    /// skipped float written by a `&mut self` method carries its adjoint while they run
    /// ([`Differentiable::restore_constants`] puts its value back at the end). Generated code
    /// only; the default is [`Differentiable::axpy`] (a type without skipped fields).
    #[doc(hidden)]
    fn axpy_slots(&mut self, alpha: f64, other: &Self) {
        self.axpy(alpha, other);
    }

    /// Copies every constant float (a `#[grad(skip)]` field, at any depth) from `primal` into
    /// `self`. The companions of `#[differentiable]` call it on the gradient they return: the
    /// generated code cannot see which fields are skipped and accumulates into every float it
    /// reads. The default does nothing (a type without skipped fields).
    fn restore_constants(&mut self, primal: &Self) {
        let _ = primal;
    }
}

/// Takes the first float of `values` and advances the slice past it; panics if it is empty.
fn next_value(values: &mut &[f64]) -> f64 {
    let (&first, rest) = values
        .split_first()
        .expect("Differentiable::unflatten: `values` holds fewer floats than the value has");
    *values = rest;
    first
}

/// Panics unless two containers have the same length (a gradient has its value's shape).
fn same_len(method: &str, len: usize, other: usize) {
    assert!(
        len == other,
        "Differentiable::{method}: lengths differ ({len} and {other}); a gradient has its \
         value's shape"
    );
}

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl Differentiable for $t {
            #[inline]
            fn zero_like(&self) -> Self {
                0.0
            }
            #[inline]
            fn accumulate(&mut self, other: &Self) {
                *self += *other;
            }
            #[inline]
            fn axpy(&mut self, alpha: f64, other: &Self) {
                *self += alpha as $t * *other;
            }
            #[inline]
            fn flatten(&self, out: &mut Vec<f64>) {
                out.push(f64::from(*self));
            }
            #[inline]
            fn unflatten(&mut self, values: &mut &[f64]) {
                *self = next_value(values) as $t;
            }
            #[inline]
            fn param_count(&self) -> usize {
                1
            }
        }
    )*};
}

floats!(f32, f64);

macro_rules! constants {
    ($($t:ty),*) => {$(
        impl Differentiable for $t {
            #[inline]
            fn zero_like(&self) -> Self {
                self.clone()
            }
            #[inline]
            fn accumulate(&mut self, _: &Self) {}
            #[inline]
            fn axpy(&mut self, _: f64, _: &Self) {}
            #[inline]
            fn flatten(&self, _: &mut Vec<f64>) {}
            #[inline]
            fn unflatten(&mut self, _: &mut &[f64]) {}
            #[inline]
            fn param_count(&self) -> usize {
                0
            }
        }
    )*};
}

constants!(
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    bool,
    char,
    String,
    ()
);

impl<T: Differentiable> Differentiable for Vec<T> {
    fn zero_like(&self) -> Self {
        self.iter().map(T::zero_like).collect()
    }

    fn accumulate(&mut self, other: &Self) {
        same_len("accumulate", self.len(), other.len());
        for (a, b) in self.iter_mut().zip(other) {
            a.accumulate(b);
        }
    }

    fn axpy(&mut self, alpha: f64, other: &Self) {
        same_len("axpy", self.len(), other.len());
        for (a, b) in self.iter_mut().zip(other) {
            a.axpy(alpha, b);
        }
    }

    fn axpy_slots(&mut self, alpha: f64, other: &Self) {
        same_len("axpy", self.len(), other.len());
        for (a, b) in self.iter_mut().zip(other) {
            a.axpy_slots(alpha, b);
        }
    }

    fn flatten(&self, out: &mut Vec<f64>) {
        for x in self {
            x.flatten(out);
        }
    }

    fn unflatten(&mut self, values: &mut &[f64]) {
        for x in self {
            x.unflatten(values);
        }
    }

    fn param_count(&self) -> usize {
        self.iter().map(T::param_count).sum()
    }

    fn restore_constants(&mut self, primal: &Self) {
        for (a, b) in self.iter_mut().zip(primal) {
            a.restore_constants(b);
        }
    }
}

impl<T: Differentiable, const N: usize> Differentiable for [T; N] {
    fn zero_like(&self) -> Self {
        core::array::from_fn(|i| self[i].zero_like())
    }

    fn accumulate(&mut self, other: &Self) {
        for (a, b) in self.iter_mut().zip(other) {
            a.accumulate(b);
        }
    }

    fn axpy(&mut self, alpha: f64, other: &Self) {
        for (a, b) in self.iter_mut().zip(other) {
            a.axpy(alpha, b);
        }
    }

    fn axpy_slots(&mut self, alpha: f64, other: &Self) {
        for (a, b) in self.iter_mut().zip(other) {
            a.axpy_slots(alpha, b);
        }
    }

    fn flatten(&self, out: &mut Vec<f64>) {
        for x in self {
            x.flatten(out);
        }
    }

    fn unflatten(&mut self, values: &mut &[f64]) {
        for x in self {
            x.unflatten(values);
        }
    }

    fn param_count(&self) -> usize {
        self.iter().map(T::param_count).sum()
    }

    fn restore_constants(&mut self, primal: &Self) {
        for (a, b) in self.iter_mut().zip(primal) {
            a.restore_constants(b);
        }
    }
}

/// `None` is a value without floats; `Some` against `None` panics (different shapes).
impl<T: Differentiable> Differentiable for Option<T> {
    fn zero_like(&self) -> Self {
        self.as_ref().map(T::zero_like)
    }

    fn accumulate(&mut self, other: &Self) {
        match (self, other) {
            (Some(a), Some(b)) => a.accumulate(b),
            (None, None) => {}
            _ => panic!("Differentiable::accumulate: `Some` and `None` (different shapes)"),
        }
    }

    fn axpy(&mut self, alpha: f64, other: &Self) {
        match (self, other) {
            (Some(a), Some(b)) => a.axpy(alpha, b),
            (None, None) => {}
            _ => panic!("Differentiable::axpy: `Some` and `None` (different shapes)"),
        }
    }

    fn axpy_slots(&mut self, alpha: f64, other: &Self) {
        match (self, other) {
            (Some(a), Some(b)) => a.axpy_slots(alpha, b),
            (None, None) => {}
            _ => panic!("Differentiable::axpy: `Some` and `None` (different shapes)"),
        }
    }

    fn flatten(&self, out: &mut Vec<f64>) {
        if let Some(x) = self {
            x.flatten(out);
        }
    }

    fn unflatten(&mut self, values: &mut &[f64]) {
        if let Some(x) = self {
            x.unflatten(values);
        }
    }

    fn param_count(&self) -> usize {
        self.as_ref().map_or(0, T::param_count)
    }

    fn restore_constants(&mut self, primal: &Self) {
        if let (Some(a), Some(b)) = (self, primal) {
            a.restore_constants(b);
        }
    }
}

impl<T: Differentiable> Differentiable for Box<T> {
    fn zero_like(&self) -> Self {
        Box::new(T::zero_like(self))
    }

    fn accumulate(&mut self, other: &Self) {
        T::accumulate(self, other);
    }

    fn axpy(&mut self, alpha: f64, other: &Self) {
        T::axpy(self, alpha, other);
    }

    fn axpy_slots(&mut self, alpha: f64, other: &Self) {
        T::axpy_slots(self, alpha, other);
    }

    fn flatten(&self, out: &mut Vec<f64>) {
        T::flatten(self, out);
    }

    fn unflatten(&mut self, values: &mut &[f64]) {
        T::unflatten(self, values);
    }

    fn param_count(&self) -> usize {
        T::param_count(self)
    }

    fn restore_constants(&mut self, primal: &Self) {
        T::restore_constants(self, primal);
    }
}

macro_rules! tuples {
    ($(($($t:ident $i:tt),+);)*) => {$(
        impl<$($t: Differentiable),+> Differentiable for ($($t,)+) {
            fn zero_like(&self) -> Self {
                ($(self.$i.zero_like(),)+)
            }

            fn accumulate(&mut self, other: &Self) {
                $(self.$i.accumulate(&other.$i);)+
            }

            fn axpy(&mut self, alpha: f64, other: &Self) {
                $(self.$i.axpy(alpha, &other.$i);)+
            }

            fn axpy_slots(&mut self, alpha: f64, other: &Self) {
                $(self.$i.axpy_slots(alpha, &other.$i);)+
            }

            fn flatten(&self, out: &mut Vec<f64>) {
                $(self.$i.flatten(out);)+
            }

            fn unflatten(&mut self, values: &mut &[f64]) {
                $(self.$i.unflatten(values);)+
            }

            fn param_count(&self) -> usize {
                0 $(+ self.$i.param_count())+
            }

            fn restore_constants(&mut self, primal: &Self) {
                $(self.$i.restore_constants(&primal.$i);)+
            }
        }
    )*};
}

tuples! {
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
}

#[cfg(test)]
mod tests {
    use super::Differentiable;

    /// Flattens a value into a new vector.
    fn flat<T: Differentiable>(x: &T) -> Vec<f64> {
        let mut out = Vec::new();
        x.flatten(&mut out);
        out
    }

    #[test]
    fn floats_are_variables() {
        let mut x = 3.5_f64;
        assert_eq!(x.zero_like(), 0.0);
        x.accumulate(&1.25);
        assert_eq!(x, 4.75);
        x.axpy(-2.0, &0.5);
        assert_eq!(x, 3.75);
        assert_eq!(flat(&x), [3.75]);
        let mut y = 0.0_f32;
        y.unflatten(&mut [0.1_f64, 9.0].as_slice());
        assert_eq!(y, 0.1_f32);
        assert_eq!((y.param_count(), x.param_count()), (1, 1));
    }

    #[test]
    fn f32_axpy_rounds_alpha() {
        let mut x = 1.0_f32;
        x.axpy(0.1, &3.0);
        assert_eq!(x, 1.0_f32 + 0.1_f32 * 3.0_f32);
    }

    #[test]
    fn constants_are_carried_over() {
        let mut s = String::from("layer");
        assert_eq!(s.zero_like(), "layer");
        s.accumulate(&String::from("other"));
        s.axpy(1.0, &String::from("other"));
        assert_eq!(s, "layer");
        let mut n = 7_usize;
        n.accumulate(&3);
        n.axpy(2.0, &3);
        let mut values: &[f64] = &[1.0];
        n.unflatten(&mut values);
        assert_eq!((n, values.len()), (7, 1));
        assert_eq!((flat(&n), n.param_count()), (vec![], 0));
        assert_eq!(
            (true.zero_like(), 'x'.zero_like(), (-3_i8).zero_like()),
            (true, 'x', -3)
        );
        assert_eq!(().param_count(), 0);
    }

    #[test]
    fn containers_go_element_by_element() {
        let x = (
            vec![[1.0_f64, 2.0], [3.0, 4.0]],
            Some(Box::new(5.0_f32)),
            9_usize,
            None::<f64>,
        );
        let mut g = x.zero_like();
        assert_eq!(g, (vec![[0.0; 2]; 2], Some(Box::new(0.0)), 9, None));
        g.accumulate(&x);
        g.accumulate(&x);
        assert_eq!(
            g,
            (vec![[2.0, 4.0], [6.0, 8.0]], Some(Box::new(10.0)), 9, None)
        );
        g.axpy(-0.5, &x);
        assert_eq!(
            g,
            (vec![[1.5, 3.0], [4.5, 6.0]], Some(Box::new(7.5)), 9, None)
        );
        assert_eq!(flat(&g), [1.5, 3.0, 4.5, 6.0, 7.5]);
        assert_eq!(x.param_count(), 5);
        let mut values: &[f64] = &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0];
        g.unflatten(&mut values);
        assert_eq!(
            g,
            (
                vec![[10.0, 20.0], [30.0, 40.0]],
                Some(Box::new(50.0)),
                9,
                None
            )
        );
        assert_eq!(values, [60.0]);
    }

    #[test]
    #[should_panic(expected = "fewer floats")]
    fn unflatten_panics_when_short() {
        let mut x = [0.0_f64; 3];
        x.unflatten(&mut [1.0, 2.0].as_slice());
    }

    #[test]
    #[should_panic(expected = "lengths differ (2 and 3)")]
    fn accumulate_panics_on_other_shapes() {
        vec![0.0_f64; 2].accumulate(&vec![1.0; 3]);
    }
}

/// The adjoint of a field read as `field as F` where the macro cannot tell whether the field
/// is a float (the derivative flows: it is added) or an integer (no derivative: nothing
/// happens). Used by generated code.
pub trait CastAdjoint<F> {
    /// Adds `d` into `self` if `self` is a float of type `F`.
    fn add_adjoint(&mut self, d: F);
}

impl CastAdjoint<f64> for f64 {
    #[inline(always)]
    fn add_adjoint(&mut self, d: f64) {
        *self += d;
    }
}

impl CastAdjoint<f32> for f32 {
    #[inline(always)]
    fn add_adjoint(&mut self, d: f32) {
        *self += d;
    }
}

macro_rules! integer_cast_adjoints {
    ($($t:ty),*) => {$(
        impl<F> CastAdjoint<F> for $t {
            #[inline(always)]
            fn add_adjoint(&mut self, _: F) {}
        }
    )*};
}

integer_cast_adjoints!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool);

/// [`CastAdjoint::add_adjoint`] as a function, for generated code.
#[inline(always)]
pub fn add_adjoint<F, T: CastAdjoint<F>>(x: &mut T, d: F) {
    x.add_adjoint(d);
}

/// A parameter's value as the companions of `#[differentiable]` reach it, for a gradient of
/// type `G`: a value of `G` itself (a struct, an array, a `Vec`), or rows `[T]` (a
/// parameter `xs: &[[f64; 3]]`), whose gradient is a `Vec<T>`. Generated code only.
#[doc(hidden)]
pub trait PrimalOf<G> {
    /// The gradient's starting value ([`Differentiable::zero_like`]).
    fn zero_grad(&self) -> G;
    /// [`Differentiable::restore_constants`] of the gradient `g` from this value.
    fn restore_into(&self, g: &mut G);
    /// [`Differentiable::flatten`] of this value.
    fn flatten_primal(&self, out: &mut Vec<f64>);
}

impl<G: Differentiable> PrimalOf<G> for G {
    #[inline]
    fn zero_grad(&self) -> G {
        self.zero_like()
    }
    #[inline]
    fn restore_into(&self, g: &mut G) {
        g.restore_constants(self);
    }
    fn flatten_primal(&self, out: &mut Vec<f64>) {
        self.flatten(out);
    }
}

impl<T: Differentiable> PrimalOf<Vec<T>> for [T] {
    fn zero_grad(&self) -> Vec<T> {
        self.iter().map(T::zero_like).collect()
    }
    fn restore_into(&self, g: &mut Vec<T>) {
        same_len("restore_constants", g.len(), self.len());
        for (g, p) in g.iter_mut().zip(self) {
            g.restore_constants(p);
        }
    }
    fn flatten_primal(&self, out: &mut Vec<f64>) {
        for x in self {
            x.flatten(out);
        }
    }
}

/// Rows and `Vec`s passed to a callee that leaves them out of its gradient: its slot is `()`.
impl<T> PrimalOf<()> for [T] {
    fn zero_grad(&self) {}
    fn restore_into(&self, _: &mut ()) {}
    fn flatten_primal(&self, _: &mut Vec<f64>) {}
}

impl<T> PrimalOf<()> for Vec<T> {
    fn zero_grad(&self) {}
    fn restore_into(&self, _: &mut ()) {}
    fn flatten_primal(&self, _: &mut Vec<f64>) {}
}

/// The gradient's starting value for the parameter value `p` (generated code).
#[doc(hidden)]
#[inline]
pub fn zero_grad<G, P: ?Sized + PrimalOf<G>>(p: &P) -> G {
    p.zero_grad()
}

/// [`Differentiable::restore_constants`] of the gradient `g` from the parameter value `p`
/// (generated code).
#[doc(hidden)]
#[inline]
pub fn restore_grad<G, P: ?Sized + PrimalOf<G>>(g: &mut G, p: &P) {
    p.restore_into(g);
}

/// The number of floats in the parameter value `p` whose gradient is a `G` (generated code).
#[doc(hidden)]
pub fn primal_count<G, P: ?Sized + PrimalOf<G>>(p: &P) -> usize {
    let mut out = Vec::new();
    p.flatten_primal(&mut out);
    out.len()
}

/// `a · b` over the floats of a gradient and a tangent of the same shape (`flatten` order):
/// the directional derivative a `_jvp` gets from a gradient `a` and a tangent `b` (generated
/// code).
#[doc(hidden)]
pub fn dot_differentiable<D: Differentiable, F: crate::Float>(
    a: &D,
    b: &(impl ?Sized + PrimalOf<D>),
) -> F {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    a.flatten(&mut x);
    b.flatten_primal(&mut y);
    same_len("dot", x.len(), y.len());
    F::from_f64(x.iter().zip(&y).map(|(p, q)| p * q).sum())
}

/// Appends the floats of `s` (`flatten` order) to `out` as `F`s (generated code: the
/// gradient and the Hessian's columns of an `f32` function with struct parameters).
#[doc(hidden)]
pub fn flatten_as<D: Differentiable, F: crate::Float>(s: &D, out: &mut Vec<F>) {
    let mut floats = Vec::new();
    s.flatten(&mut floats);
    out.extend(floats.into_iter().map(F::from_f64));
}

/// `a · b` for slices of one length (generated code).
#[doc(hidden)]
pub fn dot<F: crate::Float>(a: &[F], b: &[F]) -> F {
    same_len("dot", a.len(), b.len());
    a.iter().zip(b).fold(F::ZERO, |s, (&p, &q)| s + p * q)
}

/// `zero_like` of a `#[grad(skip)]` field in a derived struct: the field's own `zero_like`
/// where its type is `Differentiable`, a clone otherwise (a `String`, a handle), chosen at
/// compile time (`(&&SkipProbe(&field)).skip_zero()` with [`SkipZero`] and [`SkipClone`] in
/// scope).
///
/// A skipped float must start at zero: a method on `&mut self` that writes it (`self.t *= k`)
/// makes the generated reverse sweep read its adjoint from the gradient's slot, which a copy
/// of its value would corrupt. Its value is put back by `restore_constants`.
#[doc(hidden)]
pub struct SkipProbe<'a, T>(pub &'a T);

/// See [`SkipProbe`]: a field of a `Differentiable` type, zeroed.
#[doc(hidden)]
pub trait SkipZero<T> {
    /// The field's `zero_like`.
    fn skip_zero(&self) -> T;
}

impl<T: Differentiable> SkipZero<T> for &SkipProbe<'_, T> {
    #[inline]
    fn skip_zero(&self) -> T {
        self.0.zero_like()
    }
}

/// See [`SkipProbe`]: a field of any other type, cloned.
#[doc(hidden)]
pub trait SkipClone<T> {
    /// A clone of the field.
    fn skip_zero(&self) -> T;
}

impl<T: Clone> SkipClone<T> for SkipProbe<'_, T> {
    #[inline]
    fn skip_zero(&self) -> T {
        self.0.clone()
    }
}

/// `axpy_slots` of a `#[grad(skip)]` field in a derived struct (see [`SkipProbe`]): the
/// field's own where its type is `Differentiable`, nothing otherwise
/// (`(&mut &mut SkipPair(&mut field, &other)).skip_axpy(alpha)` with [`SkipAxpy`] and
/// [`SkipIgnore`] in scope).
#[doc(hidden)]
pub struct SkipPair<'a, T>(pub &'a mut T, pub &'a T);

/// See [`SkipPair`]: a field of a `Differentiable` type.
#[doc(hidden)]
pub trait SkipAxpy {
    /// `field += alpha * other`, skipped fields inside included.
    fn skip_axpy(&mut self, alpha: f64);
}

impl<T: Differentiable> SkipAxpy for &mut SkipPair<'_, T> {
    #[inline]
    fn skip_axpy(&mut self, alpha: f64) {
        self.0.axpy_slots(alpha, self.1);
    }
}

/// See [`SkipPair`]: a field of any other type, left alone.
#[doc(hidden)]
pub trait SkipIgnore {
    /// Nothing.
    fn skip_axpy(&mut self, alpha: f64);
}

impl<T> SkipIgnore for SkipPair<'_, T> {
    #[inline]
    fn skip_axpy(&mut self, _: f64) {}
}
