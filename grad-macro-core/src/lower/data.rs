//! Tuples of constant data: elements of a slice left out by `wrt(...)` or of integers
//! (`edges: &[(usize, usize)]`, `springs: &[(usize, usize, f64)]`), taken apart by `let (i,
//! j) = edges[k];`, `for &(i, j) in edges`, `edges.iter().map(|&(i, j)| ..)` or read as
//! `edges[k].0`. Their parts are constants: nothing differentiable flows into them.

use super::stmt::strip;
use super::Lowerer;
use crate::ir::*;
use proc_macro2::Span;
use syn::spanned::Spanned;

/// What the errors say about tuples of floats.
const NOT_DATA: &str = "only tuples of constant data can be taken apart here (an element of a \
                        slice of tuples that `wrt(...)` leaves out, or of integers); return one \
                        value per call, or pass the values as separate parameters";

impl Lowerer<'_> {
    /// `v.m` of a value `v` holding a tuple of constant data.
    pub(crate) fn data_field(&mut self, v: Value, m: &syn::Member, span: Span) -> Option<Value> {
        if self.ty(v) == Ty::Float {
            self.errors.at(span, NOT_DATA);
            return None;
        }
        Some(self.def(
            Op::Plain(Plain::Field(m.clone()), vec![v]),
            Ty::Unknown,
            span,
            None,
        ))
    }

    /// `base.0` where `base` is not a place inside a struct parameter.
    pub(crate) fn field_of_data(&mut self, f: &syn::ExprField) -> Option<Value> {
        let v = self.expr(&f.base)?;
        self.data_field(v, &f.member, f.member.span())
    }

    /// Binds the names of the tuple pattern `t` (nested tuples, `_`, `mut` names) to the parts
    /// of the constant data `v`.
    pub(crate) fn bind_data(&mut self, pat: &syn::Pat, v: Value) -> bool {
        match pat {
            syn::Pat::Type(t) => self.bind_data(&t.pat, v),
            syn::Pat::Paren(p) => self.bind_data(&p.pat, v),
            syn::Pat::Reference(r) => self.bind_data(&r.pat, v),
            syn::Pat::Wild(_) => true,
            syn::Pat::Tuple(t) => {
                let mut ok = true;
                for (k, p) in t.elems.iter().enumerate() {
                    let m = syn::Member::Unnamed(syn::Index {
                        index: k as u32,
                        span: p.span(),
                    });
                    match self.data_field(v, &m, p.span()) {
                        Some(part) => ok &= self.bind_data(p, part),
                        None => return false,
                    }
                }
                ok
            }
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                self.bind_value(&p.ident, p.mutability.is_some(), None, v);
                true
            }
            other => {
                self.errors.on(
                    other,
                    "take constant data apart with names, `_` and tuples: `let (i, j) = \
                     edges[k];`, `for &(i, j, rest) in springs`",
                );
                false
            }
        }
    }

    /// `let (i, j) = e;` with `e` not a tuple expression: `e` must be constant data.
    pub(crate) fn let_data(&mut self, pat: &syn::Pat, init: &syn::Expr) {
        let Some(v) = self.expr(init) else {
            return;
        };
        if self.ty(v) == Ty::Float {
            self.errors.on(init, NOT_DATA);
            return;
        }
        self.bind_data(pat, v);
    }

    /// `for PAT in data` or `for PAT in data.iter()` over a constant array with a pattern that
    /// takes the elements apart: `for k in 0..data.len() { let PAT = data[k]; .. }`.
    pub(crate) fn data_for(&mut self, f: &syn::ExprForLoop) -> bool {
        if !matches!(strip_ref(&f.pat), syn::Pat::Tuple(_)) {
            return false;
        }
        let source = match strip(&f.expr) {
            syn::Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => &*m.receiver,
            syn::Expr::Reference(r) => &*r.expr,
            e => e,
        };
        let a = match strip(source) {
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(super::scope::Binding::Array(a)) => a,
                _ => return false,
            },
            _ => return false,
        };
        if !matches!(self.arrays[a.0 as usize].1, ArrayKind::Constant) {
            return false;
        }
        let pat = strip_ref(&f.pat);
        let k = quote::format_ident!("__grad_data_k");
        let mut body = f.body.clone();
        body.stmts
            .insert(0, syn::parse_quote!(let #pat = #source[#k];));
        let label = &f.label;
        let lowered: syn::ExprForLoop = syn::parse_quote! {
            #label for #k in 0..#source.len() #body
        };
        self.for_loop(&lowered);
        true
    }
}

/// The pattern without a leading `&`.
fn strip_ref(p: &syn::Pat) -> &syn::Pat {
    match p {
        syn::Pat::Reference(r) => strip_ref(&r.pat),
        syn::Pat::Paren(p) => strip_ref(&p.pat),
        p => p,
    }
}
