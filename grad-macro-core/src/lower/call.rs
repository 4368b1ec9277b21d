//! Lowering calls that pass arrays, write through `&mut` or return an array or nothing: a
//! [`Node::Call`], differentiated through the callee's `_pullback`. Also array values: the
//! array a function returns, and array literals there.

use super::scope::Binding;
use super::span::span_of;
use super::stmt::strip;
use super::Lowerer;
use crate::ir::*;
use quote::quote;
use syn::spanned::Spanned;

/// Where a call's result goes, as the caller wrote it.
#[derive(Clone, Copy)]
pub(crate) enum Dst {
    /// A statement: `update(&mut h, x);`.
    Unit,
    /// A result nobody reads: `let _ = step(s, h);`.
    Discard,
    /// A scalar value: `dot(&w, &x) + b`.
    Value,
    /// A new local array: `let next = step(s, h);`.
    NewArray,
    /// An existing local array, overwritten: `s = step(s, h);`.
    Into(Array),
}

impl Lowerer<'_> {
    /// Whether an argument of the call is an array, a part of one, or borrowed `&mut`.
    /// Whether `a` (an argument, if any) passes an array.
    pub(crate) fn arg_is_array(&self, a: Option<&syn::Expr>) -> bool {
        a.is_some_and(|a| {
            self.array_arg_parts(a).is_some()
                || self.is_place_arg(a)
                || self.view_arg(a).is_some()
                || literal_arg(a).is_some()
        })
    }

    pub(crate) fn passes_arrays(&self, c: &syn::ExprCall) -> bool {
        c.args.iter().any(|a| {
            self.array_arg_parts(a).is_some()
                || self.is_place_arg(a)
                || self.var_mut(a).is_some()
                || self.view_arg(a).is_some()
                || literal_arg(a).is_some()
        })
    }

    /// A view (`w` of `x.windows(k)`, `a` of `let (a, b) = x.split_at(k)`) passed as `w`, `&w`
    /// or `&mut w`: `(array, offset, len, mutable)`.
    #[allow(clippy::type_complexity)]
    fn view_arg<'e>(
        &self,
        e: &'e syn::Expr,
    ) -> Option<(Array, Value, Value, bool, Option<&'e syn::ExprRange>)> {
        let (inner, mutable) = match strip(e) {
            syn::Expr::Reference(r) => (&*r.expr, r.mutability.is_some()),
            other => (other, false),
        };
        // `&v[a..b]`: a part of the view.
        let (inner, range) = match strip(inner) {
            syn::Expr::Index(ix) => match strip(&ix.index) {
                syn::Expr::Range(r) => (&*ix.expr, Some(r)),
                _ => return None,
            },
            other => (other, None),
        };
        let syn::Expr::Path(p) = strip(inner) else {
            return None;
        };
        let ident = p.path.get_ident()?;
        match self.scopes.get(ident)? {
            Binding::View { array, offset, len } => {
                let from_mut = self.mut_views.contains(&ident.to_string());
                Some((array, offset, len, mutable || from_mut, range))
            }
            _ => None,
        }
    }

    /// The bounds in the viewed array of `view[r]` (of the whole view without `r`).
    pub(crate) fn view_bounds(
        &mut self,
        offset: Value,
        len: Value,
        range: Option<&syn::ExprRange>,
    ) -> Option<(Value, Value)> {
        let add =
            |cx: &mut Self, a: Value, b: Value, span| cx.binary(&syn::parse_quote!(+), a, b, span);
        let span = proc_macro2::Span::call_site();
        let Some(r) = range else {
            return Some((offset, add(self, offset, len, span)?));
        };
        let lo = match &r.start {
            Some(s) => {
                let s = self.expr(s)?;
                add(self, offset, s, span)?
            }
            None => offset,
        };
        let hi = match &r.end {
            Some(e) => {
                let e = self.expr(e)?;
                let e = match r.limits {
                    syn::RangeLimits::HalfOpen(_) => e,
                    syn::RangeLimits::Closed(_) => {
                        let one = self.def(Op::Const(quote!(1)), Ty::Int, span, None);
                        add(self, e, one, span)?
                    }
                };
                add(self, offset, e, span)?
            }
            None => add(self, offset, len, span)?,
        };
        Some((lo, hi))
    }

    /// The float variable `v` of `&mut v`.
    fn var_mut(&self, e: &syn::Expr) -> Option<Var> {
        let syn::Expr::Reference(r) = strip(e) else {
            return None;
        };
        r.mutability?;
        match strip(&r.expr) {
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Var(s)) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// A `&mut` parameter passed on by name (`g(v)`) may be written by the callee, unless the
    /// call also passes it, or a view of it, elsewhere (`dot(v, v)`, `dot(&v[..2], v)`): Rust
    /// then reborrows it shared (a `&mut` beside another borrow would not compile), so the
    /// callee only reads it.
    fn shared_when_passed_twice(args: &mut [CallArg]) {
        let arrays: Vec<Option<Array>> = args
            .iter()
            .map(|a| match a {
                CallArg::Array(a) => Some(a.array),
                _ => None,
            })
            .collect();
        for a in args.iter_mut() {
            if let CallArg::Array(arr) = a {
                let passed_on = arr.mutable && !arr.by_ref;
                let this = Some(arr.array);
                if passed_on && arrays.iter().filter(|n| **n == this).count() > 1 {
                    arr.mutable = false;
                }
            }
        }
    }

    /// `(array, range, mutable, by_ref)` if `e` is `xs`, `&xs`, `&mut xs`, `&xs[r]`,
    /// `&mut xs[r]` or `xs.as_slice()` for an array `xs` of this function.
    fn array_arg_parts<'e>(
        &self,
        e: &'e syn::Expr,
    ) -> Option<(Array, Option<&'e syn::ExprRange>, bool, bool)> {
        let (inner, mutable, by_ref) = match strip(e) {
            syn::Expr::Reference(r) => (&*r.expr, r.mutability.is_some(), true),
            other => (other, false, false),
        };
        let named = |cx: &Self, e: &syn::Expr| match strip(e) {
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| cx.scopes.get(i)) {
                Some(Binding::Array(a)) => Some(a),
                _ => None,
            },
            _ => None,
        };
        match strip(inner) {
            syn::Expr::Index(ix) if by_ref => match strip(&ix.index) {
                syn::Expr::Range(r) => named(self, &ix.expr).map(|a| (a, Some(r), mutable, true)),
                _ => None,
            },
            syn::Expr::MethodCall(m)
                if m.args.is_empty() && (m.method == "as_slice" || m.method == "as_mut_slice") =>
            {
                named(self, &m.receiver).map(|a| (a, None, m.method == "as_mut_slice", true))
            }
            // A `&mut` parameter passed on (`g(h)`) may be written by the callee.
            other => named(self, other).map(|a| {
                let passed_on = !by_ref && self.array_mut.get(a.0 as usize) == Some(&true);
                (a, None, mutable || passed_on, by_ref)
            }),
        }
    }

    /// Lowers an array argument; `None` after an error.
    fn array_arg(&mut self, e: &syn::Expr) -> Option<ArrayArg> {
        let (array, range, mutable, by_ref) = self.array_arg_parts(e)?;
        if mutable && self.is_param_array(array) && !self.array_mut[array.0 as usize] {
            self.errors.on(
                e,
                "parameters cannot be changed in a differentiable function; copy into a local \
                 array (`let mut h = [0.0; N];`) and pass that, or take the parameter as \
                 `&mut [f64]`",
            );
            return None;
        }
        if !matches!(self.elem_ty(array), Ty::Float | Ty::Unknown) && !self.is_param_array(array) {
            self.errors.on(
                e,
                "only float arrays and parameters can be passed to a differentiable function; \
                 pass the integers one by one",
            );
            return None;
        }
        let (mut lo, mut hi) = (None, None);
        if let Some(r) = range {
            if let Some(start) = &r.start {
                lo = Some(self.expr(start)?);
            }
            if let Some(end) = &r.end {
                let end_v = self.expr(end)?;
                hi = Some(match r.limits {
                    syn::RangeLimits::HalfOpen(_) => end_v,
                    syn::RangeLimits::Closed(_) => {
                        let span = end.span();
                        let one = self.def(Op::Const(quote!(1)), Ty::Int, span, None);
                        let op: syn::BinOp = syn::parse_quote!(+);
                        self.def(
                            Op::Plain(Plain::Binary(op), vec![end_v, one]),
                            Ty::Int,
                            span,
                            None,
                        )
                    }
                });
            }
        }
        Some(ArrayArg {
            array,
            lo,
            hi,
            mutable,
            by_ref,
        })
    }

    /// Lowers `path(args)` as a [`Node::Call`]. Returns the scalar result for [`Dst::Value`],
    /// the array for [`Dst::NewArray`] and [`Dst::Into`].
    pub(crate) fn pullback_call(
        &mut self,
        c: &syn::ExprCall,
        path: &syn::Path,
        dst: Dst,
        name: Option<&syn::Ident>,
    ) -> Option<CallOut> {
        // Taken before the arguments are lowered: a call among them (`self.g(dot(x, x))`) is
        // not the method.
        let method = std::mem::take(&mut self.next_call_is_method);
        let mut args = Vec::new();
        let mut owned = Vec::new();
        let mut ok = true;
        for a in &c.args {
            if self.is_place_arg(a) {
                let bare = !matches!(strip(a), syn::Expr::Reference(_));
                let receiver = method && args.is_empty();
                let place = self.place_arg(a);
                if let Some((p, _)) = &place {
                    let rows = self.row_depth.get(p.root).is_some_and(|&d| d > 0);
                    if rows
                        && self.wrt_params.get(p.root) == Some(&true)
                        && p.segs.iter().any(|s| matches!(s, Seg::Range(..)))
                    {
                        self.errors.on(
                            a,
                            "a range of differentiated rows cannot be passed to a call yet; \
                             pass all the rows and the range's bounds (`f(pos, a, b)`), or \
                             one row at a time (`f(&pos[i])`)",
                        );
                        ok = false;
                        continue;
                    }
                }
                match place {
                    // A struct taken by value, or a row copied (`f(w, x)` after `let x =
                    // xs[i];`, or `f(w, xs[i])`): passed as a copy.
                    Some((p, false))
                        if (bare || receiver)
                            && (self.owned_roots.get(p.root) == Some(&true)
                                || (bare && self.is_row_copy(a))) =>
                    {
                        owned.push(args.len());
                        args.push(CallArg::Place(p, false));
                    }
                    Some((_, true)) if crate::generic::twin().is_some() => {
                        // The twin's errors are reported once, prefixed with what they are for.
                        self.errors.on(
                            a,
                            "a field cannot be passed as `&mut` to a call here yet; copy it \
                             into a local array, pass that, and copy it back",
                        );
                        ok = false;
                    }
                    Some((p, mutable)) => args.push(CallArg::Place(p, mutable)),
                    None => ok = false,
                }
                continue;
            }
            if let Some((lit, by_ref)) = literal_arg(a) {
                match self.array_literal(lit, None) {
                    Some(array) => args.push(CallArg::Array(ArrayArg {
                        array,
                        lo: None,
                        hi: None,
                        mutable: false,
                        by_ref,
                    })),
                    None => ok = false,
                }
                continue;
            }
            if let Some((array, offset, len, mutable, range)) = self.view_arg(a) {
                let (lo, hi) = self.view_bounds(offset, len, range)?;
                if mutable && self.is_param_array(array) && !self.array_mut[array.0 as usize] {
                    self.errors.on(
                        a,
                        "parameters cannot be changed in a differentiable function; copy into \
                         a local array (`let mut h = [0.0; N];`) and pass that",
                    );
                    ok = false;
                    continue;
                }
                args.push(CallArg::Array(ArrayArg {
                    array,
                    lo: Some(lo),
                    hi: Some(hi),
                    mutable,
                    by_ref: true,
                }));
                continue;
            }
            if let Some(var) = self.var_mut(a) {
                let ty = self.var_ty[var.0 as usize];
                let pre = self.def(Op::Read(var), ty, a.span(), None);
                args.push(CallArg::Var { var, pre });
                continue;
            }
            if self.array_arg_parts(a).is_some() {
                match self.array_arg(a) {
                    Some(arr) => args.push(CallArg::Array(arr)),
                    None => ok = false,
                }
                continue;
            }
            match self.expr(a) {
                Some(v) => {
                    let kind = match self.ty(v) {
                        Ty::Float => ArgKind::Float,
                        Ty::Int | Ty::Bool => ArgKind::NotFloat,
                        Ty::Unknown => ArgKind::Constant,
                    };
                    if kind == ArgKind::Constant && !self.constants.contains(&v) {
                        self.errors.on(
                            a,
                            "cannot tell whether this argument is a float; bind it first with \
                             a type (`let k: f64 = ...;`) or cast it (`... as f64`)",
                        );
                        ok = false;
                    }
                    args.push(CallArg::Value(v, kind));
                }
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Self::shared_when_passed_twice(&mut args);
        self.next_call_is_method = method;
        Some(self.emit_call(c, path, args, owned, dst, name))
    }

    /// Pushes the [`Node::Call`] of lowered arguments.
    pub(crate) fn emit_call(
        &mut self,
        c: &syn::ExprCall,
        path: &syn::Path,
        args: Vec<CallArg>,
        owned: Vec<usize>,
        dst: Dst,
        name: Option<&syn::Ident>,
    ) -> CallOut {
        let span = span_of(&syn::Expr::Call(c.clone()));
        let out = match dst {
            Dst::Unit => CallOut::Unit,
            Dst::Discard => CallOut::Discarded,
            Dst::Value => CallOut::Value(self.def_raw(Ty::Float, span, None)),
            Dst::NewArray => {
                let n = name.map(|i| i.to_string());
                let a = self.array(ArrayKind::Vec, span, n);
                self.local_elem_ty.insert(a, Ty::Float);
                CallOut::NewArray(a)
            }
            Dst::Into(a) => CallOut::IntoArray(a),
        };
        let method = std::mem::take(&mut self.next_call_is_method);
        self.push(Node::Call(Box::new(Call {
            path: path.clone(),
            args,
            out,
            span,
            method,
            owned,
        })));
        out
    }

    /// The array an expression denotes where an array value is expected (the tail of a
    /// function returning an array): a local array, an array literal, or a call.
    pub(crate) fn array_value(&mut self, e: &syn::Expr) -> Option<Array> {
        match strip(e) {
            syn::Expr::Path(p) => {
                if let Some(Binding::Array(a)) = p.path.get_ident().and_then(|i| self.scopes.get(i))
                {
                    return Some(a);
                }
            }
            syn::Expr::Array(arr) => return self.array_literal(arr, None),
            syn::Expr::Call(c) => {
                if let syn::Expr::Path(p) = strip(&c.func) {
                    return match self.pullback_call(c, &p.path, Dst::NewArray, None)? {
                        CallOut::NewArray(a) => Some(a),
                        _ => None,
                    };
                }
            }
            _ => {}
        }
        let hint = self.untyped_call_hint(e);
        self.errors.on(
            e,
            format!(
                "a function returning an array must end with a local array, an array literal \
                 (`[a, b, c]`) or a call returning an array{hint}"
            ),
        );
        None
    }
}

/// An array literal passed to a call: `[a, b]` or `&[a, b]` (with whether it is borrowed).
fn literal_arg(e: &syn::Expr) -> Option<(&syn::ExprArray, bool)> {
    match strip(e) {
        syn::Expr::Array(a) => Some((a, false)),
        syn::Expr::Reference(r) if r.mutability.is_none() => match strip(&r.expr) {
            syn::Expr::Array(a) => Some((a, true)),
            _ => None,
        },
        _ => None,
    }
}
