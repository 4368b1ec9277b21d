//! Lowering the head of a `for` loop: ranges (`a..b`, `a..=b`, `.rev()`, `.step_by(k)`) and
//! iteration over slices and arrays (`for &v in xs`, `xs.iter()`, `.iter().enumerate()`),
//! which becomes iteration over indices with a load per element.

use super::scope::Binding;
use super::stmt::strip;
use super::Lowerer;
use crate::ir::*;
use syn::spanned::Spanned;

/// A lowered loop head: the iterator value and how to bind the pattern in the body.
pub(crate) struct ForHead {
    /// The iterator (a range of integers).
    pub iter: Value,
    /// The name bound to the index, if any.
    index: Option<syn::Ident>,
    /// The name bound to the element and its array, for loops over slices.
    element: Option<(syn::Ident, Array)>,
}

impl ForHead {
    /// Binds the pattern's names at the start of the body, given the loop's index value.
    pub fn bind(&self, cx: &mut Lowerer<'_>, var: Value) {
        if let Some(i) = &self.index {
            cx.values[var.0 as usize].name = Some(i.to_string());
            cx.scopes.bind(i, Binding::Value(var));
        }
        if let Some((v, a)) = &self.element {
            let ty = cx.elem_ty(*a);
            let x = cx.def(Op::Load(*a, var), ty, v.span(), Some(v.to_string()));
            cx.scopes.bind(v, Binding::Value(x));
        }
    }
}

/// The name in a pattern `x`, `&x`, `mut x` or `_` (`None` for `_`). `Err` if unsupported.
fn simple_name(p: &syn::Pat) -> Result<Option<syn::Ident>, ()> {
    match p {
        syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => Ok(Some(i.ident.clone())),
        syn::Pat::Reference(r) => simple_name(&r.pat),
        syn::Pat::Wild(_) => Ok(None),
        syn::Pat::Paren(p) => simple_name(&p.pat),
        _ => Err(()),
    }
}

/// The pattern of a loop over `xs.iter().enumerate()` is not `(i, x)` or `(i, &x)`.
const ENUM_PATTERN: &str =
    "a loop over `xs.iter().enumerate()` takes the pattern `(i, x)` or `(i, &x)`";

impl Lowerer<'_> {
    /// The array behind `xs`, `&xs` or `xs.iter()`, if `e` is one.
    fn iterated_array(&mut self, e: &syn::Expr) -> Option<Array> {
        match strip(e) {
            syn::Expr::Reference(r) => self.iterated_array(&r.expr),
            syn::Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => {
                self.iterated_array(&m.receiver)
            }
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Array(a)) => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether a `for` loop over `e` is one of the forms [`Self::for_head`] lowers.
    pub(crate) fn is_plain_for(&self, e: &syn::Expr) -> bool {
        is_range(e)
            || self.plain_array(e)
            || matches!(strip(e), syn::Expr::MethodCall(m)
                if m.method == "enumerate" && m.args.is_empty() && self.plain_array(&m.receiver))
    }

    /// [`Self::is_plain_for`] with the loop's pattern: an `enumerate` loop whose item is taken
    /// apart further (`(k, &(i, j))` over constant tuples) goes through the chain lowering.
    pub(crate) fn is_plain_for_pat(&self, pat: &syn::Pat, e: &syn::Expr) -> bool {
        let enumerate = matches!(strip(e), syn::Expr::MethodCall(m) if m.method == "enumerate");
        let simple = match pat {
            syn::Pat::Tuple(t) => t.elems.iter().all(|p| simple_name(p).is_ok()),
            _ => true,
        };
        self.is_plain_for(e) && (!enumerate || simple)
    }

    fn plain_array(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Reference(r) => self.plain_array(&r.expr),
            syn::Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => {
                self.plain_array(&m.receiver)
            }
            syn::Expr::Path(p) => matches!(
                p.path.get_ident().and_then(|i| self.scopes.get(i)),
                Some(Binding::Array(_))
            ),
            _ => false,
        }
    }

    /// `0..array.len()` as an iterator value.
    fn index_range(&mut self, a: Array, span: proc_macro2::Span) -> Value {
        let zero = self.def(Op::Const(quote::quote!(0usize)), Ty::Int, span, None);
        let len = self.def(Op::Len(a), Ty::Int, span, None);
        self.def(
            Op::Plain(Plain::Range { inclusive: false }, vec![zero, len]),
            Ty::Unknown,
            span,
            None,
        )
    }

    pub(crate) fn for_head(&mut self, pat: &syn::Pat, e: &syn::Expr) -> Option<ForHead> {
        let span = e.span();
        // `xs.iter().enumerate()`
        if let syn::Expr::MethodCall(m) = strip(e) {
            if m.method == "enumerate" && m.args.is_empty() {
                if let Some(a) = self.iterated_array(&m.receiver) {
                    let syn::Pat::Tuple(t) = pat else {
                        self.errors.on(pat, ENUM_PATTERN);
                        return None;
                    };
                    let names: Vec<_> = t.elems.iter().map(simple_name).collect();
                    return match names.as_slice() {
                        [Ok(i), Ok(Some(x))] => Some(ForHead {
                            iter: self.index_range(a, span),
                            index: i.clone(),
                            element: Some((x.clone(), a)),
                        }),
                        _ => {
                            self.errors.on(pat, ENUM_PATTERN);
                            None
                        }
                    };
                }
            }
        }
        // `for &x in xs`, `for x in xs.iter()`
        if let Some(a) = self.iterated_array(e) {
            return match simple_name(pat) {
                Ok(x) => Some(ForHead {
                    iter: self.index_range(a, span),
                    index: None,
                    element: x.map(|x| (x, a)),
                }),
                Err(()) => {
                    self.errors.on(
                        pat,
                        "a loop over a slice or an array takes a plain name or `&name`: \
                         `for x in xs` or `for &x in xs`",
                    );
                    None
                }
            };
        }
        // A range of integers, possibly with `.rev()` / `.step_by(k)`.
        if !is_range(e) {
            self.errors.on(
                e,
                "this loop is not supported: loop over a range (`0..n`, `a..=b`, with `.rev()` \
                 or `.step_by(k)`), over a slice or array (`for &x in xs`, `xs.iter()`), or over \
                 an iterator chain of them (`xs.iter().zip(ys)`, `.enumerate()`, `.map(..)`, \
                 `.windows(k)`, `.chunks(k)`, ...)",
            );
            return None;
        }
        let iter = self.expr(e)?;
        match simple_name(pat) {
            Ok(index) if !matches!(pat, syn::Pat::Reference(_)) => Some(ForHead {
                iter,
                index,
                element: None,
            }),
            _ => {
                self.errors.on(
                    pat,
                    "a loop over a range takes a plain name: `for i in 0..n`",
                );
                None
            }
        }
    }
}

/// Whether `e` is a range, possibly wrapped in `.rev()` / `.step_by(k)` calls.
fn is_range(e: &syn::Expr) -> bool {
    match strip(e) {
        // Open ranges too: lowering the range reports them with their own message.
        syn::Expr::Range(_) => true,
        syn::Expr::MethodCall(m) => {
            (m.method == "rev" || m.method == "step_by") && is_range(&m.receiver)
        }
        _ => false,
    }
}
