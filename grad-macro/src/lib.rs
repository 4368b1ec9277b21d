//! `#[differentiable]`: compile-time reverse-mode automatic differentiation.
//!
//! This crate is the attribute's thin shell; the pipeline (parse → lower → activity → passes
//! → adjoint → codegen) is `grad-macro-core`. Derivative rules live in
//! `grad_runtime::rules`, never here. Use the attribute through the `grad` crate.

/// Generates `<name>_grad`, returning the value and the gradient with respect to every float
/// parameter (or those named in `wrt(...)`). See the `grad` crate for the full documentation.
#[proc_macro_attribute]
pub fn differentiable(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    grad_macro_core::expand(attr.into(), item.into()).into()
}
