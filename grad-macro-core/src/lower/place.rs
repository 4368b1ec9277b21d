//! Lowering reads of struct parameters: `p.b`, `p.w[i]`, `self.layers[l].w[k]`, `p.w.len()`,
//! `for layer in &self.layers`, `let w = &p.w;`, places passed to calls (`dot(&layer.w, x)`)
//! and method calls on them (`layer.forward(x, &mut h)`).
//!
//! The macro cannot see a struct's definition, so the type of a field comes from how the body
//! uses it: the function is lowered once to gather that evidence (an index or a range bound is
//! an integer; an operand of float arithmetic is a float; operands of one operator share a
//! type), then again with every place's type known ([`place_types`]). A field of unknown use
//! is a float: if it is not, the generated code does not compile (never a silent zero).

use super::scope::Binding;
use super::stmt::strip;
use super::Lowerer;
use crate::ir::*;
use proc_macro2::Span;
use quote::format_ident;
use std::collections::HashMap;
use syn::spanned::Spanned;

impl Lowerer<'_> {
    /// Registers a place for a [`Binding::Place`].
    pub(crate) fn new_place(&mut self, p: Place) -> usize {
        self.places.push(p);
        self.places.len() - 1
    }

    /// Whether `e` names a place inside a struct parameter (nothing is lowered).
    pub(crate) fn is_place(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .is_some_and(|i| matches!(self.scopes.get(i), Some(Binding::Place(_)))),
            syn::Expr::Field(f) => self.is_place(&f.base),
            syn::Expr::Index(ix) => {
                !matches!(strip(&ix.index), syn::Expr::Range(_)) && self.is_place(&ix.expr)
            }
            _ => false,
        }
    }

    /// The parameter a place expression starts from, and whether its path has an index.
    /// Whether the place `e` names is inside a `&mut` parameter (the body may write it).
    pub(crate) fn place_may_change(&self, e: &syn::Expr) -> bool {
        self.place_root(e)
            .map_or(true, |(root, _)| self.mut_roots.get(root) == Some(&true))
    }

    fn place_root(&self, e: &syn::Expr) -> Option<(usize, bool)> {
        match strip(e) {
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Place(id)) => {
                    let p = &self.places[id];
                    Some((
                        p.root,
                        p.segs
                            .iter()
                            .any(|s| matches!(s, Seg::Index(_) | Seg::Range(..))),
                    ))
                }
                _ => None,
            },
            syn::Expr::Field(f) => self.place_root(&f.base),
            syn::Expr::Index(ix) => self.place_root(&ix.expr).map(|(r, _)| (r, true)),
            _ => None,
        }
    }

    /// Whether `e` is a row of rows of floats (`xs[i]` of `xs: &[[f64; 4]]`): an array that
    /// cannot change, so a copy of it (`let x = xs[i];`) reads the same as the place.
    pub(crate) fn is_data_row(&self, e: &syn::Expr) -> bool {
        fn indices(l: &Lowerer, e: &syn::Expr) -> Option<(usize, usize)> {
            match strip(e) {
                syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| l.scopes.get(i)) {
                    Some(Binding::Place(id)) => {
                        let p = &l.places[id];
                        let n = p.segs.iter().filter(|s| matches!(s, Seg::Index(_))).count();
                        let other = p.segs.iter().any(|s| !matches!(s, Seg::Index(_)));
                        (!other).then_some((p.root, n))
                    }
                    _ => None,
                },
                syn::Expr::Index(ix) if !matches!(strip(&ix.index), syn::Expr::Range(_)) => {
                    indices(l, &ix.expr).map(|(root, n)| (root, n + 1))
                }
                _ => None,
            }
        }
        // (At least one index: the rows themselves are a reference already.)
        indices(self, e)
            .is_some_and(|(root, n)| n > 0 && n < self.row_depth.get(root).copied().unwrap_or(0))
    }

    /// `recv.method(args)` on a struct the gradient is not taken for (left out by
    /// `wrt(...)`): a constant, computed as written. `None` where that does not apply.
    pub(crate) fn constant_method(
        &mut self,
        m: &syn::ExprMethodCall,
        span: Span,
    ) -> Option<Option<Value>> {
        let (root, indexed) = self.place_root(&m.receiver)?;
        // (In the forward twin, which differentiates nothing, a struct its callers vary is not
        // a constant: see `generic::varied`.)
        let varied = crate::generic::varied(root).filter(|_| root < self.wrt_params.len());
        if varied.unwrap_or(self.wrt_params.get(root) != Some(&false)) {
            return None;
        }
        // A differentiated array passed in (`self.score(x)` with only `x` in `wrt(...)`): a
        // differentiable method, called through its pullback with a scratch gradient for the
        // struct.
        if m.args.iter().any(|a| self.carries_array(a)) {
            return None;
        }
        if indexed {
            self.errors.on(
                &m.receiver,
                "a method of an element of a struct left out of `wrt(...)`: bind the element \
                 to a name outside the function, or differentiate with respect to the struct",
            );
            return Some(None);
        }
        // Written with the parameter's own name (`let d = c; d.k_of(i)`).
        let recv = self.written(&m.receiver);
        let recv = self.def(Op::Const(quote::quote!((&#recv))), Ty::Unknown, span, None);
        let mut args = vec![recv];
        for a in &m.args {
            match self.expr(a) {
                // (In the forward twin, where every such float may carry a tangent; elsewhere
                // the activity analysis refuses what does.)
                // A differentiated float passed in: a differentiable method, as above (its
                // arguments are lowered again there; what was lowered here is unused).
                Some(v) if self.ty(v) == Ty::Float && !self.inert.contains(&v) => return None,
                Some(v) => args.push(v),
                None => return Some(None),
            }
        }
        let v = self.def(
            Op::Plain(Plain::Method(m.method.clone()), args),
            Ty::Unknown,
            span,
            None,
        );
        // A constant: a float where float arithmetic uses it (lifted in the twins).
        self.constants.insert(v);
        Some(Some(v))
    }

    /// Whether the argument `e` is, or views, an array or a struct place a derivative flows
    /// through (looked up, not lowered).
    fn carries_array(&self, e: &syn::Expr) -> bool {
        let e = match strip(e) {
            syn::Expr::Reference(r) => strip(&r.expr),
            other => other,
        };
        let e = match e {
            syn::Expr::Index(ix) if matches!(strip(&ix.index), syn::Expr::Range(_)) => {
                strip(&ix.expr)
            }
            other => other,
        };
        if let Some((root, _)) = self.place_root(e) {
            return crate::generic::varied(root)
                .unwrap_or(self.wrt_params.get(root) == Some(&true));
        }
        let syn::Expr::Path(p) = e else {
            return false;
        };
        match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
            Some(Binding::Array(a)) | Some(Binding::View { array: a, .. }) => {
                !matches!(self.arrays[a.0 as usize].1, ArrayKind::Constant)
                    && !self.inert_arrays.contains(&a)
            }
            _ => false,
        }
    }

    /// [`Place::shape`] of the place `e` names, without lowering anything.
    fn place_shape(&self, e: &syn::Expr) -> Option<String> {
        match strip(e) {
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Place(id)) => Some(self.places[id].shape()),
                _ => None,
            },
            syn::Expr::Field(f) => {
                let m = &f.member;
                Some(format!(
                    "{}.{}",
                    self.place_shape(&f.base)?,
                    quote::quote!(#m)
                ))
            }
            syn::Expr::Index(ix) => Some(format!("{}[_]", self.place_shape(&ix.expr)?)),
            _ => None,
        }
    }

    /// The place `e` names, with its indices lowered.
    pub(crate) fn place_at(&mut self, e: &syn::Expr) -> Option<Place> {
        match strip(e) {
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Place(id)) => Some(self.places[id].clone()),
                _ => None,
            },
            syn::Expr::Field(f) => {
                let mut p = self.place_at(&f.base)?;
                p.segs.push(Seg::Field(f.member.clone()));
                Some(p)
            }
            // `self.w[a..b]`: a sub-slice, its bounds as slicing takes them.
            syn::Expr::Index(ix) if matches!(strip(&ix.index), syn::Expr::Range(_)) => {
                let syn::Expr::Range(r) = strip(&ix.index) else {
                    return None;
                };
                let mut p = self.place_at(&ix.expr)?;
                let span = r.span();
                let lo = match &r.start {
                    Some(e) => self.expr(e)?,
                    None => self.def(Op::Const(quote::quote!(0usize)), Ty::Int, span, None),
                };
                let hi = match &r.end {
                    Some(e) => {
                        let hi = self.expr(e)?;
                        if matches!(r.limits, syn::RangeLimits::Closed(_)) {
                            let one =
                                self.def(Op::Const(quote::quote!(1usize)), Ty::Int, span, None);
                            self.binary(&syn::parse_quote!(+), hi, one, span)?
                        } else {
                            hi
                        }
                    }
                    None => self.def(Op::FieldLen(p.clone()), Ty::Int, span, None),
                };
                p.segs.push(Seg::Range(lo, hi));
                Some(p)
            }
            syn::Expr::Index(ix) => {
                let mut p = self.place_at(&ix.expr)?;
                let i = self.expr(&ix.index)?;
                p.segs.push(Seg::Index(i));
                Some(p)
            }
            _ => None,
        }
    }

    /// `place as F` (the function's float type) for a place of unknown use: a read whose
    /// adjoint goes where the field is a float and nowhere where it is an integer
    /// ([`Seg::Cast`]). `None` if `e` is not such a place.
    pub(crate) fn place_cast(&mut self, c: &syn::ExprCast, span: Span) -> Option<Option<Value>> {
        if !self.is_place(&c.expr) {
            return None;
        }
        let shape = self.place_shape(&c.expr)?;
        if self.place_types.as_ref()?.contains_key(&shape) {
            return None;
        }
        let Some(mut p) = self.place_at(&c.expr) else {
            return Some(None);
        };
        p.segs.push(Seg::Cast(Box::new((*c.ty).clone())));
        Some(Some(self.def(Op::Field(p), Ty::Float, span, None)))
    }

    /// `place == C` or `place != C` (either way round) with `C` a path that names no local
    /// (`self.act == Act::Relu`): compared where the place stands ([`Seg::Compare`]), so a
    /// field of a type the macro cannot see is neither moved nor read as a float.
    pub(crate) fn place_compare(&mut self, b: &syn::ExprBinary, span: Span) -> Option<Value> {
        if !matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_)) {
            return None;
        }
        let constant = |cx: &Self, e: &syn::Expr| match strip(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let local = p
                    .path
                    .get_ident()
                    .is_some_and(|i| cx.scopes.get(i).is_some());
                (!local && p.path.segments.len() > 1).then(|| Box::new(p.clone()))
            }
            _ => None,
        };
        // `*p == C` of a parameter `p: &E` compares the value.
        let deref = |e: &'_ syn::Expr| -> syn::Expr {
            match strip(e) {
                syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => (*u.expr).clone(),
                other => other.clone(),
            }
        };
        let (left, right) = (deref(&b.left), deref(&b.right));
        let (place, c, swapped) = if self.is_place(&left) {
            (left, constant(self, &b.right)?, false)
        } else if self.is_place(&right) {
            (right, constant(self, &b.left)?, true)
        } else {
            return None;
        };
        let place = &place;
        let mut p = self.place_at(place)?;
        p.segs.push(Seg::Compare(b.op, c, swapped));
        Some(self.def(Op::Field(p), Ty::Bool, span, None))
    }

    /// The type of the values at places of `p`'s shape: unknown while the evidence is
    /// gathered, then as gathered (a float where nothing said otherwise).
    fn place_ty(&self, p: &Place) -> Ty {
        match &self.place_types {
            Some(types) => types.get(&p.shape()).copied().unwrap_or(Ty::Float),
            None => Ty::Unknown,
        }
    }

    /// A read of the place `e` names.
    pub(crate) fn place_load(&mut self, e: &syn::Expr, span: Span) -> Option<Value> {
        let p = self.place_at(e)?;
        Some(self.load_place(p, span))
    }

    /// A read of `p`.
    pub(crate) fn load_place(&mut self, p: Place, span: Span) -> Value {
        let ty = self.place_ty(&p);
        let name = p.segs.iter().rev().find_map(|s| match s {
            Seg::Field(syn::Member::Named(n)) => Some(n.to_string()),
            _ => None,
        });
        let shape = p.shape();
        let v = self.def(Op::Field(p), ty, span, name);
        self.place_reads.push((v, shape));
        v
    }

    /// `place = right` or `place op= right` inside a `&mut` struct parameter.
    pub(crate) fn store_place(
        &mut self,
        left: &syn::Expr,
        right: &syn::Expr,
        op: Option<&syn::BinOp>,
    ) {
        let Some((root, _)) = self.place_root(left) else {
            return;
        };
        if self.mut_roots.get(root) != Some(&true) {
            self.errors.on(
                left,
                "this parameter cannot be changed: take it as `&mut` (`&mut self`, \
                 `p: &mut S`) to write its fields",
            );
            return;
        }
        let Some(rhs) = self.expr(right) else { return };
        let Some(p) = self.place_at(left) else { return };
        let value = match op {
            None => rhs,
            Some(op) => {
                let cur = self.load_place(p.clone(), left.span());
                match self.binary(op, cur, rhs, op.span()) {
                    Some(v) => v,
                    None => return,
                }
            }
        };
        self.place_writes.push((value, p.shape()));
        self.push(Node::FieldStore { place: p, value });
    }

    /// `place.len()`.
    pub(crate) fn place_len(&mut self, receiver: &syn::Expr, span: Span) -> Option<Value> {
        let p = self.place_at(receiver)?;
        Some(self.def(Op::FieldLen(p), Ty::Int, span, None))
    }

    /// A place passed to a call by reference: `&p.w`, `&self.layers[l]`, or a name bound to
    /// a place that is not a float (`layer`, `p`).
    /// Whether `e` is a sub-slice of a place (`self.w[a..b]`).
    pub(crate) fn is_place_view(&self, e: &syn::Expr) -> bool {
        matches!(strip(e), syn::Expr::Index(ix)
            if matches!(strip(&ix.index), syn::Expr::Range(_)) && self.is_place(&ix.expr))
    }

    /// Whether `e` names a whole struct parameter (`c`, `self`), not a part of one, and the
    /// body does not use it as a float.
    pub(crate) fn is_whole_struct(&self, e: &syn::Expr) -> bool {
        let syn::Expr::Path(p) = strip(e) else {
            return false;
        };
        match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
            Some(Binding::Place(id)) => {
                let place = &self.places[id];
                place.segs.is_empty()
                    && self
                        .place_types
                        .as_ref()
                        .map_or(true, |t| t.get(&place.shape()) != Some(&Ty::Float))
            }
            _ => false,
        }
    }

    pub(crate) fn is_place_arg(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Reference(r) => self.is_place(&r.expr) || self.is_place_view(&r.expr),
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                // Passed by reference unless the body uses it as a float (`x: Real`).
                Some(Binding::Place(id)) => self.place_types.as_ref().map_or(true, |t| {
                    t.get(&self.places[id].shape()) != Some(&Ty::Float)
                }),
                _ => false,
            },
            // A row passed by value (`f(w, xs[i])`).
            syn::Expr::Index(_) => self.is_data_row(e),
            _ => false,
        }
    }

    /// Whether the argument `e` is a copy of a row (`xs[i]`, or `x` after `let x = xs[i];`):
    /// passed by value.
    pub(crate) fn is_row_copy(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Index(_) => self.is_data_row(e),
            syn::Expr::Path(p) => {
                self.is_data_row(e)
                    && matches!(p.path.get_ident().and_then(|i| self.scopes.get(i)),
                        Some(Binding::Place(id)) if self.row_copies.contains(&id))
            }
            _ => false,
        }
    }

    /// Lowers a place argument (see [`Self::is_place_arg`]), with whether the callee may
    /// change it (`&mut p.w`, or a `&mut` parameter's place passed on).
    pub(crate) fn place_arg(&mut self, e: &syn::Expr) -> Option<(Place, bool)> {
        let (p, explicit) = match strip(e) {
            syn::Expr::Reference(r) => (self.place_at(&r.expr)?, r.mutability.is_some()),
            other => (self.place_at(other)?, false),
        };
        let root_mut = self.mut_roots.get(p.root) == Some(&true);
        let bare = !matches!(strip(e), syn::Expr::Reference(_));
        if explicit && !root_mut {
            self.errors.on(
                e,
                "this parameter cannot be changed: take it as `&mut` (`&mut self`, `p: &mut S`) \
                 to pass its fields on as `&mut`",
            );
            return None;
        }
        Some((p, explicit || (bare && root_mut)))
    }

    /// Whether the receiver of a method call is inside a `&mut` parameter (the method may
    /// change it: the call keeps a copy for the reverse sweep).
    fn receiver_mut(&self, e: &syn::Expr) -> bool {
        self.place_root(e)
            .is_some_and(|(root, _)| self.mut_roots.get(root) == Some(&true))
    }

    /// `recv.method(args)` on a place: a call of the user's method through its pullback,
    /// `recv.method_pullback(args..., d_out, d_recv, slots...)`.
    pub(crate) fn place_method(
        &mut self,
        m: &syn::ExprMethodCall,
        dst: super::call::Dst,
        name: Option<&syn::Ident>,
    ) -> Option<CallOut> {
        let recv = &m.receiver;
        let args = &m.args;
        let method = &m.method;
        let c: syn::ExprCall = if self.receiver_mut(recv) {
            syn::parse_quote!(#method(&mut #recv, #args))
        } else {
            syn::parse_quote!(#method(&#recv, #args))
        };
        let path: syn::Path = syn::parse_quote!(#method);
        self.next_call_is_method = true;
        let out = self.pullback_call(&c, &path, dst, name);
        self.next_call_is_method = false;
        out
    }

    /// Whether `m` calls a method of the user's on a place (not `len`, a float method or an
    /// iterator adapter).
    pub(crate) fn is_user_method_of_place(&self, m: &syn::ExprMethodCall) -> bool {
        let name = m.method.to_string();
        self.is_place(&m.receiver)
            && !matches!(
                name.as_str(),
                "len" | "is_empty" | "iter" | "into_iter" | "iter_mut"
            )
            && crate::prims::method_named(&name).is_none()
            && !crate::prims::is_float_test(&name)
    }

    /// `for x in &place` / `for x in place.iter()` / `for &x in &place`: an index loop, with
    /// `x` bound to the element (a place, or its value for `&x`). `None` if `f` is not one.
    pub(crate) fn place_for(&mut self, f: &syn::ExprForLoop) -> Option<()> {
        let iterated = match strip(&f.expr) {
            // `for b in &mut self.bs`: as `for b in self.bs.iter_mut()`.
            syn::Expr::Reference(r) if r.mutability.is_some() && self.is_place(&r.expr) => {
                let inner = &r.expr;
                let mut lowered = f.clone();
                *lowered.expr = syn::parse_quote!(#inner.iter_mut());
                self.for_loop(&lowered);
                return Some(());
            }
            syn::Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            syn::Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => &*m.receiver,
            // `for u in units` of a parameter `units: &Vec<Unit>` (or another name for a place).
            e @ syn::Expr::Path(_) => e,
            _ => return None,
        };
        if !self.is_place(iterated) {
            return None;
        }
        self.place_loops += 1;
        let i = format_ident!("__grad_place_i{}", self.place_loops);
        let bind: syn::Stmt = match &*f.pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                let x = &p.ident;
                syn::parse_quote!(let #x = &#iterated[#i];)
            }
            syn::Pat::Reference(r) if matches!(&*r.pat, syn::Pat::Ident(_)) => {
                let syn::Pat::Ident(p) = &*r.pat else {
                    return Some(());
                };
                let x = &p.ident;
                syn::parse_quote!(let #x = #iterated[#i];)
            }
            other => {
                self.errors.on(
                    other,
                    "bind the element to a plain name (`for layer in &self.layers`)",
                );
                return Some(());
            }
        };
        let mut body = f.body.clone();
        body.stmts.insert(0, bind);
        let label = &f.label;
        let lowered: syn::ExprForLoop = syn::parse_quote! {
            #label for #i in 0..#iterated.len() #body
        };
        self.for_loop(&lowered);
        Some(())
    }

    /// The types gathered from the reads of places (see the module's documentation).
    pub(crate) fn gathered_place_types(&self) -> HashMap<String, Ty> {
        let n = self.values.len();
        let mut uf = UnionFind::new(n + self.vars.len());
        let mut evidence: Vec<(usize, Ty)> = Vec::new();
        for (v, t) in self.value_ty.iter().enumerate() {
            if *t != Ty::Unknown {
                evidence.push((v, *t));
            }
        }
        for (s, t) in self.var_ty.iter().enumerate() {
            if *t != Ty::Unknown {
                evidence.push((n + s, *t));
            }
        }
        let mut weak = Vec::new();
        let mut stack = vec![self.regions.first()];
        while let Some(Some(r)) = stack.pop() {
            for node in &r.nodes {
                gather(node, n, &mut uf, &mut evidence, &mut weak, &mut stack);
            }
        }
        let mut class_ty: HashMap<usize, Ty> = HashMap::new();
        for (x, t) in evidence {
            let root = uf.find(x);
            let e = class_ty.entry(root).or_insert(t);
            // Integer evidence wins: indices are the one thing a float can never be.
            if t == Ty::Int {
                *e = Ty::Int;
            }
        }
        // Strength of what is known of a shape: an integer use, a float use, only a cast to
        // an integer (no derivative passes one, so reading it as what it is loses none).
        let rank = |t: Ty, weak: bool| match (t, weak) {
            (Ty::Int, false) => 3,
            (Ty::Float | Ty::Bool, _) => 2,
            (_, true) => 1,
            _ => 0,
        };
        let mut out: HashMap<String, (Ty, u8)> = HashMap::new();
        for (v, shape) in self.place_reads.iter().chain(&self.place_writes) {
            let root = uf.find(v.0 as usize);
            let (t, r) = match class_ty.get(&root) {
                Some(&t) => (t, rank(t, false)),
                None if weak.iter().any(|&w| uf.find(w) == root) => (Ty::Int, rank(Ty::Int, true)),
                None => continue,
            };
            let e = out.entry(shape.clone()).or_insert((t, r));
            if r > e.1 {
                *e = (t, r);
            }
        }
        out.into_iter().map(|(k, (t, _))| (k, t)).collect()
    }
}

/// The evidence one node gives (and its nested regions, pushed on `stack`).
fn gather<'r>(
    node: &'r Node,
    n: usize,
    uf: &mut UnionFind,
    evidence: &mut Vec<(usize, Ty)>,
    weak: &mut Vec<usize>,
    stack: &mut Vec<Option<&'r Region>>,
) {
    let int = |v: &Value, e: &mut Vec<(usize, Ty)>| e.push((v.0 as usize, Ty::Int));
    match node {
        Node::Let(v, op) => match op {
            Op::Prim { args, int: k, .. } => {
                for a in args {
                    evidence.push((a.0 as usize, Ty::Float));
                }
                if let Some(k) = k {
                    int(k, evidence);
                }
            }
            Op::Plain(Plain::Binary(b), args) if args.len() == 2 => {
                uf.union(args[0].0 as usize, args[1].0 as usize);
                let compare = matches!(
                    b,
                    syn::BinOp::Lt(_)
                        | syn::BinOp::Le(_)
                        | syn::BinOp::Gt(_)
                        | syn::BinOp::Ge(_)
                        | syn::BinOp::Eq(_)
                        | syn::BinOp::Ne(_)
                );
                let shift = matches!(b, syn::BinOp::Shl(_) | syn::BinOp::Shr(_));
                if !compare && !shift {
                    uf.union(v.0 as usize, args[0].0 as usize);
                }
            }
            Op::Plain(Plain::Unary(_), args) => uf.union(v.0 as usize, args[0].0 as usize),
            Op::Plain(Plain::Range { .. }, args) => args.iter().for_each(|a| int(a, evidence)),
            Op::Plain(Plain::Cast(t), args)
                if super::scope::ty_of_type(t) == Ty::Int && !args.is_empty() =>
            {
                weak.push(args[0].0 as usize)
            }
            Op::Load(_, i) => int(i, evidence),
            Op::Field(p) | Op::FieldLen(p) => p.indices().iter().for_each(|i| int(i, evidence)),
            Op::Read(s) => uf.union(v.0 as usize, n + s.0 as usize),
            Op::Copy(a) => uf.union(v.0 as usize, a.0 as usize),
            _ => {}
        },
        Node::Assign { var, value, .. } => uf.union(n + var.0 as usize, value.0 as usize),
        Node::Store { index, .. } => int(index, evidence),
        Node::FieldStore { place, value } => {
            place.indices().iter().for_each(|i| int(i, evidence));
            // The stored value has the place's type: a read of the same shape elsewhere
            // shares it (through the shape, below).
            let _ = value;
        }
        Node::Call(c) => {
            for a in &c.args {
                if let CallArg::Place(p, _) = a {
                    p.indices().iter().for_each(|i| int(i, evidence));
                }
            }
        }
        Node::If { cond, then, els } => {
            evidence.push((cond.0 as usize, Ty::Bool));
            stack.push(Some(then));
            stack.push(Some(els));
        }
        Node::Loop { body, .. } => stack.push(Some(body)),
        // A `vec![x; n]`'s length is an integer (`vec![0.0; p.n]` with a field `n`).
        Node::DeclArray(_, ArrayInit::Vec { len, .. }) => int(len, evidence),
        Node::DeclVar(_) | Node::DeclArray(..) => {}
    }
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }

    fn find(&mut self, mut x: usize) -> usize {
        if x >= self.0.len() {
            return x;
        }
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b && a < self.0.len() && b < self.0.len() {
            self.0[a] = b;
        }
    }
}
