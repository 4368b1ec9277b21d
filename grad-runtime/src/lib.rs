//! The run-time half of `grad`: one derivative rule per primitive ([`rules`]), the
//! micrograd-style tape engine ([`tape`]), pictures of its graphs ([`dot`]), micrograd's neural
//! networks on it ([`nn`]), finite-difference checking ([`check`]), the [`Differentiable`] trait
//! of values whose gradient has their type, forward-mode [`Dual`] numbers ([`dual`]), and the
//! [`prelude`]. Users depend on the `grad` crate, which re-exports this one.

#![warn(missing_docs)]

pub mod check;
#[doc(hidden)]
pub mod companion;
pub mod differentiable;
pub mod dot;
pub mod dual;
pub mod float;
pub mod lift;
pub mod nn;
pub mod real;
#[doc(hidden)]
pub mod record;
pub mod rules;
pub mod segment;
pub mod stack;
pub mod tape;
#[doc(hidden)]
pub mod twin_place;

pub use differentiable::Differentiable;
pub use dual::Dual;
pub use float::Float;
pub use lift::{add_dual, axpy_dual, Lift, Tangent, TwinArg, TwinField};
pub use real::Real;

/// What `use grad::prelude::*` brings into scope: the [`Real`] trait (`relu`, `sigmoid`) and
/// the [`Differentiable`] trait.
pub mod prelude {
    pub use crate::differentiable::Differentiable;
    pub use crate::real::Real;
}
