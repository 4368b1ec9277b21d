//! # grad: compile-time reverse-mode automatic differentiation for Rust
//!
//! Put `#[differentiable]` on an ordinary scalar function and get a companion `<name>_grad`
//! that returns the value and the gradient with respect to every float parameter, as plain
//! Rust that the optimizer sees whole: no tape, no allocation for straight-line code, stable
//! Rust.
//!
//! ```
//! use grad::prelude::*;
//!
//! #[differentiable]
//! fn loss(x1: f64, x2: f64, x3: f64) -> f64 {
//!     let a = x1 * x2;
//!     a.ln() + (x1 * x3).sin() + x2 * x3
//! }
//!
//! let (value, d_x1, d_x2, d_x3) = loss_grad(2.0, 3.0, 4.0);
//! assert_eq!(value, loss(2.0, 3.0, 4.0)); // bit for bit the plain function's value
//! assert!((d_x1 - (0.5 + 4.0 * 8.0_f64.cos())).abs() < 1e-12);
//! # let _ = (d_x2, d_x3);
//! ```
//!
//! # The contract
//!
//! The function is kept as written. The companion has the same parameters and returns a flat
//! tuple: the value, then one gradient per differentiable parameter in parameter order. `f64`
//! and `f32` scalars get a gradient of their type, `&[f64]` a `Vec<f64>`, `[f64; N]` an array;
//! integers, `bool` and `&[usize]` are constants, absent from the tuple.
//! `#[differentiable(wrt(p))]` restricts the gradient to the parameters named.
//!
//! One body can serve both precisions: with one type parameter bounded by [`Real`], that
//! parameter is the float type and the companions are generic too (`_graph` excepted).
//! [`Real`] carries the operators, the float methods and the constants (`T::ZERO`, `T::ONE`,
//! `T::from_f64(0.5)`); float literals have no generic type, as in any generic Rust.
//!
//! ```
//! use grad::prelude::*;
//!
//! #[differentiable]
//! fn f<T: Real>(x: T, ys: &[T]) -> T {
//!     let mut s = T::ZERO;
//!     for &y in ys {
//!         s += (x * y).sin() * T::from_f64(0.5);
//!     }
//!     s + x * x + T::ONE
//! }
//!
//! let (v, dx, dys) = f_grad::<f64>(0.3, &[1.0, 2.0]);
//! let (v32, dx32, _) = f_grad(0.3f32, &[1.0, 2.0]);
//! assert_eq!((v, v32), (f(0.3, &[1.0, 2.0]), f(0.3f32, &[1.0, 2.0])));
//! assert!((f64::from(dx32) - dx).abs() < 1e-5 && dys.len() == 2);
//! ```
//!
//! ```
//! use grad::prelude::*;
//!
//! /// Mean squared error of a line through the data; only `p = [slope, intercept]` is a
//! /// variable.
//! #[differentiable(wrt(p))]
//! fn mse(p: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     for i in 0..xs.len() {
//!         let r = p[0] * xs[i] + p[1] - ys[i];
//!         s += r * r;
//!     }
//!     s / xs.len() as f64
//! }
//!
//! let (value, d_p) = mse_grad(&[2.0, 1.0], &[0.0, 1.0, 2.0], &[1.0, 3.0, 5.5]);
//! assert_eq!(value, 0.25 / 3.0);
//! assert!((d_p[0] + 2.0 / 3.0).abs() < 1e-15 && (d_p[1] + 1.0 / 3.0).abs() < 1e-15);
//! ```
//!
//! # What the body may contain
//!
//! `let`, `let mut`, reassignment and `+=`-style updates; arithmetic, casts and constants;
//! float methods with their exact derivatives (`exp`, `ln`, `sin`, `powi`, `sqrt`, `tanh`,
//! `max`, `hypot`, `atan2`, ... and [`Real`]'s `relu` and `sigmoid`); `if`/`else` on any
//! condition; `match` on integers, `bool`s and enums; `for` over ranges and slices,
//! `while`, `loop`, `break`, `continue` and early `return`; indexing slices and arrays, local
//! arrays and `vec!` buffers; iterator chains and closures; calls to other `#[differentiable]`
//! functions, passing scalars, slices, sub-slices, `&mut` buffers and structs; struct
//! parameters and methods (below); and custom derivative rules by writing `<name>_grad` or
//! `<name>_pullback` by hand. Everything else (macros, struct literals, a float behind a
//! `Box`, ...) is refused by a compile error under the offending tokens that
//! says what to write instead, and a parameter of a type that has no gradient is never
//! silently a constant: the macro never gives a gradient it cannot vouch for. The README's
//! "Supported" and "Refused" sections have the full lists, and [`rules`] the derivative of
//! every primitive with its edge semantics (`sqrt'(0)`, `abs'(0)`, NaN, ...).
//!
//! # Structs and methods
//!
//! The gradient with respect to a struct is a value of that struct
//! ([`Differentiable`](trait@Differentiable)); a method's companion is a method, returning the
//! value, then `d_self`, then the other parameters' gradients:
//!
//! ```
//! use grad::prelude::*;
//!
//! #[derive(Clone, Differentiable)]
//! struct Layer {
//!     w: Vec<f64>,
//!     b: Vec<f64>,
//!     n_in: usize,
//! }
//!
//! impl Layer {
//!     #[differentiable]
//!     fn forward(&self, x: &[f64], out: &mut [f64]) {
//!         for j in 0..self.b.len() {
//!             let mut s = self.b[j];
//!             for i in 0..self.n_in {
//!                 s += self.w[j * self.n_in + i] * x[i];
//!             }
//!             out[j] = s.tanh();
//!         }
//!     }
//! }
//!
//! #[derive(Clone, Differentiable)]
//! struct Mlp {
//!     layers: Vec<Layer>,
//! }
//!
//! impl Mlp {
//!     #[differentiable]
//!     fn loss(&self, x: &[f64], y: f64) -> f64 {
//!         let mut h = vec![0.0; self.layers[0].b.len()];
//!         self.layers[0].forward(x, &mut h);
//!         let mut out = [0.0];
//!         self.layers[1].forward(&h, &mut out);
//!         (out[0] - y) * (out[0] - y)
//!     }
//! }
//!
//! let mut mlp = Mlp { layers: vec![
//!     Layer { w: vec![0.1, -0.2, 0.3, 0.4], b: vec![0.0, 0.1], n_in: 2 },
//!     Layer { w: vec![0.5, -0.5], b: vec![0.2], n_in: 2 },
//! ] };
//! let (loss, d_mlp, _d_x, _d_y) = mlp.loss_grad(&[1.0, 2.0], 0.5);
//! assert_eq!(loss, mlp.loss(&[1.0, 2.0], 0.5));
//! assert_eq!(d_mlp.layers[0].n_in, 2); // constants are carried over
//! mlp.axpy(-0.1, &d_mlp); // one step of gradient descent over the same struct
//! assert!(mlp.loss(&[1.0, 2.0], 0.5) < loss);
//! ```
//!
//! # Every derivative
//!
//! `#[differentiable(jvp)]` adds `<name>_jvp` (forward mode), `#[differentiable(hessian)]` adds
//! `<name>_hvp` and `<name>_hessian` (forward over reverse, on [`Dual`] numbers), and a
//! function returning an array gets `<name>_vjp` and `<name>_jacobian`:
//!
//! ```
//! use grad::prelude::*;
//!
//! #[differentiable(jvp, hessian)]
//! fn energy(q: &[f64], k: f64) -> f64 {
//!     let mut e = 0.0;
//!     for i in 0..q.len() {
//!         e += 0.5 * k * q[i] * q[i] + (q[i] * k).cos();
//!     }
//!     e
//! }
//!
//! let (e, de) = energy_jvp(&[0.3, -0.8], 2.0, &[1.0, 0.0], 0.0); // along q0
//! let (e2, g, h) = energy_hessian(&[0.3, -0.8], 2.0); // 3 x 3: q0, q1, k
//! assert_eq!((e, e2), (energy(&[0.3, -0.8], 2.0), e));
//! assert!((de - g[0]).abs() < 1e-15); // forward and reverse mode agree
//! assert!((h[0][0] - (2.0 - 4.0 * 0.6f64.cos())).abs() < 1e-12);
//! assert_eq!(h[0][1], 0.0); // q0 and q1 do not interact: an exact zero
//! assert_eq!(h[0][2], h[2][0]); // exactly symmetric
//!
//! #[differentiable]
//! fn polar(r: f64, theta: f64) -> [f64; 2] {
//!     [r * theta.cos(), r * theta.sin()]
//! }
//! let (xy, j) = polar_jacobian(2.0, 0.5);
//! assert_eq!(xy, polar(2.0, 0.5));
//! assert_eq!(j[0], vec![0.5f64.cos(), -2.0 * 0.5f64.sin()]);
//! ```
//!
//! # Beyond `_grad`
//!
//! - [`tape`]: micrograd's engine in Rust, computing the same gradients at run time with the
//!   same [`rules`]; [`nn`] builds micrograd's `Neuron`, `Layer` and `MLP` on it.
//! - `<name>_graph` runs a function once on the tape engine with the source's names, and
//!   [`dot`] draws the graph (DOT text, or SVG without Graphviz with the default `svg`
//!   feature). The companion's rustdoc lists the code the macro generated.
//! - [`check`] compares any gradient with central finite differences.
//! - [`Dual`] numbers: forward mode. A generic function at `Dual<f64>` gives a directional
//!   derivative, and its generic companion at `Dual<f64>` a Hessian-vector product (the
//!   gradient in the values, `H v` in the tangents; `tests/dual.rs`).
//! - [`Differentiable`](trait@Differentiable) and `#[derive(Differentiable)]`: structs of
//!   parameters whose gradient is a value of the same struct (zeroed floats, constants carried
//!   over), with what training loops need: `zero_like`, `accumulate`, `axpy`, `flatten`.
//! - `argmin` (cargo feature `argmin`): compiled gradients as argmin problems, in one line.
//! - Companions are plain functions with no shared state: call them from any number of
//!   threads, for example over chunks of a data set with rayon (`examples/parallel.rs`).
//!
//! # Cargo features
//!
//! - `svg` (default): [`dot::to_svg`], pictures of tape graphs in pure Rust.
//! - `argmin`: the `argmin` module, an adapter to argmin 0.11's solvers.
//!
//! # Where to read more
//!
//! The README (performance against hand-written gradients and peers, how the macro works,
//! known limitations), the examples (`seed`, `moons`: micrograd's demo compiled, `graph`,
//! `optimize`, `parallel`) and the documentation of each module.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as grad;

/// Generates the companion `<name>_grad` of a scalar function (and `<name>_graph` for `f64`
/// functions): the value, then the gradient with respect to every float parameter.
///
/// Arguments: `wrt(a, b)` restricts the gradient to the parameters named;
/// `disable(fold, cse, prune, recompute, fuse, freeze, skip, sincos, reserve, window, promote, index, segment)`
/// turns optimizing passes off
/// (a debugging aid: the values stay the same, the gradients to the last bits).
///
/// ```
/// use grad::prelude::*;
///
/// #[differentiable]
/// fn rosenbrock(x: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..x.len() - 1 {
///         let a = 1.0 - x[i];
///         let b = x[i + 1] - x[i] * x[i];
///         s += a * a + 100.0 * b * b;
///     }
///     s
/// }
///
/// let (value, gradient) = rosenbrock_grad(&[1.0, 1.0, 1.0]);
/// assert_eq!((value, gradient), (0.0, vec![0.0, 0.0, 0.0]));
/// ```
#[doc(inline)]
pub use grad_macro::differentiable;
/// Implements [`Differentiable`](trait@Differentiable) for a struct, field by field, so that
/// its gradient is a value of the same struct: every float zeroed, every constant field
/// (`usize`, `bool`, `String`, `Vec<usize>`, ...) carried over.
///
/// Each field goes through its type's own impl, so nested derived structs, `Vec<Layer>` and
/// `[Layer; 3]` work. `#[grad(skip)]` makes a field a constant whatever its type (ignored by
/// the other methods; its type needs only `Clone`): `zero_like` zeroes it where its type is
/// `Differentiable` (a skipped float is a slot the generated code accumulates into, put back
/// by `restore_constants` before a gradient is returned) and clones it otherwise. Generic structs
/// get a `T: Differentiable` bound for each type parameter. The struct must also implement
/// `Clone`; enums and unions are refused.
///
/// ```
/// use grad::prelude::*;
///
/// #[derive(Clone, Debug, PartialEq, Differentiable)]
/// struct Layer {
///     w: Vec<f64>,
///     b: f64,
///     n_in: usize,
///     #[grad(skip)]
///     dropout: f64,
/// }
///
/// let layer = Layer { w: vec![1.0, -2.0], b: 0.5, n_in: 2, dropout: 0.1 };
/// let mut grad = layer.zero_like();
/// assert_eq!(grad, Layer { w: vec![0.0, 0.0], b: 0.0, n_in: 2, dropout: 0.0 });
/// grad.restore_constants(&layer);
/// assert_eq!(grad.dropout, 0.1);
///
/// grad.accumulate(&Layer { w: vec![4.0, 2.0], b: 1.0, n_in: 2, dropout: 0.1 });
/// let mut next = layer.clone();
/// next.axpy(-0.25, &grad); // one step of gradient descent
/// assert_eq!(next.w, [0.0, -2.5]);
/// assert_eq!(next.b, 0.25);
///
/// let mut flat = Vec::new();
/// next.flatten(&mut flat);
/// assert_eq!(flat, [0.0, -2.5, 0.25]); // `w`, then `b`; `n_in` and `dropout` are constants
/// assert_eq!(next.param_count(), 3);
/// ```
#[doc(inline)]
pub use grad_macro::Differentiable;
pub use grad_runtime::{check, dot, dual, nn, rules, tape, Differentiable, Dual, Float, Real};

#[cfg(feature = "argmin")]
#[cfg_attr(docsrs, doc(cfg(feature = "argmin")))]
pub mod argmin;

/// `use grad::prelude::*;` brings the attribute, the [`Real`] trait (`relu`, `sigmoid`), and
/// the [`Differentiable`](trait@Differentiable) trait with its derive.
pub mod prelude {
    pub use grad_macro::{differentiable, Differentiable};
    pub use grad_runtime::{Differentiable, Real};
}

/// What generated code uses. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use grad_runtime::companion::{companion, is_float, not_generated, IntoPartials};
    pub use grad_runtime::differentiable::{
        add_adjoint, dot, dot_differentiable, flatten_as, primal_count, restore_grad, zero_grad,
        PrimalOf, SkipAxpy, SkipClone, SkipIgnore, SkipPair, SkipProbe, SkipZero,
    };
    pub use grad_runtime::lift::{
        has_tangent, has_tangents, unknown_adjoint, unknown_adjoints, unknown_dual_adjoint,
        unknown_dual_adjoints, unknown_tangent,
    };
    pub use grad_runtime::record;
    pub use grad_runtime::rules;
    pub use grad_runtime::segment::segment;
    pub use grad_runtime::stack::{
        copy_length, element, same_length, sink, two_mut, used, view_start, FromSnapshot, Scratch,
        SinkKnown, SinkProbe, SinkUnknown, Stack, Tape,
    };
    pub use grad_runtime::twin_place::{self, TwinMut, TwinRef, TwinStruct};
    pub use grad_runtime::{
        add_dual, axpy_dual, Differentiable, Dual, Float, Lift, Real, Tangent, TwinArg, TwinField,
    };
}
