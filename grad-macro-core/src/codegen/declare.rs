//! Generated locals, declared in groups.
//!
//! Each `let` statement opens a lexical scope that lasts to the end of its block, so a
//! companion written as one `let` per value nests scopes as deep as it has values (about
//! eight per source statement, with the partials and adjoints). With debuginfo on, as in the
//! default dev profile, the debuginfo writer recurses once per nested scope and overflowed
//! rustc's stack on companions of about 300 statements. So the forward sweep declares the
//! values of each block at its top, in groups (`let (a, b, c): (f64, f64, _);`), and assigns
//! them where they are computed (`(a, b, c) = rules::mul(x, y);`); the adjoints are declared
//! in groups too. The depth is divided by [`GROUP`]; the code that runs is the same.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

/// Names per grouped declaration. Larger groups nest less; rustc handles long tuples in
/// patterns well, and 128 keeps a 10,000-statement companion a few hundred scopes deep.
pub(crate) const GROUP: usize = 128;

/// A name and its type where the macro knows it (`_` in declarations otherwise).
pub(crate) type Decl = (Ident, Option<syn::Type>);

/// The names one definition binds, and the expression that gives them.
pub(crate) struct Binding {
    pub names: Vec<Decl>,
    pub value: TokenStream,
    pub span: Span,
}

impl Binding {
    pub(crate) fn new(names: Vec<Decl>, value: TokenStream, span: Span) -> Self {
        Binding { names, value, span }
    }

    /// The definition as a statement of its own: `let (a, b): (f64, f64) = value;`.
    pub(crate) fn let_(&self) -> TokenStream {
        let (pat, ty) = pattern(&self.names, false);
        let value = &self.value;
        quote_spanned!(self.span=> let #pat #ty = #value;)
    }

    /// The definition of names declared earlier: `(a, b) = value;`.
    pub(crate) fn assign(&self) -> TokenStream {
        let names = self.names.iter().map(|(n, _)| n);
        let value = &self.value;
        if self.names.len() == 1 {
            quote_spanned!(self.span=> #(#names)* = #value;)
        } else {
            quote_spanned!(self.span=> (#(#names),*) = #value;)
        }
    }
}

/// A pattern and its type annotation (`: (f64, _)`, or nothing when no type is known).
fn pattern(names: &[Decl], mutable: bool) -> (TokenStream, TokenStream) {
    let m = mutable.then(|| quote!(mut));
    let idents = names.iter().map(|(n, _)| quote!(#m #n));
    let known = names.iter().any(|(_, t)| t.is_some());
    let types = names.iter().map(|(_, t)| match t {
        Some(t) => quote!(#t),
        None => quote!(_),
    });
    match names {
        [(_, None)] => (quote!(#(#idents)*), TokenStream::new()),
        [_] => (quote!(#(#idents)*), quote!(: #(#types)*)),
        _ if known => (quote!((#(#idents),*)), quote!(: (#(#types),*))),
        _ => (quote!((#(#idents),*)), TokenStream::new()),
    }
}

/// Declarations, without values, of names assigned later: `let (a, b): (f64, _);`, in
/// groups of [`GROUP`].
pub(crate) fn declare(names: &[Decl]) -> TokenStream {
    names
        .chunks(GROUP)
        .map(|group| {
            let (pat, ty) = pattern(group, false);
            quote!(let #pat #ty;)
        })
        .collect()
}

/// Mutable names of one type, all starting at `init`: `let (mut a, mut b): (f64, f64) =
/// (init, init);`, in groups of [`GROUP`].
pub(crate) fn declare_mut(names: &[Ident], ty: &syn::Type, init: &TokenStream) -> TokenStream {
    let decls: Vec<Decl> = names
        .iter()
        .map(|n| (n.clone(), Some(ty.clone())))
        .collect();
    decls
        .chunks(GROUP)
        .map(|group| {
            let (pat, ty) = pattern(group, true);
            if group.len() == 1 {
                quote!(let #pat #ty = #init;)
            } else {
                let inits = group.iter().map(|_| init);
                quote!(let #pat #ty = (#(#inits),*);)
            }
        })
        .collect()
}
