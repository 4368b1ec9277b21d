//! [`Dual`] numbers: forward-mode differentiation of any code generic over [`Float`] or
//! [`Real`], by running it on a value and a tangent at once.
//!
//! A `Dual { v, d }` stands for `v + d ε` with `ε² = 0`. Evaluating `f` at `x + v ε` gives
//! `f(x) + (∇f(x) · v) ε`: the tangent part of the result is the directional derivative of `f`
//! along `v`. Run on duals, the gradient a `#[differentiable]` companion computes becomes
//! `∇f(x) + (H v) ε`: forward over reverse, a Hessian-vector product.
//!
//! ```
//! use grad_runtime::{Dual, Real};
//!
//! /// A hand-written gradient of `f(x, y) = x² y + sin y`, generic over the float type.
//! fn grad_f<T: Real>(x: T, y: T) -> [T; 2] {
//!     [T::from_f64(2.0) * x * y, x * x + y.cos()]
//! }
//!
//! // Seed the direction v = (1, 0): the tangents of the gradient are H v = (2y, 2x).
//! let [gx, gy] = grad_f(Dual::new(3.0, 1.0), Dual::constant(0.5));
//! assert_eq!((gx.v, gy.v), (3.0, 9.0 + 0.5_f64.cos())); // the gradient, bit for bit
//! assert_eq!((gx.d, gy.d), (1.0, 6.0)); // H v
//! ```
//!
//! # Semantics
//!
//! - **Values** are computed by exactly the operation plain code performs on `v`, so the
//!   value part is bit for bit that of the same code run on `f64` (or `f32`).
//! - **Tangents** come from [`rules`], the one derivative rule per primitive:
//!   `d = Σ ∂ᵢ · dᵢ` with the partials `∂ᵢ` the rule gives at the values, so kinks, ties and
//!   edges are those the rules define (`abs'(0) = 0`, ties of `max` go to `self`, ...).
//! - **Strong zeros**: a term whose partial or tangent is zero contributes nothing, even
//!   where the other factor is infinite or NaN (`0 · inf` would be NaN). A constant stays a
//!   constant (`Dual::constant(0.0).sqrt()` has tangent `0`, not `inf · 0`), and an argument
//!   that `max`, `min`, `clamp` or a step function does not use cannot leak a NaN tangent.
//!   ("Zero" is tested on the value part when duals are nested.)
//! - **Comparisons** (`==`, `<`, `partial_cmp`, `max`, ...) look at values only, so a branch
//!   takes the path the plain code takes; `Dual::new(1.0, 2.0) == Dual::new(1.0, 3.0)`.
//! - **Constants** (`ZERO`, `ONE`, `NAN`, `from_f64`, ...) have a zero tangent; `NEG_ZERO` is
//!   `-0` in both parts, so that `NEG_ZERO + x` is `x` bit for bit in both.
//! - **`Display`** prints `v + dε` (formatting options apply to both parts: `{:.2}` gives
//!   `1.00 + 0.50ε`); `Debug` prints the fields.
//! - **[`Differentiable`]**: a dual is one float; `zero_like`, `accumulate` and `axpy` act on
//!   both parts, `flatten` appends the value only and `unflatten` overwrites the value only
//!   (the tangent is kept), so `param_count` is 1.

use crate::differentiable::Differentiable;
use crate::float::Float;
use crate::real::Real;
use crate::rules;
use crate::stack::{Recycled, SCRATCH_SPARES, TAPE_SPARES};
use core::any::{Any, TypeId};
use core::cmp::Ordering;
use core::fmt;
use core::iter::{Product, Sum};
use core::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};
use std::cell::RefCell;
use std::collections::HashMap;

/// A dual number `v + d ε` (`ε² = 0`): a value and its tangent, for forward-mode
/// differentiation. It is a [`Float`] and a [`Real`], so generic code runs on it unchanged; see
/// the [module documentation](self) for the semantics.
///
/// ```
/// use grad_runtime::{Dual, Float, Real};
///
/// fn f<T: Real>(x: T, y: T) -> T {
///     (x * y).exp() + x.powi(3).max(y)
/// }
///
/// // The directional derivative of f at (0.5, 2) along (1, -1).
/// let r = f(Dual::new(0.5, 1.0), Dual::new(2.0, -1.0));
/// assert_eq!(r.v, f(0.5_f64, 2.0)); // the plain value, bit for bit
/// let want = 1.0_f64.exp() * (2.0 - 0.5) - 1.0; // ∂x·1 + ∂y·(-1); max picks y
/// assert!((r.d - want).abs() < 1e-15);
///
/// // Display: `v + dε`.
/// assert_eq!(Dual::new(4.0, 1.0).sqrt().to_string(), "2 + 0.25ε");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Dual<F> {
    /// The value.
    pub v: F,
    /// The tangent: the derivative of the value along the direction seeded in the inputs.
    pub d: F,
}

impl<F: Float> Dual<F> {
    /// The dual `v + d ε`.
    ///
    /// ```
    /// use grad_runtime::Dual;
    ///
    /// let x = Dual::new(3.0_f64, 1.0); // x, differentiated with respect to itself
    /// assert_eq!((x * x).d, 6.0);
    /// ```
    #[inline(always)]
    pub const fn new(v: F, d: F) -> Self {
        Dual { v, d }
    }

    /// A constant: tangent zero.
    ///
    /// ```
    /// use grad_runtime::Dual;
    ///
    /// let c = Dual::constant(2.0_f64);
    /// assert_eq!((c.v, c.d), (2.0, 0.0));
    /// assert_eq!((c * Dual::new(5.0, 1.0)).d, 2.0);
    /// ```
    #[inline(always)]
    pub const fn constant(v: F) -> Self {
        Dual { v, d: F::ZERO }
    }
}

impl<F: Float> From<F> for Dual<F> {
    /// A constant ([`Dual::constant`]).
    #[inline(always)]
    fn from(v: F) -> Self {
        Dual::constant(v)
    }
}

/// `partial · tangent`, or nothing (`-0`, the additive identity) where either factor is zero
/// and the product would be NaN (`0 · inf`, `0 · NaN`): the strong zero of the module docs.
#[inline(always)]
fn term<F: Float>(partial: F, tangent: F) -> F {
    let t = partial * tangent;
    if t.is_nan() && (partial == F::ZERO || tangent == F::ZERO) {
        F::NEG_ZERO
    } else {
        t
    }
}

/// A one-argument rule's `(value, partial)` at `x.v`, with `x`'s tangent pushed through.
#[inline(always)]
fn lift1<F: Float>((v, p): (F, F), x: Dual<F>) -> Dual<F> {
    Dual { v, d: term(p, x.d) }
}

/// A two-argument rule's `(value, ∂a, ∂b)`, with the tangents of `a` and `b` pushed through.
///
/// The plain sum of the products first, kept unless it is NaN: then neither product is NaN,
/// [`term`] would return each unchanged, and the sum is the same bit for bit. Only a NaN sum
/// goes through [`term`] term by term (one test per operation in the common case instead of
/// one per term, which the hot loops of `_jvp` and `_hvp` pay for).
#[inline(always)]
fn lift2<F: Float>((v, pa, pb): (F, F, F), a: Dual<F>, b: Dual<F>) -> Dual<F> {
    let d = pa * a.d + pb * b.d;
    Dual {
        v,
        d: if d.is_nan() {
            term(pa, a.d) + term(pb, b.d)
        } else {
            d
        },
    }
}

/// A three-argument rule's `(value, ∂a, ∂b, ∂c)`, with the tangents pushed through (the
/// plain sum kept unless it is NaN, as in [`lift2`]).
#[inline(always)]
fn lift3<F: Float>((v, pa, pb, pc): (F, F, F, F), a: Dual<F>, b: Dual<F>, c: Dual<F>) -> Dual<F> {
    let d = pa * a.d + pb * b.d + pc * c.d;
    Dual {
        v,
        d: if d.is_nan() {
            term(pa, a.d) + term(pb, b.d) + term(pc, c.d)
        } else {
            d
        },
    }
}

impl<F: Float> PartialEq for Dual<F> {
    /// Compares the values only (the tangents are ignored).
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.v == other.v
    }
}

impl<F: Float> PartialOrd for Dual<F> {
    /// Compares the values only (the tangents are ignored).
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.v.partial_cmp(&other.v)
    }
}

impl<F: Float> fmt::Display for Dual<F> {
    /// `v + dε`, each part formatted with the formatter's options.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.v, f)?;
        f.write_str(" + ")?;
        fmt::Display::fmt(&self.d, f)?;
        f.write_str("ε")
    }
}

macro_rules! binary_ops {
    ($($op:ident $method:ident $assign:ident $assign_method:ident => $rule:ident;)*) => {$(
        impl<F: Float> $op for Dual<F> {
            type Output = Self;
            #[doc = concat!("The value of `", stringify!($rule), "`, the tangent from [`rules::", stringify!($rule), "`].")]
            #[inline(always)]
            fn $method(self, rhs: Self) -> Self {
                lift2(rules::$rule(self.v, rhs.v), self, rhs)
            }
        }

        impl<F: Float> $assign for Dual<F> {
            #[inline(always)]
            fn $assign_method(&mut self, rhs: Self) {
                *self = $op::$method(*self, rhs);
            }
        }
    )*};
}

binary_ops! {
    Add add AddAssign add_assign => add;
    Sub sub SubAssign sub_assign => sub;
    Mul mul MulAssign mul_assign => mul;
    Div div DivAssign div_assign => div;
}

impl<F: Float> Neg for Dual<F> {
    type Output = Self;
    /// The tangent from [`rules::neg`].
    #[inline(always)]
    fn neg(self) -> Self {
        lift1(rules::neg(self.v), self)
    }
}

impl<F: Float + Rem<Output = F>> Rem for Dual<F> {
    type Output = Self;
    /// `a % b = a - trunc(a / b) b`: partials `(1, -trunc(a / b))` (the quotient is piecewise
    /// constant). The rules have no `%` (`#[differentiable]` refuses it on floats).
    #[inline(always)]
    fn rem(self, rhs: Self) -> Self {
        let quotient = (self.v / rhs.v).trunc();
        lift2((self.v % rhs.v, F::ONE, -quotient), self, rhs)
    }
}

impl<F: Float + Rem<Output = F>> RemAssign for Dual<F> {
    #[inline(always)]
    fn rem_assign(&mut self, rhs: Self) {
        *self = *self % rhs;
    }
}

impl<F: Float> Sum for Dual<F> {
    /// Starts from `NEG_ZERO`, as the sum of `f64`s starts from `-0.0`.
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::NEG_ZERO, |a, b| a + b)
    }
}

impl<'a, F: Float> Sum<&'a Dual<F>> for Dual<F> {
    /// Starts from `NEG_ZERO`, as the sum of `f64`s starts from `-0.0`.
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Self::NEG_ZERO, |a, &b| a + b)
    }
}

impl<F: Float> Product for Dual<F> {
    /// Starts from `ONE`, as the product of `f64`s does.
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |a, b| a * b)
    }
}

impl<'a, F: Float> Product<&'a Dual<F>> for Dual<F> {
    /// Starts from `ONE`, as the product of `f64`s does.
    fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |a, &b| a * b)
    }
}

macro_rules! unary_methods {
    ($($name:ident),* $(,)?) => {$(
        #[inline(always)]
        fn $name(self) -> Self {
            lift1(rules::$name(self.v), self)
        }
    )*};
}

impl<F: Float> Float for Dual<F> {
    /// `c` is a constant: its tangent is zero, so the product's tangent is `d · c`, with the
    /// strong zero of the module docs where `c` is zero or not finite (folded away for a
    /// literal).
    #[inline(always)]
    fn mul_const(self, c: Self) -> Self {
        Dual {
            v: self.v.mul_const(c.v),
            d: if c.v.is_finite() && c.v != F::ZERO {
                self.d.mul_const(c.v)
            } else {
                term(c.v, self.d)
            },
        }
    }

    #[inline(always)]
    fn is_zero_adjoint(self) -> bool {
        self.v.is_zero_adjoint() && self.d.is_zero_adjoint()
    }

    const ZERO: Self = Dual::constant(F::ZERO);
    const NEG_ZERO: Self = Dual::new(F::NEG_ZERO, F::NEG_ZERO);
    const ONE: Self = Dual::constant(F::ONE);
    const LN_2: Self = Dual::constant(F::LN_2);
    const LN_10: Self = Dual::constant(F::LN_10);
    const INFINITY: Self = Dual::constant(F::INFINITY);
    const NEG_INFINITY: Self = Dual::constant(F::NEG_INFINITY);
    const EPSILON: Self = Dual::constant(F::EPSILON);
    const MAX: Self = Dual::constant(F::MAX);
    const MIN: Self = Dual::constant(F::MIN);
    const NAN: Self = Dual::constant(F::NAN);

    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        Dual::constant(F::from_f64(x))
    }
    #[inline(always)]
    fn from_i32(n: i32) -> Self {
        Dual::constant(F::from_i32(n))
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self.v.to_f64()
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        self.v.is_nan()
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        self.v.is_finite()
    }
    #[inline(always)]
    fn is_infinite(self) -> bool {
        self.v.is_infinite()
    }
    #[inline(always)]
    fn is_normal(self) -> bool {
        self.v.is_normal()
    }
    #[inline(always)]
    fn is_subnormal(self) -> bool {
        self.v.is_subnormal()
    }
    #[inline(always)]
    fn is_sign_negative(self) -> bool {
        self.v.is_sign_negative()
    }
    #[inline(always)]
    fn is_sign_positive(self) -> bool {
        self.v.is_sign_positive()
    }

    unary_methods!(
        sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, exp, exp2, exp_m1,
        ln, log2, log10, ln_1p, sqrt, cbrt, recip, abs, signum, floor, ceil, round, trunc,
        to_degrees, to_radians,
    );

    #[inline(always)]
    fn powi(self, n: i32) -> Self {
        lift1(rules::powi(self.v, n), self)
    }
    #[inline(always)]
    fn powf(self, n: Self) -> Self {
        lift2(rules::powf(self.v, n.v), self, n)
    }
    #[inline(always)]
    fn log(self, base: Self) -> Self {
        lift2(rules::log(self.v, base.v), self, base)
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        lift3(rules::mul_add(self.v, a.v, b.v), self, a, b)
    }
    #[inline(always)]
    fn hypot(self, other: Self) -> Self {
        lift2(rules::hypot(self.v, other.v), self, other)
    }
    #[inline(always)]
    fn atan2(self, other: Self) -> Self {
        lift2(rules::atan2(self.v, other.v), self, other)
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        lift2(rules::max(self.v, other.v), self, other)
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        lift2(rules::min(self.v, other.v), self, other)
    }
    #[inline(always)]
    fn clamp(self, lo: Self, hi: Self) -> Self {
        lift3(rules::clamp(self.v, lo.v, hi.v), self, lo, hi)
    }
    #[inline(always)]
    fn total_cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.v.total_cmp(&other.v)
    }
}

impl<F: Real> Real for Dual<F> {
    /// The tangent from [`rules::relu`].
    #[inline(always)]
    fn relu(self) -> Self {
        lift1(rules::relu(self.v), self)
    }

    /// The tangent from [`rules::sigmoid`].
    #[inline(always)]
    fn sigmoid(self) -> Self {
        lift1(rules::sigmoid(self.v), self)
    }
}

impl<F: Float> Differentiable for Dual<F> {
    #[inline]
    fn zero_like(&self) -> Self {
        Self::ZERO
    }
    #[inline]
    fn accumulate(&mut self, other: &Self) {
        *self += *other;
    }
    /// `self += alpha · other` in both parts (`alpha` rounded to `F`, as for `f32`).
    #[inline]
    fn axpy(&mut self, alpha: f64, other: &Self) {
        *self += Self::from_f64(alpha) * *other;
    }
    /// Appends the value only.
    #[inline]
    fn flatten(&self, out: &mut Vec<f64>) {
        out.push(self.v.to_f64());
    }
    /// Overwrites the value only; the tangent is kept.
    #[inline]
    fn unflatten(&mut self, values: &mut &[f64]) {
        let (&first, rest) = values
            .split_first()
            .expect("Differentiable::unflatten: `values` holds fewer floats than the value has");
        *values = rest;
        self.v = F::from_f64(first);
    }
    #[inline]
    fn param_count(&self) -> usize {
        1
    }
}

/// The two pools a thread keeps per item type ([`Recycled`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Pool {
    Tape,
    Scratch,
}

/// A thread's spare buffers of one item type.
type Spares<T> = RefCell<Vec<Vec<T>>>;

thread_local! {
    static TAPE_DUAL_F64: Spares<Dual<f64>> = const { RefCell::new(Vec::new()) };
    static SCRATCH_DUAL_F64: Spares<Dual<f64>> = const { RefCell::new(Vec::new()) };
    static TAPE_DUAL_F32: Spares<Dual<f32>> = const { RefCell::new(Vec::new()) };
    static SCRATCH_DUAL_F32: Spares<Dual<f32>> = const { RefCell::new(Vec::new()) };
    /// The pools of nested duals (`Dual<Dual<f64>>`, ...), by item type.
    static NESTED: RefCell<HashMap<(TypeId, Pool), Box<dyn Any>>> = RefCell::new(HashMap::new());
}

/// `any` as the type it is; the pools below are keyed by the type they hold, so this holds.
fn downcast<T: 'static>(any: &mut dyn Any) -> &mut T {
    match any.downcast_mut() {
        Some(t) => t,
        None => unreachable!("grad: a pool of duals holds another type (a bug in grad)"),
    }
}

/// Runs `f` on this thread's spare buffers of `Dual<F>` (`pool` chooses tapes or scratch):
/// `Dual<f64>` and `Dual<f32>` have pools of their own, as `f64` and `f32` do; nested duals
/// share a map keyed by their type. The type tests are resolved at compile time.
fn with_pool<F: Float, R>(pool: Pool, f: impl FnOnce(&mut Vec<Vec<Dual<F>>>) -> R) -> R {
    let of = TypeId::of::<F>();
    if of == TypeId::of::<f64>() {
        let key = match pool {
            Pool::Tape => &TAPE_DUAL_F64,
            Pool::Scratch => &SCRATCH_DUAL_F64,
        };
        key.with(|p| f(downcast(&mut *p.borrow_mut())))
    } else if of == TypeId::of::<f32>() {
        let key = match pool {
            Pool::Tape => &TAPE_DUAL_F32,
            Pool::Scratch => &SCRATCH_DUAL_F32,
        };
        key.with(|p| f(downcast(&mut *p.borrow_mut())))
    } else {
        NESTED.with(|m| {
            let mut m = m.borrow_mut();
            let spares = m
                .entry((TypeId::of::<Dual<F>>(), pool))
                .or_insert_with(|| Box::new(Vec::<Vec<Dual<F>>>::new()));
            f(downcast(&mut **spares))
        })
    }
}

impl<F: Float> Recycled for Dual<F> {
    #[inline]
    fn take() -> Vec<Self> {
        with_pool(Pool::Tape, |p| p.pop().unwrap_or_default())
    }

    #[inline]
    fn give(items: Vec<Self>) {
        with_pool(Pool::Tape, |p| {
            if p.len() < TAPE_SPARES {
                p.push(items);
            }
        });
    }

    #[inline]
    fn take_scratch() -> Vec<Self> {
        with_pool(Pool::Scratch, |p| p.pop().unwrap_or_default())
    }

    #[inline]
    fn give_scratch(items: Vec<Self>) {
        with_pool(Pool::Scratch, |p| {
            if p.len() < SCRATCH_SPARES {
                p.push(items);
            }
        });
    }
}

/// A constant dual passed where the macro cannot see its type gets a dual adjoint slot.
impl<F: Float> crate::stack::Sink for Dual<F> {
    type Slot = Self;
    #[inline(always)]
    fn sink(&self) -> Self {
        <Self as Float>::ZERO
    }
}
