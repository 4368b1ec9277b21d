//! Lowering expressions to values.

use super::scope::{ty_of_type, Binding};
use super::span::span_of;
use super::stmt::strip;
use super::{Dest, Lowerer};
use crate::ir::*;
use crate::prims;
use proc_macro2::Span;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;

impl Lowerer<'_> {
    /// Lowers an expression in value position. Errors are recorded; `None` after an error.
    pub(crate) fn expr(&mut self, e: &syn::Expr) -> Option<Value> {
        // An operand or receiver nests without parentheses, deeper than the token tree.
        crate::stack::deep(|| self.expr_here(e))
    }

    fn expr_here(&mut self, e: &syn::Expr) -> Option<Value> {
        // Not `e.span()`: that prints all of `e`, at every level of a nested expression.
        let span = span_of(e);
        if self.nesting() > super::MAX_NESTING {
            if !std::mem::replace(&mut self.too_deep, true) {
                self.errors.at(
                    span,
                    format!(
                        "control flow nested more than {} levels deep: each `if`, `else if`, \
                         block expression, `&&`/`||` and statement after an early `return` \
                         nests the generated code one level and a loop five, and rustc's \
                         parser would overflow its stack on it; flatten the nesting or move \
                         part of it into a helper function",
                        super::MAX_NESTING
                    ),
                );
            }
            return None;
        }
        match e {
            syn::Expr::Field(_) | syn::Expr::Index(_) if self.is_place(e) => {
                self.place_load(e, span)
            }
            syn::Expr::Field(f) if matches!(f.member, syn::Member::Unnamed(_)) => {
                self.field_of_data(f)
            }
            syn::Expr::Paren(p) => self.expr(&p.expr),
            syn::Expr::Group(g) => self.expr(&g.expr),
            syn::Expr::Lit(l) => {
                let ty = match &l.lit {
                    syn::Lit::Float(_) => Ty::Float,
                    // `2f64`: an integer token with a float suffix is a float.
                    syn::Lit::Int(i) if matches!(i.suffix(), "f64" | "f32") => Ty::Float,
                    syn::Lit::Int(_) => Ty::Int,
                    syn::Lit::Bool(_) => Ty::Bool,
                    _ => Ty::Unknown,
                };
                Some(self.def(Op::Const(l.to_token_stream()), ty, span, None))
            }
            syn::Expr::Path(p) => self.path(p),
            // `&CONFIG`: a reference to a constant from outside is a constant.
            syn::Expr::Reference(r)
                if r.mutability.is_none()
                    && matches!(strip(&r.expr), syn::Expr::Path(p)
                        if p.path.get_ident().map_or(true, |i| self.scopes.get(i).is_none())) =>
            {
                let v = self.def(Op::Const(r.to_token_stream()), Ty::Unknown, span, None);
                Some(v)
            }
            syn::Expr::Unary(u) => self.unary(u, span),
            syn::Expr::Binary(b) => match &b.op {
                syn::BinOp::And(_) | syn::BinOp::Or(_) => self.short_circuit(b, span),
                op if is_compound_assign(op) => {
                    self.errors.on(
                        b,
                        "compound assignment is a statement; write it on its own line",
                    );
                    None
                }
                op => {
                    if let Some(v) = self.place_compare(b, span) {
                        return Some(v);
                    }
                    let l = self.expr(&b.left);
                    let r = self.expr(&b.right);
                    // Errors and type errors in generated code point at the operator.
                    self.binary(op, l?, r?, op.span())
                }
            },
            syn::Expr::Cast(c) => self.cast(c, span),
            syn::Expr::MethodCall(m) => self.method(m, span),
            syn::Expr::Call(c) => self.call(c, span),
            syn::Expr::Index(ix) => {
                let (a, i) = self.element(ix)?;
                let ty = self.elem_ty(a);
                Some(self.def(Op::Load(a, i), ty, span, None))
            }
            syn::Expr::If(i) => self.branch_value(span, |cx, dest| cx.if_expr(i, dest)),
            syn::Expr::Match(m) => self.branch_value(span, |cx, dest| cx.match_expr(m, dest)),
            syn::Expr::Macro(m) if m.mac.path.is_ident("matches") => {
                self.matches_macro(&m.mac, span)
            }
            syn::Expr::Block(b) if b.label.is_none() => {
                let s = self.new_var(Ty::Unknown, span, None);
                self.push(Node::DeclVar(s));
                let end = b.block.brace_token.span.close();
                let stmts = &b.block.stmts;
                let mut inner = self.region(|cx| {
                    cx.expr_nesting += 1;
                    cx.block_in_scope(stmts, Dest::Var(s), end);
                    cx.expr_nesting -= 1;
                });
                if let Some(cur) = self.regions.last_mut() {
                    cur.nodes.append(&mut inner.nodes);
                }
                let ty = self.var_ty[s.0 as usize];
                Some(self.def(Op::Read(s), ty, span, None))
            }
            syn::Expr::Range(r) => {
                let (Some(start), Some(end)) = (&r.start, &r.end) else {
                    self.errors.on(
                        r,
                        "open ranges are not supported; give the range both ends (`a..b`) and \
                         leave a loop early with `break`",
                    );
                    return None;
                };
                let a = self.expr(start);
                let b = self.expr(end);
                let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
                Some(self.def(
                    Op::Plain(Plain::Range { inclusive }, vec![a?, b?]),
                    Ty::Unknown,
                    span,
                    None,
                ))
            }
            syn::Expr::Return(_) | syn::Expr::Break(_) | syn::Expr::Continue(_) => {
                self.errors.on(
                    e,
                    "`return`, `break` and `continue` are supported as statements only; \
                     move this one onto its own line",
                );
                None
            }
            other => {
                self.errors.on(other, refusal(other));
                None
            }
        }
    }

    /// The value of a branch (`if` or `match`) used as an expression: `lower` puts each
    /// branch's value into a variable, read after it.
    fn branch_value(&mut self, span: Span, lower: impl FnOnce(&mut Self, Dest)) -> Option<Value> {
        let s = self.new_var(Ty::Unknown, span, None);
        self.push(Node::DeclVar(s));
        let nest = usize::from(!std::mem::take(&mut self.let_init_if));
        self.expr_nesting += nest;
        lower(self, Dest::Var(s));
        self.expr_nesting -= nest;
        let ty = self.var_ty[s.0 as usize];
        Some(self.def(Op::Read(s), ty, span, None))
    }

    fn path(&mut self, p: &syn::ExprPath) -> Option<Value> {
        let span = p.span();
        if let Some(ident) = p.path.get_ident() {
            match self.scopes.get(ident) {
                Some(Binding::Value(v)) => return Some(v),
                Some(Binding::Var(s)) => {
                    let ty = self.var_ty[s.0 as usize];
                    return Some(self.def(Op::Read(s), ty, span, Some(ident.to_string())));
                }
                Some(Binding::Elem(a, i)) => {
                    let ty = self.elem_ty(a);
                    return Some(self.def(Op::Load(a, i), ty, span, Some(ident.to_string())));
                }
                Some(Binding::Closure(_)) => {
                    self.errors
                        .on(p, format!("`{ident}` is a closure: call it (`{ident}(x)`)"));
                    return None;
                }
                Some(Binding::Place(id)) => {
                    let place = self.places[id].clone();
                    return Some(self.load_place(place, span));
                }
                Some(Binding::Array(_) | Binding::View { .. }) => {
                    self.errors.on(
                        p,
                        format!(
                            "`{ident}` is an array: in a differentiable function it can only be \
                             indexed (`{ident}[i]`), measured (`{ident}.len()`) or looped over \
                             (`for &x in {ident}`)"
                        ),
                    );
                    return None;
                }
                None => {}
            }
        }
        // A constant from the surrounding scope: `PI`, `std::f64::consts::E`, `f64::EPSILON`.
        let is_float = p
            .path
            .segments
            .iter()
            .any(|s| crate::generic::is_float_name(&s.ident));
        let ty = if is_float { Ty::Float } else { Ty::Unknown };
        // A const generic parameter has the type it declares (`const N: usize`).
        let ty = match p
            .path
            .get_ident()
            .and_then(|i| self.const_generics.get(&i.to_string()))
        {
            Some(&t) => t,
            None => ty,
        };
        Some(self.def(Op::Const(p.to_token_stream()), ty, span, None))
    }

    fn unary(&mut self, u: &syn::ExprUnary, span: Span) -> Option<Value> {
        if matches!(u.op, syn::UnOp::Deref(_)) && self.is_place(&u.expr) {
            if matches!(strip(&u.expr), syn::Expr::Field(_) | syn::Expr::Index(_)) {
                // Only a pointer can be dereferenced there (a `Box<f64>` field): the adjoint
                // would be added into the pointer, not the float.
                self.errors.on(
                    u,
                    "a float behind a pointer in a struct or array (`Box<f64>`, `&f64`) is not \
                     differentiated; store it as a plain float (`b: f64`), or pass it as a \
                     parameter of its own",
                );
                return None;
            }
            return self.place_load(&u.expr, span);
        }
        if let (syn::UnOp::Deref(_), Some(a)) = (u.op, self.scalar_ref_of(&u.expr)) {
            let zero = self.def(Op::Const(quote!(0usize)), Ty::Int, span, None);
            return Some(self.def(Op::Load(a, zero), Ty::Float, span, None));
        }
        let a = self.expr(&u.expr)?;
        match u.op {
            syn::UnOp::Deref(_) => Some(a),
            syn::UnOp::Neg(_) if self.ty(a) == Ty::Float => Some(self.def(
                Op::Prim {
                    prim: prims::NEG,
                    args: vec![a],
                    int: None,
                },
                Ty::Float,
                span,
                None,
            )),
            op => {
                let ty = if matches!(op, syn::UnOp::Not(_)) && self.ty(a) == Ty::Bool {
                    Ty::Bool
                } else {
                    self.ty(a)
                };
                Some(self.def(Op::Plain(Plain::Unary(op), vec![a]), ty, span, None))
            }
        }
    }

    /// `a op b` for a non-assigning binary operator.
    pub(crate) fn binary(
        &mut self,
        op: &syn::BinOp,
        a: Value,
        b: Value,
        span: Span,
    ) -> Option<Value> {
        let (ta, tb) = (self.ty(a), self.ty(b));
        let float = ta == Ty::Float || tb == Ty::Float;
        if float {
            // A constant of a type the macro cannot see (`K`) in float arithmetic is a float
            // (the plain function compiles only then).
            for x in [a, b] {
                if self.ty(x) == Ty::Unknown && self.constants.contains(&x) {
                    self.value_ty[x.0 as usize] = Ty::Float;
                }
                // So is a variable of no known type read here (`let mut v = helper(K);`): its
                // constants become floats too (`unify_types`).
                if let (Ty::Unknown, Some(&var)) = (self.ty(x), self.reads_of.get(&x)) {
                    self.value_ty[x.0 as usize] = Ty::Float;
                    self.var_ty[var.0 as usize] = Ty::Float;
                }
            }
            if let Some(prim) = prims::binary(op) {
                // An integer in float arithmetic is not Rust: the macro took a float for an
                // integer (a method of the user's named `len`, read as a length), and the
                // gradient through it would be lost. Refused.
                if let Some(x) = [a, b].into_iter().find(|x| self.ty(*x) == Ty::Int) {
                    let at = self.values[x.0 as usize].span;
                    self.errors.at(
                        at,
                        "grad reads this as an integer (`.len()` is a length, `.count()` a count), \
                         but float arithmetic uses it: if it is a method of yours returning a \
                         float, give it another name (`norm`, `size`)",
                    );
                    return None;
                }
                return Some(self.def(
                    Op::Prim {
                        prim,
                        args: vec![a, b],
                        int: None,
                    },
                    Ty::Float,
                    span,
                    None,
                ));
            }
        }
        use syn::BinOp::*;
        let ty = match op {
            Lt(_) | Le(_) | Gt(_) | Ge(_) | Eq(_) | Ne(_) => Ty::Bool,
            Rem(_) | RemAssign(_) if float => {
                self.errors.at(
                    span,
                    "`%` on floats is not supported; write `x - (x / m).trunc() * m`",
                );
                return None;
            }
            _ if ta == Ty::Bool && tb == Ty::Bool => Ty::Bool,
            _ if ta == Ty::Int || tb == Ty::Int => Ty::Int,
            _ => Ty::Unknown,
        };
        let op = plain_binop(op);
        Some(self.def(Op::Plain(Plain::Binary(op), vec![a, b]), ty, span, None))
    }

    /// `a && b`, `a || b` as a branch, keeping the short-circuit.
    fn short_circuit(&mut self, b: &syn::ExprBinary, span: Span) -> Option<Value> {
        let is_and = matches!(b.op, syn::BinOp::And(_));
        let left = self.condition(&b.left)?;
        Some(self.logical(left, &b.right, is_and, span))
    }

    /// `left && right` (`is_and`) or `left || right` for a lowered `left`: `right` is evaluated
    /// only where it decides (a branch on `left`).
    pub(crate) fn logical(
        &mut self,
        left: Value,
        right: &syn::Expr,
        is_and: bool,
        span: Span,
    ) -> Value {
        let s = self.new_var(Ty::Bool, span, None);
        self.push(Node::DeclVar(s));
        self.expr_nesting += 1;
        let eval_right = self.region(|cx| {
            if let Some(r) = cx.condition(right) {
                cx.assign_var(s, r, false);
            }
        });
        self.expr_nesting -= 1;
        let constant = self.region(|cx| {
            let c = if is_and { quote!(false) } else { quote!(true) };
            let v = cx.def(Op::Const(c), Ty::Bool, span, None);
            cx.assign_var(s, v, false);
        });
        let (then, els) = if is_and {
            (eval_right, constant)
        } else {
            (constant, eval_right)
        };
        self.push(Node::If {
            cond: left,
            then,
            els,
        });
        self.def(Op::Read(s), Ty::Bool, span, None)
    }

    fn cast(&mut self, c: &syn::ExprCast, span: Span) -> Option<Value> {
        let target = ty_of_type(&c.ty);
        if target == Ty::Float {
            if let Some(v) = self.place_cast(c, span) {
                return v;
            }
        }
        let a = self.expr(&c.expr)?;
        if target == Ty::Float {
            if crate::parse::float_of(&c.ty) != Some(self.float)
                && !crate::generic::is_twin_float(&c.ty)
            {
                self.errors.on(
                    &c.ty,
                    "mixed `f32` and `f64` are not supported; cast to the function's float type",
                );
                return None;
            }
            if self.ty(a) == Ty::Float {
                return Some(self.def(Op::Copy(a), Ty::Float, span, None));
            }
        }
        Some(self.def(
            Op::Plain(Plain::Cast((*c.ty).clone()), vec![a]),
            target,
            span,
            None,
        ))
    }

    /// The `&mut f64` parameter `e` names, if it does.
    pub(crate) fn scalar_ref_of(&self, e: &syn::Expr) -> Option<Array> {
        match strip(e) {
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Array(a)) if self.scalar_ref.contains(&a) => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    /// `T::from_f64(c)` with a constant `c` (a constant of `T`, like `T::ONE`), and
    /// `T::from_i32(n)` (a constant of the integer `n`) in a generic function.
    fn generic_from(&mut self, p: &syn::ExprPath, c: &syn::ExprCall) -> Option<Value> {
        let span = c.span();
        let m = p.path.segments[1].ident.to_string();
        match (m.as_str(), c.args.first()) {
            ("from_f64", Some(arg)) if c.args.len() == 1 && self.is_constant(arg) => {
                Some(self.def(Op::Const(c.to_token_stream()), Ty::Float, span, None))
            }
            ("from_i32", Some(arg)) if c.args.len() == 1 => {
                let a = self.expr(arg)?;
                if self.ty(a) == Ty::Float {
                    self.errors
                        .on(arg, "`from_i32` takes an integer; this is a float already");
                    return None;
                }
                Some(self.def(
                    Op::Plain(Plain::Call(p.path.clone()), vec![a]),
                    Ty::Float,
                    span,
                    None,
                ))
            }
            _ => {
                self.errors.on(
                    c,
                    "in a generic function only the constants `T::ZERO`, `T::ONE`, ..., \
                     `T::from_f64(c)` with a constant `c` (`T::from_f64(0.5)`) and \
                     `T::from_i32(n)` are supported here; write float methods as method calls \
                     (`x.max(y)`)",
                );
                None
            }
        }
    }

    /// Whether `e` is built of literals and names of the surrounding scope only (no local).
    fn is_constant(&self, e: &syn::Expr) -> bool {
        match e {
            syn::Expr::Lit(_) => true,
            syn::Expr::Paren(p) => self.is_constant(&p.expr),
            syn::Expr::Group(g) => self.is_constant(&g.expr),
            syn::Expr::Unary(u) => self.is_constant(&u.expr),
            syn::Expr::Cast(c) => self.is_constant(&c.expr),
            syn::Expr::Binary(b) => self.is_constant(&b.left) && self.is_constant(&b.right),
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .map_or(true, |i| self.scopes.get(i).is_none()),
            _ => false,
        }
    }

    /// `f64::from(e)`: a lossless conversion, the same value as `e as f64` (the identity for a
    /// float of the function's type).
    fn float_from(&mut self, p: &syn::ExprPath, arg: &syn::Expr) -> Option<Value> {
        let span = p.span();
        let a = self.expr(arg)?;
        let float = &p.path.segments[0].ident;
        let target: syn::Type = syn::parse_quote_spanned!(span=> #float);
        if crate::parse::float_of(&target) != Some(self.float)
            && !crate::generic::is_twin_float(&target)
        {
            self.errors.on(
                p,
                "mixed `f32` and `f64` are not supported; convert to the function's float type",
            );
            return None;
        }
        if self.ty(a) == Ty::Float {
            return Some(self.def(Op::Copy(a), Ty::Float, span, None));
        }
        Some(self.def(
            Op::Plain(Plain::Cast(target), vec![a]),
            Ty::Float,
            span,
            None,
        ))
    }

    /// Reports `xs[a..b]` (slicing): only elements can be read or written.
    pub(crate) fn refuse_slicing(&mut self, ix: &syn::ExprIndex) -> bool {
        let syn::Expr::Range(r) = strip(&ix.index) else {
            return false;
        };
        self.errors.on(
            r,
            "slicing (`xs[a..b]`) is not supported in a differentiable function; index the \
             elements (`xs[i]`) in a loop over the range",
        );
        true
    }

    /// The array named by `e` (a parameter or local array).
    pub(crate) fn array_ref(&mut self, e: &syn::Expr) -> Option<Array> {
        match strip(e) {
            // `step(s, h)[0]`: the call's array result, indexed.
            syn::Expr::Call(c) if matches!(strip(&c.func), syn::Expr::Path(_)) => {
                let syn::Expr::Path(p) = strip(&c.func) else {
                    return None;
                };
                match self.pullback_call(c, &p.path, super::call::Dst::NewArray, None)? {
                    CallOut::NewArray(a) => Some(a),
                    _ => None,
                }
            }
            syn::Expr::Path(p) => {
                if let Some(ident) = p.path.get_ident() {
                    match self.scopes.get(ident) {
                        Some(Binding::Array(a)) => return Some(a),
                        Some(_) => {
                            let hint = self.untyped_call_hint(e);
                            self.errors.on(
                                p,
                                format!(
                                    "`{ident}` is not an array or a slice; only \
                                    slice and array parameters and local arrays can be \
                                    indexed{hint}"
                                ),
                            );
                            return None;
                        }
                        None => {}
                    }
                }
                self.errors.on(p, NOT_INDEXABLE);
                None
            }
            syn::Expr::Index(ix) => {
                self.errors.on(
                    ix,
                    "nested indexing is not supported; use a flat slice and index it with \
                     `xs[i * n + j]`",
                );
                None
            }
            other => {
                self.errors.on(other, NOT_INDEXABLE);
                None
            }
        }
    }

    fn method(&mut self, m: &syn::ExprMethodCall, span: Span) -> Option<Value> {
        if self.is_place(&m.receiver) {
            let name = m.method.to_string();
            if name == "len" && m.args.is_empty() {
                return self.place_len(&m.receiver, span);
            }
            if name == "is_empty" && m.args.is_empty() {
                let n = self.place_len(&m.receiver, span)?;
                let zero = self.def(Op::Const(quote!(0usize)), Ty::Int, span, None);
                return self.binary(&syn::parse_quote!(==), n, zero, span);
            }
            // A method called on a whole struct parameter (`c.abs()` of `c: &Cplx`) is the
            // user's, whatever its name: a struct has no float methods.
            let float_method =
                crate::prims::method_named(&name).is_some() || crate::prims::is_float_test(&name);
            if !float_method || self.is_whole_struct(&m.receiver) {
                if let Some(v) = self.constant_method(m, span) {
                    return v;
                }
                return match self.place_method(m, super::call::Dst::Value, None)? {
                    CallOut::Value(v) => Some(v),
                    _ => None,
                };
            }
        }
        if let Some(v) = self.chain_consumer(m) {
            return v;
        }
        let name = m.method.to_string();
        if let Some(t) = &m.turbofish {
            self.errors.on(
                t,
                "turbofish (`::<...>`) is not supported in a differentiable function; remove it \
                 and give the result a type instead (`let y: f64 = ...;`)",
            );
            return None;
        }
        // `xs[a..b].len()` and `.is_empty()`: the length of the view, its bounds checked.
        if matches!(name.as_str(), "len" | "is_empty") && m.args.is_empty() {
            if let Some(view) = self.slice_view(&m.receiver) {
                let (_, _, len) = view?;
                if name == "len" {
                    return Some(len);
                }
                let zero = self.def(Op::Const(quote!(0usize)), Ty::Int, span, None);
                return self.binary(&syn::parse_quote!(==), len, zero, span);
            }
        }
        // Methods on arrays.
        if let syn::Expr::Path(p) = strip(&m.receiver) {
            if let Some(Binding::View { len, .. }) =
                p.path.get_ident().and_then(|i| self.scopes.get(i))
            {
                if name == "len" && m.args.is_empty() {
                    return Some(len);
                }
            }
            if let Some(Binding::Array(a)) = p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                // `acc.sqrt()` of `acc: &mut f64`: the method of `*acc`.
                if self.scalar_ref.contains(&a) && crate::prims::method_named(&name).is_some() {
                    let mut deref = m.clone();
                    let recv = &m.receiver;
                    *deref.receiver = syn::parse_quote_spanned!(recv.span()=> (*#recv));
                    return self.method(&deref, span);
                }
                if name == "len" && m.args.is_empty() {
                    return Some(self.def(Op::Len(a), Ty::Int, span, None));
                }
                if let Some(ok) = self.array_method(a, m) {
                    return ok.then(|| self.def(Op::Const(quote!(())), Ty::Unknown, span, None));
                }
                self.errors.on(
                    &m.method,
                    format!(
                        "`.{name}()` on an array is not supported here; use indexing, `.len()`, \
                         `fill`, `swap`, `copy_from_slice`, `to_vec`, `clone`, a `for` loop, or an \
                         iterator chain ending in `sum`, `fold`, `count`, ..."
                    ),
                );
                return None;
            }
        }
        let recv = self.expr(&m.receiver);
        let args: Vec<Option<Value>> = m.args.iter().map(|a| self.expr(a)).collect();
        let recv = recv?;
        let args: Vec<Value> = args.into_iter().collect::<Option<_>>()?;
        let rty = self.ty(recv);
        if prims::is_float_test(&name) && args.is_empty() {
            return Some(self.def(
                Op::Plain(Plain::Method(m.method.clone()), vec![recv]),
                Ty::Bool,
                m.method.span(),
                None,
            ));
        }
        // `out.push(x * w)` on `let mut out = Vec::new();`: a `Vec` that grows.
        let grows = ["push", "insert", "extend", "extend_from_slice", "append"];
        if rty == Ty::Unknown
            && grows.contains(&name.as_str())
            && args
                .iter()
                .any(|a| self.ty(*a) == Ty::Float && !self.inert.contains(a))
        {
            self.errors.on(
                &m.method,
                format!(
                    "`.{name}(...)` of a differentiated value: a `Vec` that grows is not \
                     supported; create it at its length (`let mut v = vec![0.0; n];`) and write \
                     `v[i] = ...`, or build it with `.collect()`"
                ),
            );
            return None;
        }
        if matches!(rty, Ty::Int | Ty::Bool)
            || (rty == Ty::Unknown && prims::method_named(&name).is_none())
        {
            return Some(self.def(
                Op::Plain(
                    Plain::Method(m.method.clone()),
                    std::iter::once(recv).chain(args).collect(),
                ),
                rty,
                span,
                None,
            ));
        }
        if let Some(hint) = prims::refused_method(&name) {
            self.errors
                .on(&m.method, format!("`.{name}()` is not supported: {hint}"));
            return None;
        }
        let Some(prim) = prims::method_named(&name) else {
            self.errors.on(
                &m.method,
                format!(
                    "`.{name}()` is not a supported float method; supported: the float methods \
                     listed in grad's README (sin, exp, ln, powi, max, ...) and relu/sigmoid, or \
                     a call to a `#[differentiable]` function"
                ),
            );
            return None;
        };
        let expected = match prim.syntax {
            Syntax::PowI => 1,
            _ => prim.arity - 1,
        };
        if args.len() != expected {
            let s = if expected == 1 { "" } else { "s" };
            self.errors
                .on(m, format!("`.{name}()` takes {expected} argument{s}"));
            return None;
        }
        let (fargs, int) = match prim.syntax {
            Syntax::PowI => (vec![recv], Some(args[0])),
            _ => (std::iter::once(recv).chain(args).collect(), None),
        };
        // Constants of types the macro cannot see are floats here (`x.max(K)`).
        for x in &fargs {
            if self.ty(*x) == Ty::Unknown && self.constants.contains(x) {
                self.value_ty[x.0 as usize] = Ty::Float;
            }
        }
        Some(self.def(
            Op::Prim {
                prim,
                args: fargs,
                int,
            },
            Ty::Float,
            m.method.span(),
            None,
        ))
    }

    fn call(&mut self, c: &syn::ExprCall, span: Span) -> Option<Value> {
        let syn::Expr::Path(p) = strip(&c.func) else {
            self.errors.on(
                &c.func,
                "only calls of functions by name are supported; call a `#[differentiable]` \
                 function by its name (`f(x)`), or bind a closure to a local first \
                 (`let f = |t: f64| t * t; f(x)`)",
            );
            return None;
        };
        if p.qself.is_some() {
            self.errors.on(
                p,
                "qualified paths (`<T as Trait>::f`) are not supported in calls; write a method \
                 call (`x.relu()`) or call a function by its path (`module::f(x)`)",
            );
            return None;
        }
        let first = p.path.segments.first().map(|s| s.ident.to_string());
        if first.as_ref().is_some_and(crate::generic::is_param) && p.path.segments.len() == 2 {
            return self.generic_from(p, c);
        }
        if matches!(first.as_deref(), Some("f64" | "f32")) && p.path.segments.len() == 2 {
            let m = p.path.segments[1].ident.to_string();
            if m == "from" && c.args.len() == 1 {
                return self.float_from(p, &c.args[0]);
            }
            // `f64::max(a, b)`: the method call `a.max(b)`, the same function.
            if let (Some(_), Some((recv, rest))) = (
                prims::method_named(&m),
                c.args.iter().collect::<Vec<_>>().split_first(),
            ) {
                let method = &p.path.segments[1].ident;
                let call: syn::ExprMethodCall = syn::parse_quote_spanned!(method.span()=>
                    (#recv).#method(#(#rest),*)
                );
                return self.method(&call, span);
            }
            for a in &c.args {
                self.expr(a);
            }
            let written = quote!(#p).to_string().replace(' ', "");
            if let Some(hint) = prims::refused_method(&m) {
                self.errors
                    .on(p, format!("`{written}` is not supported: {hint}"));
            } else if prims::method_named(&m).is_some() {
                self.errors.on(
                    p,
                    format!(
                        "`{written}(...)` is not supported; write it as a method call: \
                         `x.{m}(...)`"
                    ),
                );
            } else {
                self.errors.on(
                    p,
                    format!(
                        "`{written}` is not supported in a differentiable function; use the \
                         float methods listed in grad's README (`x.sin()`, ...) or call a \
                         `#[differentiable]` function"
                    ),
                );
            }
            return None;
        }
        if let Some(ident) = p.path.get_ident() {
            if let Some(Binding::Closure(ix)) = self.scopes.get(ident) {
                let args: Option<Vec<_>> = c
                    .args
                    .iter()
                    .map(|a| self.expr(a).map(super::chain::Item::Value))
                    .collect();
                return self.call_closure(ix, args?);
            }
            if self.scopes.get(ident).is_some() {
                self.errors.on(
                    p,
                    "function values cannot be called in a differentiable function; call a \
                     `#[differentiable]` function by its name, or bind a closure to a local \
                     (`let f = |t: f64| t * t;`) and call that",
                );
                return None;
            }
        }
        if self.passes_arrays(c) {
            return match self.pullback_call(c, &p.path, super::call::Dst::Value, None)? {
                CallOut::Value(v) => Some(v),
                _ => None,
            };
        }
        let args: Vec<Option<Value>> = c.args.iter().map(|a| self.expr(a)).collect();
        let mut values = Vec::new();
        let mut float = Vec::new();
        let mut ok = true;
        for (arg, expr) in args.into_iter().zip(&c.args) {
            let Some(v) = arg else {
                ok = false;
                continue;
            };
            match self.ty(v) {
                Ty::Float => float.push(ArgKind::Float),
                Ty::Int | Ty::Bool => float.push(ArgKind::NotFloat),
                Ty::Unknown if self.constants.contains(&v) => float.push(ArgKind::Constant),
                Ty::Unknown => {
                    self.errors.on(
                        expr,
                        "cannot tell whether this argument is a float; bind it first with a \
                         type (`let k: f64 = ...;`) or cast it (`... as f64`)",
                    );
                    ok = false;
                }
            }
            values.push(v);
        }
        if !ok {
            return None;
        }
        if float.len() > crate::symbol::MAX_PARTIALS {
            // More partials than a companion's tuple carries: through the pullback.
            let args = values
                .into_iter()
                .zip(float)
                .map(|(v, k)| CallArg::Value(v, k))
                .collect();
            return match self.emit_call(c, &p.path, args, Vec::new(), super::call::Dst::Value, None)
            {
                CallOut::Value(v) => Some(v),
                _ => None,
            };
        }
        // Floats no derivative flows into (`lgamma(3.0)`, `f(n as f64)`) count as constants.
        let varied = float
            .iter()
            .zip(&values)
            .any(|(k, v)| *k == ArgKind::Float && !self.inert.contains(v));
        if !varied {
            // No derivative flows in: a plain helper (`at(i, j, n)`, `weight(k)`), a constant
            // whatever it returns; of floats (`lgamma(3.0)`), a float, as a differentiable
            // call's result would be.
            let of_floats = float.contains(&ArgKind::Float);
            let ty = if of_floats { Ty::Float } else { Ty::Unknown };
            let v = self.def(
                Op::Plain(Plain::Call(p.path.clone()), values),
                ty,
                span,
                None,
            );
            // A constant: typed as a float where it flows into one (`unify_types`).
            if !of_floats {
                self.constants.insert(v);
            }
            return Some(v);
        }
        Some(self.def(
            Op::Call {
                path: p.path.clone(),
                args: values,
                float,
            },
            Ty::Float,
            span,
            None,
        ))
    }
}

/// `true` for `+= -= *= /=` and the other compound assignments.
pub(crate) fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// The plain operator for a (possibly compound) operator: `+=` → `+`.
fn plain_binop(op: &syn::BinOp) -> syn::BinOp {
    use syn::BinOp::*;
    let s = op.span();
    match op {
        AddAssign(_) => Add(syn::Token![+](s)),
        SubAssign(_) => Sub(syn::Token![-](s)),
        MulAssign(_) => Mul(syn::Token![*](s)),
        DivAssign(_) => Div(syn::Token![/](s)),
        RemAssign(_) => Rem(syn::Token![%](s)),
        BitXorAssign(_) => BitXor(syn::Token![^](s)),
        BitAndAssign(_) => BitAnd(syn::Token![&](s)),
        BitOrAssign(_) => BitOr(syn::Token![|](s)),
        ShlAssign(_) => Shl(syn::Token![<<](s)),
        ShrAssign(_) => Shr(syn::Token![>>](s)),
        other => *other,
    }
}

/// The message for an expression kind that is refused.
/// Indexing something that is neither a parameter nor a local array.
const NOT_INDEXABLE: &str = "only parameters and local arrays of this function can be indexed; \
                             copy the values into a local array (`let mut h = [0.0; N];`) or \
                             pass them as a slice parameter";

fn refusal(e: &syn::Expr) -> &'static str {
    match e {
        syn::Expr::Closure(_) => {
            "a closure can be bound to a local (`let f = |t: f64| t * t;`) and called, or passed \
             to an iterator adapter (`xs.iter().map(|x| x * x).sum::<f64>()`); write it there"
        }
        syn::Expr::Unsafe(_) => {
            "`unsafe` blocks are not supported in a differentiable function; compute the value \
             outside and pass it in as a parameter"
        }
        syn::Expr::Macro(_) => {
            "macros are not supported inside a differentiable function (the macro cannot see \
             what they expand to); move the call out of the function"
        }
        syn::Expr::Field(f) if matches!(f.member, syn::Member::Unnamed(_)) => {
            "tuple fields are not supported; pass the values as separate parameters"
        }
        syn::Expr::Field(_) => {
            "struct fields are not supported; pass the fields as separate parameters"
        }
        syn::Expr::Tuple(_) => {
            "tuples are not supported in a differentiable function; use one variable per value"
        }
        syn::Expr::Struct(_) => {
            "struct literals are not supported in a differentiable function; use one variable \
             per field"
        }
        // `&mut [0.5, 0.5]` as an argument: the literal needs a name to be written through.
        syn::Expr::Reference(r)
            if matches!(&*r.expr, syn::Expr::Array(_) | syn::Expr::Repeat(_)) =>
        {
            "a reference to an array literal is not supported here; bind the array to a local \
             first (`let mut t = [0.5, 0.5];`) and pass `&mut t` or `&t`"
        }
        syn::Expr::Reference(_) => {
            "references are not supported here; pass slices as parameters and index them"
        }
        syn::Expr::Array(_) | syn::Expr::Repeat(_) => {
            "an array value must be bound to a local first (`let v = [a, b];`, `let mut h = \
             [0.0; N];`, `let mut h = vec![0.0; n];`), then indexed, looped over or passed"
        }
        syn::Expr::Assign(_) => "assignment is a statement; write it on its own line",
        syn::Expr::Try(_) => {
            "`?` is not supported in a differentiable function; handle the error outside and \
             pass the value in"
        }
        syn::Expr::Async(_) | syn::Expr::Await(_) => {
            "`async` and `.await` are not supported in a differentiable function; await the \
             value outside and pass it in"
        }
        syn::Expr::Let(_) => {
            "`let` in a condition (`if let`) is not supported; test a `bool` (`if x > 0.0`)"
        }
        syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_) => {
            "loops are supported as statements only; move this loop onto its own line"
        }
        _ => {
            "this expression is not supported in a differentiable function; write it with \
             arithmetic, float methods, `if`, loops and calls (see grad's README)"
        }
    }
}
