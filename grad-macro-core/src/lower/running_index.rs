//! Running indices: `for row in a..b { ..; l += 1; }` where the integer variable `l` changes
//! only by that last statement (ADBench's packed triangles, `icf[l]` with `l += 1`). The loop
//! is lowered as
//!
//! ```text
//! { let from = a; let to = b; let run = l;
//!   for row in from..to { let l = run + (row - from) * 1; ..; }
//!   l = if to > from { run + (to - from) * 1 } else { run }; }
//! ```
//!
//! the same integers, so the same elements and the same floats, but `l` inside the loop is a
//! function of the loop variable and of a value from before the loop: the reverse sweep
//! rebuilds it instead of pushing it once per iteration.

use super::scope::Binding;
use super::stmt::strip;
use super::Lowerer;
use crate::ir::Ty;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::{format_ident, quote, ToTokens};

impl Lowerer<'_> {
    /// The loop `f` rewritten as above, if it has that shape (see the module's documentation).
    pub(crate) fn running_index(&mut self, f: &syn::ExprForLoop) -> Option<syn::Expr> {
        if f.label.is_some() {
            return None;
        }
        let syn::Pat::Ident(pi) = &*f.pat else {
            return None;
        };
        if pi.by_ref.is_some() || pi.mutability.is_some() || pi.subpat.is_some() {
            return None;
        }
        let var = &pi.ident;
        let syn::Expr::Range(range) = strip(&f.expr) else {
            return None;
        };
        let (from, to) = (range.start.as_deref()?, range.end.as_deref()?);
        let closed = matches!(range.limits, syn::RangeLimits::Closed(_));
        let (last, rest) = f.body.stmts.split_last()?;
        let syn::Stmt::Expr(syn::Expr::Binary(inc), Some(_)) = last else {
            return None;
        };
        if !matches!(inc.op, syn::BinOp::AddAssign(_)) {
            return None;
        }
        let syn::Expr::Path(lp) = strip(&inc.left) else {
            return None;
        };
        let l = lp.path.get_ident()?;
        let step = match strip(&inc.right) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(k),
                ..
            }) if k.suffix().is_empty() => k.clone(),
            _ => return None,
        };
        let var_l = match self.scopes.get(l) {
            Some(Binding::Var(s)) if self.var_ty[s.0 as usize] == Ty::Int => s,
            _ => return None,
        };
        let body: TokenStream = rest.iter().map(ToTokens::to_token_stream).collect();
        // `l` and the loop variable index arrays (so both are `usize`); nothing else changes
        // either or binds another of the same name (`let i = i as usize;` would leave the loop
        // variable of another type), and nothing leaves the body early.
        if l == var
            || !indexes(&body, l)
            || !indexes(&body, var)
            || changes(&body, l)
            || changes(&body, var)
            || exits(&body)
        {
            return None;
        }
        self.index_vars.insert(var_l);
        let n = self.values.len();
        let (lo, hi, run) = (
            format_ident!("__grad_from_{}", n),
            format_ident!("__grad_to_{}", n),
            format_ident!("__grad_run_{}", n),
        );
        let (head, count) = if closed {
            (quote!(#lo..=#hi), quote!((#hi - #lo + 1)))
        } else {
            (quote!(#lo..#hi), quote!((#hi - #lo)))
        };
        let nonempty = if closed {
            quote!(#hi >= #lo)
        } else {
            quote!(#hi > #lo)
        };
        let span = f.for_token.span;
        Some(syn::parse_quote_spanned! {span=>
            {
                let #lo = #from;
                let #hi = #to;
                let #run = #l;
                for #var in #head {
                    let #l = #run + (#var - #lo) * #step;
                    #(#rest)*
                }
                #l = if #nonempty { #run + #count * #step } else { #run };
            }
        })
    }
}

/// Whether `ts` indexes something with `name` alone (`xs[name]`).
fn indexes(ts: &TokenStream, name: &syn::Ident) -> bool {
    ts.clone().into_iter().any(|tt| match tt {
        TokenTree::Group(g) => {
            let inner: Vec<TokenTree> = g.stream().into_iter().collect();
            (g.delimiter() == Delimiter::Bracket
                && matches!(inner.as_slice(), [TokenTree::Ident(i)] if i == name))
                || indexes(&g.stream(), name)
        }
        _ => false,
    })
}

/// Whether `ts` may change `name` or bind another one: `name` (or a parenthesized group
/// holding it, `(name, k) = ..`) before an assignment operator or after `mut`, `let`, `for` or
/// `|` (`&mut name`, `let mut name`, `for name in`, a closure's parameter).
fn changes(ts: &TokenStream, name: &syn::Ident) -> bool {
    let tts: Vec<TokenTree> = ts.clone().into_iter().collect();
    for (k, tt) in tts.iter().enumerate() {
        let here = match tt {
            TokenTree::Group(g) if changes(&g.stream(), name) => return true,
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Parenthesis && mentions(&g.stream(), name)
            }
            TokenTree::Ident(i) => i == name,
            _ => false,
        };
        if !here {
            continue;
        }
        let before = k.checked_sub(1).map(|j| &tts[j]);
        let binds = match before {
            Some(TokenTree::Ident(b)) => b == "mut" || b == "let" || b == "for",
            Some(TokenTree::Punct(p)) => p.as_char() == '|',
            _ => false,
        };
        if binds || assigned(&tts[k + 1..]) {
            return true;
        }
    }
    false
}

/// Whether `ts` mentions `name` at any depth.
fn mentions(ts: &TokenStream, name: &syn::Ident) -> bool {
    ts.clone().into_iter().any(|tt| match tt {
        TokenTree::Group(g) => mentions(&g.stream(), name),
        TokenTree::Ident(i) => i == *name,
        _ => false,
    })
}

/// Whether `rest` starts with an assignment operator: `=` (not `==`), `+=`, `<<=`, ...
fn assigned(rest: &[TokenTree]) -> bool {
    let punct = |k: usize| match rest.get(k) {
        Some(TokenTree::Punct(p)) => Some(p.as_char()),
        _ => None,
    };
    match (punct(0), punct(1), punct(2)) {
        (Some('='), next, _) => next != Some('='),
        (Some('+' | '-' | '*' | '/' | '%' | '^' | '&' | '|'), Some('='), _) => true,
        (Some(a @ ('<' | '>')), Some(b), Some('=')) => a == b,
        _ => false,
    }
}

/// Whether `ts` may leave the loop body early (`break`, `continue`, `return`, `?`).
fn exits(ts: &TokenStream) -> bool {
    ts.clone().into_iter().any(|tt| match tt {
        TokenTree::Group(g) => exits(&g.stream()),
        TokenTree::Ident(i) => i == "break" || i == "continue" || i == "return",
        TokenTree::Punct(p) => p.as_char() == '?',
        _ => false,
    })
}
