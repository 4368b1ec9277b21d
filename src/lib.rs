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
//! assert_eq!(value, loss(2.0, 3.0, 4.0));
//! assert!((d_x1 - (0.5 + 4.0 * 8.0_f64.cos())).abs() < 1e-12);
//! # let _ = (d_x2, d_x3);
//! ```
//!
//! The micrograd-style tape engine ([`tape`]) computes the same gradients at run time, with
//! the same rules ([`rules`]), and [`nn`] builds micrograd's `Neuron`, `Layer` and `MLP` on it;
//! [`dot`] draws its graphs (DOT text, or SVG without Graphviz with the default `svg` feature);
//! [`check`] compares any gradient with finite differences.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as grad;

pub use grad_macro::differentiable;
pub use grad_runtime::{check, dot, nn, rules, tape, Float, Real};

#[cfg(feature = "argmin")]
#[cfg_attr(docsrs, doc(cfg(feature = "argmin")))]
pub mod argmin;

/// `use grad::prelude::*;` brings the attribute and the [`Real`] trait (`relu`, `sigmoid`).
pub mod prelude {
    pub use grad_macro::differentiable;
    pub use grad_runtime::Real;
}

/// What generated code uses. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use grad_runtime::companion::{companion, is_float, IntoPartials};
    pub use grad_runtime::record;
    pub use grad_runtime::rules;
    pub use grad_runtime::stack::{Scratch, Stack, Tape};
    pub use grad_runtime::Real;
}
