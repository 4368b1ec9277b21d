//! The reverse sweep: adjoints accumulated from the plan's reverse program.

use super::segment::Unit;
use super::*;

impl Gen<'_> {
    /// The local holding the last value of the loop variable, for loops whose reverse steps
    /// back from it.
    pub(crate) fn last_var(&self, ord: usize) -> Option<Ident> {
        let saves = self.plan.node_saves.get(&ord)?;
        saves
            .iter()
            .any(|s| matches!(self.plan.save(*s).source, SaveSource::LastVar(_)))
            .then(|| id("last", ord))
    }

    /// The forward sweep's name for a saved quantity (in scope where it is computed).
    pub(crate) fn forward_name(&self, source: &SaveSource) -> TokenStream {
        match source {
            SaveSource::Partial(x, k) => {
                let pk = p(*x, *k);
                quote!(#pk)
            }
            SaveSource::IndexOf(x)
            | SaveSource::Cond(x)
            | SaveSource::LoopVar(x)
            | SaveSource::Arg(x)
            | SaveSource::Entry(x) => {
                let vx = v(*x);
                quote!(#vx)
            }
            SaveSource::TripCount(ord) => {
                let c = n(*ord);
                quote!(#c)
            }
            SaveSource::LastVar(ord) => {
                let l = id("last", ord);
                quote!(#l)
            }
        }
    }

    /// A saved quantity, as the reverse sweep reads it.
    pub(crate) fn saved(&self, sv: Save) -> TokenStream {
        let info = self.plan.save(sv);
        match info.storage {
            Storage::Local | Storage::Replayed => self.forward_name(&info.source),
            Storage::Constant | Storage::Operands => self.constant_partial(&info.source),
            Storage::Hoisted => {
                let name = h(sv);
                quote!(#name)
            }
            Storage::Stack => {
                let name = r(sv);
                quote!(#name)
            }
        }
    }

    /// Whether the saved partial `sv` is a constant (`±1`, or a literal factor: see
    /// [`super::scaled`]), so adjoints are scaled by it through `Float::mul_const`.
    fn scales(&self, sv: Save) -> bool {
        let info = self.plan.save(sv);
        info.storage == Storage::Constant || self.literal_partial(&info.source)
    }

    /// A partial that depends on no operand, or only on operands the reverse sweep can name:
    /// the rule evaluated on those, with zeros for the others.
    pub(crate) fn constant_partial(&self, source: &SaveSource) -> TokenStream {
        let prim = match source {
            SaveSource::Partial(x, k) => match self.defs.get(x) {
                Some(Op::Prim { prim, args, .. }) => Some((prim, args, *k)),
                _ => None,
            },
            _ => None,
        };
        let Some((prim, args, k)) = prim else {
            return quote!(::core::unreachable!());
        };
        let rt = rt();
        let float = &self.f.float;
        let rule = Ident::new(prim.rule, Span::call_site());
        let reads = crate::prims::partial_reads(prim.rule, k).unwrap_or(&[]);
        let zeros = (0..prim.arity).map(|i| {
            if reads.contains(&i) {
                let a = v(args[i]);
                quote!(#a)
            } else {
                crate::generic::lit("0.0")
            }
        });
        let field = syn::Index::from(k + 1);
        quote!(#rt::rules::#rule::<#float>(#(#zeros),*).#field)
    }

    pub(crate) fn adj(&self, a: Adj) -> TokenStream {
        match a {
            Adj::Value(x) => {
                let dx = d(x);
                quote!(#dx)
            }
            Adj::Var(x) => {
                let dx = ds(x);
                quote!(#dx)
            }
            Adj::Elem(arr, i) => {
                if let Some(local) = self.promoted.borrow().get(&(arr, i)) {
                    return quote!(#local);
                }
                let (name, i) = (da(arr), self.saved(i));
                quote!(#name[#i])
            }
            Adj::Field(k) => self.field_adj(k),
        }
    }

    /// Heavy lists are split into segments ([`super::segment`]).
    pub(crate) fn rev_list(&self, list: &[Rev]) -> TokenStream {
        let units = self.rev_units(list);
        self.join(units, TokenStream::new())
    }

    /// The steps of a list of the reverse sweep, each with its weight. In a list heavy enough
    /// to be split, each zero adjoint is declared where the list first mentions it rather than
    /// at its top, so a segment declares (and returns) only the adjoints it touches first.
    pub(crate) fn rev_units(&self, list: &[Rev]) -> Vec<Unit> {
        let float = &self.f.float;
        let lazy = Rev::weight_of(list) > super::segment::split_above(self.plan.segment);
        let mut units: Vec<Unit> = Vec::with_capacity(list.len());
        // Adjoints that start at zero, declared in groups ([`super::declare`]) where a run of
        // them ends.
        let mut zeros: Vec<Ident> = Vec::new();
        let zero_unit = |names: &[Ident]| Unit {
            decls: Vec::new(),
            // -0.0 is the additive identity (-0.0 + x == x for every x, +0.0 included), so
            // the first `+=` into an adjoint folds away.
            code: super::declare::declare_mut(names, float, &crate::generic::lit("-0.0")),
            weight: 1,
        };
        let flush = |zeros: &mut Vec<Ident>, units: &mut Vec<Unit>| {
            if !zeros.is_empty() {
                units.push(zero_unit(zeros));
                zeros.clear();
            }
        };
        let mut lazy_zeros = LazyZeros::default();
        for step in list {
            if let Rev::Zero(a) = step {
                let name = match a {
                    Adj::Value(x) => d(*x),
                    Adj::Var(x) => ds(*x),
                    // Elements of arrays are zeroed with their array, never one by one.
                    Adj::Elem(..) | Adj::Field(_) => {
                        units.push(Unit {
                            decls: Vec::new(),
                            code: quote! {
                                ::core::compile_error!("grad: internal error: an element zeroed alone");
                            },
                            weight: 1,
                        });
                        continue;
                    }
                };
                if !(lazy && lazy_zeros.postpone(&name)) {
                    zeros.push(name);
                }
                continue;
            }
            flush(&mut zeros, &mut units);
            let code = match step {
                Rev::Zero(_) => continue,
                Rev::Seed(x) => {
                    let dx = d(*x);
                    if self.pullback {
                        let out = dout();
                        quote!(#dx = #out;)
                    } else {
                        let lit1 = crate::generic::lit("1.0");
                        quote!(#dx = #lit1;)
                    }
                }
                Rev::Reload { value, index } => {
                    let Some(Op::Load(a, _)) = self.defs.get(value) else {
                        units.push(Unit {
                            decls: Vec::new(),
                            code: quote! {
                                ::core::compile_error!("grad: internal error: a reload of a value that is not a load");
                            },
                            weight: 1,
                        });
                        continue;
                    };
                    let (x, a, i) = (v(*value), self.array_ident(*a), self.saved(*index));
                    quote!(let #x = #a[#i];)
                }
                Rev::Restore(sv) => {
                    let info = self.plan.save(*sv);
                    match (&info.source, info.storage) {
                        // Under the value's own name: the loop's replays read it.
                        (SaveSource::Entry(x), Storage::Stack) => {
                            let vx = v(*x);
                            match self.plan.windows.slots.get(&sv.0) {
                                Some(&(lp, m)) => {
                                    let (w, at) = (rev_window(lp, false), rev_at(lp, false));
                                    quote!(let #vx: usize = #w[#at + #m];)
                                }
                                None => {
                                    let t = tape_u();
                                    quote!(let #vx: usize = #t.pop();)
                                }
                            }
                        }
                        (SaveSource::Entry(x), Storage::Hoisted) => {
                            let (vx, name) = (v(*x), h(*sv));
                            quote!(let #vx = #name;)
                        }
                        (_, Storage::Stack) if self.plan.windows.slots.contains_key(&sv.0) => {
                            // From its loop's slots ([`crate::passes::window`]).
                            let (lp, m) = self.plan.windows.slots[&sv.0];
                            let float = info.kind == SaveKind::Float;
                            let (name, w, at) = (r(*sv), rev_window(lp, float), rev_at(lp, float));
                            if info.kind == SaveKind::Flag {
                                quote!(let #name = #w[#at + #m] != 0;)
                            } else {
                                quote!(let #name = #w[#at + #m];)
                            }
                        }
                        (_, Storage::Stack) => {
                            let name = r(*sv);
                            match info.kind {
                                SaveKind::Float => {
                                    let t = tape_f();
                                    quote!(let #name = #t.pop();)
                                }
                                SaveKind::Index => {
                                    let t = tape_u();
                                    quote!(let #name = #t.pop();)
                                }
                                SaveKind::Flag => {
                                    let t = tape_u();
                                    quote!(let #name = #t.pop() != 0;)
                                }
                                SaveKind::Int => {
                                    let t = lv(*sv);
                                    quote!(let #name = #t.pop();)
                                }
                            }
                        }
                        _ => continue,
                    }
                }
                Rev::Acc {
                    to: Adj::Field(k),
                    from,
                    by,
                } => {
                    let from = self.adj(*from);
                    let from = match by {
                        Some(sv) if self.scales(*sv) => {
                            let (by, rt) = (self.saved(*sv), rt());
                            quote!(#rt::Float::mul_const(#from, #by))
                        }
                        Some(sv) => {
                            let by = self.saved(*sv);
                            quote!(#from * #by)
                        }
                        None => from,
                    };
                    self.field_acc(*k, from)
                }
                Rev::Acc { to, from, by } => {
                    let fence = match to {
                        Adj::Elem(a, _) => self.fenced.borrow().contains(a),
                        _ => false,
                    };
                    let (to, from) = (self.adj(*to), self.adj(*from));
                    let mut t = match by {
                        // A constant partial (`±1`, a literal factor): the same product, and on
                        // dual numbers one that skips the constant's zero tangent.
                        Some(sv) if self.scales(*sv) => {
                            let (by, rt) = (self.saved(*sv), rt());
                            quote!(#to += #rt::Float::mul_const(#from, #by);)
                        }
                        Some(sv) => {
                            let by = self.saved(*sv);
                            quote!(#to += #from * #by;)
                        }
                        None => quote!(#to += #from;),
                    };
                    if fence && self.in_fused.get() {
                        // In a fused loop, an element updated in one iteration is often updated
                        // again in the next (`x[i + 1]`, then `x[i]`). Left free, the optimizer
                        // pairs neighbouring updates into one 16-byte load and store, and the
                        // next iteration's 16-byte load, overlapping it by half, cannot be
                        // forwarded from the store buffer: a stall per iteration (2.4x slower
                        // on Rosenbrock). A compiler fence (no instruction) keeps them apart,
                        // for the arrays updated at two indices in the body ([`fenced`]);
                        // elsewhere it would only keep the loop from vectorizing.
                        t.extend(quote! {
                            ::core::sync::atomic::compiler_fence(
                                ::core::sync::atomic::Ordering::SeqCst
                            );
                        });
                    }
                    t
                }
                Rev::Reset(a) => {
                    let a = self.adj(*a);
                    let lit0 = crate::generic::lit("0.0");
                    quote!(#a = #lit0;)
                }
                Rev::AccSum { to, array } => {
                    let (to, a, e) = (d(*to), da(*array), id("e", ""));
                    self.own_body(quote!(for #e in #a.iter() { #to += *#e; }))
                }
                Rev::ResetArray(array) => {
                    let (a, e) = (da(*array), id("e", ""));
                    let lit0 = crate::generic::lit("0.0");
                    self.own_body(quote!(for #e in #a.iter_mut() { *#e = #lit0; }))
                }
                Rev::If { flag, then, els } => {
                    let (f, t, e) = (self.saved(*flag), self.rev_list(then), self.rev_list(els));
                    quote!(if #f { #t } else { #e })
                }
                Rev::Fused(ord) => self.apply_fused(*ord),
                Rev::Call {
                    call,
                    operands,
                    snapshot,
                    ord,
                } => self.call_reverse(call, operands, snapshot, *ord),
                Rev::Loop {
                    trips,
                    var,
                    replay,
                    restore,
                    body,
                } => {
                    // The fence of fused loops (below, in `Rev::Acc`) is for the neighbouring
                    // elements two iterations of the fused loop itself update; a loop nested
                    // in its body updates one element per iteration, better left free.
                    let fused = self.in_fused.replace(false);
                    let (promote, demote, promoted) =
                        self.promote(var.as_ref(), replay, trips, body);
                    let b = self.rev_list(body);
                    self.unpromote(&promoted);
                    self.in_fused.set(fused);
                    // The arrays the forward loop read, as it read them (`freeze`).
                    let tf = tape_f();
                    let restore: TokenStream = restore
                        .iter()
                        .map(|a| {
                            let a = self.array_ident(*a);
                            quote!(#tf.pop_into(&mut #a[..]);)
                        })
                        .collect();
                    let k = id("k", "");
                    let (before, each) = match var {
                        Some((x, VarReplay::PerIteration(sv))) => {
                            let (stack, vx) = (lv(*sv), v(*x));
                            (TokenStream::new(), quote!(let #vx = #stack.pop();))
                        }
                        Some((x, VarReplay::Stepped { last, up })) => {
                            let (vx, last) = (v(*x), self.saved(*last));
                            let step = if *up {
                                quote!(#vx -= 1;)
                            } else {
                                quote!(#vx += 1;)
                            };
                            (quote!(let mut #vx = #last;), quote!(if #k != 0 { #step }))
                        }
                        Some((_, VarReplay::Bound)) | None => {
                            (TokenStream::new(), TokenStream::new())
                        }
                    };
                    let replay: TokenStream = replay
                        .iter()
                        .filter_map(|x| self.defs.get(x).map(|op| self.let_(*x, op)))
                        .collect();
                    // `skip`: run only if an adjoint flowing in is non-zero.
                    let live = crate::passes::skip::incoming(
                        self.plan,
                        var.as_ref().map(|(_, r)| r),
                        body,
                    )
                    .map(|ins| {
                        let ins = ins.iter().map(|a| self.adj(*a));
                        let rt = rt();
                        quote!(#(!#rt::Float::is_zero_adjoint(#ins))||*)
                    });
                    let gated = |run: TokenStream| match &live {
                        Some(live) => quote!(if #live { #run }),
                        None => run,
                    };
                    match trips {
                        Trips::Count(count) => {
                            let c = self.saved(*count);
                            let (open, step, close) = self.rev_windows(body, quote!(#c));
                            let run =
                                self.own_body(quote!(for #k in 0..#c { #step #each #replay #b }));
                            let run = gated(quote!(#before #open #promote #run #demote #close));
                            quote!(#restore #run)
                        }
                        Trips::Rerun(chain) => {
                            let rebuild: TokenStream = chain
                                .iter()
                                .filter_map(|x| self.defs.get(x).map(|op| self.let_(*x, op)))
                                .collect();
                            let it = chain.last().map(|x| v(*x));
                            let x = match var {
                                Some((x, _)) => v(*x),
                                None => k.clone(),
                            };
                            let trips = quote!(::core::iter::Iterator::size_hint(&#it).0);
                            let (open, step, close) = self.rev_windows(body, trips);
                            let run =
                                self.own_body(quote!(for #x in #it.rev() { #step #replay #b }));
                            let run = gated(quote!(#rebuild #open #promote #run #demote #close));
                            quote!({ #restore #run })
                        }
                    }
                }
            };
            let first = lazy_zeros.mentioned(&code);
            if !first.is_empty() {
                units.push(zero_unit(&first));
            }
            units.push(Unit {
                decls: Vec::new(),
                code,
                weight: step.weight(),
            });
        }
        flush(&mut zeros, &mut units);
        let rest = lazy_zeros.rest();
        if !rest.is_empty() {
            units.push(zero_unit(&rest));
        }
        units
    }

    /// The accumulator's adjoint a fused loop's reverse runs with, and the factor its
    /// gathered contributions are scaled by where the reverse sweep reaches the loop: one and
    /// the accumulator's adjoint, except in a pullback's direct loop
    /// ([`crate::passes::fuse::FusedLoop::direct`]: the accumulator is the result, so its
    /// adjoint is `d_out`, known before the loop), `d_out` and one; a direct loop's arrays take
    /// their contributions straight into the real adjoints.
    pub(crate) fn fused_seed(
        &self,
        fl: &crate::passes::fuse::FusedLoop,
    ) -> (TokenStream, TokenStream) {
        let one = crate::generic::lit("1.0");
        if self.pullback && fl.direct {
            let out = dout();
            (quote!(#out), one)
        } else {
            let acc = ds(fl.acc);
            (one, quote!(#acc))
        }
    }

    /// Where the reverse sweep reaches a fused loop: its gathered contributions times the
    /// accumulator's adjoint (which the loop passes on unchanged).
    fn apply_fused(&self, ord: usize) -> TokenStream {
        let Some(fl) = self.plan.fused_loops.get(&ord) else {
            return quote!(::core::unreachable!(););
        };
        let (_, acc) = self.fused_seed(fl);
        let mut out = TokenStream::new();
        for a in &fl.scalars {
            let (real, scratch) = (self.adj(*a), fused_scalar(ord, *a));
            out.extend(quote!(#real += #acc * #scratch;));
        }
        for &root in &fl.structs {
            let (scratch, slot) = (fused_struct(ord, root), slot(root));
            if let (true, ParamKind::Struct { .. }) =
                (self.twin_tangents(root), &self.f.params[root].kind)
            {
                // On duals: (v, d) += (a, b) (x, x'), the value part exactly as `_grad` adds it.
                let (tscratch, tslot) =
                    (place::fused_tangent(ord, root), place::tangent_slot(root));
                out.extend(quote! {
                    ::grad::__private::axpy_dual(&mut *#slot, &mut *#tslot, #acc, &#scratch, &#tscratch);
                });
            } else if let ParamKind::Struct { ty, .. } = &self.f.params[root].kind {
                let rt = rt();
                out.extend(quote! {
                    <#ty as #rt::Differentiable>::axpy_slots(
                        &mut *#slot,
                        #rt::Float::to_f64(#acc),
                        &#scratch,
                    );
                });
            }
        }
        for a in fl.arrays.iter().filter(|_| !fl.direct) {
            let (real, scratch) = (da(*a), fused_array(ord, *a));
            let (x, t) = (id("a", ""), id("t", ""));
            out.extend(self.own_body(quote! {
                for (#x, #t) in #real.iter_mut().zip(#scratch.iter()) {
                    *#x += #acc * *#t;
                }
            }));
        }
        out
    }
}

/// Zero adjoints whose declaration waits for the first step that mentions them.
#[derive(Default)]
struct LazyZeros {
    order: Vec<Ident>,
    pending: rustc_hash::FxHashMap<String, Ident>,
    declared: rustc_hash::FxHashSet<String>,
}

impl LazyZeros {
    /// Whether `name` waits (a second zero of a name already declared is a step in place).
    fn postpone(&mut self, name: &Ident) -> bool {
        let key = name.to_string();
        if self.declared.contains(&key) || self.pending.contains_key(&key) {
            return false;
        }
        self.pending.insert(key, name.clone());
        self.order.push(name.clone());
        true
    }

    /// The waiting names `code` mentions, now declared, in the order it mentions them (found
    /// in its text, as [`super::reads`] finds reads).
    fn mentioned(&mut self, code: &TokenStream) -> Vec<Ident> {
        let mut out = Vec::new();
        if self.pending.is_empty() {
            return out;
        }
        let text = code.to_string();
        for word in super::reads::words(&text) {
            if let Some((key, ident)) = self.pending.remove_entry(word) {
                self.declared.insert(key);
                out.push(ident);
            }
        }
        out
    }

    /// The names still waiting, in the order they came.
    fn rest(self) -> Vec<Ident> {
        let pending = self.pending;
        self.order
            .into_iter()
            .filter(|n| pending.contains_key(&n.to_string()))
            .collect()
    }
}

/// The arrays whose adjoint a fused loop's body updates at more than one index (an element
/// updated twice, in this iteration and the next: their updates are fenced).
pub(crate) fn fenced(body: &[Rev]) -> std::collections::HashSet<Array> {
    let mut at: std::collections::HashMap<Array, std::collections::HashSet<Save>> =
        Default::default();
    let mut todo: Vec<&[Rev]> = vec![body];
    while let Some(list) = todo.pop() {
        for r in list {
            match r {
                Rev::Acc {
                    to: Adj::Elem(a, i),
                    ..
                } => {
                    at.entry(*a).or_default().insert(*i);
                }
                Rev::If { then, els, .. } => {
                    todo.push(then);
                    todo.push(els);
                }
                Rev::Loop { body, .. } => todo.push(body),
                _ => {}
            }
        }
    }
    at.into_iter()
        .filter(|(_, ixs)| ixs.len() > 1)
        .map(|(a, _)| a)
        .collect()
}

impl Gen<'_> {
    /// For a loop whose forward sweep saved by index ([`crate::passes::window`]): the reverse
    /// reads its iterations' slots on each stack by index too, from the last iteration back,
    /// and drops them after the loop. Returns the code before the loop, at the top of each
    /// reverse iteration, and after the loop. The loop is found from the saves its body pops.
    fn rev_windows(
        &self,
        body: &[Rev],
        trips: TokenStream,
    ) -> (TokenStream, TokenStream, TokenStream) {
        let (mut open, mut step, mut close) = Default::default();
        let Some(lp) = self.windowed_loop(body) else {
            return (open, step, close);
        };
        let slots = self
            .plan
            .windows
            .loops
            .get(&lp)
            .copied()
            .unwrap_or_default();
        let n = id("wrn", lp);
        open = quote!(let #n: usize = #trips;);
        for (k, float) in [(slots.floats, true), (slots.indices, false)] {
            if k == 0 {
                continue;
            }
            let (w, at) = (rev_window(lp, float), rev_at(lp, float));
            let tape = if float { tape_f() } else { tape_u() };
            open.extend(quote! {
                let #w = #tape.top(#k * #n);
                let mut #at: usize = #k * #n;
            });
            step.extend(quote!(#at -= #k;));
            close.extend(quote!(#tape.truncate(#tape.len() - #k * #n);));
        }
        (open, step, close)
    }

    /// The loop whose saves by index a reverse body pops (in it or in its branches; an inner
    /// loop pops its own).
    fn windowed_loop(&self, body: &[Rev]) -> Option<usize> {
        body.iter().find_map(|st| match st {
            Rev::Restore(sv) => self.plan.windows.slots.get(&sv.0).map(|(lp, _)| *lp),
            Rev::If { then, els, .. } => {
                self.windowed_loop(then).or_else(|| self.windowed_loop(els))
            }
            _ => None,
        })
    }
}

/// The slots of the loop at `lp` as its reverse reads them ([`crate::passes::window`]).
fn rev_window(lp: usize, float: bool) -> Ident {
    id(if float { "wrf" } else { "wru" }, lp)
}

/// The first slot of the current reverse iteration.
fn rev_at(lp: usize, float: bool) -> Ident {
    id(if float { "wraf" } else { "wrau" }, lp)
}
