//! Iterator chains: `xs.iter().zip(&ys).map(|(a, b)| a * b).sum()`, `for (g, y) in
//! g.iter().zip(y)`, `x.windows(2)`, `(0..n).filter(..).count()`.
//!
//! A chain becomes one loop. Over arrays, the loop runs a counter `k in 0..n` (`n` computed
//! before the loop from the lengths) and each item is found from `k`: `rev`, `skip` and
//! `step_by` rewrite the counter (`n - 1 - k`, `k + s`, `k * c`), `zip` reads both sides at
//! the same counter, `enumerate` pairs the counter with the item. A chain over a range loops
//! over the range itself (with its adapters), and counts with a variable when it is zipped or
//! enumerated. `map` and `filter` apply their closure to the item inside the loop (a filtered
//! item's rest runs in an `if`). Consumers accumulate in a variable, in std's order, from std's
//! starting value (`sum` of floats starts from `-0.0`, as `<f64 as Sum>::sum` does).

use super::scope::Binding;
use super::stmt::strip;
use super::Lowerer;
use crate::ir::*;
use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;

/// What a chain's items are made of.
#[derive(Clone)]
enum Source {
    /// The elements of `array[offset..offset + len]` (a whole array has no offset).
    Elems { array: Array, offset: Option<Value> },
    /// Sub-slices of `array[offset..offset + alen]`: windows or chunks of `size`.
    Slices {
        array: Array,
        offset: Option<Value>,
        alen: Value,
        size: Value,
        kind: SliceKind,
    },
    /// Sub-slices of a slice inside a struct parameter (`self.w.chunks(n)`), of `alen`
    /// elements: each item the place with a range (as `&self.w[a..b]`).
    PlaceSlices {
        place: Place,
        alen: Value,
        size: Value,
        kind: SliceKind,
    },
    /// A range of integers, adapters included: the loop's own iterator.
    Range,
    /// The elements of an array or `Vec` inside a struct parameter (`self.w`, `p.layers`).
    Place(Place),
}

#[derive(Clone, Copy, PartialEq)]
enum SliceKind {
    Windows,
    Chunks,
    ChunksExact,
}

/// A chain of adapters; positional ones keep the inner chain's length.
#[derive(Clone)]
enum Chain {
    Source(Source),
    Zip(Box<Chain>, Box<Chain>),
    Enumerate(Box<Chain>),
    Map(Box<Chain>, syn::Expr),
    Filter(Box<Chain>, syn::Expr),
    /// `rev()` of a chain of this length.
    Rev(Box<Chain>, Value),
    Skip(Box<Chain>, Value),
    StepBy(Box<Chain>, Value),
}

/// A chain being built.
struct Built {
    chain: Chain,
    /// The number of items (`None` over a range, or after `filter`: not known before).
    len: Option<Value>,
    /// The range iterator the loop runs over, if the chain starts with a range.
    range: Option<Value>,
    /// Whether a `filter` was applied (no positional adapter may follow).
    filtered: bool,
}

/// One item, as the body of the loop sees it.
#[derive(Clone)]
pub(crate) enum Item {
    /// An element of an array, read where it is used.
    Elem(Array, Value),
    /// A value.
    Value(Value),
    /// A sub-slice.
    View {
        array: Array,
        offset: Value,
        len: Value,
    },
    /// A pair from `zip` or `enumerate`.
    Tuple(Vec<Item>),
    /// An element inside a struct parameter, read where it is used (a float, or a struct
    /// whose fields are read).
    Place(Place),
}

const ADAPTERS: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "copied",
    "cloned",
    "zip",
    "enumerate",
    "map",
    "filter",
    "rev",
    "skip",
    "take",
    "step_by",
    "windows",
    "chunks",
    "chunks_exact",
];

const CONSUMERS: &[&str] = &[
    "sum", "product", "fold", "for_each", "max_by", "min_by", "count", "all", "any", "position",
];

type Cont<'c, 'a> = &'c mut dyn FnMut(&mut Lowerer<'a>, Item);

impl<'a> Lowerer<'a> {
    /// Whether `e` is an iterator chain this module lowers (and the older `for` forms do not).
    pub(crate) fn is_chain(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::MethodCall(m) => {
                let name = m.method.to_string();
                ADAPTERS.contains(&name.as_str()) && self.is_chain_root(&m.receiver)
            }
            syn::Expr::Array(_) => true,
            e => self.names_view(e) || self.names_outer_const(e),
        }
    }

    /// `A` or `&A` for a constant of the surrounding scope not shadowed here.
    fn names_outer_const(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Reference(r) => self.names_outer_const(&r.expr),
            syn::Expr::Path(p) => {
                super::array_value::is_const_path(p)
                    || p.path.get_ident().is_some_and(|i| {
                        self.scopes.get(i).is_none() && super::array_value::is_const_name(i)
                    })
            }
            _ => false,
        }
    }

    /// Whether `e` can start a chain: an array, a view, a range, an array literal or a chain.
    fn is_chain_root(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Reference(r) => self.is_chain_root(&r.expr),
            syn::Expr::Range(_) | syn::Expr::Array(_) => true,
            syn::Expr::Field(_) | syn::Expr::Index(_) | syn::Expr::Path(_)
                if self.is_place(e) || self.is_place_view(e) =>
            {
                true
            }
            // `x[a..b]` of an array or a view.
            syn::Expr::Index(ix) if matches!(strip(&ix.index), syn::Expr::Range(_)) => {
                match strip(&ix.expr) {
                    syn::Expr::Path(p) => matches!(
                        p.path.get_ident().and_then(|i| self.scopes.get(i)),
                        Some(Binding::Array(_) | Binding::View { .. })
                    ),
                    _ => false,
                }
            }
            syn::Expr::Path(p) => match p.path.get_ident() {
                Some(i) => match self.scopes.get(i) {
                    Some(b) => matches!(b, Binding::Array(_) | Binding::View { .. }),
                    None => super::array_value::is_const_name(i),
                },
                None => super::array_value::is_const_path(p),
            },
            syn::Expr::MethodCall(m) => {
                ADAPTERS.contains(&m.method.to_string().as_str()) && self.is_chain_root(&m.receiver)
            }
            // `sq_all(x).iter()`: an adapter on a helper's call, whose result is an array or
            // a `Vec` (not the standard library's `std::iter::repeat(x)`).
            syn::Expr::Call(c) => super::array_use::is_helper_call(c),
            _ => false,
        }
    }

    /// Whether `e` is an adapter call on a chain (`xs.iter()`, `xs.iter().map(f)`).
    fn is_adapter_call(&self, e: &syn::Expr) -> bool {
        matches!(strip(e), syn::Expr::MethodCall(m)
            if ADAPTERS.contains(&m.method.to_string().as_str()) && self.is_chain_root(&m.receiver))
    }

    fn names_view(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Reference(r) => self.names_view(&r.expr),
            syn::Expr::Path(p) => matches!(
                p.path.get_ident().and_then(|i| self.scopes.get(i)),
                Some(Binding::View { .. })
            ),
            _ => false,
        }
    }

    /// A consumer at the end of a chain (`sum`, `fold`, `max_by(..).unwrap()`, ...): its value,
    /// or `None` (outer) if `m` is not one.
    pub(crate) fn chain_consumer(&mut self, m: &syn::ExprMethodCall) -> Option<Option<Value>> {
        let let_ty = self.let_ty.take();
        let name = m.method.to_string();
        if name == "sum" || name == "product" {
            self.let_ty = let_ty;
        }
        if (name == "unwrap" || name == "unwrap_or") && self.is_option_of_chain(&m.receiver) {
            let inner = strip_copied(&m.receiver);
            let syn::Expr::MethodCall(c) = inner else {
                return None;
            };
            let default = m.args.first();
            return Some(self.consume(c, default));
        }
        if !CONSUMERS.contains(&name.as_str()) || !self.is_chain_root(&m.receiver) {
            if !ADAPTERS.contains(&name.as_str()) && self.is_adapter_call(&m.receiver) {
                self.errors.on(
                    &m.method,
                    format!(
                        "`.{name}()` is not supported on an iterator chain; end the chain with \
                         `sum`, `product`, `fold`, `for_each`, `max_by`, `min_by`, `count`, \
                         `all`, `any` or `position`, or loop over it with `for`"
                    ),
                );
                return Some(None);
            }
            return None;
        }
        if matches!(name.as_str(), "max_by" | "min_by" | "position") {
            let hint = if name == "position" {
                "take the index where it is computed (`.position(..).unwrap_or(n)`), or test \
                 whether an item matches with `.any(..)`"
                    .to_string()
            } else {
                format!("unwrap it where it is computed: `.{name}(..).unwrap()`")
            };
            self.errors.on(
                &m.method,
                format!("`.{name}(..)` gives an `Option`; {hint}"),
            );
            return Some(None);
        }
        Some(self.consume(m, None))
    }

    /// Whether `e` is `chain.max_by(..)`, `.min_by(..)` or `.position(..)`, possibly followed
    /// by `.copied()` / `.cloned()`.
    fn is_option_of_chain(&self, e: &syn::Expr) -> bool {
        match strip_copied(e) {
            syn::Expr::MethodCall(c) => {
                matches!(
                    c.method.to_string().as_str(),
                    "max_by" | "min_by" | "position"
                ) && self.is_chain_root(&c.receiver)
            }
            _ => false,
        }
    }

    /// Lowers the consumer call `m` over its chain.
    fn consume(&mut self, m: &syn::ExprMethodCall, default: Option<&syn::Expr>) -> Option<Value> {
        let span = m.method.span();
        let let_ty = self.let_ty.take();
        let built = self.build(&m.receiver)?;
        let name = m.method.to_string();
        let arg = |k: usize| m.args.iter().nth(k);
        match name.as_str() {
            "sum" | "product" => self.sum(m, built, let_ty),
            "fold" => {
                let (Some(init), Some(f)) = (arg(0), arg(1)) else {
                    return self.arity(m, 2);
                };
                self.fold(&built, init, f, span)
            }
            "for_each" => {
                let Some(f) = arg(0).cloned() else {
                    return self.arity(m, 1);
                };
                self.chain_loop(&built, span, &mut |cx, item| {
                    cx.apply_stmt(&f, vec![item]);
                });
                Some(self.def(Op::Const(quote!(())), Ty::Unknown, span, None))
            }
            "max_by" | "min_by" => {
                let Some(f) = arg(0) else {
                    return self.arity(m, 1);
                };
                let cmp = self.comparison(f)?;
                self.extremum(&built, name == "max_by", cmp, span)
            }
            "count" => {
                let n = self.counter(span);
                self.chain_loop(&built, span, &mut |cx, _| {
                    cx.increment(n, span);
                });
                Some(self.read(n, span))
            }
            "all" | "any" | "position" => {
                let Some(f) = arg(0).cloned() else {
                    return self.arity(m, 1);
                };
                self.search(&built, &name, &f, default, span)
            }
            _ => None,
        }
    }

    /// `let v = <chain>.collect();` (into a `Vec` of floats): a local `vec![0.0; n]` whose
    /// elements are the chain's items in order, `n` the chain's length (counted by a first
    /// pass where only the items tell it, after `filter`). `None` if `m` is not a `collect`
    /// of a chain; `Some(None)` where it did not lower (the error is reported).
    pub(crate) fn collect_let(
        &mut self,
        m: &syn::ExprMethodCall,
        ident: &syn::Ident,
    ) -> Option<Option<Array>> {
        if m.method != "collect" || !m.args.is_empty() || !self.is_chain(&m.receiver) {
            return None;
        }
        let span = m.method.span();
        let Some(mut built) = self.build(&m.receiver) else {
            return Some(None);
        };
        if self.first_item_ty(&built.chain) == Ty::Int {
            self.errors.on(
                m,
                "`.collect()` of integers is not supported; loop over the chain with `for`",
            );
            return Some(None);
        }
        let len = match built.len.filter(|_| !built.filtered) {
            Some(len) => len,
            None => {
                // The counting pass runs over a copy of the range (a loop consumes its range).
                let range = built.range;
                if let Some(r) = range {
                    let clone = Plain::Method(syn::Ident::new("clone", span));
                    built.range =
                        Some(self.def(Op::Plain(clone, vec![r]), Ty::Unknown, span, None));
                }
                let n = self.counter(span);
                self.chain_loop(&built, span, &mut |cx, _| {
                    cx.increment(n, span);
                });
                built.range = range;
                self.read(n, span)
            }
        };
        let fill = self.def(Op::Const(crate::generic::lit("0.0")), Ty::Float, span, None);
        let a = self.array(ArrayKind::Vec, ident.span(), Some(ident.to_string()));
        self.local_elem_ty.insert(a, Ty::Float);
        self.push(Node::DeclArray(a, ArrayInit::Vec { fill, len }));
        let k = self.counter(span);
        self.chain_loop(&built, span, &mut |cx, item| {
            let Some(x) = cx.item_value(item, span) else {
                return;
            };
            let index = cx.increment(k, span);
            cx.push(Node::Store {
                array: a,
                index,
                value: x,
            });
        });
        Some(Some(a))
    }

    /// `fold(init, f)`: `acc = f(acc, item)` for each item, in order.
    fn fold(
        &mut self,
        built: &Built,
        init: &syn::Expr,
        f: &syn::Expr,
        span: Span,
    ) -> Option<Value> {
        let init = self.expr(init)?;
        let acc = self.new_var(self.ty(init), span, None);
        self.assign_var(acc, init, true);
        self.chain_loop(built, span, &mut |cx, item| {
            let cur = cx.read(acc, span);
            if let Some(v) = cx.apply(f, vec![Item::Value(cur), item]) {
                cx.assign_var(acc, v, false);
            }
        });
        Some(self.read(acc, span))
    }

    /// A `usize` variable starting at 0.
    fn counter(&mut self, span: Span) -> Var {
        let zero = self.def(Op::Const(quote!(0usize)), Ty::Int, span, None);
        let c = self.new_var(Ty::Int, span, None);
        self.assign_var(c, zero, true);
        c
    }

    /// `c += 1`; returns the value before.
    fn increment(&mut self, c: Var, span: Span) -> Value {
        let cur = self.read(c, span);
        let one = self.def(Op::Const(quote!(1usize)), Ty::Int, span, None);
        if let Some(v) = self.binary(&syn::parse_quote!(+), cur, one, span) {
            self.assign_var(c, v, false);
        }
        cur
    }

    fn arity(&mut self, m: &syn::ExprMethodCall, n: usize) -> Option<Value> {
        let s = if n == 1 { "" } else { "s" };
        self.errors
            .on(m, format!("`.{}()` takes {n} argument{s}", m.method));
        None
    }

    pub(crate) fn read(&mut self, s: Var, span: Span) -> Value {
        let ty = self.var_ty[s.0 as usize];
        self.def(Op::Read(s), ty, span, None)
    }

    /// `sum()` / `product()`: a left fold from std's starting value (`-0.0` / `1.0` for floats,
    /// `0` / `1` for integers).
    fn sum(&mut self, m: &syn::ExprMethodCall, built: Built, let_ty: Option<Ty>) -> Option<Value> {
        let span = m.method.span();
        let is_sum = m.method == "sum";
        let declared = m.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(t)) => Some(super::scope::ty_of_type(t)),
            _ => None,
        });
        let ty = match declared.or(let_ty) {
            Some(t) if t != Ty::Unknown => t,
            _ => self.first_item_ty(&built.chain),
        };
        let init = match (ty, is_sum) {
            (Ty::Float, true) => crate::generic::lit("-0.0"),
            (Ty::Float, false) => crate::generic::lit("1.0"),
            (Ty::Int, true) => quote!(0),
            (Ty::Int, false) => quote!(1),
            _ => {
                self.errors.on(
                    m,
                    format!(
                        "cannot tell the type of this `{0}`; name it: `.{0}::<f64>()`",
                        m.method
                    ),
                );
                return None;
            }
        };
        let init = self.def(Op::Const(init), ty, span, None);
        let acc = self.new_var(ty, span, None);
        self.assign_var(acc, init, true);
        let op: syn::BinOp = if is_sum {
            syn::parse_quote_spanned!(span=> +)
        } else {
            syn::parse_quote_spanned!(span=> *)
        };
        self.chain_loop(&built, span, &mut |cx, item| {
            let Some(x) = cx.item_value(item, span) else {
                return;
            };
            let cur = cx.read(acc, span);
            if let Some(v) = cx.binary(&op, cur, x, span) {
                cx.assign_var(acc, v, false);
            }
        });
        Some(self.read(acc, span))
    }

    /// The type of a chain's items, as far as it can be told without lowering closures.
    fn first_item_ty(&self, c: &Chain) -> Ty {
        match c {
            Chain::Source(Source::Elems { array, .. }) => self.elem_ty(*array),
            Chain::Source(Source::Range) => Ty::Int,
            Chain::Source(Source::Place(_)) => Ty::Float,
            Chain::Map(_, f) => match f {
                syn::Expr::Closure(c) => match &c.output {
                    syn::ReturnType::Type(_, t) => super::scope::ty_of_type(t),
                    _ => Ty::Float,
                },
                _ => Ty::Float,
            },
            Chain::Filter(c, _) | Chain::Rev(c, _) | Chain::Skip(c, _) | Chain::StepBy(c, _) => {
                self.first_item_ty(c)
            }
            _ => Ty::Unknown,
        }
    }

    /// `max_by` (the last maximal item) or `min_by` (the first minimal one), as std's
    /// `cmp::max_by` / `cmp::min_by` fold them: an item replaces the best so far when
    /// `compare(best, item)` is not `Greater` (max) or is `Greater` (min).
    fn extremum(&mut self, built: &Built, max: bool, cmp: Cmp, span: Span) -> Option<Value> {
        let best = self.new_var(Ty::Float, span, None);
        self.push(Node::DeclVar(best));
        let f = self.def(Op::Const(quote!(false)), Ty::Bool, span, None);
        let started = self.new_var(Ty::Bool, span, None);
        self.assign_var(started, f, true);
        // In terms of `item.total_cmp(&best)`, or of `item` against `best` for `partial_cmp`
        // (which the plain function unwraps: NaN panics there).
        let (test, op): (&str, syn::BinOp) = match (max, cmp.flipped) {
            (true, false) => ("is_ge", syn::parse_quote!(>=)),
            (true, true) => ("is_le", syn::parse_quote!(<=)),
            (false, false) => ("is_lt", syn::parse_quote!(<)),
            (false, true) => ("is_gt", syn::parse_quote!(>)),
        };
        self.chain_loop(built, span, &mut |cx, item| {
            let Some(x) = cx.item_value(item, span) else {
                return;
            };
            let seen = cx.read(started, span);
            let then = cx.region(|cx| {
                let cur = cx.read(best, span);
                let ident = syn::Ident::new(test, span);
                let better = if cmp.partial {
                    cx.binary(&op, x, cur, span)
                } else {
                    Some(cx.def(
                        Op::Plain(Plain::TotalCmp(ident), vec![x, cur]),
                        Ty::Bool,
                        span,
                        None,
                    ))
                };
                let Some(better) = better else { return };
                let take = cx.region(|cx| cx.assign_var(best, x, false));
                cx.push(Node::If {
                    cond: better,
                    then: take,
                    els: Region::default(),
                });
            });
            let els = cx.region(|cx| {
                cx.assign_var(best, x, false);
                let t = cx.def(Op::Const(quote!(true)), Ty::Bool, span, None);
                cx.assign_var(started, t, false);
            });
            cx.push(Node::If {
                cond: seen,
                then,
                els,
            });
        });
        Some(self.read(best, span))
    }

    /// The comparison `f` of `max_by` / `min_by`: `|a, b| a.total_cmp(b)` or
    /// `|a, b| a.partial_cmp(b).unwrap()`, possibly with `a` and `b` swapped.
    fn comparison(&mut self, f: &syn::Expr) -> Option<Cmp> {
        if let syn::Expr::Path(p) = strip(f) {
            let segs = segment_names(&p.path);
            if segs.last().is_some_and(|s| s == "total_cmp") {
                return Some(Cmp {
                    flipped: false,
                    partial: false,
                });
            }
        }
        if let syn::Expr::Closure(c) = strip(f) {
            let names: Vec<Option<syn::Ident>> = c.inputs.iter().map(pat_name).collect();
            if let ([Some(a), Some(b)], Some((m, partial))) =
                (names.as_slice(), compare_call(&c.body))
            {
                let recv = expr_name(&m.receiver);
                let arg = m.args.first().and_then(expr_name);
                if recv.as_ref() == Some(a) && arg.as_ref() == Some(b) {
                    return Some(Cmp {
                        flipped: false,
                        partial,
                    });
                }
                if recv.as_ref() == Some(b) && arg.as_ref() == Some(a) {
                    return Some(Cmp {
                        flipped: true,
                        partial,
                    });
                }
            }
        }
        self.errors.on(
            f,
            "only `|a, b| a.total_cmp(b)` and `|a, b| a.partial_cmp(b).unwrap()` (or with `a` \
             and `b` swapped) are supported as the comparison of `max_by` / `min_by`",
        );
        None
    }

    /// `all`, `any` and `position`: stop at the first item that decides.
    fn search(
        &mut self,
        built: &Built,
        name: &str,
        f: &syn::Expr,
        default: Option<&syn::Expr>,
        span: Span,
    ) -> Option<Value> {
        let (init, ty) = match name {
            "all" => (quote!(true), Ty::Bool),
            "any" => (quote!(false), Ty::Bool),
            _ => match default {
                Some(d) => {
                    let d = self.expr(d)?;
                    let s = self.new_var(Ty::Int, span, None);
                    self.assign_var(s, d, true);
                    return self.search_into(built, name, f, s, span);
                }
                // What the plain function would panic on: no item matched.
                None => (quote!(usize::MAX), Ty::Int),
            },
        };
        let init = self.def(Op::Const(init), ty, span, None);
        let s = self.new_var(ty, span, None);
        self.assign_var(s, init, true);
        self.search_into(built, name, f, s, span)
    }

    fn search_into(
        &mut self,
        built: &Built,
        name: &str,
        f: &syn::Expr,
        s: Var,
        span: Span,
    ) -> Option<Value> {
        let counter = (name == "position").then(|| self.counter(span));
        let name = name.to_string();
        self.chain_loop(built, span, &mut |cx, item| {
            let Some(p) = cx.apply(f, vec![item]) else {
                return;
            };
            let hit = if name == "all" {
                cx.def(
                    Op::Plain(Plain::Unary(syn::parse_quote!(!)), vec![p]),
                    Ty::Bool,
                    span,
                    None,
                )
            } else {
                p
            };
            let then = cx.region(|cx| {
                let v = match counter {
                    Some(c) => cx.read(c, span),
                    None => {
                        let b = if name == "all" {
                            quote!(false)
                        } else {
                            quote!(true)
                        };
                        cx.def(Op::Const(b), Ty::Bool, span, None)
                    }
                };
                cx.assign_var(s, v, false);
                cx.loop_exits += 1;
                cx.set_jump(super::JUMP_BREAK, span);
            });
            cx.push(Node::If {
                cond: hit,
                then,
                els: Region::default(),
            });
            if let Some(c) = counter {
                cx.increment(c, span);
            }
        });
        Some(self.read(s, span))
    }

    /// `for pat in chain { body }`.
    pub(crate) fn chain_for(&mut self, f: &syn::ExprForLoop) {
        let Some(built) = self.build(&f.expr) else {
            return;
        };
        let stmts = f.body.stmts.clone();
        let end = f.body.brace_token.span.close();
        let pat = (*f.pat).clone();
        self.chain_loop(&built, f.expr.span(), &mut |cx, item| {
            if cx.bind_item(&pat, item) {
                cx.stmts(&stmts, super::Dest::Discard, end);
            }
        });
    }

    // ----- building the chain ----------------------------------------------------------------

    /// The chain of `e`, with its length computed before the loop.
    fn build(&mut self, e: &syn::Expr) -> Option<Built> {
        let span = e.span();
        if self.is_place(e) || self.is_place_view(e) {
            let p = self.place_at(e)?;
            let len = self.def(Op::FieldLen(p.clone()), Ty::Int, span, None);
            return Some(Built {
                chain: Chain::Source(Source::Place(p)),
                len: Some(len),
                range: None,
                filtered: false,
            });
        }
        // `x[a..b].iter()`: a view of `x`.
        if let Some(view) = self.slice_view(e) {
            let (array, offset, len) = view?;
            return Some(view_source(array, offset, len));
        }
        match strip(e) {
            syn::Expr::Reference(r) => self.build(&r.expr),
            syn::Expr::Range(_) => {
                let r = self.expr(e)?;
                Some(Built {
                    chain: Chain::Source(Source::Range),
                    len: None,
                    range: Some(r),
                    filtered: false,
                })
            }
            syn::Expr::Array(arr) => {
                let a = self.array_literal(arr, None)?;
                Some(self.elems(a, None, span))
            }
            syn::Expr::Path(p) => match p.path.get_ident().and_then(|i| self.scopes.get(i)) {
                Some(Binding::Array(a)) => Some(self.elems(a, None, span)),
                Some(Binding::View { array, offset, len }) => Some(view_source(array, offset, len)),
                None if p
                    .path
                    .get_ident()
                    .is_some_and(super::array_value::is_const_name) =>
                {
                    let a = p.path.get_ident().map(|i| self.outer_array(i))?;
                    Some(self.elems(a, None, span))
                }
                None if super::array_value::is_const_path(p) => {
                    let a = self.outer_path_array(&p.path);
                    Some(self.elems(a, None, span))
                }
                _ => {
                    self.errors
                        .on(p, "this is not an array, a slice or a range");
                    None
                }
            },
            syn::Expr::MethodCall(m) => self.adapter(m),
            // `sq_all(x).iter()`: the call's array result.
            syn::Expr::Call(c) if super::array_use::is_helper_call(c) => {
                let a = self.array_ref(e)?;
                Some(self.elems(a, None, span))
            }
            other => {
                self.errors.on(
                    other,
                    "an iterator chain must start from an array, a slice or a range",
                );
                None
            }
        }
    }

    fn elems(&mut self, a: Array, offset: Option<Value>, span: Span) -> Built {
        let len = self.def(Op::Len(a), Ty::Int, span, None);
        Built {
            chain: Chain::Source(Source::Elems { array: a, offset }),
            len: Some(len),
            range: None,
            filtered: false,
        }
    }

    /// `recv.name(args)` for an adapter.
    fn adapter(&mut self, m: &syn::ExprMethodCall) -> Option<Built> {
        let name = m.method.to_string();
        let mut b = self.build(&m.receiver)?;
        let arg = m.args.first();
        let takes_arg = matches!(
            name.as_str(),
            "map" | "filter" | "zip" | "windows" | "chunks" | "chunks_exact"
        );
        if takes_arg && m.args.len() != 1 {
            self.errors.on(m, format!("`.{name}()` takes 1 argument"));
            return None;
        }
        match name.as_str() {
            "iter" | "into_iter" | "copied" | "cloned" => Some(b),
            "iter_mut" => {
                if let Chain::Source(Source::Elems { array, .. }) = &b.chain {
                    if (array.0 as usize) < self.n_param_arrays && !self.array_mut[array.0 as usize]
                    {
                        self.errors.on(
                            &m.method,
                            "parameters cannot be changed in a differentiable function; copy \
                             into a local array (`let mut h = xs;`) and change that",
                        );
                        return None;
                    }
                }
                Some(b)
            }
            "map" | "filter" => {
                let f = arg?.clone();
                if name == "filter" {
                    b.filtered = true;
                    b.chain = Chain::Filter(Box::new(b.chain), f);
                } else {
                    b.chain = Chain::Map(Box::new(b.chain), f);
                }
                Some(b)
            }
            "zip" => {
                let other = self.build(arg?)?;
                self.zip(m, b, other)
            }
            "enumerate" => {
                if b.filtered {
                    return self.after_filter(m);
                }
                b.chain = Chain::Enumerate(Box::new(b.chain));
                Some(b)
            }
            "windows" | "chunks" | "chunks_exact" => self.slices(m, &b, arg?),
            "rev" | "skip" | "take" | "step_by" => self.positional(m, b),
            _ => {
                // (An argument of `zip` is built here whatever it is: `zip(z.max(1.0))`.)
                self.errors.on(
                    &m.method,
                    format!(
                        "`.{name}()` is not supported in an iterator chain; use `iter`, `map`, \
                         `filter`, `zip`, `enumerate`, `rev`, `skip`, `take`, `step_by`, \
                         `windows` or `chunks`"
                    ),
                );
                None
            }
        }
    }

    /// `windows(k)`, `chunks(k)`, `chunks_exact(k)` of the elements `b` runs over.
    fn slices(&mut self, m: &syn::ExprMethodCall, b: &Built, arg: &syn::Expr) -> Option<Built> {
        let name = m.method.to_string();
        let span = m.method.span();
        let size = self.expr(arg)?;
        let (array, offset) = match &b.chain {
            Chain::Source(Source::Elems { array, offset }) => (*array, *offset),
            Chain::Source(Source::Place(place)) => {
                let (kind, len) = self.slice_count(&name, b.len?, size, span)?;
                return Some(Built {
                    chain: Chain::Source(Source::PlaceSlices {
                        place: place.clone(),
                        alen: b.len?,
                        size,
                        kind,
                    }),
                    len: Some(len),
                    range: None,
                    filtered: false,
                });
            }
            _ => {
                self.errors.on(
                    &m.method,
                    format!("`.{name}(k)` is supported on a slice or an array only"),
                );
                return None;
            }
        };
        let alen = b.len?;
        let (kind, len) = self.slice_count(&name, alen, size, span)?;
        Some(Built {
            chain: Chain::Source(Source::Slices {
                array,
                offset,
                alen,
                size,
                kind,
            }),
            len: Some(len),
            range: None,
            filtered: false,
        })
    }

    /// The kind of `windows` / `chunks` / `chunks_exact` (`name`) of `size` over `alen`
    /// elements, and how many items it has.
    fn slice_count(
        &mut self,
        name: &str,
        alen: Value,
        size: Value,
        span: Span,
    ) -> Option<(SliceKind, Value)> {
        let kind = match name {
            "windows" => SliceKind::Windows,
            "chunks" => SliceKind::Chunks,
            _ => SliceKind::ChunksExact,
        };
        let len = match kind {
            SliceKind::Windows => {
                let one = self.def(Op::Const(quote!(1usize)), Ty::Int, span, None);
                let n1 = self.binary(&syn::parse_quote!(+), alen, one, span)?;
                self.int_method(n1, "saturating_sub", size, span)
            }
            SliceKind::Chunks => self.int_method(alen, "div_ceil", size, span),
            SliceKind::ChunksExact => self.binary(&syn::parse_quote!(/), alen, size, span)?,
        };
        Some((kind, len))
    }

    fn int_method(&mut self, a: Value, name: &str, b: Value, span: Span) -> Value {
        let m = syn::Ident::new(name, span);
        self.def(Op::Plain(Plain::Method(m), vec![a, b]), Ty::Int, span, None)
    }

    fn after_filter(&mut self, m: &syn::ExprMethodCall) -> Option<Built> {
        self.errors.on(
            &m.method,
            format!(
                "`.{}()` after `.filter(..)` is not supported; put it before the `filter`, or \
                 write a `for` loop with an `if`",
                m.method
            ),
        );
        None
    }

    /// `rev`, `skip`, `take`, `step_by`.
    fn positional(&mut self, m: &syn::ExprMethodCall, mut b: Built) -> Option<Built> {
        let name = m.method.to_string();
        let span = m.method.span();
        if b.filtered {
            return self.after_filter(m);
        }
        let arg = match m.args.first() {
            Some(a) => Some(self.expr(a)?),
            None => None,
        };
        // Over a range: the adapter applies to the range itself.
        if let Some(r) = b.range {
            if !only_maps(&b.chain) {
                self.errors.on(
                    &m.method,
                    format!(
                        "`.{name}()` after `zip` or `enumerate` over a range is not supported; \
                         apply it to the range first"
                    ),
                );
                return None;
            }
            let ident = m.method.clone();
            let args = std::iter::once(r).chain(arg).collect();
            b.range = Some(self.def(
                Op::Plain(Plain::Method(ident), args),
                Ty::Unknown,
                span,
                None,
            ));
            return Some(b);
        }
        let len = b.len?;
        let inner = Box::new(b.chain);
        (b.chain, b.len) = match (name.as_str(), arg) {
            ("rev", None) => (Chain::Rev(inner, len), Some(len)),
            ("skip", Some(s)) => (
                Chain::Skip(inner, s),
                Some(self.int_method(len, "saturating_sub", s, span)),
            ),
            ("take", Some(t)) => (*inner, Some(self.int_method(len, "min", t, span))),
            ("step_by", Some(c)) => (
                Chain::StepBy(inner, c),
                Some(self.int_method(len, "div_ceil", c, span)),
            ),
            _ => {
                self.errors
                    .on(m, format!("wrong number of arguments to `.{name}()`"));
                return None;
            }
        };
        Some(b)
    }

    fn zip(&mut self, m: &syn::ExprMethodCall, mut b: Built, other: Built) -> Option<Built> {
        let span = m.method.span();
        if b.filtered || other.filtered {
            return self.after_filter(m);
        }
        if other.range.is_some() {
            self.errors.on(
                &m.args,
                "zipping with a range is supported with the range first: `(a..b).zip(xs)`, or \
                 use `.enumerate()`",
            );
            return None;
        }
        let olen = other.len?;
        match (b.range, b.len) {
            (Some(r), _) => {
                let take = syn::Ident::new("take", span);
                b.range = Some(self.def(
                    Op::Plain(Plain::Method(take), vec![r, olen]),
                    Ty::Unknown,
                    span,
                    None,
                ));
            }
            (None, Some(len)) => b.len = Some(self.int_method(len, "min", olen, span)),
            (None, None) => return None,
        }
        b.chain = Chain::Zip(Box::new(b.chain), Box::new(other.chain));
        Some(b)
    }

    // ----- the loop --------------------------------------------------------------------------

    /// Emits the loop of `built`, calling `body` with each item.
    fn chain_loop(&mut self, built: &Built, span: Span, body: Cont<'_, 'a>) {
        let counter = built.range.is_some() && needs_counter(&built.chain);
        let counter = counter.then(|| self.counter(span));
        let iter = match (built.range, built.len) {
            (Some(r), _) => r,
            (None, Some(n)) => {
                let z = self.def(Op::Const(quote!(0usize)), Ty::Int, span, None);
                self.def(
                    Op::Plain(Plain::Range { inclusive: false }, vec![z, n]),
                    Ty::Unknown,
                    span,
                    None,
                )
            }
            (None, None) => return,
        };
        let var = self.def_raw(Ty::Int, span, None);
        let chain = built.chain.clone();
        let (region, jump) = self.loop_body(|cx| {
            let k = match counter {
                Some(c) => cx.increment(c, span),
                None => var,
            };
            cx.each(&chain, k, var, span, body);
        });
        self.push(Node::Loop {
            head: LoopHead::For { var, iter },
            body: region,
            jump,
        });
    }

    /// Calls `cont` with the item of `c` at counter `k` (`i`: the range loop's variable).
    fn each(&mut self, c: &Chain, k: Value, i: Value, span: Span, cont: Cont<'_, 'a>) {
        let add = |cx: &mut Self, a: Value, b: Option<Value>| match b {
            Some(b) => cx.binary(&syn::parse_quote!(+), a, b, span),
            None => Some(a),
        };
        match c {
            Chain::Source(Source::Range) => cont(self, Item::Value(i)),
            Chain::Source(Source::Place(p)) => {
                let mut p = p.clone();
                p.segs.push(Seg::Index(k));
                cont(self, Item::Place(p));
            }
            Chain::Source(Source::Elems { array, offset }) => {
                if let Some(ix) = add(self, k, *offset) {
                    cont(self, Item::Elem(*array, ix));
                }
            }
            Chain::Source(src @ (Source::Slices { .. } | Source::PlaceSlices { .. })) => {
                if let Some(item) = self.slice_item(src, k, span) {
                    cont(self, item);
                }
            }
            Chain::Zip(a, b) => {
                let b = (**b).clone();
                self.each(a, k, i, span, &mut |cx, x| {
                    cx.each(&b, k, i, span, &mut |cx, y| {
                        cont(cx, Item::Tuple(vec![x.clone(), y]))
                    });
                });
            }
            Chain::Enumerate(a) => self.each(a, k, i, span, &mut |cx, x| {
                cont(cx, Item::Tuple(vec![Item::Value(k), x]))
            }),
            Chain::Map(a, f) => self.each(a, k, i, span, &mut |cx, x| {
                if let Some(v) = cx.apply(f, vec![x]) {
                    cont(cx, Item::Value(v));
                }
            }),
            Chain::Filter(a, f) => self.each(a, k, i, span, &mut |cx, x| {
                let Some(p) = cx.apply(f, vec![x.clone()]) else {
                    return;
                };
                let then = cx.region(|cx| cont(cx, x));
                cx.push(Node::If {
                    cond: p,
                    then,
                    els: Region::default(),
                });
            }),
            Chain::Rev(a, _) | Chain::Skip(a, _) | Chain::StepBy(a, _) => {
                if let Some(k2) = self.moved(c, k, span) {
                    self.each(a, k2, i, span, cont);
                }
            }
        }
    }

    /// The `windows` / `chunks` item at counter `k`.
    fn slice_item(&mut self, src: &Source, k: Value, span: Span) -> Option<Item> {
        let (alen, size, kind) = match src {
            Source::Slices {
                alen, size, kind, ..
            }
            | Source::PlaceSlices {
                alen, size, kind, ..
            } => (alen, size, kind),
            _ => return None,
        };
        let start = match kind {
            SliceKind::Windows => k,
            _ => self.binary(&syn::parse_quote!(*), k, *size, span)?,
        };
        let len = match kind {
            SliceKind::Chunks => {
                let rest = self.binary(&syn::parse_quote!(-), *alen, start, span)?;
                self.int_method(*size, "min", rest, span)
            }
            _ => *size,
        };
        let (array, offset) = match src {
            Source::Slices { array, offset, .. } => (array, offset),
            Source::PlaceSlices { place, .. } => {
                let end = self.binary(&syn::parse_quote!(+), start, len, span)?;
                let mut p = place.clone();
                p.segs.push(Seg::Range(start, end));
                return Some(Item::Place(p));
            }
            _ => return None,
        };
        let offset = match offset {
            Some(o) => self.binary(&syn::parse_quote!(+), start, *o, span)?,
            None => start,
        };
        Some(Item::View {
            array: *array,
            offset,
            len,
        })
    }

    /// The inner counter of a positional adapter at counter `k`: `n - 1 - k` for `rev`,
    /// `k + s` for `skip(s)`, `k * c` for `step_by(c)`.
    fn moved(&mut self, c: &Chain, k: Value, span: Span) -> Option<Value> {
        match c {
            Chain::Rev(_, n) => {
                let one = self.def(Op::Const(quote!(1usize)), Ty::Int, span, None);
                let sub: syn::BinOp = syn::parse_quote!(-);
                let last = self.binary(&sub, *n, one, span)?;
                self.binary(&sub, last, k, span)
            }
            Chain::Skip(_, s) => self.binary(&syn::parse_quote!(+), k, *s, span),
            Chain::StepBy(_, s) => self.binary(&syn::parse_quote!(*), k, *s, span),
            _ => Some(k),
        }
    }

    // ----- items and closures ----------------------------------------------------------------

    /// The value of a scalar item.
    pub(crate) fn item_value(&mut self, item: Item, span: Span) -> Option<Value> {
        match item {
            Item::Value(v) => Some(v),
            Item::Elem(a, i) => {
                let ty = self.elem_ty(a);
                Some(self.def(Op::Load(a, i), ty, span, None))
            }
            Item::Place(p) => Some(self.load_place(p, span)),
            Item::View { .. } | Item::Tuple(_) => {
                self.errors.at(
                    span,
                    "this item is a slice or a pair, not a number; take it apart with a \
                     pattern (`|(a, b)|`) or index it (`w[0]`)",
                );
                None
            }
        }
    }

    /// Binds the names of `pat` to the parts of `item`. `false` after an error.
    pub(crate) fn bind_item(&mut self, pat: &syn::Pat, item: Item) -> bool {
        match (pat, item) {
            (syn::Pat::Type(t), item) => self.bind_item(&t.pat, item),
            (syn::Pat::Paren(p), item) => self.bind_item(&p.pat, item),
            (syn::Pat::Reference(r), item) => self.bind_item(&r.pat, item),
            (syn::Pat::Wild(_), _) => true,
            // An element of constant data taken apart: `|&(i, j)|` over `edges`.
            (syn::Pat::Tuple(_), Item::Elem(a, i))
                if matches!(self.arrays[a.0 as usize].1, ArrayKind::Constant) =>
            {
                let v = self.def(Op::Load(a, i), Ty::Unknown, pat.span(), None);
                self.bind_data(pat, v)
            }
            (syn::Pat::Tuple(t), Item::Tuple(items)) if t.elems.len() == items.len() => t
                .elems
                .iter()
                .zip(items)
                .all(|(p, it)| self.bind_item(p, it)),
            (syn::Pat::Ident(p), item) if p.by_ref.is_none() && p.subpat.is_none() => {
                let b = match item {
                    Item::Elem(a, i) if p.mutability.is_none() => Binding::Elem(a, i),
                    Item::Place(place) if p.mutability.is_none() => {
                        Binding::Place(self.new_place(place))
                    }
                    Item::View { array, offset, len } => Binding::View { array, offset, len },
                    Item::Tuple(_) => {
                        self.errors.on(
                            p,
                            "this item is a pair; take it apart with a pattern: `(a, b)`",
                        );
                        return false;
                    }
                    item => {
                        let Some(v) = self.item_value(item, p.span()) else {
                            return false;
                        };
                        if p.mutability.is_some() {
                            let s = self.new_var(self.ty(v), p.span(), Some(p.ident.to_string()));
                            self.assign_var(s, v, true);
                            Binding::Var(s)
                        } else {
                            Binding::Value(v)
                        }
                    }
                };
                self.scopes.bind(&p.ident, b);
                true
            }
            (other, _) => {
                self.errors.on(
                    other,
                    "this pattern does not fit the item; use a name, `&name`, or a pair \
                     `(a, b)` for `zip` and `enumerate`",
                );
                false
            }
        }
    }

    /// The value of `f(args)` for a closure written inline, a local closure, or `f64::max` /
    /// `f64::min`.
    pub(crate) fn apply(&mut self, f: &syn::Expr, args: Vec<Item>) -> Option<Value> {
        let span = f.span();
        match strip(f) {
            syn::Expr::Closure(c) => self.inline_closure(c, args, None),
            syn::Expr::Path(p) => {
                if let Some(Binding::Closure(ix)) =
                    p.path.get_ident().and_then(|i| self.scopes.get(i))
                {
                    return self.call_closure(ix, args);
                }
                // A float method by path: `f64::max` in `fold`, `f64::exp` in `map`.
                let segs = segment_names(&p.path);
                let prim = match segs.as_slice() {
                    [t, m] if crate::generic::is_float_name(t) => {
                        crate::prims::method_named(m).filter(|p| p.rule != "powi")
                    }
                    _ => None,
                };
                let Some(prim) = prim else {
                    self.errors.on(
                        p,
                        "only closures written inline (`|x| ...`), local closures and float \
                         methods by path (`f64::exp`, `f64::max`) are supported here",
                    );
                    return None;
                };
                let vals: Option<Vec<Value>> =
                    args.into_iter().map(|a| self.item_value(a, span)).collect();
                let vals = vals?;
                if vals.len() != prim.arity {
                    let method = prim.rule;
                    self.errors.on(
                        p,
                        format!(
                            "`{method}` takes {} float argument(s) here, not {}",
                            prim.arity,
                            vals.len()
                        ),
                    );
                    return None;
                }
                Some(self.def(
                    Op::Prim {
                        prim,
                        args: vals,
                        int: None,
                    },
                    Ty::Float,
                    span,
                    None,
                ))
            }
            other => {
                self.errors.on(
                    other,
                    "only closures written inline (`|x| ...`) and local closures are supported \
                     here",
                );
                None
            }
        }
    }

    /// `f(args)` in statement position (`for_each`): the closure's value is discarded.
    fn apply_stmt(&mut self, f: &syn::Expr, args: Vec<Item>) {
        if let syn::Expr::Closure(c) = strip(f) {
            self.scopes.push();
            if self.bind_params(c, args) {
                self.closure_depth += 1;
                self.stmt_expr(&c.body);
                self.closure_depth -= 1;
            }
            self.scopes.pop();
        } else {
            self.apply(f, args);
        }
    }

    /// Binds a closure's parameters to `args` in the current scope.
    fn bind_params(&mut self, c: &syn::ExprClosure, args: Vec<Item>) -> bool {
        if c.inputs.len() != args.len() {
            self.errors.on(
                &c.inputs,
                format!("this closure is called with {} argument(s)", args.len()),
            );
            return false;
        }
        c.inputs.iter().zip(args).all(|(p, a)| self.bind_item(p, a))
    }

    /// Inlines closure `c`, in the scopes `outer` (a local closure's) or the current ones.
    fn inline_closure(
        &mut self,
        c: &syn::ExprClosure,
        args: Vec<Item>,
        outer: Option<super::scope::Scopes>,
    ) -> Option<Value> {
        let saved = outer.map(|s| std::mem::replace(&mut self.scopes, s));
        self.scopes.push();
        let v = if self.bind_params(c, args) {
            self.closure_depth += 1;
            let v = self.expr(&c.body);
            self.closure_depth -= 1;
            v
        } else {
            None
        };
        self.scopes.pop();
        if let Some(s) = saved {
            self.scopes = s;
        }
        v
    }

    /// Calls the local closure number `ix`.
    pub(crate) fn call_closure(&mut self, ix: usize, args: Vec<Item>) -> Option<Value> {
        let (c, scopes) = self.closures.get(ix)?.clone();
        self.inline_closure(&c, args, Some(scopes))
    }

    /// `let f = |..| ..;`: remembered with the names it sees, inlined where it is called. A
    /// `move` closure sees the variables' values at this point.
    pub(crate) fn bind_closure(&mut self, ident: &syn::Ident, c: &syn::ExprClosure) {
        let mut scopes = self.scopes.clone();
        if c.capture.is_some() {
            scopes = self.freeze(scopes, c.span());
        }
        self.closures.push((c.clone(), scopes));
        self.scopes
            .bind(ident, Binding::Closure(self.closures.len() - 1));
    }

    /// `scopes` with every variable replaced by its current value.
    fn freeze(&mut self, mut scopes: super::scope::Scopes, span: Span) -> super::scope::Scopes {
        let vars = scopes.vars();
        for (name, s) in vars {
            let v = self.read(s, span);
            scopes.rebind(&name, Binding::Value(v));
        }
        scopes
    }
}

/// The comparison of `max_by` / `min_by`.
#[derive(Clone, Copy)]
struct Cmp {
    /// `b` compared with `a` instead of `a` with `b`.
    flipped: bool,
    /// `partial_cmp(..).unwrap()` rather than `total_cmp`.
    partial: bool,
}

/// `p.total_cmp(q)` (`false`) or `p.partial_cmp(q).unwrap()` (`true`).
/// A chain over the `len` elements of `array` from `offset` (a view).
fn view_source(array: Array, offset: Value, len: Value) -> Built {
    Built {
        chain: Chain::Source(Source::Elems {
            array,
            offset: Some(offset),
        }),
        len: Some(len),
        range: None,
        filtered: false,
    }
}

fn compare_call(e: &syn::Expr) -> Option<(&syn::ExprMethodCall, bool)> {
    let syn::Expr::MethodCall(m) = strip(e) else {
        return None;
    };
    if m.method == "total_cmp" {
        return Some((m, false));
    }
    match strip(&m.receiver) {
        syn::Expr::MethodCall(inner) if m.method == "unwrap" && inner.method == "partial_cmp" => {
            Some((inner, true))
        }
        _ => None,
    }
}

/// Whether the chain has only `map`s over its source (a range adapter may move under them).
fn only_maps(c: &Chain) -> bool {
    match c {
        Chain::Source(_) => true,
        Chain::Map(c, _) => only_maps(c),
        _ => false,
    }
}

/// Whether a range-driven chain needs a counter (for `zip` with arrays or `enumerate`).
fn needs_counter(c: &Chain) -> bool {
    match c {
        Chain::Source(_) => false,
        Chain::Zip(..) | Chain::Enumerate(_) => true,
        Chain::Map(c, _)
        | Chain::Filter(c, _)
        | Chain::Rev(c, _)
        | Chain::Skip(c, _)
        | Chain::StepBy(c, _) => needs_counter(c),
    }
}

/// `e` without trailing `.copied()` / `.cloned()`.
fn strip_copied(e: &syn::Expr) -> &syn::Expr {
    match strip(e) {
        syn::Expr::MethodCall(m)
            if (m.method == "copied" || m.method == "cloned") && m.args.is_empty() =>
        {
            strip_copied(&m.receiver)
        }
        other => other,
    }
}

/// The name a closure parameter binds (`a`, `&a`, `a: &f64`).
fn pat_name(p: &syn::Pat) -> Option<syn::Ident> {
    match p {
        syn::Pat::Ident(i) => Some(i.ident.clone()),
        syn::Pat::Reference(r) => pat_name(&r.pat),
        syn::Pat::Type(t) => pat_name(&t.pat),
        syn::Pat::Paren(p) => pat_name(&p.pat),
        _ => None,
    }
}

/// The name in `a`, `&a`, `*a`, `&&a`.
fn expr_name(e: &syn::Expr) -> Option<syn::Ident> {
    match strip(e) {
        syn::Expr::Path(p) => p.path.get_ident().cloned(),
        syn::Expr::Reference(r) => expr_name(&r.expr),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => expr_name(&u.expr),
        _ => None,
    }
}

/// The names of a path's segments (`f64::max` → `["f64", "max"]`).
fn segment_names(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}
