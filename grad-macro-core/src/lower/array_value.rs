//! Arrays as values: literals (`[a, 4.0, b]`), copies (`let prev = s;`, `let mut t = s;`,
//! `s = next;`, `to_vec()`, `clone()`), aliases (`let r = &a;`), destructuring
//! (`let [x, y] = s;`), the in-place methods `fill`, `swap` and `copy_from_slice`, views
//! (`windows`/`chunks` items, indexed as `w[i]`) and `const` arrays of the surrounding scope.
//!
//! Everything becomes what the pipeline already differentiates: a local array
//! (`Node::DeclArray`), element stores and loads, and loops over indices.

use super::scope::Binding;
use super::stmt::strip;
use super::Lowerer;
use crate::ir::*;
use proc_macro2::Span;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;

/// An array or a part of one, as the source of a copy.
#[derive(Clone, Copy)]
pub(crate) struct Slice {
    array: Array,
    offset: Option<Value>,
    len: Value,
}

impl Lowerer<'_> {
    /// `[a, b, c]` as a new local array of fixed length.
    pub(crate) fn array_literal(
        &mut self,
        arr: &syn::ExprArray,
        ident: Option<&syn::Ident>,
    ) -> Option<Array> {
        self.literal(arr, ident, false)
    }

    /// `vec![a, b, c]`: a local `Vec` of the elements.
    pub(crate) fn vec_literal(
        &mut self,
        arr: &syn::ExprArray,
        ident: &syn::Ident,
    ) -> Option<Array> {
        self.literal(arr, Some(ident), true)
    }

    fn literal(
        &mut self,
        arr: &syn::ExprArray,
        ident: Option<&syn::Ident>,
        vec: bool,
    ) -> Option<Array> {
        let span = arr.span();
        let elems: Vec<Option<Value>> = arr.elems.iter().map(|e| self.expr(e)).collect();
        let elems: Vec<Value> = elems.into_iter().collect::<Option<_>>()?;
        let Some(&fill) = elems.first() else {
            self.errors.on(
                arr,
                "an empty array literal has no element type here; write `[0.0; 0]`",
            );
            return None;
        };
        let tys: Vec<Ty> = elems.iter().map(|&v| self.ty(v)).collect();
        // Constants of types the macro cannot see take the type of the other elements.
        let ty = if tys.contains(&Ty::Float) {
            Ty::Float
        } else if tys.contains(&Ty::Int) {
            Ty::Int
        } else if tys.iter().all(|t| *t == Ty::Bool) {
            Ty::Bool
        } else {
            Ty::Float
        };
        let n = elems.len();
        let len = quote!(#n);
        let name = ident.map(|i| i.to_string());
        if vec {
            let a = self.array(ArrayKind::Vec, span, name);
            self.local_elem_ty.insert(a, ty);
            let len = self.def(Op::Const(quote!(#n)), Ty::Int, span, None);
            self.push(Node::DeclArray(a, ArrayInit::Vec { fill, len }));
            self.store_rest(a, &elems, span);
            return Some(a);
        }
        let a = self.array(ArrayKind::Fixed(len.clone()), span, name);
        self.local_elem_ty.insert(a, ty);
        self.push(Node::DeclArray(a, ArrayInit::Repeat { fill, len }));
        self.store_rest(a, &elems, span);
        Some(a)
    }

    /// `a[i] = elems[i]` for every element after the first (the fill).
    fn store_rest(&mut self, a: Array, elems: &[Value], span: proc_macro2::Span) {
        for (i, &v) in elems.iter().enumerate().skip(1) {
            let index = self.def(Op::Const(quote!(#i)), Ty::Int, span, None);
            self.push(Node::Store {
                array: a,
                index,
                value: v,
            });
        }
    }

    /// What `e` names as a whole array or view: `xs`, `&xs`, `&mut xs`, `w`.
    pub(crate) fn slice_of(&mut self, e: &syn::Expr) -> Option<Slice> {
        // `&x[a..b]`: a part of an array or a view.
        if let Some(view) = self.slice_view(strip(e)) {
            let (array, offset, len) = view?;
            return Some(Slice {
                array,
                offset: Some(offset),
                len,
            });
        }
        match strip(e) {
            syn::Expr::Reference(r) => self.slice_of(&r.expr),
            syn::Expr::Array(arr) => {
                let array = self.array_literal(arr, None)?;
                let len = self.def(Op::Len(array), Ty::Int, arr.span(), None);
                Some(Slice {
                    array,
                    offset: None,
                    len,
                })
            }
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Array(array)) => {
                    let len = self.def(Op::Len(array), Ty::Int, p.span(), None);
                    Some(Slice {
                        array,
                        offset: None,
                        len,
                    })
                }
                Some(Binding::View { array, offset, len }) => Some(Slice {
                    array,
                    offset: Some(offset),
                    len,
                }),
                _ => None,
            },
            _ => None,
        }
    }

    /// A `let` initializer that makes `ident` an array (or view): `Some(true)` if it was one.
    pub(crate) fn array_let(&mut self, e: &syn::Expr, ident: &syn::Ident, mutable: bool) -> bool {
        let span = e.span();
        match strip(e) {
            syn::Expr::Array(arr) => {
                if let Some(a) = self.array_literal(arr, Some(ident)) {
                    self.scopes.bind(ident, Binding::Array(a));
                }
                true
            }
            syn::Expr::Path(_) | syn::Expr::Reference(_) => {
                let by_ref = matches!(strip(e), syn::Expr::Reference(_));
                let Some(b) = self.whole(e) else {
                    return false;
                };
                let b = match b {
                    // A copy where either side may change later: `let mut t = s;`,
                    // `let prev = s;` of a local array, `let old = *s;` of a `&mut` one.
                    Binding::Array(a)
                        if !by_ref
                            && self.is_fixed(a)
                            && (mutable || !self.is_param(a) || self.array_mut[a.0 as usize]) =>
                    {
                        match self.slice_of(e) {
                            Some(src) => Binding::Array(self.copy_array(src, ident, span, true)),
                            None => return true,
                        }
                    }
                    other => other,
                };
                self.scopes.bind(ident, b);
                true
            }
            // `let mut out = *s;` for `s: &[f64; N]`: a copy, as `let mut out = s;` of a local.
            syn::Expr::Unary(u)
                if matches!(u.op, syn::UnOp::Deref(_))
                    && matches!(self.whole(&u.expr), Some(Binding::Array(a))
                        if self.is_fixed(a) && !self.scalar_ref.contains(&a)) =>
            {
                self.array_let(&u.expr, ident, mutable)
            }
            syn::Expr::MethodCall(m)
                if (m.method == "to_vec" || m.method == "clone") && m.args.is_empty() =>
            {
                let Some(src) = self.slice_of(&m.receiver) else {
                    return false;
                };
                let fixed = m.method == "clone" && src.offset.is_none() && self.is_fixed(src.array);
                let a = self.copy_array(src, ident, span, fixed);
                self.scopes.bind(ident, Binding::Array(a));
                true
            }
            _ => false,
        }
    }

    /// The binding `e` names if it is a whole array or a view (through `&`).
    fn whole(&self, e: &syn::Expr) -> Option<Binding> {
        match strip(e) {
            syn::Expr::Reference(r) => self.whole(&r.expr),
            // `*p` of a `&[f64; N]` parameter.
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.whole(&u.expr),
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(b @ (Binding::Array(_) | Binding::View { .. })) => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    fn is_fixed(&self, a: Array) -> bool {
        matches!(self.arrays[a.0 as usize].1, ArrayKind::Fixed(_))
    }

    fn is_param(&self, a: Array) -> bool {
        (a.0 as usize) < self.n_param_arrays
    }

    /// A new local array with the elements of `src`: `[T; N]` if `fixed`, a `Vec` otherwise.
    fn copy_array(&mut self, src: Slice, ident: &syn::Ident, span: Span, fixed: bool) -> Array {
        let ty = self.elem_ty(src.array);
        let zero = match ty {
            Ty::Int => quote!(0),
            Ty::Bool => quote!(false),
            _ => crate::generic::lit("0.0"),
        };
        let fill = self.def(Op::Const(zero), ty, span, None);
        let name = Some(ident.to_string());
        let len_tokens = match &self.arrays[src.array.0 as usize].1 {
            ArrayKind::Fixed(n) if fixed => Some(n.clone()),
            _ => None,
        };
        let a = match len_tokens {
            Some(len) => {
                let a = self.array(ArrayKind::Fixed(len.clone()), span, name);
                self.push(Node::DeclArray(a, ArrayInit::Repeat { fill, len }));
                a
            }
            None => {
                let a = self.array(ArrayKind::Vec, span, name);
                self.push(Node::DeclArray(a, ArrayInit::Vec { fill, len: src.len }));
                a
            }
        };
        self.local_elem_ty.insert(a, ty);
        self.copy_into(a, None, src, span);
        a
    }

    /// `dst[dst_offset + i] = src[i]` for every `i` in `0..src.len`.
    fn copy_into(&mut self, dst: Array, dst_offset: Option<Value>, src: Slice, span: Span) {
        let zero = self.def(Op::Const(quote!(0usize)), Ty::Int, span, None);
        let iter = self.def(
            Op::Plain(Plain::Range { inclusive: false }, vec![zero, src.len]),
            Ty::Unknown,
            span,
            None,
        );
        let var = self.def_raw(Ty::Int, span, None);
        let (body, jump) = self.loop_body(|cx| {
            let from = cx.offset(var, src.offset, span);
            let to = cx.offset(var, dst_offset, span);
            let ty = cx.elem_ty(src.array);
            let x = cx.def(Op::Load(src.array, from), ty, span, None);
            cx.push(Node::Store {
                array: dst,
                index: to,
                value: x,
            });
        });
        self.push(Node::Loop {
            head: LoopHead::For { var, iter },
            body,
            jump,
        });
    }

    fn offset(&mut self, i: Value, offset: Option<Value>, span: Span) -> Value {
        match offset {
            Some(o) => self.binary(&syn::parse_quote!(+), o, i, span).unwrap_or(i),
            None => i,
        }
    }

    /// `let [x, y, vx, vy] = s;` (or `= [a, b]`): each name bound to its element.
    pub(crate) fn destructure(&mut self, pat: &syn::PatSlice, init: &syn::Expr) {
        if self.is_data_row(init) {
            self.destructure_row(pat, init);
            return;
        }
        let src = match strip(init) {
            syn::Expr::Array(arr) => self.array_literal(arr, None).map(|a| (a, None)),
            // `let [x, y] = step(s, h);`: the call's array result.
            syn::Expr::Call(c) if matches!(strip(&c.func), syn::Expr::Path(_)) => {
                let syn::Expr::Path(p) = strip(&c.func) else {
                    return;
                };
                match self.pullback_call(c, &p.path, super::call::Dst::NewArray, None) {
                    Some(CallOut::NewArray(a)) => Some((a, None)),
                    _ => None,
                }
            }
            e => match self.whole(e) {
                Some(Binding::Array(a)) => Some((a, None)),
                Some(Binding::View { array, offset, .. }) => Some((array, Some(offset))),
                _ => {
                    let hint = self.untyped_call_hint(init);
                    self.errors.on(
                        init,
                        format!("only an array can be destructured: `let [a, b] = xs;`{hint}"),
                    );
                    None
                }
            },
        };
        let Some((array, offset)) = src else { return };
        for (i, p) in pat.elems.iter().enumerate() {
            let span = p.span();
            let syn::Pat::Ident(id) = p else {
                if !matches!(p, syn::Pat::Wild(_)) {
                    self.errors.on(
                        p,
                        "only names and `_` are supported in an array pattern: `let [a, b, _] = xs;`",
                    );
                }
                continue;
            };
            let k = self.def(Op::Const(quote!(#i)), Ty::Int, span, None);
            let index = self.offset(k, offset, span);
            let ty = self.elem_ty(array);
            let name = Some(id.ident.to_string());
            let v = self.def(Op::Load(array, index), ty, span, name.clone());
            if id.mutability.is_some() {
                let s = self.new_var(ty, span, name);
                self.assign_var(s, v, true);
                self.scopes.bind(&id.ident, Binding::Var(s));
            } else {
                self.scopes.bind(&id.ident, Binding::Value(v));
            }
        }
    }

    /// `let [a, b] = xs[k];` of a row (`xs: &[[f64; 2]]`, `edges: &[[usize; 2]]`): each name
    /// bound to the read of its element, `xs[k][0]`, `xs[k][1]`.
    fn destructure_row(&mut self, pat: &syn::PatSlice, init: &syn::Expr) {
        for (i, p) in pat.elems.iter().enumerate() {
            let syn::Pat::Ident(id) = p else {
                if !matches!(p, syn::Pat::Wild(_)) {
                    self.errors.on(
                        p,
                        "only names and `_` are supported in an array pattern: `let [a, b, _] = xs;`",
                    );
                }
                continue;
            };
            let element: syn::Expr = syn::parse_quote_spanned!(p.span()=> #init[#i]);
            let Some(v) = self.expr(&element) else {
                continue;
            };
            if id.mutability.is_some() {
                let ty = self.ty(v);
                let s = self.new_var(ty, p.span(), Some(id.ident.to_string()));
                self.assign_var(s, v, true);
                self.scopes.bind(&id.ident, Binding::Var(s));
            } else {
                self.scopes.bind(&id.ident, Binding::Value(v));
            }
        }
    }

    /// `s = next;` for a local array `s`: the elements are copied.
    pub(crate) fn assign_array(&mut self, dst: Array, left: &syn::Expr, right: &syn::Expr) {
        let span = right.span();
        if self.is_param(dst) || !self.is_fixed(dst) {
            self.errors.on(
                left,
                "only local arrays of fixed length (`[T; N]`) can be assigned as a whole; \
                 copy the elements with `dst.copy_from_slice(&src)`",
            );
            return;
        }
        match self.slice_of(right) {
            Some(src) => self.copy_into(dst, None, src, span),
            None => {
                let hint = self.untyped_call_hint(right);
                self.errors.on(
                    right,
                    format!("an array can only be assigned another array: `s = next;`{hint}"),
                )
            }
        }
    }

    /// `xs.fill(v)`, `xs.swap(i, j)`, `xs.copy_from_slice(&ys)` on a local array: `Some(())`
    /// if `m` is one of these.
    pub(crate) fn array_method(&mut self, a: Array, m: &syn::ExprMethodCall) -> Option<bool> {
        let name = m.method.to_string();
        if !matches!(name.as_str(), "fill" | "swap" | "copy_from_slice") {
            return None;
        }
        let span = m.method.span();
        let writable_param = self.is_param(a) && self.array_mut[a.0 as usize];
        if (self.is_param(a) && !writable_param)
            || matches!(self.arrays[a.0 as usize].1, ArrayKind::Constant)
        {
            self.errors.on(
                &m.receiver,
                "parameters cannot be changed in a differentiable function; copy into a local \
                 array (`let mut h = xs;`) and change that",
            );
            return Some(false);
        }
        let args: Vec<&syn::Expr> = m.args.iter().collect();
        match (name.as_str(), args.as_slice()) {
            ("fill", [v]) => {
                let Some(v) = self.expr(v) else {
                    return Some(false);
                };
                let len = self.def(Op::Len(a), Ty::Int, span, None);
                self.for_indices(len, span, |cx, i| {
                    cx.push(Node::Store {
                        array: a,
                        index: i,
                        value: v,
                    })
                });
            }
            ("swap", [i, j]) => {
                let (Some(i), Some(j)) = (self.expr(i), self.expr(j)) else {
                    return Some(false);
                };
                self.exchange((a, i), (a, j), span);
            }
            ("copy_from_slice", [src]) => {
                let Some(mut src) = self.slice_of(src) else {
                    self.errors
                        .on(src, "`copy_from_slice` takes an array or a slice: `&other`");
                    return Some(false);
                };
                // Lengths that differ panic, as std's `copy_from_slice` does.
                let dst_len = self.def(Op::Len(a), Ty::Int, span, None);
                src.len = self.def(
                    Op::Plain(
                        Plain::Call(syn::parse_quote!(::grad::__private::copy_length)),
                        vec![dst_len, src.len],
                    ),
                    Ty::Int,
                    span,
                    None,
                );
                self.copy_into(a, None, src, span);
            }
            _ => {
                self.errors
                    .on(m, format!("wrong number of arguments to `.{name}()`"));
                return Some(false);
            }
        }
        Some(true)
    }

    /// `a[i]` and `b[j]` trade places (both read before either is written).
    pub(crate) fn exchange(&mut self, (a, i): (Array, Value), (b, j): (Array, Value), span: Span) {
        let (ta, tb) = (self.elem_ty(a), self.elem_ty(b));
        let x = self.def(Op::Load(a, i), ta, span, None);
        let y = self.def(Op::Load(b, j), tb, span, None);
        self.push(Node::Store {
            array: a,
            index: i,
            value: y,
        });
        self.push(Node::Store {
            array: b,
            index: j,
            value: x,
        });
    }

    /// `for i in 0..len { f(i) }`.
    pub(crate) fn for_indices(&mut self, len: Value, span: Span, f: impl FnOnce(&mut Self, Value)) {
        let zero = self.def(Op::Const(quote!(0usize)), Ty::Int, span, None);
        let iter = self.def(
            Op::Plain(Plain::Range { inclusive: false }, vec![zero, len]),
            Ty::Unknown,
            span,
            None,
        );
        let var = self.def_raw(Ty::Int, span, None);
        let (body, jump) = self.loop_body(|cx| f(cx, var));
        self.push(Node::Loop {
            head: LoopHead::For { var, iter },
            body,
            jump,
        });
    }

    /// The array and index of `base[i]`: an array, a view (`w[i]` reads
    /// `array[offset + i]`), or a `const` array of the surrounding scope (`A[k]`).
    pub(crate) fn element(&mut self, ix: &syn::ExprIndex) -> Option<(Array, Value)> {
        if self.refuse_slicing(ix) {
            return None;
        }
        if let syn::Expr::Path(p) = strip(&ix.expr) {
            if let Some(ident) = p.path.get_ident() {
                match self.scopes.get(ident) {
                    Some(Binding::View { array, offset, .. }) => {
                        let i = self.expr(&ix.index)?;
                        let at = self.binary(&syn::parse_quote!(+), offset, i, ix.span())?;
                        return Some((array, at));
                    }
                    None if is_const_name(ident) => {
                        let a = self.outer_array(ident);
                        let i = self.expr(&ix.index)?;
                        return Some((a, i));
                    }
                    _ => {}
                }
            }
            if is_const_path(p) {
                let a = self.outer_path_array(&p.path);
                let i = self.expr(&ix.index)?;
                return Some((a, i));
            }
        }
        let a = self.array_ref(&ix.expr);
        let i = self.expr(&ix.index);
        Some((a?, i?))
    }

    /// The array for a `const` of the surrounding scope named `ident`.
    pub(crate) fn outer_array(&mut self, ident: &syn::Ident) -> Array {
        let key = ident.to_string();
        if let Some((a, _)) = self.outer_arrays.get(&key) {
            return *a;
        }
        let a = self.array(ArrayKind::Constant, ident.span(), Some(key.clone()));
        self.outer_arrays.insert(key, (a, ident.clone()));
        a
    }

    /// The array for a `const` named by a path (`Self::NODES`, `consts::W`): read through a
    /// local reference every companion declares first (`let __grad_outer0 = &Self::NODES;`).
    pub(crate) fn outer_path_array(&mut self, path: &syn::Path) -> Array {
        let key = path.to_token_stream().to_string().replace(' ', "");
        if let Some((a, _)) = self.outer_arrays.get(&key) {
            return *a;
        }
        let local = quote::format_ident!("__grad_outer{}", self.outer_arrays.len());
        self.items.push(quote::quote!(let #local = &#path;));
        let a = self.array(ArrayKind::Constant, path.span(), Some(key.clone()));
        self.outer_arrays.insert(key, (a, local));
        a
    }

    /// `const` and `static` items in the body are emitted in the companion too; only simple
    /// ones are accepted.
    pub(crate) fn body_item(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Const(_) | syn::Item::Static(_) => {
                self.items.push(item.to_token_stream());
            }
            other => self.errors.on(
                other,
                "items inside a differentiable function are not supported (except `const` and \
                 `static`); move this item out of the function",
            ),
        }
    }
}

/// `Self::NODES`, `consts::W`: a path of two or more segments ending in a constant's name.
pub(crate) fn is_const_path(p: &syn::ExprPath) -> bool {
    p.qself.is_none()
        && p.path.segments.len() > 1
        && p.path
            .segments
            .last()
            .is_some_and(|s| is_const_name(&s.ident))
        && !p
            .path
            .segments
            .iter()
            .any(|s| crate::generic::is_float_name(&s.ident))
}

/// `SCREAMING_CASE`: a constant of the surrounding scope.
pub(crate) fn is_const_name(i: &syn::Ident) -> bool {
    let s = i.to_string();
    s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
