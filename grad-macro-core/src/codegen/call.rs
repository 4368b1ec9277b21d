//! Calls through the callee's pullback ([`Node::Call`]).
//!
//! The forward sweep runs the call as written, after pushing a snapshot of every array
//! argument that may change before the reverse sweep reaches the call (`&mut` arguments, local
//! arrays). The reverse sweep pops the snapshots and calls `<callee>_pullback` with the
//! arguments as they were, the adjoint of the result, and one adjoint slot per argument:
//! `&mut` a float accumulator for a float, `&mut` the elements' adjoints for an array, `&mut ()`
//! for anything else. The pullback re-runs the callee from those inputs (a checkpoint) and adds
//! into the slots; for a `&mut` argument the slot holds, on return, the adjoint of the values
//! the callee started from.

use super::declare::{Binding, Decl};
use super::*;

/// The stack of copies of argument `k` of the call at `ord` (a place the callee may change).
pub(crate) fn place_snaps(ord: usize, k: usize) -> Ident {
    id("placesnaps", format!("{ord}_{k}"))
}

/// The buffer that takes the adjoint of argument `k` of calls where nobody reads it
/// ([`Gen::sinks`] declares those the code uses).
pub(crate) fn sink(k: usize) -> Ident {
    id("sink", k)
}

/// Place argument `k` of `c`, `e`, as the callee takes it: a clone where it is passed by value
/// ([`Call::owned`]), else `&e`.
fn owned_or_ref(c: &Call, k: usize, e: &TokenStream) -> TokenStream {
    if c.owned.contains(&k) {
        quote!(::core::clone::Clone::clone(&#e))
    } else {
        quote!(&#e)
    }
}

/// `let mut <snap> = <stack>.pop()` of a place's copy taken by the forward sweep.
fn pop_place_snapshot(snap: &Ident, stack: &Ident, mutable: bool) -> TokenStream {
    let m = mutable.then(|| quote!(mut));
    quote! {
        let #m #snap = match #stack.pop() {
            ::core::option::Option::Some(s) => s,
            ::core::option::Option::None => ::core::unreachable!(),
        };
    }
}

/// The argument `k` of the call at `my`, a place `e` the callee reads: the copy the forward
/// sweep took at the call where the body may write the place later (its pop goes to `pops`),
/// else the place as it is.
fn read_place_arg(
    c: &Call,
    k: usize,
    my: usize,
    snapshot: &[bool],
    e: &TokenStream,
    pops: &mut Vec<TokenStream>,
) -> TokenStream {
    if snapshot.get(k) != Some(&true) {
        return owned_or_ref(c, k, e);
    }
    let snap = id("snap", k);
    pops.push(pop_place_snapshot(&snap, &place_snaps(my, k), false));
    owned_or_ref(c, k, &quote!(#snap))
}

/// `path` with its last segment renamed to the pullback: `lstm::cell` → `lstm::cell_pullback`.
pub(crate) fn pullback_path(path: &syn::Path) -> syn::Path {
    let mut gpath = path.clone();
    if let Some(last) = gpath.segments.last_mut() {
        last.ident = format_ident!(
            "{}{}",
            last.ident,
            crate::symbol::PULLBACK_SUFFIX,
            span = last.ident.span()
        );
    }
    gpath
}

impl Gen<'_> {
    /// The declarations of the sinks the generated code uses, one pooled buffer each for the
    /// whole companion call (after the code is generated).
    pub(crate) fn sinks(&self) -> TokenStream {
        let (rt, float) = (rt(), &self.f.float);
        self.sinks
            .borrow()
            .iter()
            .map(|&k| {
                let name = sink(k);
                quote!(let mut #name = #rt::Scratch::<#float>::zeroed(0);)
            })
            .collect()
    }

    /// `path(args)`, or `args[0].method(rest)` for a method call.
    fn call_expr(&self, c: &Call, path: &syn::Path, args: &[TokenStream]) -> TokenStream {
        match (c.method, path.segments.last(), args.split_first()) {
            // A clone of the receiver ([`Call::owned`]): taken by value or auto-referenced.
            (true, Some(last), Some((recv, rest))) if c.owned.contains(&0) => {
                let m = &last.ident;
                quote_spanned!(c.span=> (#recv).#m(#(#rest),*))
            }
            (true, Some(last), Some((recv, rest))) => {
                let m = &last.ident;
                // The receiver was passed as `&place`: auto-ref takes it back.
                quote_spanned!(c.span=> (*#recv).#m(#(#rest),*))
            }
            _ => quote_spanned!(c.span=> #path(#(#args),*)),
        }
    }

    /// The first and one-past-last index of an array argument.
    fn bounds(
        &self,
        a: &ArrayArg,
        value: &dyn Fn(Value) -> TokenStream,
    ) -> (TokenStream, TokenStream) {
        let lo = a.lo.map_or(quote!(0usize), value);
        let hi = a.hi.map_or(self.array_len(a.array), value);
        (lo, hi)
    }

    /// An array argument as the forward sweep passes it (as the user wrote it).
    fn array_arg_expr(&self, a: &ArrayArg, value: &dyn Fn(Value) -> TokenStream) -> TokenStream {
        let arr = self.array_ident(a.array);
        let m = a.mutable.then(|| quote!(mut));
        if a.lo.is_none() && a.hi.is_none() {
            return if a.by_ref {
                quote!(&#m #arr)
            } else {
                quote!(#arr)
            };
        }
        let lo = a.lo.map(value);
        let hi = a.hi.map(value);
        quote!(&#m #arr[#lo..#hi])
    }

    /// The first two `&mut` array arguments of `c` that view one array, and how to borrow
    /// both at once (`grad::__private::two_mut`).
    fn mutable_halves(
        &self,
        c: &Call,
        value: &dyn Fn(Value) -> TokenStream,
    ) -> Option<(usize, usize, TokenStream)> {
        let views: Vec<(usize, &ArrayArg)> = c
            .args
            .iter()
            .enumerate()
            .filter_map(|(k, arg)| match arg {
                CallArg::Array(a) if a.mutable && !self.f.scalar_ref[a.array.0 as usize] => {
                    Some((k, a))
                }
                _ => None,
            })
            .collect();
        for (n, (i, a)) in views.iter().enumerate() {
            if let Some((j, b)) = views[n + 1..].iter().find(|(_, b)| b.array == a.array) {
                let arr = self.array_ident(a.array);
                let ((alo, ahi), (blo, bhi)) = (self.bounds(a, value), self.bounds(b, value));
                let split = quote!(::grad::__private::two_mut(
                    &mut #arr[..], (#alo, #ahi), (#blo, #bhi)
                ));
                return Some((*i, *j, split));
            }
        }
        None
    }

    /// The forward sweep of a call: snapshots, then the call as written.
    pub(crate) fn call_forward(&self, c: &Call, my: usize, decls: &mut Vec<Decl>) -> TokenStream {
        let value = |x: Value| {
            let vx = v(x);
            quote!(#vx)
        };
        let mut out = TokenStream::new();
        let snaps = self.plan.snapshots.get(&my).filter(|_| !self.graph);
        let (tf, tu) = (tape_f(), tape_u());
        for (k, arg) in c.args.iter().enumerate() {
            if let (CallArg::Place(p, _), Some(true)) = (arg, snaps.and_then(|s| s.get(k))) {
                // A copy of what the callee may change, on a stack of its own type.
                let (stack, e) = (place_snaps(my, k), self.place_expr(p, &value));
                if matches!(p.segs.last(), Some(Seg::Range(..))) {
                    // A sub-slice: its elements (the pullback takes the `Vec` as the slice).
                    out.extend(quote!(#stack.push(#e.to_vec());));
                    continue;
                }
                out.extend(quote!(#stack.push(::core::clone::Clone::clone(&#e));));
                continue;
            }
            if let (CallArg::Array(a), Some(true)) = (arg, snaps.and_then(|s| s.get(k))) {
                let arr = self.array_ident(a.array);
                if self.f.scalar_ref[a.array.0 as usize] {
                    out.extend(quote!(#tf.push(*#arr); #tu.push(1);));
                    continue;
                }
                // The elements, then how many (the reverse sweep may not see the array).
                let (lo, hi) = self.bounds(a, &value);
                let e = id("elems", "");
                out.extend(quote! {
                    {
                        let #e = &#arr[#lo..#hi];
                        #tf.push_slice(#e);
                        #tu.push(#e.len());
                    }
                });
            }
        }
        let twin = crate::generic::twin().is_some();
        let mut args: Vec<TokenStream> = c
            .args
            .iter()
            .enumerate()
            .map(|(k, arg)| match arg {
                CallArg::Place(p, _) if twin && !(c.method && k == 0) => {
                    self.twin_place_arg(p, &value, c.owned.contains(&k))
                }
                CallArg::Value(x, ArgKind::Constant) => {
                    crate::generic::twin_arg(&self.f.float, value(*x))
                }
                CallArg::Value(x, _) => value(*x),
                CallArg::Var { var, .. } => {
                    let sv = s(*var);
                    quote!(&mut #sv)
                }
                CallArg::Array(a) => self.array_arg_expr(a, &value),
                CallArg::Place(p, false) => {
                    let e = self.place_expr(p, &value);
                    owned_or_ref(c, k, &e)
                }
                CallArg::Place(p, mutable) => {
                    let e = self.place_expr(p, &value);
                    let m = mutable.then(|| quote!(mut));
                    quote!(&#m #e)
                }
            })
            .collect();
        if let (true, true, Some(CallArg::Place(p, _))) = (twin, c.method, c.args.first()) {
            args.push(self.twin_receiver(p, &value));
        }
        // Two `&mut` views of one array (the halves of a `split_at_mut`): borrowed together.
        let halves = self.mutable_halves(c, &value);
        if let Some((i, j, _)) = &halves {
            args[*i] = quote!(__grad_half_a);
            args[*j] = quote!(__grad_half_b);
        }
        let mut call = self.call_expr(c, &crate::generic::callee(&c.path), &args);
        if let Some((_, _, split)) = halves {
            call = quote!({ let (__grad_half_a, __grad_half_b) = #split; #call });
        }
        out.extend(match c.out {
            CallOut::Unit => quote_spanned!(c.span=> #call;),
            CallOut::Discarded => quote_spanned!(c.span=> let _ = #call;),
            CallOut::Value(x) => {
                // The type is stated only where the result is used as a float: a result nobody
                // reads may be an array (`let _ = step(s, h);`) and is left to inference.
                // In a twin, a float result is typed too: a call of structs alone passes
                // nothing that fixes the callee's float type (`vdot(a, b).sqrt()`).
                let ty =
                    (self.active(x) || (twin && self.is_float(x))).then(|| self.f.float.clone());
                let b = Binding::new(vec![(v(x), ty)], call, c.span);
                decls.extend(b.names.iter().cloned());
                b.assign()
            }
            CallOut::NewArray(a) => {
                let name = self.array_ident(a);
                let mut t = quote_spanned!(c.span=> let mut #name = #call;);
                if !self.graph && self.plan.act.array[a.0 as usize] {
                    let dname = da(a);
                    let lit0 = crate::generic::lit("0.0");
                    t.extend(quote!(#dname.resize(#name.len(), #lit0);));
                }
                t
            }
            CallOut::IntoArray(a) => {
                let name = self.array_ident(a);
                let mut t = quote_spanned!(c.span=> #name = #call;);
                // A `Vec` may come back longer (`h = layer.forward(&h)`): its adjoint grows.
                if !self.graph
                    && self.plan.act.array[a.0 as usize]
                    && matches!(self.f.arrays[a.0 as usize].1, ArrayKind::Vec)
                {
                    let dname = da(a);
                    let lit0 = crate::generic::lit("0.0");
                    t.extend(quote!(#dname.resize(#name.len(), #lit0);));
                }
                t
            }
        });
        if let (CallOut::NewArray(a) | CallOut::IntoArray(a), true) =
            (c.out, self.plan.out_lens.contains(&my) && !self.graph)
        {
            let name = self.array_ident(a);
            out.extend(quote!(#tu.push(#name.len());));
        }
        out
    }

    /// The reverse sweep of a call: pops its snapshots and calls the pullback.
    pub(crate) fn call_reverse(
        &self,
        c: &Call,
        operands: &[Option<Save>],
        snapshot: &[bool],
        my: usize,
    ) -> TokenStream {
        let rt = rt();
        let float = &self.f.float;
        // The value of each operand as the reverse sweep names it.
        let saved: std::collections::HashMap<Value, TokenStream> = c
            .operands()
            .into_iter()
            .zip(operands)
            .map(|(x, s)| {
                let t = match s {
                    Some(s) => self.saved(*s),
                    None => match self.defs.get(&x) {
                        Some(Op::Const(t)) if self.is_float(x) => {
                            crate::generic::lift_const(&self.f.float, t.clone())
                        }
                        Some(Op::Const(t)) => t.clone(),
                        _ => {
                            let vx = v(x);
                            quote!(#vx)
                        }
                    },
                };
                (x, t)
            })
            .collect();
        let value = |x: Value| saved.get(&x).cloned().unwrap_or_else(|| quote!(0));
        let tu = tape_u();
        // Every name below is local to the block the call's reverse runs in.
        let tf = tape_f();
        let mut pops = Vec::new();
        let mut args = Vec::new();
        let mut slots = Vec::new();
        let mut after = TokenStream::new();
        let mut before = TokenStream::new();
        let mut seen: Vec<Array> = Vec::new();
        // The structs earlier arguments are places of.
        let mut roots: Vec<usize> = Vec::new();
        for (k, arg) in c.args.iter().enumerate() {
            match arg {
                CallArg::Var { var, pre } => {
                    // The callee changes its copy of the value before the call; the slot is the
                    // variable's adjoint, turned from that of its new value into that of the old.
                    let (copy, junk) = (id("pre", k), id("junk", k));
                    let e = value(*pre);
                    before.extend(quote!(let mut #copy: #float = #e;));
                    args.push(quote!(&mut #copy));
                    if self.plan.act.var[var.0 as usize] {
                        let dv = ds(*var);
                        slots.push(quote!(&mut #dv));
                    } else {
                        let lit0 = crate::generic::lit("0.0");
                        before.extend(quote!(let mut #junk: #float = #lit0;));
                        slots.push(quote!(&mut #junk));
                    }
                }
                CallArg::Value(x, kind) => {
                    let e = value(*x);
                    args.push(if *kind == ArgKind::Constant {
                        crate::generic::twin_arg(float, e.clone())
                    } else {
                        e.clone()
                    });
                    match kind {
                        ArgKind::Float => {
                            let acc = id("acc", k);
                            let lit0 = crate::generic::lit("0.0");
                            before.extend(quote!(let mut #acc: #float = #lit0;));
                            slots.push(quote!(&mut #acc));
                            if self.active(*x) {
                                let dx = d(*x);
                                after.extend(quote!(#dx += #acc;));
                            }
                        }
                        ArgKind::NotFloat => slots.push(quote!(&mut ())),
                        ArgKind::Constant => {
                            let e = crate::generic::twin_arg(float, e.clone());
                            slots.push(quote!(&mut (&#rt::SinkProbe(&(#e))).grad_sink()))
                        }
                    }
                }
                CallArg::Place(p, false) if crate::generic::twin().is_some() => {
                    // (A twin passes no `&mut` places: the lowering refuses them.)
                    args.push(if c.method && k == 0 {
                        let e = self.place_expr(p, &value);
                        owned_or_ref(c, k, &e)
                    } else {
                        self.twin_place_arg(p, &value, c.owned.contains(&k))
                    });
                    let again = roots.contains(&p.root);
                    let (bind, slot, finish) = self.twin_place_slot(k, p, again, &value);
                    before.extend(bind);
                    slots.push(slot);
                    after.extend(finish);
                    roots.push(p.root);
                }
                CallArg::Place(p, false)
                    if roots.contains(&p.root) && self.f.params[p.root].wrt && !self.graph =>
                {
                    let e = self.place_expr(p, &value);
                    args.push(read_place_arg(c, k, my, snapshot, &e, &mut pops));
                    let (bind, slot, finish) = self.again_place_slot(k, p, &value);
                    before.extend(bind);
                    slots.push(slot);
                    after.extend(finish);
                }
                CallArg::Place(p, mutable) => {
                    roots.push(p.root);
                    let e = self.place_expr(p, &value);
                    if *mutable {
                        let snap = id("snap", k);
                        pops.push(pop_place_snapshot(&snap, &place_snaps(my, k), true));
                        args.push(quote!(&mut #snap));
                    } else {
                        args.push(read_place_arg(c, k, my, snapshot, &e, &mut pops));
                    }
                    if self.f.params[p.root].wrt {
                        let (bind, slot) = self.first_place_slot(k, p, &value);
                        before.extend(bind);
                        slots.push(slot);
                    } else if matches!(p.segs.last(), Some(Seg::Range(..))) {
                        // A sub-slice of a struct without gradient: a scratch slot of its length.
                        let (bind, slot) = self.scratch_place_slot(k, p, &value);
                        before.extend(bind);
                        slots.push(slot);
                    } else if p.segs.is_empty()
                        && matches!(&self.f.params[p.root].kind, ParamKind::Struct { ty, .. }
                            if matches!(crate::parse::vec_elem(ty), Some(syn::Type::Array(_))))
                    {
                        // Rows passed whole (`inner(w, xs)`): the callee's slot is a `Vec` of
                        // rows if it differentiates them, `()` if it does not.
                        slots.push(quote!(&mut #rt::zero_grad(&#e)));
                    } else {
                        // No gradient is kept for this parameter: a scratch one.
                        slots.push(quote!(&mut {
                            use #rt::Differentiable as _;
                            #e.zero_like()
                        }));
                    }
                }
                CallArg::Array(a) => {
                    let (mut lo, mut hi) = self.bounds(a, &value);
                    if snapshot.get(k) == Some(&true) {
                        // The length was pushed after the elements.
                        let (s, len) = (id("snap", k), id("len", k));
                        pops.push(quote! {
                            let #len: usize = #tu.pop();
                            let mut #s = #tf.pop_scratch(#len);
                        });
                        lo = a.lo.map_or(quote!(0usize), value);
                        hi = a.hi.map_or(quote!(#lo + #len), value);
                        // A whole fixed-size array is passed as its own type, so that a callee
                        // generic over the length (`fn f<const N: usize>(v: &[f64; N])`)
                        // knows it.
                        let whole = a.lo.is_none() && a.hi.is_none();
                        args.push(match &self.f.arrays[a.array.0 as usize].1 {
                            ArrayKind::Fixed(n)
                                if whole && !self.f.scalar_ref[a.array.0 as usize] =>
                            {
                                let r = if a.mutable {
                                    quote!(&mut)
                                } else if a.by_ref {
                                    quote!(&)
                                } else {
                                    TokenStream::new()
                                };
                                quote!(<#r [#float; #n] as #rt::FromSnapshot<_>>::from_snapshot(&mut #s))
                            }
                            _ => quote!(#rt::FromSnapshot::from_snapshot(&mut #s)),
                        });
                    } else {
                        args.push(self.array_arg_expr(a, &value));
                    }
                    let constant =
                        matches!(self.f.arrays[a.array.0 as usize].1, ArrayKind::Constant);
                    let active = self.plan.act.array[a.array.0 as usize];
                    if constant {
                        slots.push(quote!(&mut ()));
                    } else if !active && !a.mutable {
                        // A shared argument's slot is only added into, and nobody reads it:
                        // the companion's sink for argument `k`.
                        self.sinks.borrow_mut().insert(k);
                        let sink = sink(k);
                        slots.push(quote!(#rt::sink(&mut #sink, #hi - #lo)));
                    } else if !active {
                        // A `&mut` argument's slot holds the adjoint of its final values on
                        // entry: zero, as nobody reads them.
                        slots
                            .push(quote!(#rt::Scratch::<#float>::zeroed(#hi - #lo).as_mut_slice()));
                    } else if seen.contains(&a.array) && a.mutable {
                        // A second `&mut` view of one array (disjoint from the first, as
                        // Rust's borrows are): its slot holds the adjoint of the view's final
                        // values on entry and of its initial values on return, so it is a copy
                        // of its part of the adjoint, copied back after the call.
                        let (tmp, dname) = (id("dup", k), da(a.array));
                        before.extend(quote! {
                            let mut #tmp = #rt::Scratch::<#float>::zeroed(#hi - #lo);
                            #tmp.as_mut_slice().copy_from_slice(&#dname[#lo..#hi]);
                        });
                        slots.push(quote!(#tmp.as_mut_slice()));
                        after.extend(quote!(#dname[#lo..#hi].copy_from_slice(#tmp.as_slice());));
                    } else if seen.contains(&a.array) {
                        // The same array twice: the second slot is a scratch buffer, added in
                        // after the call.
                        let (tmp, dname) = (id("dup", k), da(a.array));
                        before.extend(
                            quote!(let mut #tmp = #rt::Scratch::<#float>::zeroed(#hi - #lo);),
                        );
                        slots.push(quote!(#tmp.as_mut_slice()));
                        let (x, t) = (id("x", ""), id("t", ""));
                        after.extend(self.own_body(quote! {
                            for (#x, #t) in #dname[#lo..#hi].iter_mut().zip(#tmp.as_slice()) {
                                *#x += *#t;
                            }
                        }));
                    } else if self.f.scalar_ref[a.array.0 as usize] {
                        let dname = da(a.array);
                        slots.push(quote!(&mut #dname[0]));
                    } else {
                        let dname = da(a.array);
                        slots.push(quote!(&mut #dname[#lo..#hi]));
                    }
                    seen.push(a.array);
                }
            }
        }
        // Snapshots were pushed in argument order, and the length of an array result after
        // the call: pop them the other way round.
        pops.reverse();
        if matches!(c.out, CallOut::NewArray(_) | CallOut::IntoArray(_)) {
            let n = id("outlen", "");
            pops.insert(0, quote!(let #n: usize = #tu.pop();));
        }
        let dout = match c.out {
            CallOut::Unit => None,
            CallOut::Discarded => Some(quote!(::core::default::Default::default())),
            CallOut::Value(x) => Some(if self.active(x) {
                let dx = d(x);
                quote!(#dx)
            } else {
                crate::generic::lit("0.0")
            }),
            CallOut::NewArray(a) | CallOut::IntoArray(a) => {
                let (n, dout) = (id("outlen", ""), id("dout", ""));
                if self.plan.act.array[a.0 as usize] {
                    let dname = da(a);
                    let e = id("e", "");
                    before.extend(quote! {
                        let #dout = #rt::Scratch::copy_of(&#dname[..#n]);
                    });
                    let lit0 = crate::generic::lit("0.0");
                    before.extend(
                        self.own_body(quote!(for #e in #dname.iter_mut() { *#e = #lit0; })),
                    );
                } else {
                    before.extend(quote!(let #dout = #rt::Scratch::<#float>::zeroed(#n);));
                }
                Some(quote!(#dout.as_slice()))
            }
        };
        let path = pullback_path(&crate::generic::callee(&c.path));
        if let (Some(_), true, Some(CallArg::Place(p, _))) =
            (crate::generic::twin(), c.method, c.args.first())
        {
            args.push(self.twin_receiver(p, &value));
        }
        args.extend(dout);
        args.extend(slots);
        let call = self.call_expr(c, &path, &args);
        let call = quote!(#call;);
        quote! {
            {
                #[allow(unused_imports)]
                use #rt::{SinkKnown as _, SinkUnknown as _};
                #(#pops)*
                #before
                #call
                #after
            }
        }
    }
}
