//! `#[differentiable]`: compile-time reverse-mode automatic differentiation.
//!
//! The pipeline, one module per stage: [`parse`] → [`lower`] (structured SSA, [`ir`]) →
//! [`activity`] → [`adjoint`] (reverse sweep) → [`codegen`]. Derivative rules live in
//! `grad_runtime::rules`, never here. Use the attribute through the `grad` crate.

mod activity;
mod adjoint;
mod codegen;
mod error;
mod ir;
mod listing;
mod lower;
mod parse;
mod pipeline;
mod prims;
mod symbol;

/// Generates `<name>_grad`, returning the value and the gradient with respect to every float
/// parameter (or those named in `wrt(...)`). See the `grad` crate for the full documentation.
#[proc_macro_attribute]
pub fn differentiable(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    pipeline::expand(attr.into(), item.into()).into()
}

#[cfg(test)]
mod snapshot_tests;
