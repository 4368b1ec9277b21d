//! The pipeline behind `#[differentiable]`, as an ordinary library on `proc_macro2` token
//! streams, so that tests, fuzzers and cost measurements can call it directly.
//!
//! One module per stage: [`parse`](crate) → lower (structured SSA, `ir`) → activity → passes
//! → adjoint (reverse sweep) → codegen. Derivative rules live in `grad_runtime::rules`, never
//! here. Users use the attribute through the `grad` crate; this crate has two entry points:
//! [`expand`] for the attribute and [`derive()`] for `#[derive(Differentiable)]`.

mod activity;
mod adjoint;
mod asserts;
mod codegen;
mod derive;
mod error;
mod generic;
mod higher;
mod ir;
mod listing;
mod lower;
mod parse;
mod passes;
mod pipeline;
mod prims;
mod siblings;
mod stack;
mod symbol;
mod twin;
mod verify;

pub use derive::derive;
pub use pipeline::expand;

#[cfg(test)]
mod snapshot_tests;
