//! Conditions: where the result is a `bool` (an `if` or `while` condition, an operand of `&&`
//! or `||`, a `let` typed `bool`), a call of a plain helper or a method on data the macro
//! cannot see (`if is_a(&mode)`, `if self.act.is_relu()`) is evaluated as written: its value
//! is a `bool`, so no derivative flows through it, whatever it reads. It must name only
//! what every companion names the same way: struct parameters and `self` (their fields
//! included), constant parameters, and items from outside the function.

use super::scope::Binding;
use super::stmt::strip;
use super::Lowerer;
use crate::ir::*;
use quote::ToTokens;

impl Lowerer<'_> {
    /// The value of `e`, a `bool`.
    pub(crate) fn condition(&mut self, e: &syn::Expr) -> Option<Value> {
        match strip(e) {
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
                let inner = self.condition(&u.expr)?;
                Some(self.def(
                    Op::Plain(Plain::Unary(u.op), vec![inner]),
                    Ty::Bool,
                    super::span::span_of(e),
                    None,
                ))
            }
            call @ (syn::Expr::Call(_) | syn::Expr::MethodCall(_)) if self.as_written(call) => {
                let span = super::span::span_of(e);
                let written = self.written(call);
                Some(self.def(Op::Const(written.to_token_stream()), Ty::Bool, span, None))
            }
            // A plain helper of values (`if inside(x, y)`): a test, whatever flows in.
            syn::Expr::Call(c) if self.plain_test(c) => {
                let syn::Expr::Path(p) = strip(&c.func) else {
                    return self.expr(e);
                };
                let args: Option<Vec<Value>> = c.args.iter().map(|a| self.expr(a)).collect();
                let span = super::span::span_of(e);
                Some(self.def(
                    Op::Plain(Plain::Test(p.path.clone()), args?),
                    Ty::Bool,
                    span,
                    None,
                ))
            }
            _ => self.expr(e),
        }
    }

    /// Whether `c` calls a function by path (not a closure, not a `#[differentiable]` call
    /// that needs arrays passed: every argument is a value).
    fn plain_test(&self, c: &syn::ExprCall) -> bool {
        let by_path = matches!(strip(&c.func), syn::Expr::Path(p) if p.qself.is_none()
            && p.path.get_ident().map_or(true, |i| self.scopes.get(i).is_none()));
        by_path && !self.passes_arrays(c)
    }

    /// `e` (accepted by [`Self::as_written`]) with every other name of a struct parameter
    /// replaced by the parameter's own, which every companion has.
    pub(crate) fn written(&self, e: &syn::Expr) -> syn::Expr {
        let mut out = e.clone();
        match &mut out {
            syn::Expr::Call(c) => c.args.iter_mut().for_each(|a| *a = self.written(a)),
            syn::Expr::MethodCall(m) => {
                *m.receiver = self.written(&m.receiver);
                m.args.iter_mut().for_each(|a| *a = self.written(a));
            }
            syn::Expr::Field(f) => *f.base = self.written(&f.base),
            syn::Expr::Reference(r) => *r.expr = self.written(&r.expr),
            syn::Expr::Paren(p) => *p.expr = self.written(&p.expr),
            syn::Expr::Unary(u) => *u.expr = self.written(&u.expr),
            syn::Expr::Path(p) => {
                let root = p.path.get_ident().and_then(|i| match self.scopes.get(i) {
                    Some(Binding::Place(id)) => self.param_names.get(self.places[id].root),
                    _ => None,
                });
                if let Some(name) = root {
                    let span = p.path.segments[0].ident.span();
                    p.path.segments[0].ident = syn::Ident::new(name, span);
                }
            }
            _ => {}
        }
        out
    }

    /// Whether `e` can be emitted as written in every companion (see the module's docs).
    fn as_written(&self, e: &syn::Expr) -> bool {
        match e {
            syn::Expr::Call(c) => {
                matches!(&*c.func, syn::Expr::Path(p) if p.path.segments.len() > 1
                    || p.path.get_ident().is_some_and(|i| self.scopes.get(i).is_none()))
                    && c.args.iter().all(|a| self.as_written(a))
            }
            syn::Expr::MethodCall(m) => {
                // A method of a float (`x.is_finite()`) is the lowering's business.
                self.as_written(&m.receiver) && m.args.iter().all(|a| self.as_written(a))
            }
            syn::Expr::Path(p) => match p.path.get_ident() {
                None => p.qself.is_none(),
                Some(i) => match self.scopes.get(i) {
                    None => true,
                    // A struct parameter, by its name or another one (`let p = q;`, written
                    // back as the parameter's, [`Self::written`]).
                    Some(Binding::Place(id)) => self.places[id].segs.is_empty(),
                    Some(Binding::Value(v)) => self.const_params.contains(&v),
                    Some(Binding::Array(a)) => {
                        matches!(self.arrays[a.0 as usize].1, ArrayKind::Constant)
                            && (a.0 as usize) < self.n_param_arrays
                    }
                    Some(_) => false,
                },
            },
            syn::Expr::Field(f) => self.as_written(&f.base),
            syn::Expr::Reference(r) => r.mutability.is_none() && self.as_written(&r.expr),
            syn::Expr::Paren(p) => self.as_written(&p.expr),
            syn::Expr::Unary(u) => self.as_written(&u.expr),
            syn::Expr::Lit(_) => true,
            _ => false,
        }
    }
}
