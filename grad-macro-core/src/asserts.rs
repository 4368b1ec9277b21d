//! Assertions at the start of a differentiable function (`assert_eq!(x.len(), w.len());`).
//!
//! The macro cannot see what a macro call expands to, so it differentiates none; but an
//! assertion computes nothing the result depends on. Those that open the function body, before
//! its first other statement, read only the parameters: they are taken off the body the macro
//! differentiates and written again at the start of `_grad`, `_pullback` and `_graph` (whose
//! parameters have the user's names), so a companion panics where the function would; the
//! wrappers `_jvp`, `_hvp` and `_hessian` check them before they call the dual-number twins
//! (whose parameters have another type, so the twins do not repeat them). An assertion
//! anywhere else is refused (see `lower::stmt`).

use proc_macro2::TokenStream;
use quote::ToTokens;

/// The assertion macros.
const ASSERTS: [&str; 6] = [
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
];

/// Whether `m` is an assertion (`assert!`, `debug_assert_eq!`, `std::assert!`, ...).
pub(crate) fn is_assert(m: &syn::Macro) -> bool {
    m.path
        .segments
        .last()
        .is_some_and(|s| ASSERTS.contains(&s.ident.to_string().as_str()))
}

fn leading(stmt: &syn::Stmt) -> bool {
    match stmt {
        syn::Stmt::Macro(m) => is_assert(&m.mac),
        syn::Stmt::Expr(syn::Expr::Macro(m), Some(_)) => is_assert(&m.mac),
        _ => false,
    }
}

/// The assertions that open `item`'s body, and `item` without them.
pub(crate) fn split_leading(item: &syn::ItemFn) -> (TokenStream, syn::ItemFn) {
    let n = item.block.stmts.iter().take_while(|s| leading(s)).count();
    let mut rest = item.clone();
    let asserts: Vec<syn::Stmt> = rest.block.stmts.drain(..n).collect();
    let mut out = TokenStream::new();
    for s in asserts {
        s.to_tokens(&mut out);
    }
    (out, rest)
}
