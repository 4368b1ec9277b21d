//! Lowering statements and control flow: `let`, assignment, `if`, loops, early exits.

use super::expr::is_compound_assign;
use super::scope::{ty_of_type, Binding};
use super::{Dest, Lowerer, JUMP_BREAK, JUMP_CONTINUE, JUMP_RETURN};
use crate::ir::*;
use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;

impl Lowerer<'_> {
    /// Lowers statements in a new scope. See [`Dest`] for where the tail value goes.
    pub(crate) fn block_in_scope(
        &mut self,
        stmts: &[syn::Stmt],
        dest: Dest,
        end: Span,
    ) -> Option<Value> {
        self.scopes.push();
        let v = self.stmts(stmts, dest, end);
        self.scopes.pop();
        v
    }

    /// Lowers statements whose tail value, if any, is discarded.
    pub(crate) fn stmts_discard(&mut self, stmts: &[syn::Stmt], end: Span) {
        self.stmts(stmts, Dest::Discard, end);
    }

    /// Lowers statements into the current region. After a statement that may exit early the
    /// rest is lowered inside `if jump == 0 { .. }`.
    pub(crate) fn stmts(&mut self, stmts: &[syn::Stmt], dest: Dest, end: Span) -> Option<Value> {
        let after = self.scope_tail.take();
        let call_arrays = super::array_use::call_lets_used_as_arrays(stmts, after.as_ref());
        for (i, stmt) in stmts.iter().enumerate() {
            let is_tail = i + 1 == stmts.len() && matches!(stmt, syn::Stmt::Expr(_, None));
            let before = (self.returns, self.loop_exits);
            if is_tail {
                if let syn::Stmt::Expr(e, None) = stmt {
                    return self.tail(e, dest);
                }
            }
            self.call_let_array = call_arrays[i].clone();
            self.stmt(stmt);
            let rest = &stmts[i + 1..];
            if (self.returns, self.loop_exits) != before && !rest.is_empty() {
                let span = rest[0].span();
                let cond = self.no_jump(span);
                let mut out = None;
                let then = self.region(|cx| out = cx.stmts(rest, dest, end));
                self.push(Node::If {
                    cond,
                    then,
                    els: Region::default(),
                });
                if out.is_some() {
                    self.errors
                        .at(span, "internal: a guarded tail has no destination");
                }
                return None;
            }
        }
        if matches!(dest, Dest::Value) && self.tail_required {
            self.errors.at(
                end,
                "a differentiable function must end with the value it returns (an expression \
                 without `;`) or a `return`",
            );
        }
        None
    }

    /// The tail expression of a block.
    pub(crate) fn tail(&mut self, e: &syn::Expr, dest: Dest) -> Option<Value> {
        if is_diverging(e) {
            self.stmt_expr(e);
            return None;
        }
        // `if c { return x; } else { return y; }` (or any `if`) ending a function with
        // `return`s: each branch's tail is the result.
        if let (syn::Expr::If(i), Dest::Return) = (strip(e), dest) {
            self.if_expr(i, Dest::Return);
            return None;
        }
        if let (syn::Expr::Match(m), Dest::Return) = (strip(e), dest) {
            self.match_expr(m, Dest::Return);
            return None;
        }
        match dest {
            Dest::Discard => {
                self.stmt_expr(e);
                None
            }
            Dest::Value => self.expr(e),
            Dest::Var(s) => {
                if let Some(v) = self.expr(e) {
                    self.assign_var(s, v, false);
                }
                None
            }
            Dest::Return => {
                if let (Some(v), Some(r)) = (self.expr(e), self.ret) {
                    self.assign_var(r, v, false);
                }
                None
            }
        }
    }

    pub(crate) fn assign_var(&mut self, var: Var, value: Value, decl: bool) {
        let t = self.ty(value);
        let slot = &mut self.var_ty[var.0 as usize];
        if *slot == Ty::Unknown || (t == Ty::Float && *slot != Ty::Float) {
            *slot = t;
        }
        self.push(Node::Assign { var, value, decl });
    }

    fn stmt(&mut self, stmt: &syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) => self.local(local),
            // An empty statement (`;;`).
            syn::Stmt::Expr(syn::Expr::Verbatim(t), _) if t.is_empty() => {}
            syn::Stmt::Expr(e, _) => self.stmt_expr(e),
            // An empty statement (`;;`).
            syn::Stmt::Item(syn::Item::Verbatim(t)) if t.to_string() == ";" => {}
            syn::Stmt::Item(item) => self.body_item(item),
            syn::Stmt::Macro(m) if crate::asserts::is_assert(&m.mac) => self.errors.on(
                &m.mac,
                "an assertion is accepted at the start of a differentiable function only, before \
                 its first other statement, where it reads the parameters (the companions check \
                 it there too): move it there, or into the caller",
            ),
            syn::Stmt::Macro(m) => self.errors.on(
                &m.mac,
                "macros are not supported inside a differentiable function (the macro cannot \
                 see what they expand to); move the call out of the function",
            ),
        }
    }

    /// Whether `let name: ty = call(args);` binds an array: by its type where one is written,
    /// else by what the binding's scope shows ([`super::array_use::CallLet`]: used as an
    /// array, or fed back to its function where this call passes an array), else (a `let`
    /// lowered apart from its block) by `guess`.
    fn call_result_is_array(
        &self,
        ty: Option<&syn::Type>,
        scoped: Option<&super::array_use::CallLet>,
        args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
        guess: impl FnOnce() -> bool,
    ) -> bool {
        if let Some(t) = ty {
            return matches!(t, syn::Type::Array(_)) || crate::parse::vec_elem(t).is_some();
        }
        match scoped {
            Some(c) => {
                c.used
                    || c.fed_back
                        .iter()
                        .any(|&k| self.arg_is_array(args.iter().nth(k)))
                    || c.assigned_to.iter().any(|to| {
                        matches!(
                            self.scopes
                                .get(&syn::Ident::new(to, proc_macro2::Span::call_site())),
                            Some(Binding::Array(_))
                        )
                    })
            }
            None => guess(),
        }
    }

    fn local(&mut self, local: &syn::Local) {
        // Whether a call's result is used as an array in the binding's scope.
        let scoped = self.call_let_array.take();
        if let Some(pair) = sin_cos_pair(local) {
            return self.local(&pair);
        }
        if let Some(copy) = self.field_array_copy(local) {
            return self.local(&copy);
        }
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some(&*pt.ty)),
            p => (p, None),
        };
        let (ident, mutable) = match pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                (p.ident.clone(), p.mutability.is_some())
            }
            syn::Pat::Wild(_) => {
                if let Some(init) = &local.init {
                    if !self.discarded_call(&init.expr) {
                        self.expr(&init.expr);
                    }
                }
                return;
            }
            // `let (a, b) = x.split_at(k);` (or `split_at_mut`): two views.
            syn::Pat::Tuple(t) if local.init.as_ref().is_some_and(|i| is_split_at(&i.expr)) => {
                if let Some(init) = &local.init {
                    self.split_at(t, &init.expr);
                }
                return;
            }
            syn::Pat::Slice(s) if local.init.as_ref().is_some_and(|i| i.diverge.is_none()) => {
                if let Some(init) = &local.init {
                    self.destructure(s, &init.expr);
                }
                return;
            }
            // `let (a, mut b) = (x, y);`: one binding per element, every value computed first.
            syn::Pat::Tuple(t) if tuple_of_names(t, local) => {
                if let Some(syn::Expr::Tuple(e)) = local.init.as_ref().map(|i| strip(&i.expr)) {
                    let values: Vec<Option<Value>> = e.elems.iter().map(|x| self.expr(x)).collect();
                    let types: Vec<Option<&syn::Type>> = match ty {
                        Some(syn::Type::Tuple(tt)) => tt.elems.iter().map(Some).collect(),
                        _ => vec![None; t.elems.len()],
                    };
                    // (`_` computes its value and binds nothing.)
                    for ((p, v), ty) in t.elems.iter().zip(values).zip(types) {
                        if let (syn::Pat::Ident(p), Some(v)) = (p, v) {
                            self.bind_value(&p.ident, p.mutability.is_some(), ty, v);
                        }
                    }
                }
                return;
            }
            // `let (i, j) = edges[k];`: constant data taken apart.
            syn::Pat::Tuple(_)
                if local.init.as_ref().is_some_and(|i| {
                    i.diverge.is_none() && !matches!(strip(&i.expr), syn::Expr::Tuple(_))
                }) =>
            {
                if let Some(init) = &local.init {
                    self.let_data(pat, &init.expr);
                }
                return;
            }
            other => {
                self.errors.on(
                    other,
                    "only `let name = ...`, `let mut name = ...` and `let (a, b) = (x, y);` are \
                     supported here; other destructuring patterns are not",
                );
                if let Some(init) = &local.init {
                    self.expr(&init.expr);
                }
                return;
            }
        };
        let Some(init) = &local.init else {
            // `let y;` assigned later: a variable (Rust checks it is assigned before use).
            let vty = ty.map(ty_of_type).unwrap_or(Ty::Unknown);
            let s = self.new_var(vty, ident.span(), Some(ident.to_string()));
            self.push(Node::DeclVar(s));
            self.scopes.bind(&ident, Binding::Var(s));
            return;
        };
        if let Some((_, diverge)) = &init.diverge {
            self.errors.on(
                diverge,
                "`let ... else` is not supported; bind a plain name (`let y = ...;`) and test \
                 it with `if`",
            );
            return;
        }
        if let syn::Expr::Closure(c) = strip(&init.expr) {
            self.bind_closure(&ident, c);
            return;
        }
        // `let v: Vec<f64> = xs.iter().map(f).collect();`: a local `Vec`.
        if let syn::Expr::MethodCall(m) = strip(&init.expr) {
            if let Some(a) = self.collect_let(m, &ident) {
                if let Some(a) = a {
                    self.scopes.bind(&ident, Binding::Array(a));
                }
                return;
            }
        }
        // `let row = &x[a..b];`: a view of `x`, read through `x`.
        if let syn::Expr::Reference(r) = strip(&init.expr) {
            if !mutable && self.slice_let(&ident, r) {
                return;
            }
        }
        // `let w = &p.w;`, `let layer = &self.layers[l];`, `let row = &self.w[a..b];`: another
        // name for the place.
        if let syn::Expr::Reference(r) = strip(&init.expr) {
            if r.mutability.is_none()
                && !mutable
                && (self.is_place(&r.expr) || self.is_place_view(&r.expr))
            {
                if let Some(p) = self.place_at(&r.expr) {
                    let id = self.new_place(p);
                    self.scopes.bind(&ident, Binding::Place(id));
                }
                return;
            }
        }
        // `let x = xs[i];` of a row of float data (`xs: &[[f64; 4]]`): a copy of what cannot
        // change, so another name for the place.
        if !mutable && self.is_data_row(&init.expr) {
            if let Some(p) = self.place_at(&init.expr) {
                let id = self.new_place(p);
                self.row_copies.insert(id);
                self.scopes.bind(&ident, Binding::Place(id));
            }
            return;
        }
        // `let p = q;` of a struct parameter (or a place bound to a name): another name for it.
        if let syn::Expr::Path(p) = strip(&init.expr) {
            let place = p.path.get_ident().and_then(|i| match self.scopes.get(i) {
                // Not inside a `&mut` parameter: a later write would show through the name.
                Some(Binding::Place(id))
                    if !mutable
                        && ty.is_none()
                        && self.mut_roots.get(self.places[id].root) != Some(&true) =>
                {
                    Some(id)
                }
                _ => None,
            });
            if let Some(id) = place {
                self.scopes.bind(&ident, Binding::Place(id));
                return;
            }
        }
        // `let act: Act = self.act;` of a type that is no number (an enum, a struct) in a
        // parameter that cannot change: another name for the place, tested where it stands.
        if let (Some(t), false) = (ty, mutable) {
            let number = ty_of_type(t) != Ty::Unknown
                || matches!(t, syn::Type::Array(_) | syn::Type::Reference(_))
                || crate::parse::vec_elem(t).is_some()
                || crate::generic::is_twin_float(t);
            if !number && self.is_place(&init.expr) && !self.place_may_change(&init.expr) {
                if let Some(p) = self.place_at(&init.expr) {
                    let id = self.new_place(p);
                    self.scopes.bind(&ident, Binding::Place(id));
                }
                return;
            }
        }
        // `let h = self.layer.forward(x);` for a method returning an array.
        if let syn::Expr::MethodCall(m) = strip(&init.expr) {
            let array = self.call_result_is_array(ty, scoped.as_ref(), &m.args, || {
                self.array_names.contains(&ident.to_string())
            });
            if array && self.is_user_method_of_place(m) {
                if let Some(CallOut::NewArray(a)) =
                    self.place_method(m, super::call::Dst::NewArray, Some(&ident))
                {
                    self.scopes.bind(&ident, Binding::Array(a));
                }
                return;
            }
        }
        if let syn::Expr::Call(c) = strip(&init.expr) {
            let array = self.call_result_is_array(ty, scoped.as_ref(), &c.args, || {
                self.passes_arrays(c) && self.array_names.contains(&ident.to_string())
            });
            if let (true, syn::Expr::Path(p)) = (array, strip(&c.func)) {
                if let Some(CallOut::NewArray(a)) =
                    self.pullback_call(c, &p.path, super::call::Dst::NewArray, Some(&ident))
                {
                    self.scopes.bind(&ident, Binding::Array(a));
                }
                return;
            }
            // A name never used again: the result may be an array or a float.
            if ty.is_none()
                && self.name_uses.get(&ident.to_string()) == Some(&1)
                && self.discarded_call(&init.expr)
            {
                return;
            }
            // (Not `Vec::new()`, which no type makes an array the macro supports.)
            let vec = matches!(strip(&c.func), syn::Expr::Path(p)
                if p.path.segments.first().is_some_and(|s| s.ident == "Vec"));
            if ty.is_none() && !vec {
                self.untyped_call_lets.insert(ident.to_string());
            }
        }
        if self.array_let(&init.expr, &ident, mutable) {
            return;
        }
        // `let p = if c { [a, b] } else { [d, e] };`: a local array each branch assigns.
        let named = |name: &syn::Ident| match self.scopes.get(name) {
            Some(Binding::Array(a)) => match &self.arrays[a.0 as usize].1 {
                ArrayKind::Fixed(n) if !self.scalar_ref.contains(&a) => syn::parse2(n.clone()).ok(),
                _ => None,
            },
            _ => None,
        };
        let id = self.values.len();
        if let Some(stmts) = super::array_tail::let_branch_to_local(
            &ident,
            mutable,
            ty,
            &init.expr,
            &self.float_ty,
            &named,
            id,
        ) {
            self.stmts_discard(&stmts, init.expr.span());
            return;
        }
        // `let r = &x;`: a shared reference to a float reads as its value.
        let init_expr = match strip(&init.expr) {
            syn::Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            e => e,
        };
        if let Some(a) = self.array_init(init_expr, &ident) {
            self.scopes.bind(&ident, Binding::Array(a));
            return;
        }
        // `let y = if c { return a; } else { b };`: an exit leaves nothing of this statement.
        self.let_init_if = matches!(strip(init_expr), syn::Expr::If(_) | syn::Expr::Match(_));
        self.let_ty = ty.map(ty_of_type);
        let v = if self.let_ty == Some(Ty::Bool) {
            self.condition(init_expr)
        } else {
            self.expr(init_expr)
        };
        self.let_ty = None;
        self.let_init_if = false;
        let Some(v) = v else {
            return;
        };
        self.bind_value(&ident, mutable, ty, v);
    }

    /// Binds `ident` to the value `v` (its type as written, if it is), as a variable where it
    /// is `mut`.
    pub(crate) fn bind_value(
        &mut self,
        ident: &syn::Ident,
        mutable: bool,
        ty: Option<&syn::Type>,
        v: Value,
    ) {
        let declared = ty.map(ty_of_type);
        if let (Some(Ty::Float), Some(t)) = (declared, ty) {
            if crate::parse::float_of(t) != Some(self.float) && !crate::generic::is_twin_float(t) {
                self.errors.on(
                    t,
                    "mixed `f32` and `f64` are not supported; use the function's float type",
                );
            }
        }
        let vty = match declared {
            Some(t) if t != Ty::Unknown => t,
            _ => self.ty(v),
        };
        let name = Some(ident.to_string());
        if mutable {
            let s = self.new_var(vty, ident.span(), name);
            self.assign_var(s, v, true);
            self.scopes.bind(ident, Binding::Var(s));
        } else {
            // An immutable binding is the value itself; record the name for pictures/listings.
            let info = &mut self.values[v.0 as usize];
            if info.name.is_none() {
                info.name = name;
            }
            self.value_ty[v.0 as usize] = vty;
            self.scopes.bind(ident, Binding::Value(v));
        }
    }

    /// `[fill; N]` or `vec![fill; n]`: a local array. `None` if `e` is not an array.
    fn array_init(&mut self, e: &syn::Expr, ident: &syn::Ident) -> Option<Array> {
        let name = Some(ident.to_string());
        match e {
            syn::Expr::Repeat(r) => {
                let fill = self.expr(&r.expr)?;
                let len = r.len.to_token_stream();
                let a = self.array(ArrayKind::Fixed(len.clone()), ident.span(), name);
                self.local_elem_ty.insert(a, self.ty(fill));
                self.push(Node::DeclArray(a, ArrayInit::Repeat { fill, len }));
                Some(a)
            }
            syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => {
                let parsed: Result<syn::ExprRepeat, _> =
                    m.mac.parse_body_with(|input: syn::parse::ParseStream| {
                        let expr: syn::Expr = input.parse()?;
                        let semi: syn::Token![;] = input.parse()?;
                        let len: syn::Expr = input.parse()?;
                        Ok(syn::ExprRepeat {
                            attrs: Vec::new(),
                            bracket_token: Default::default(),
                            expr: Box::new(expr),
                            semi_token: semi,
                            len: Box::new(len),
                        })
                    });
                match parsed {
                    Ok(r) => {
                        let fill = self.expr(&r.expr)?;
                        let len = self.expr(&r.len)?;
                        let a = self.array(ArrayKind::Vec, ident.span(), name);
                        self.local_elem_ty.insert(a, self.ty(fill));
                        self.push(Node::DeclArray(a, ArrayInit::Vec { fill, len }));
                        Some(a)
                    }
                    Err(_) => {
                        // `vec![a, b, c]`.
                        let list = m.mac.parse_body_with(
                            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
                        );
                        match list {
                            Ok(elems) if !elems.is_empty() => {
                                let arr = syn::ExprArray {
                                    attrs: Vec::new(),
                                    bracket_token: Default::default(),
                                    elems,
                                };
                                self.vec_literal(&arr, ident)
                            }
                            _ => {
                                self.errors.on(
                                    &m.mac,
                                    "only `vec![value; length]` and `vec![a, b, c]` are \
                                     supported; write `vec![0.0; n]` and assign the elements",
                                );
                                Some(self.array(ArrayKind::Vec, ident.span(), name))
                            }
                        }
                    }
                }
            }
            _ => None,
        }
    }

    /// An expression in statement position.
    pub(crate) fn stmt_expr(&mut self, e: &syn::Expr) {
        match e {
            syn::Expr::Assign(a) => self.assign(&a.left, &a.right, None),
            syn::Expr::Binary(b) if is_compound_assign(&b.op) => {
                self.assign(&b.left, &b.right, Some(&b.op))
            }
            syn::Expr::If(i) => self.if_expr(i, Dest::Discard),
            syn::Expr::Match(m) => self.match_expr(m, Dest::Discard),
            syn::Expr::ForLoop(f) => self.for_loop(f),
            syn::Expr::While(w) => self.while_loop(w),
            syn::Expr::Loop(l) => self.plain_loop(l),
            syn::Expr::Block(b) if b.label.is_none() => {
                let end = b.block.brace_token.span.close();
                let stmts = &b.block.stmts;
                let mut r = self.region(|cx| {
                    cx.stmts(stmts, Dest::Discard, end);
                });
                // A bare block is just scoping: splice its nodes into the current region.
                if let Some(cur) = self.regions.last_mut() {
                    cur.nodes.append(&mut r.nodes);
                }
            }
            syn::Expr::MethodCall(m) if self.is_user_method_of_place(m) => {
                self.place_method(m, super::call::Dst::Unit, None);
            }
            syn::Expr::Call(c) if is_mem_swap(c) => self.swap_arrays(c),
            syn::Expr::Call(c) if self.passes_arrays(c) => {
                if let syn::Expr::Path(p) = strip(&c.func) {
                    self.pullback_call(c, &p.path, super::call::Dst::Unit, None);
                } else {
                    self.expr(e);
                }
            }
            syn::Expr::Return(r) if self.closure_depth > 0 => self.errors.on(
                r,
                "`return` inside a closure is not supported; write the closure's body as one \
                 expression (`|x| if c { a } else { b }`)",
            ),
            syn::Expr::Return(r) if self.expr_nesting > 0 => self.exit_in_expression(r),
            syn::Expr::Break(b) if self.expr_nesting > self.expr_nesting_at_loop => {
                self.exit_in_expression(b)
            }
            syn::Expr::Continue(c) if self.expr_nesting > self.expr_nesting_at_loop => {
                self.exit_in_expression(c)
            }
            syn::Expr::Return(r) => self.ret_expr(r),
            syn::Expr::Break(b) => {
                // A refused `break` still leaves its loop: no follow-on "never exits" error.
                if self.loop_depth > 0 && (b.label.is_some() || b.expr.is_some()) {
                    self.loop_exits += 1;
                }
                if let Some(l) = &b.label {
                    self.errors.on(
                        l,
                        "labelled `break` is not supported; restructure with a flag variable \
                         or move the inner loop into its own `#[differentiable]` function",
                    );
                } else if let Some(v) = &b.expr {
                    self.errors.on(
                        v,
                        "`break` with a value is not supported; assign the value to a `let mut` \
                         variable declared before the loop, then `break`",
                    );
                } else if self.loop_depth == 0 {
                    self.errors.on(
                        b,
                        "`break` outside of a loop; leave the function with `return value;`",
                    );
                } else {
                    self.loop_exits += 1;
                    self.set_jump(JUMP_BREAK, b.span());
                }
            }
            syn::Expr::Continue(c) => {
                if let Some(l) = &c.label {
                    self.errors.on(
                        l,
                        "labelled `continue` is not supported; restructure with a flag variable \
                         or move the inner loop into its own `#[differentiable]` function",
                    );
                } else if self.loop_depth == 0 {
                    self.errors.on(
                        c,
                        "`continue` outside of a loop; use it inside `for`, `while` or `loop`",
                    );
                } else {
                    self.loop_exits += 1;
                    self.set_jump(JUMP_CONTINUE, c.span());
                }
            }
            other => {
                self.expr(other);
            }
        }
    }

    fn exit_in_expression(&mut self, e: &impl quote::ToTokens) {
        self.errors.on(
            e,
            "`return`, `break` and `continue` inside an expression are not supported (the rest \
             of the enclosing statement would still have to be skipped); write the `if` as a \
             statement of its own, e.g. `if c { return x; }`",
        );
    }

    fn ret_expr(&mut self, r: &syn::ExprReturn) {
        let Some(e) = &r.expr else {
            if self.unit {
                // Leaves a `()` function: the rest is skipped as after any early exit.
                self.returns += 1;
                self.set_jump(JUMP_RETURN, r.span());
                return;
            }
            self.errors.on(
                r,
                "`return` needs a value in a differentiable function: `return y;`",
            );
            return;
        };
        let Some(v) = self.expr(e) else { return };
        if let Some(ret) = self.ret {
            self.assign_var(ret, v, false);
        }
        self.returns += 1;
        self.set_jump(JUMP_RETURN, r.span());
    }

    /// `place = value` or `place op= value`.
    fn assign(&mut self, left: &syn::Expr, right: &syn::Expr, op: Option<&syn::BinOp>) {
        let place = match strip(left) {
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => &*u.expr,
            other => other,
        };
        if self.is_place(place) {
            self.store_place(place, right, op);
            return;
        }
        match strip(left) {
            syn::Expr::Path(p) if p.path.get_ident().is_some() => {
                let ident = p.path.get_ident().cloned();
                let Some(ident) = ident else { return };
                match self.scopes.get(&ident) {
                    // `s = step(s, h);`: the call's array result overwrites `s`.
                    Some(Binding::Array(a))
                        if op.is_none()
                            && !self.is_param_array(a)
                            && matches!(strip(right), syn::Expr::Call(c)
                                if matches!(strip(&c.func), syn::Expr::Path(_))) =>
                    {
                        if let syn::Expr::Call(c) = strip(right) {
                            if let syn::Expr::Path(p) = strip(&c.func) {
                                self.pullback_call(c, &p.path, super::call::Dst::Into(a), None);
                            }
                        }
                    }
                    // `s = self.step(s, h);`: a method's array result overwrites `s`.
                    Some(Binding::Array(a))
                        if op.is_none()
                            && !self.is_param_array(a)
                            && matches!(strip(right), syn::Expr::MethodCall(m)
                                if self.is_user_method_of_place(m)) =>
                    {
                        if let syn::Expr::MethodCall(m) = strip(right) {
                            self.place_method(m, super::call::Dst::Into(a), None);
                        }
                    }
                    Some(Binding::Var(s)) => {
                        let Some(rhs) = self.expr(right) else { return };
                        let value = match op {
                            None => rhs,
                            Some(op) => {
                                let cur = self.def(
                                    Op::Read(s),
                                    self.var_ty[s.0 as usize],
                                    left.span(),
                                    Some(ident.to_string()),
                                );
                                match self.binary(
                                    op,
                                    cur,
                                    rhs,
                                    left.span().join(right.span()).unwrap_or(right.span()),
                                ) {
                                    Some(v) => v,
                                    None => return,
                                }
                            }
                        };
                        self.assign_var(s, value, false);
                    }
                    Some(Binding::Array(a)) => self.assign_array(a, left, right),
                    Some(Binding::Elem(..)) => self.errors.on(
                        left,
                        format!("`{ident}` is a reference to an element: write `*{ident} = ...`"),
                    ),
                    Some(_) => self.errors.on(
                        left,
                        format!("cannot assign to `{ident}`: declare it with `let mut {ident}`"),
                    ),
                    None => self.errors.on(
                        left,
                        format!(
                            "`{ident}` is not a local variable of this function; only locals \
                             declared with `let mut` can be assigned: compute the value and \
                             return it"
                        ),
                    ),
                }
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                // `*x = ...` for a `&mut f64` parameter: its one element.
                if let Some(array) = self.scalar_ref_of(&u.expr) {
                    let index = self.def(Op::Const(quote::quote!(0usize)), Ty::Int, u.span(), None);
                    self.store(array, index, left, right, op);
                    return;
                }
                let elem = match strip(&u.expr) {
                    syn::Expr::Path(p) => p.path.get_ident().and_then(|i| self.scopes.get(i)),
                    _ => None,
                };
                let Some(Binding::Elem(array, index)) = elem else {
                    self.errors.on(
                        left,
                        "only `*x = ...` for an item `x` of `xs.iter_mut()` can be assigned \
                         through a reference",
                    );
                    return;
                };
                self.store(array, index, left, right, op);
            }
            syn::Expr::Index(ix) => {
                let Some((array, index)) = self.place(ix) else {
                    return;
                };
                self.store(array, index, left, right, op);
            }
            // `(a, b) = (b, a);` of float or integer variables: every value computed first.
            syn::Expr::Tuple(l)
                if op.is_none()
                    && matches!(strip(right), syn::Expr::Tuple(r) if r.elems.len() == l.elems.len())
                    && l.elems.iter().all(|e| self.local_var(e).is_some()) =>
            {
                let syn::Expr::Tuple(r) = strip(right) else {
                    return;
                };
                let values: Vec<Option<Value>> = r.elems.iter().map(|x| self.expr(x)).collect();
                for (e, v) in l.elems.iter().zip(values) {
                    if let (Some(s), Some(v)) = (self.local_var(e), v) {
                        self.assign_var(s, v, false);
                    }
                }
            }
            syn::Expr::Tuple(t) => self.errors.on(
                t,
                "a tuple assignment `(a, b) = (x, y);` takes `let mut` float or integer \
                 variables and a tuple of as many values; exchange two local arrays with \
                 `std::mem::swap(&mut a, &mut b)`",
            ),
            other => self.errors.on(
                other,
                "only local variables and array elements can be assigned in a differentiable \
                 function; assign to a `let mut` local or to an element of a local array \
                 (`h[i] = ...`)",
            ),
        }
    }

    /// `std::mem::swap(&mut a, &mut b)` of two local arrays (double buffering): their
    /// elements exchanged one by one (the lengths checked equal by
    /// `grad::__private::same_length`: the elements of arrays of different lengths cannot
    /// trade places, only whole `Vec`s can), or of two float variables.
    fn swap_arrays(&mut self, c: &syn::ExprCall) {
        let span = c.span();
        let operand = |cx: &Self, e: &syn::Expr| match strip(e) {
            syn::Expr::Reference(r) if r.mutability.is_some() => match strip(&r.expr) {
                syn::Expr::Path(p) => p.path.get_ident().and_then(|i| cx.scopes.get(i)),
                _ => None,
            },
            _ => None,
        };
        let args: Vec<&syn::Expr> = c.args.iter().collect();
        let [x, y] = args.as_slice() else {
            self.errors
                .on(c, "`std::mem::swap` takes two arguments, `&mut a, &mut b`");
            return;
        };
        match (operand(self, x), operand(self, y)) {
            (Some(Binding::Array(a)), Some(Binding::Array(b)))
                if !self.is_param_array(a) && !self.is_param_array(b) =>
            {
                let (la, lb) = (
                    self.def(Op::Len(a), Ty::Int, span, None),
                    self.def(Op::Len(b), Ty::Int, span, None),
                );
                let len = self.def(
                    Op::Plain(
                        Plain::Call(syn::parse_quote!(::grad::__private::same_length)),
                        vec![la, lb],
                    ),
                    Ty::Int,
                    span,
                    None,
                );
                self.for_indices(len, span, |cx, i| cx.exchange((a, i), (b, i), span));
            }
            (Some(Binding::Var(s)), Some(Binding::Var(t))) => {
                let (u, v) = (self.read(s, span), self.read(t, span));
                self.assign_var(s, v, false);
                self.assign_var(t, u, false);
            }
            _ => self.errors.on(
                c,
                "`std::mem::swap` is supported on two local arrays (`&mut a, &mut b`) or two \
                 `let mut` variables; copy with `a.copy_from_slice(&b)` otherwise",
            ),
        }
    }

    /// The `let mut` variable `e` names, if it names one.
    fn local_var(&self, e: &syn::Expr) -> Option<Var> {
        match strip(e) {
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Var(s)) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// `array[index] = right` or `array[index] op= right`.
    fn store(
        &mut self,
        array: Array,
        index: Value,
        left: &syn::Expr,
        right: &syn::Expr,
        op: Option<&syn::BinOp>,
    ) {
        let Some(rhs) = self.expr(right) else { return };
        let value = match op {
            None => rhs,
            Some(op) => {
                let ty = self.elem_ty(array);
                let cur = self.def(Op::Load(array, index), ty, left.span(), None);
                match self.binary(op, cur, rhs, op.span()) {
                    Some(v) => v,
                    None => return,
                }
            }
        };
        self.push(Node::Store {
            array,
            index,
            value,
        });
    }

    /// `let _ = f(&x, ...);` for a call that passes arrays, whose result nobody reads: lowered
    /// with a zero adjoint for the result. `false` if `e` is not such a call.
    fn discarded_call(&mut self, e: &syn::Expr) -> bool {
        let syn::Expr::Call(c) = strip(e) else {
            return false;
        };
        let syn::Expr::Path(p) = strip(&c.func) else {
            return false;
        };
        if !self.passes_arrays(c) {
            return false;
        }
        self.pullback_call(c, &p.path, super::call::Dst::Discard, None);
        true
    }

    /// `let (a, b) = x.split_at(k);`: `a` views `x[..k]`, `b` views `x[k..]` (of an array or of
    /// a view).
    fn split_at(&mut self, t: &syn::PatTuple, init: &syn::Expr) {
        let syn::Expr::MethodCall(m) = strip(init) else {
            return;
        };
        let names: Vec<Option<syn::Ident>> = t
            .elems
            .iter()
            .map(|p| match p {
                syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => {
                    Some(i.ident.clone())
                }
                syn::Pat::Wild(_) => None,
                _ => Some(syn::Ident::new("_", p.span())),
            })
            .collect();
        if names.len() != 2 || names.iter().flatten().any(|i| i == "_") {
            self.errors.on(
                t,
                "`split_at` gives two slices: bind them to two names, `let (a, b) = \
                 x.split_at(k);`",
            );
            return;
        }
        let span = m.span();
        let (array, offset, len) = match self.whole_view(&m.receiver, span) {
            Some(view) => view,
            None => {
                self.errors.on(
                    &m.receiver,
                    "`split_at` is supported on a slice or array of this function (a parameter, \
                     a local array or a view)",
                );
                return;
            }
        };
        let Some(k) = self.expr(&m.args[0]) else {
            return;
        };
        let (Some(mid), Some(rest)) = (
            self.binary(&syn::parse_quote!(+), offset, k, span),
            self.binary(&syn::parse_quote!(-), len, k, span),
        ) else {
            return;
        };
        let mutable = m.method == "split_at_mut";
        for (name, (offset, len)) in names.iter().zip([(offset, k), (mid, rest)]) {
            if let Some(name) = name {
                self.scopes.bind(name, Binding::View { array, offset, len });
                if mutable {
                    self.mut_views.insert(name.to_string());
                } else {
                    self.mut_views.remove(&name.to_string());
                }
            }
        }
    }

    /// `e` as a view when it names an array of this function (a parameter, a local array:
    /// from 0, its length) or a view: `(array, start, len)`.
    fn whole_view(&mut self, e: &syn::Expr, span: Span) -> Option<(Array, Value, Value)> {
        let binding = match strip(e) {
            syn::Expr::Path(p) => p.path.get_ident().and_then(|i| self.scopes.get(i)),
            _ => None,
        };
        match binding? {
            Binding::Array(a) => {
                let zero = self.def(Op::Const(quote::quote!(0usize)), Ty::Int, span, None);
                let len = self.def(Op::Len(a), Ty::Int, span, None);
                Some((a, zero, len))
            }
            Binding::View { array, offset, len } => Some((array, offset, len)),
            _ => None,
        }
    }

    /// `let row = &x[a..b];` (or `&mut`): binds `row` to a view of `x` ([`Self::slice_view`]).
    /// `false` if `r` is not such a slice.
    fn slice_let(&mut self, ident: &syn::Ident, r: &syn::ExprReference) -> bool {
        let Some(view) = self.slice_view(&r.expr) else {
            return false;
        };
        if let Some((array, offset, len)) = view {
            self.scopes
                .bind(ident, Binding::View { array, offset, len });
            if r.mutability.is_some() {
                self.mut_views.insert(ident.to_string());
            } else {
                self.mut_views.remove(&ident.to_string());
            }
        }
        true
    }

    /// `x[a..b]` of a parameter, a local array or a view, as a view of `x`: `(array, start,
    /// len)`, its start checked as slicing checks it (`grad::__private::view_start`, whose
    /// result every use of the view reads). `None` if `e` is not such a slice; `Some(None)`
    /// where its bounds did not lower (the error is reported).
    pub(crate) fn slice_view(&mut self, e: &syn::Expr) -> Option<Option<(Array, Value, Value)>> {
        let syn::Expr::Index(ix) = strip(e) else {
            return None;
        };
        let syn::Expr::Range(range) = strip(&ix.index) else {
            return None;
        };
        let span = ix.span();
        let (array, offset, len) = self.whole_view(&ix.expr, span)?;
        let Some((lo, hi)) = self.view_bounds(offset, len, Some(range)) else {
            return Some(None);
        };
        let Some(end) = self.binary(&syn::parse_quote!(+), offset, len, span) else {
            return Some(None);
        };
        let start = self.def(
            Op::Plain(
                Plain::Call(syn::parse_quote!(::grad::__private::view_start)),
                vec![lo, hi, end],
            ),
            Ty::Int,
            span,
            None,
        );
        // The length from the checked start, so that any use of the view checks it.
        let view_len = self.binary(&syn::parse_quote!(-), hi, start, span);
        Some(view_len.map(|len| (array, start, len)))
    }

    /// The array and index of `a[i]` as a place to write to.
    fn place(&mut self, ix: &syn::ExprIndex) -> Option<(Array, Value)> {
        let (array, index) = self.element(ix)?;
        if (self.is_param_array(array) && !self.array_mut[array.0 as usize])
            || matches!(self.arrays[array.0 as usize].1, ArrayKind::Constant)
        {
            self.errors.on(
                &ix.expr,
                "parameters cannot be changed in a differentiable function; copy into a local \
                 array (`let mut h = [0.0; N];`) and change that",
            );
            return None;
        }
        Some((array, index))
    }

    pub(crate) fn is_param_array(&self, a: Array) -> bool {
        // Parameter arrays are allocated first, before any local array.
        (a.0 as usize) < self.n_param_arrays
    }

    /// `if` as a statement (`Dest::Discard`) or as an expression (`Dest::Var`).
    pub(crate) fn if_expr(&mut self, i: &syn::ExprIf, dest: Dest) {
        let Some(cond) = self.condition(&i.cond) else {
            return;
        };
        if self.ty(cond) == Ty::Float {
            self.errors.on(
                &i.cond,
                "the condition of an `if` must be a `bool`: `if x > 0.0`",
            );
        }
        let end = i.then_branch.brace_token.span.close();
        let then_stmts = &i.then_branch.stmts;
        let then = self.region(|cx| {
            cx.stmts(then_stmts, dest, end);
        });
        let els = match &i.else_branch {
            None => {
                if !matches!(dest, Dest::Discard) {
                    self.errors.on(
                        i,
                        "an `if` used as a value needs an `else` branch: `else { ... }`",
                    );
                }
                Region::default()
            }
            Some((_, e)) => self.region(|cx| match &**e {
                syn::Expr::If(inner) => cx.if_expr(inner, dest),
                syn::Expr::Block(b) => {
                    let end = b.block.brace_token.span.close();
                    cx.stmts(&b.block.stmts, dest, end);
                }
                other => {
                    cx.tail(other, dest);
                }
            }),
        };
        self.push(Node::If { cond, then, els });
    }

    /// Runs `f` as a loop body: counts its exits and decides the loop's jump variable.
    pub(crate) fn loop_body(&mut self, f: impl FnOnce(&mut Self)) -> (Region, Option<Var>) {
        let saved_exits = self.loop_exits;
        let returns_before = self.returns;
        let saved_nesting = std::mem::replace(&mut self.expr_nesting_at_loop, self.expr_nesting);
        self.loop_exits = 0;
        self.loop_depth += 1;
        let body = self.region(f);
        self.loop_depth -= 1;
        let exits = self.loop_exits > 0 || self.returns != returns_before;
        self.loop_exits = saved_exits;
        self.expr_nesting_at_loop = saved_nesting;
        let jump = if exits { Some(self.jump_var()) } else { None };
        (body, jump)
    }

    fn check_label(&mut self, label: &Option<syn::Label>) {
        if let Some(l) = label {
            self.errors.on(
                l,
                "loop labels are not supported; restructure with a flag variable or move the inner \
                 loop into its own `#[differentiable]` function",
            );
        }
    }

    pub(crate) fn for_loop(&mut self, f: &syn::ExprForLoop) {
        // `for &z in &xs[1..]` is `for &z in xs[1..].iter()` (`&mut`: `iter_mut()`).
        if let syn::Expr::Reference(r) = strip(&f.expr) {
            if let syn::Expr::Index(ix) = strip(&r.expr) {
                if matches!(strip(&ix.index), syn::Expr::Range(_)) {
                    let method = if r.mutability.is_some() {
                        quote::format_ident!("iter_mut", span = r.and_token.span)
                    } else {
                        quote::format_ident!("iter", span = r.and_token.span)
                    };
                    let mut g = f.clone();
                    *g.expr = syn::parse_quote_spanned!(r.span()=> #ix.#method());
                    return self.for_loop(&g);
                }
            }
        }
        if self.running_index {
            if let Some(block) = self.running_index(f) {
                self.stmt_expr(&block);
                return;
            }
        }
        if self.place_for(f).is_some() || self.data_for(f) {
            return;
        }
        self.check_label(&f.label);
        if self.is_chain(&f.expr) && !self.is_plain_for_pat(&f.pat, &f.expr) {
            self.chain_for(f);
            return;
        }
        let Some(head) = self.for_head(&f.pat, &f.expr) else {
            return;
        };
        let stmts = &f.body.stmts;
        let end = f.body.brace_token.span.close();
        let var = self.def_raw(Ty::Int, f.pat.span(), None);
        let (body, jump) = self.loop_body(|cx| {
            head.bind(cx, var);
            cx.stmts(stmts, Dest::Discard, end);
        });
        self.push(Node::Loop {
            head: LoopHead::For {
                var,
                iter: head.iter,
            },
            body,
            jump,
        });
    }

    fn while_loop(&mut self, w: &syn::ExprWhile) {
        self.check_label(&w.label);
        if let syn::Expr::Let(l) = &*w.cond {
            self.errors
                .on(l, "`while let` is not supported; use `while cond`");
            return;
        }
        let cond_expr = &*w.cond;
        let stmts = &w.body.stmts;
        let end = w.body.brace_token.span.close();
        let span = w.cond.span();
        let (body, jump) = self.loop_body(|cx| {
            let Some(cond) = cx.condition(cond_expr) else {
                return;
            };
            let then = cx.region(|cx| {
                cx.stmts(stmts, Dest::Discard, end);
            });
            let els = cx.region(|cx| {
                cx.loop_exits += 1;
                cx.set_jump(JUMP_BREAK, span);
            });
            cx.push(Node::If { cond, then, els });
        });
        self.push(Node::Loop {
            head: LoopHead::Forever,
            body,
            jump,
        });
    }

    fn plain_loop(&mut self, l: &syn::ExprLoop) {
        self.check_label(&l.label);
        let stmts = &l.body.stmts;
        let end = l.body.brace_token.span.close();
        let (body, jump) = self.loop_body(|cx| {
            cx.stmts(stmts, Dest::Discard, end);
        });
        if jump.is_none() {
            self.errors
                .on(&l.loop_token, "this `loop` never exits; add a `break`");
        }
        self.push(Node::Loop {
            head: LoopHead::Forever,
            body,
            jump,
        });
    }
}

/// Expressions that never produce a value (`return`, `break`, `continue`).
fn is_diverging(e: &syn::Expr) -> bool {
    matches!(
        strip(e),
        syn::Expr::Return(_) | syn::Expr::Break(_) | syn::Expr::Continue(_)
    )
}

/// Removes parentheses and invisible groups.
/// Whether `e` is `x.split_at(k)` or `x.split_at_mut(k)`.
fn is_split_at(e: &syn::Expr) -> bool {
    matches!(strip(e), syn::Expr::MethodCall(m)
        if (m.method == "split_at" || m.method == "split_at_mut") && m.args.len() == 1)
}

pub(crate) fn strip(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        other => other,
    }
}

/// `let (a, mut b, _) = (x, y, z);`: a tuple of plain names or `_` (no `ref`, no
/// sub-patterns) bound to a tuple expression of as many elements, without `else`.
fn tuple_of_names(t: &syn::PatTuple, local: &syn::Local) -> bool {
    let names = t.elems.iter().all(|p| match p {
        syn::Pat::Ident(i) => i.by_ref.is_none() && i.subpat.is_none(),
        syn::Pat::Wild(_) => true,
        _ => false,
    });
    let init = local.init.as_ref().filter(|i| i.diverge.is_none());
    names
        && matches!(init.map(|i| strip(&i.expr)), Some(syn::Expr::Tuple(e)) if e.elems.len() == t.elems.len())
}

/// `let (s, c) = x.sin_cos();` as `let (s, c) = (x.sin(), x.cos());`, which is what the
/// standard library computes (the `sincos` pass evaluates the pair once again).
impl Lowerer<'_> {
    /// `let r: [f64; 3] = p.rot;` (an array field copied whole, its length written): as
    /// `let r: [f64; 3] = [p.rot[0], p.rot[1], p.rot[2]];`, a local array.
    fn field_array_copy(&self, local: &syn::Local) -> Option<syn::Local> {
        let syn::Pat::Type(pt) = &local.pat else {
            return None;
        };
        let syn::Type::Array(arr) = &*pt.ty else {
            return None;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(n),
            ..
        }) = &arr.len
        else {
            return None;
        };
        let n: usize = n.base10_parse().ok()?;
        // Of floats only (`[usize; 2]` keeps its own handling).
        crate::parse::float_of(&arr.elem)?;
        let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
        let place = strip(&init.expr);
        if n > 64 || !matches!(place, syn::Expr::Field(_)) || !self.is_place(place) {
            return None;
        }
        let elems = (0..n).map(|i| quote::quote!((#place)[#i]));
        let mut out = local.clone();
        if let Some(i) = out.init.as_mut() {
            *i.expr = syn::parse_quote_spanned!(place.span()=> [#(#elems),*]);
        }
        Some(out)
    }
}

fn sin_cos_pair(local: &syn::Local) -> Option<syn::Local> {
    let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
    let syn::Expr::MethodCall(m) = strip(&init.expr) else {
        return None;
    };
    if m.method != "sin_cos" || !m.args.is_empty() || m.turbofish.is_some() {
        return None;
    }
    let x = &m.receiver;
    let (sin, cos) = (
        syn::Ident::new("sin", m.method.span()),
        syn::Ident::new("cos", m.method.span()),
    );
    let mut out = local.clone();
    if let Some(i) = out.init.as_mut() {
        *i.expr = syn::parse_quote_spanned!(m.method.span()=> ((#x).#sin(), (#x).#cos()));
    }
    Some(out)
}

/// `std::mem::swap(..)`, `core::mem::swap(..)` or `mem::swap(..)`.
fn is_mem_swap(c: &syn::ExprCall) -> bool {
    let syn::Expr::Path(p) = strip(&c.func) else {
        return false;
    };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    matches!(
        names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["std" | "core", "mem", "swap"] | ["mem", "swap"]
    )
}
