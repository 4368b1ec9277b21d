//! Errors as values with spans. Every stage adds to one [`Errors`] so that a user sees every
//! problem of a function in one build.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// A collection of errors, combined into one `syn::Error` at the end.
#[derive(Default)]
pub struct Errors {
    errors: Option<syn::Error>,
}

impl Errors {
    /// Records an error at `span`.
    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an error spanning the tokens of `node` (start to end).
    pub fn on(&mut self, node: &impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(node, message));
    }

    /// Records a `syn::Error` as it is.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(error),
            None => self.errors = Some(error),
        }
    }

    /// Takes the recorded errors, each with `prefix` before its message.
    pub fn drain_prefixed(&mut self, prefix: &str) -> Vec<syn::Error> {
        match self.errors.take() {
            Some(all) => all
                .into_iter()
                .map(|e| syn::Error::new(e.span(), format!("{prefix}{e}")))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_none()
    }

    /// All errors as `compile_error!` invocations (empty if there are none).
    pub fn to_compile_errors(&self) -> TokenStream {
        match &self.errors {
            Some(e) => e.to_compile_error(),
            None => TokenStream::new(),
        }
    }
}
