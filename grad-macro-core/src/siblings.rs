//! How the wrappers (`_jvp`, `_hvp`, `_hessian`, `_vjp`, `_jacobian`) reach the items they
//! call: beside them, or through copies nested in their bodies where the function may be in an
//! `impl` block without the macro knowing ([`nested`]); and how they call a twin
//! ([`run_twin`]).

use crate::parse::Parsed;
use crate::twin::Twins;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

/// The items the wrappers call, of which they hold copies where the function may be in an
/// `impl` block without the macro knowing ([`nested`]).
#[derive(Default)]
pub(crate) struct Siblings {
    /// The function itself (`_jacobian` computes the value with it; a generic function's
    /// `_jvp` runs it on dual numbers).
    pub plain: TokenStream,
    /// `<name>_grad`, which a generic function's `_hvp` and `_hessian` run on dual numbers.
    pub grad: TokenStream,
    /// `<name>_pullback` (`_vjp` and `_jacobian` run it), where it has one.
    pub pullback: TokenStream,
    /// The twins: the gradient twin for `_hvp` and `_hessian`, the forward twin for `_jvp`
    /// and the forward sweeps of `_jacobian`.
    pub twins: Twins,
}

impl Siblings {
    /// What a wrapper runs on dual numbers (as `Target::on_duals` names it): the function
    /// itself, or with `grad` its `_grad`, for a generic function; else its forward or
    /// gradient twin.
    pub(crate) fn on_duals(&self, generic: bool, grad: bool) -> &TokenStream {
        match (generic, grad) {
            (true, false) => &self.plain,
            (true, true) => &self.grad,
            (false, false) => &self.twins.forward,
            (false, true) => &self.twins.grad,
        }
    }
}

/// Whether the wrappers hold their own copies of what they call ([`Siblings`]), as items
/// nested in their bodies: for a function that neither takes `self` nor names `Self`. Such a
/// function may be a free function or an associated function of an `impl` block, and the
/// macro cannot tell which: a path to a twin beside it would be `f__twin` in one and
/// `Self::f__twin` in the other, while a nested item is reached by its name in both. The twins
/// are emitted beside the function as well, for its callers' twins. (A copy is checked by
/// rustc again, and compiled where its wrapper is: the price of not failing inside an
/// `impl`.)
pub(crate) fn nested(parsed: &Parsed) -> bool {
    !parsed.params.iter().any(|p| p.ident == "self") && !names_self(&parsed.item)
}

/// Whether `item` mentions `Self` anywhere (its signature or body).
pub(crate) fn names_self(item: &syn::ItemFn) -> bool {
    fn walk(ts: TokenStream) -> bool {
        ts.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => i == "Self",
            proc_macro2::TokenTree::Group(g) => walk(g.stream()),
            _ => false,
        })
    }
    walk(quote::ToTokens::to_token_stream(item))
}

/// A wrapper's call of its twin, `callee(args)`, through `grad::__private::segment`, which is
/// never inlined. Inlined into a wrapper, the twin's hot loop had its running sums live across
/// the calls the wrapper makes after it (giving back its recycled buffers, building its
/// results), and LLVM's register allocator kept them in memory for the whole loop: a store and
/// a reload per iteration on the loop's critical path (Rosenbrock's `_jvp` at n = 1,000: 3.5
/// µs instead of 2.5 µs). Apart, the loop ends where its function returns; the call costs a
/// few nanoseconds.
///
/// A straight-line function (no loop, no call: the seed) calls its twin directly.
pub(crate) fn run_twin(parsed: &Parsed, callee: &TokenStream, args: &[TokenStream]) -> TokenStream {
    if straight_line(parsed.item.block.to_token_stream()) {
        return quote!(#callee(#(#args),*));
    }
    quote!(::grad::__private::segment(|| #callee(#(#args),*)))
}

/// Whether a body has no loop (`for`, `while`, `loop`) and calls no function (a name followed
/// by parentheses; a method call or a macro does not count).
fn straight_line(body: TokenStream) -> bool {
    use proc_macro2::{Delimiter, TokenTree};
    let mut stack = vec![body.into_iter()];
    // The previous token: a name not after a `.` (a callee if parentheses follow), a `.`.
    let (mut callee, mut dot) = (false, false);
    while let Some(top) = stack.last_mut() {
        let Some(tt) = top.next() else {
            stack.pop();
            continue;
        };
        let (after_callee, after_dot) = (callee, dot);
        (callee, dot) = (false, false);
        match tt {
            TokenTree::Ident(i) if i == "for" || i == "while" || i == "loop" => return false,
            TokenTree::Ident(_) => callee = !after_dot,
            TokenTree::Group(g) if after_callee && g.delimiter() == Delimiter::Parenthesis => {
                return false
            }
            TokenTree::Group(g) => stack.push(g.stream().into_iter()),
            TokenTree::Punct(p) => dot = p.as_char() == '.',
            TokenTree::Literal(_) => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::straight_line;
    use quote::quote;

    #[test]
    fn straight_line_bodies_have_no_loop_and_no_call() {
        assert!(straight_line(quote!({
            (x1 * x2).ln() + (x1 * x3).sin() + x2 * x3
        })));
        assert!(straight_line(quote!({
            let y = if a > b { a } else { -b };
            assert!(y > 0.0);
            y
        })));
        assert!(!straight_line(quote!({
            let mut s = 0.0;
            for v in x {
                s += v;
            }
            s
        })));
        assert!(!straight_line(quote!({
            while a > 1.0 {
                a *= 0.5;
            }
            a
        })));
        assert!(!straight_line(quote!({ helper(x).exp() })));
        assert!(!straight_line(quote!({ x + { Self::step(x) } })));
    }
}
