//! `#[differentiable]`: compile-time reverse-mode automatic differentiation, and
//! `#[derive(Differentiable)]` for structs of parameters.
//!
//! This crate is the thin shell of both; the pipeline (parse → lower → activity → passes →
//! adjoint → codegen) and the derive are `grad-macro-core`. Derivative rules live in
//! `grad_runtime::rules`, never here. Use both through the `grad` crate.

/// Generates `<name>_grad`, returning the value and the gradient with respect to every float
/// parameter (or those named in `wrt(...)`). See the `grad` crate for the full documentation.
#[proc_macro_attribute]
pub fn differentiable(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    grad_macro_core::expand(attr.into(), item.into()).into()
}

/// Implements `Differentiable` for a struct, field by field: the gradient of a struct is a
/// value of the same struct, with every float zeroed and every constant field carried over.
/// A field marked `#[grad(skip)]` is a constant (its type needs only `Clone`). See the `grad`
/// crate for the full documentation.
#[proc_macro_derive(Differentiable, attributes(grad))]
pub fn derive_differentiable(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    grad_macro_core::derive(input.into()).into()
}
