//! The forward sweep: the user's computation, keeping what the reverse sweep needs.

use super::declare::{Binding, Decl};
use super::segment::Unit;
use super::*;
use crate::lower::{JUMP_BREAK, JUMP_CONTINUE};

impl Gen<'_> {
    /// A block of the forward sweep. Its values are declared at its top, in groups
    /// ([`super::declare`]), and assigned where they are computed.
    /// Heavy blocks are split into segments ([`super::segment`]).
    pub(crate) fn region(&self, region: &Region, ord: &mut usize) -> TokenStream {
        let units = self.region_units(region, ord);
        self.join(units, TokenStream::new())
    }

    /// The nodes of a block, each with the values it declares and its weight.
    pub(crate) fn region_units(&self, region: &Region, ord: &mut usize) -> Vec<Unit> {
        let mut units = Vec::with_capacity(region.nodes.len());
        for node in &region.nodes {
            let my = *ord;
            *ord += 1;
            let mut decls: Vec<Decl> = Vec::new();
            let code = self.node(node, my, ord, &mut decls);
            let weight = node.weight();
            units.push(Unit {
                decls,
                code,
                weight,
            });
        }
        units
    }

    /// The forward code that stores a node's saves (after the node itself).
    pub(crate) fn store_saves(&self, my: usize) -> TokenStream {
        let mut out = TokenStream::new();
        let Some(saves) = self.plan.node_saves.get(&my).filter(|_| !self.graph) else {
            return out;
        };
        for sv in saves {
            let info = self.plan.save(*sv);
            if matches!(info.source, SaveSource::LoopVar(_)) {
                continue;
            }
            let src = self.forward_name(&info.source);
            out.extend(match info.storage {
                Storage::Local | Storage::Replayed | Storage::Constant | Storage::Operands => {
                    TokenStream::new()
                }
                Storage::Hoisted => {
                    let name = h(*sv);
                    quote!(#name = #src;)
                }
                Storage::Stack => match info.kind {
                    SaveKind::Float | SaveKind::Index | SaveKind::Flag
                        if self.plan.windows.slots.contains_key(&sv.0) =>
                    {
                        // Into its slot ([`crate::passes::window`]).
                        let (lp, m) = self.plan.windows.slots[&sv.0];
                        let float = info.kind == SaveKind::Float;
                        let (w, at) = (window(lp, float), window_at(lp, float));
                        let src = if info.kind == SaveKind::Flag {
                            quote!(#src as usize)
                        } else {
                            src
                        };
                        quote!(#w[#at + #m] = #src;)
                    }
                    SaveKind::Float => {
                        let t = tape_f();
                        quote!(#t.push(#src);)
                    }
                    SaveKind::Index => {
                        let t = tape_u();
                        quote!(#t.push(#src);)
                    }
                    SaveKind::Flag => {
                        let t = tape_u();
                        quote!(#t.push(#src as usize);)
                    }
                    SaveKind::Int => {
                        let t = lv(*sv);
                        quote!(#t.push(#src);)
                    }
                },
            });
        }
        out
    }

    /// A node of the forward sweep; the values it defines are added to `decls`, the
    /// declarations of its block.
    pub(crate) fn node(
        &self,
        node: &Node,
        my: usize,
        ord: &mut usize,
        decls: &mut Vec<Decl>,
    ) -> TokenStream {
        let code = match node {
            Node::Let(x, op) => match self.forward_def(*x, op) {
                Def::Bind(b) => {
                    let code = b.assign();
                    decls.extend(b.names);
                    code
                }
                Def::Code(t) => t,
            },
            Node::Call(c) => self.call_forward(c, my, decls),
            Node::Assign { var, value, decl } => {
                let (sv, vv) = (s(*var), v(*value));
                if *decl {
                    quote!(let mut #sv = #vv;)
                } else {
                    quote!(#sv = #vv;)
                }
            }
            Node::DeclVar(var) => {
                // A default keeps the definite-initialization check happy on paths that exit
                // early; every path that reads the variable has assigned it.
                let sv = s(*var);
                quote!(let mut #sv = ::core::default::Default::default();)
            }
            Node::Store {
                array,
                index,
                value,
            } => {
                let (a, i, x) = (self.array_ident(*array), v(*index), v(*value));
                if self.f.scalar_ref[array.0 as usize] {
                    return {
                        let mut out = quote!(*#a = #x;);
                        out.extend(self.store_saves(my));
                        out
                    };
                }
                // An index out of bounds panics at the user's line, as the plain function does.
                // Through a `#[track_caller]` helper: the generated array's name resolves at
                // the macro, and a panic located at such a token reports the attribute's line.
                let span = self.f.span(*value);
                quote_spanned!(span=> *::grad::__private::element(&mut #a[..], #i) = #x;)
            }
            Node::FieldStore { place, value } => {
                let at = self.place_expr(place, &|i| {
                    let vi = v(i);
                    quote!(#vi)
                });
                let x = v(*value);
                quote_spanned!(self.f.span(*value)=> #at = #x;)
            }
            Node::DeclArray(a, init) => {
                let name = self.array_ident(*a);
                match init {
                    ArrayInit::Repeat { fill, len } => {
                        let x = v(*fill);
                        quote!(let mut #name = [#x; #len];)
                    }
                    ArrayInit::Vec { fill, len } => {
                        let (x, l) = (v(*fill), v(*len));
                        let mut t = quote!(let mut #name = ::std::vec![#x; #l];);
                        if !self.graph && self.plan.act.array[a.0 as usize] {
                            let dname = da(*a);
                            let lit0 = crate::generic::lit("0.0");
                            t.extend(quote! {
                                if #dname.len() < #l {
                                    #dname.resize(#l, #lit0);
                                }
                            });
                        }
                        t
                    }
                }
            }
            Node::If { cond, then, els } => {
                let c = v(*cond);
                let t = self.region(then, ord);
                let e = self.region(els, ord);
                quote!(if #c { #t } else { #e })
            }
            Node::Loop { head, body, jump } => {
                // The body's block ends with the fused reverse, which reads its values.
                let (fused_init, fused_rev) = self.fused_parts(my);
                let body_units = self.region_units(body, ord);
                let counted = !self.graph && self.plan.node_saves.contains_key(&my);
                let counter = n(my);
                let (mut init, mut incr) = if counted {
                    (quote!(let mut #counter: usize = 0;), quote!(#counter += 1;))
                } else {
                    (TokenStream::new(), TokenStream::new())
                };
                let last = self.last_var(my).filter(|_| !self.graph);
                if let (Some(last), LoopHead::For { var, .. }) = (last, head) {
                    let x = v(*var);
                    init.extend(quote!(let mut #last = ::core::default::Default::default();));
                    incr.extend(quote!(#last = #x;));
                }
                let stacked = self.plan.loop_var_saves.get(&my).filter(|_| !self.graph);
                if let (Some(sv), LoopHead::For { var, .. }) = (stacked, head) {
                    let (stack, x) = (lv(*sv), v(*var));
                    incr.extend(quote!(#stack.push(#x);));
                }
                let exit = match jump {
                    Some(j) => {
                        let j = s(*j);
                        let (brk, cont) = (JUMP_BREAK, JUMP_CONTINUE);
                        quote! {
                            if #j != 0 {
                                if #j == #cont {
                                    #j = 0;
                                } else {
                                    if #j == #brk {
                                        #j = 0;
                                    }
                                    break;
                                }
                            }
                        }
                    }
                    None => TokenStream::new(),
                };
                let slots = self
                    .plan
                    .windows
                    .loops
                    .get(&my)
                    .copied()
                    .unwrap_or_default();
                let mut after = TokenStream::new();
                if let (Some(&(kf, ku)), LoopHead::For { iter, .. }, false) =
                    (self.plan.reserve.get(&my), head, self.graph)
                {
                    let (it, tf, tu) = (v(*iter), tape_f(), tape_u());
                    let hint = id("hint", my);
                    init.extend(quote!(let #hint = ::core::iter::Iterator::size_hint(&#it).0;));
                    // A stack the loop saves to by index grows below instead.
                    if kf > 0 && slots.floats == 0 {
                        init.extend(quote!(#tf.reserve(#hint.saturating_mul(#kf));));
                    }
                    if ku > 0 && slots.indices == 0 {
                        init.extend(quote!(#tu.reserve(#hint.saturating_mul(#ku));));
                    }
                }
                if let (LoopHead::For { iter, .. }, false) = (head, self.graph) {
                    let (float, rt) = (&self.f.float, rt());
                    for (k, is_float) in [(slots.floats, true), (slots.indices, false)] {
                        if k == 0 {
                            continue;
                        }
                        // Slots for every iteration of the range (the loop runs to its end),
                        // filled by index; the truncation after it keeps the stack exactly
                        // as the pushes would have left it whatever the iterator said.
                        let (it, w, at) = (v(*iter), window(my, is_float), window_at(my, is_float));
                        let (tape, base, next) = if is_float {
                            (tape_f(), id("wbf", my), id("wnf", my))
                        } else {
                            (tape_u(), id("wbu", my), id("wnu", my))
                        };
                        let zero = if is_float {
                            quote!(<#float as #rt::Float>::ZERO)
                        } else {
                            quote!(0usize)
                        };
                        init.extend(quote! {
                            let #base = #tape.len();
                            let mut #next: usize = 0;
                            let #w = #tape.grow(::core::iter::Iterator::size_hint(&#it).0.saturating_mul(#k), #zero);
                        });
                        incr.extend(quote!(let #at = #next; #next += #k;));
                        after.extend(quote!(#tape.truncate(#base + #next);));
                    }
                }
                let head = match head {
                    LoopHead::For { var, iter } => {
                        let (x, it) = (v(*var), v(*iter));
                        quote!(for #x in #it)
                    }
                    LoopHead::Forever => quote!(loop),
                };
                let b = self.join(body_units, quote!(#fused_rev #exit));
                let run = self.own_body(quote! {
                    #head {
                        #incr
                        #b
                    }
                });
                quote! {
                    #init
                    #fused_init
                    #run
                    #after
                }
            }
        };
        let mut out = code;
        if let Some(frozen) = self.plan.frozen_loops.get(&my).filter(|_| !self.graph) {
            // What the loop read, for its reverse (`freeze`): pushed before the node's own
            // saves, so popped after them, just before the reverse loop.
            let tf = tape_f();
            for a in frozen {
                let a = self.array_ident(*a);
                out.extend(quote!(#tf.push_slice(&#a[..]);));
            }
        }
        out.extend(self.store_saves(my));
        out
    }

    /// For a loop whose reverse runs in the forward sweep ([`crate::passes::fuse`]): the
    /// scratch adjoints declared before it, and the reverse of one iteration, run at the end of
    /// each iteration with the accumulator's adjoint at one and the adjoints from outside
    /// standing for their scratch copies.
    fn fused_parts(&self, my: usize) -> (TokenStream, TokenStream) {
        let Some(fl) = self.plan.fused_loops.get(&my).filter(|_| !self.graph) else {
            return (TokenStream::new(), TokenStream::new());
        };
        let (float, rt) = (&self.f.float, rt());
        let mut init = TokenStream::new();
        let mut enter = TokenStream::new();
        let mut leave = TokenStream::new();
        for a in &fl.scalars {
            let (real, scratch) = (self.adj(*a), fused_scalar(my, *a));
            let neg0 = crate::generic::lit("-0.0");
            init.extend(quote!(let mut #scratch: #float = #neg0;));
            enter.extend(quote!(let mut #real: #float = #scratch;));
            leave.extend(quote!(#scratch = #real;));
        }
        for a in &fl.arrays {
            if fl.direct {
                // Straight into the real adjoint (`FusedLoop::direct`).
                continue;
            }
            let (real, scratch) = (da(*a), fused_array(my, *a));
            let len = match &self.f.arrays[a.0 as usize].1 {
                ArrayKind::Fixed(n) => quote!(#n),
                _ => self.array_len(*a),
            };
            let buf = id("fzbuf", format!("{my}_{}", a.0));
            // Of exactly the array's length, as the real adjoint: bounds checks carry over.
            init.extend(quote! {
                let mut #buf = #rt::Scratch::<#float>::zeroed(#len);
                let #scratch: &mut [#float] = &mut #buf.as_mut_slice()[..#len];
            });
            enter.extend(quote!(let #real: &mut [#float] = &mut *#scratch;));
        }
        for &root in &fl.structs {
            // A scratch gradient of the struct; the body's places reach it through the
            // parameter's slot name, shadowed.
            let (scratch, slot) = (fused_struct(my, root), slot(root));
            let p = &self.f.params[root];
            if let ParamKind::Struct { ty, by_ref, .. } = &p.kind {
                let ident = &p.ident;
                let arg = if *by_ref {
                    quote!(#ident)
                } else {
                    quote!(&#ident)
                };
                let zero = super::zero_grad(ty, &arg);
                init.extend(quote! {
                    let mut #scratch = #zero;
                });
                enter.extend(quote!(let #slot = &mut #scratch;));
                if self.twin_tangents(root) {
                    // On duals, the tangent part gathers in a second scratch gradient.
                    let (scratch, slot) =
                        (place::fused_tangent(my, root), place::tangent_slot(root));
                    init.extend(quote! {
                        let mut #scratch = #zero;
                    });
                    enter.extend(quote!(let #slot = &mut #scratch;));
                }
            }
        }
        let acc = ds(fl.acc);
        self.in_fused.set(true);
        *self.fenced.borrow_mut() = super::reverse::fenced(&fl.body);
        let body = self.rev_list(&fl.body);
        self.in_fused.set(false);
        let (seed, _) = self.fused_seed(fl);
        let rev = quote! {
            {
                let mut #acc: #float = #seed;
                #enter
                #body
                #leave
            }
        };
        (init, rev)
    }

    /// A value of a fused `sin`/`cos` pair: both at the first, nothing at the second.
    fn sincos_def(&self, x: Value) -> Option<Def> {
        if self.plan.sincos_pairs.second.contains(&x) {
            return Some(Def::Code(TokenStream::new()));
        }
        let &(sin, cos) = self.plan.sincos_pairs.first.get(&x)?;
        let Some(Op::Prim { args, .. }) = self.defs.get(&x) else {
            return None;
        };
        let (rt, arg, span) = (rt(), v(args[0]), self.f.span(x));
        let names = [v(sin), v(cos), p(sin, 0), p(cos, 0)];
        Some(Def::Bind(Binding::new(
            names
                .map(|n| (n, Some(self.f.float.clone())))
                .into_iter()
                .collect(),
            quote_spanned!(span=> #rt::rules::sin_cos(#arg)),
            span,
        )))
    }

    /// A value's definition in the forward sweep: on the tape in `_graph`, a `sin`/`cos` pair
    /// at once, or by itself.
    fn forward_def(&self, x: Value, op: &Op) -> Def {
        if self.graph {
            return Def::Code(self.graph_let(x, op));
        }
        self.sincos_def(x).unwrap_or_else(|| self.def(x, op))
    }

    /// A value's definition as a statement of its own (`let v = ...;`): values the reverse
    /// sweep computes again.
    pub(crate) fn let_(&self, x: Value, op: &Op) -> TokenStream {
        self.def(x, op).into_let()
    }

    /// The names a value's definition binds and their expression, or its code where it takes
    /// more than one statement.
    fn def(&self, x: Value, op: &Op) -> Def {
        let span = self.f.span(x);
        let vx = v(x);
        let rt = rt();
        let float = self.f.float.clone();
        // The type is stated where it is known to be the float, as the user's `let c: f64 =
        // 4.0;` does, so methods on constants resolve.
        let ty = self.is_float(x).then(|| float.clone());
        let one = |value: TokenStream| {
            Def::Bind(Binding::new(vec![(vx.clone(), ty.clone())], value, span))
        };
        match op {
            Op::Param(i) => {
                let ident = &self.f.params[*i].ident;
                one(quote!(#ident))
            }
            Op::Const(t) if self.is_float(x) => one(crate::generic::lift_const(
                &float,
                quote_spanned!(span=> #t),
            )),
            Op::Const(t) => one(quote_spanned!(span=> #t)),
            Op::Copy(a) => {
                let a = v(*a);
                one(quote!(#a))
            }
            Op::Read(var) => {
                let sv = s(*var);
                one(quote!(#sv))
            }
            Op::Load(a, _) if self.f.scalar_ref[a.0 as usize] => {
                let a = self.array_ident(*a);
                one(quote!(*#a))
            }
            Op::Load(a, i) => {
                // A `const` array of the surrounding scope holds the original float type: in
                // a twin its elements are lifted, as a `const` scalar is.
                let outer = matches!(self.f.arrays[a.0 as usize].1, ArrayKind::Constant);
                let (a, i) = (self.array_ident_at(*a, span), v(*i));
                let load = quote_spanned!(span=> #a[#i]);
                if outer && self.is_float(x) {
                    return one(crate::generic::lift_const(&float, load));
                }
                one(load)
            }
            Op::Len(a) => one(self.array_len(*a)),
            Op::Field(p) => one(self.field_read(p, &|i| {
                let vi = v(i);
                quote_spanned!(span=> #vi)
            })),
            Op::FieldLen(p) => {
                let e = self.place_expr(p, &|i| {
                    let vi = v(i);
                    quote!(#vi)
                });
                one(quote_spanned!(span=> #e.len()))
            }
            Op::Plain(pl, args) => {
                let a: Vec<TokenStream> = args
                    .iter()
                    .map(|x| {
                        let x = v(*x);
                        quote!(#x)
                    })
                    .collect();
                if let (Plain::Cast(target), Some(original)) = (pl, crate::generic::twin()) {
                    // In a twin, a cast to the float type lifts the original cast's value; a
                    // cast of a float to an integer casts its `f64` value.
                    let a0 = &a[0];
                    if self.is_float(x) {
                        let cast = quote!((#a0) as #original);
                        return one(crate::generic::lift_const(&float, cast));
                    }
                    if args.first().is_some_and(|y| self.is_float(*y)) {
                        return one(quote!(::grad::__private::Float::to_f64(#a0) as #target));
                    }
                }
                // A plain helper of floats no derivative flows into (`lgamma(3.0)`): in a
                // twin, called on their values in the original float type, its float result
                // lifted.
                if let (Plain::Call(_) | Plain::Test(_), Some(original)) =
                    (pl, crate::generic::twin())
                {
                    let down: Vec<TokenStream> = args
                        .iter()
                        .zip(&a)
                        .map(|(y, t)| {
                            if self.is_float(*y) {
                                quote!(<#original as ::grad::__private::Float>::from_f64(
                                    ::grad::__private::Float::to_f64(#t)
                                ))
                            } else {
                                t.clone()
                            }
                        })
                        .collect();
                    let call = plain_expr(pl, &down);
                    if self.is_float(x) {
                        return one(crate::generic::lift_const(&float, call));
                    }
                    return one(call);
                }
                // A float computed from constants only (a plain helper `chain(K)`): the
                // original float type's value, lifted in a twin.
                if self.is_float(x) && !args.iter().any(|y| self.is_float(*y)) {
                    return one(crate::generic::lift_const(&float, plain_expr(pl, &a)));
                }
                one(plain_expr(pl, &a))
            }
            Op::Prim { prim, args, int } => {
                let a: Vec<Ident> = args.iter().map(|x| v(*x)).collect();
                let rule = Ident::new(prim.rule, span);
                let mut call_args: Vec<TokenStream> = a.iter().map(|i| quote!(#i)).collect();
                if let Some(k) = int {
                    let k = v(*k);
                    call_args.push(quote!(#k));
                }
                let scaled = self.scaled(prim, args);
                if self.active(x) {
                    let mut partials: Vec<Ident> = (0..args.len()).map(|k| p(x, k)).collect();
                    let call = match scaled {
                        // `rules::mul_by_const(a, c)`: the partials with respect to `a`, `c`.
                        Some(k) => {
                            let (a, c) = (&a[k], &a[1 - k]);
                            partials.swap(0, k);
                            quote_spanned!(span=> #rt::rules::mul_by_const(#a, #c))
                        }
                        None if matches!(prim.rule, "relu" | "sigmoid") => {
                            let probe = trait_probe(&rule, &a[0], span);
                            quote_spanned!(span=> { #probe #rt::rules::#rule(#(#call_args),*) })
                        }
                        None => quote_spanned!(span=> #rt::rules::#rule(#(#call_args),*)),
                    };
                    let names = std::iter::once(vx.clone())
                        .chain(partials)
                        .map(|n| (n, Some(float.clone())))
                        .collect();
                    return Def::Bind(Binding::new(names, call, span));
                }
                if let Some(k) = scaled {
                    let (a, c) = (&a[k], &a[1 - k]);
                    return one(quote_spanned!(span=> #rt::Float::mul_const(#a, #c)));
                }
                let e = match prim.syntax {
                    // `relu` and `sigmoid` are trait methods: call them by path so the
                    // trait need not be in scope.
                    _ if matches!(prim.rule, "relu" | "sigmoid") => {
                        let probe = trait_probe(&rule, &a[0], span);
                        quote_spanned!(span=> { #probe #rt::Real::#rule(#(#call_args),*) })
                    }
                    Syntax::Infix(sym) => {
                        let (l, r) = (&a[0], &a[1]);
                        let o: syn::BinOp = match sym {
                            "+" => syn::parse_quote_spanned!(span=> +),
                            "-" => syn::parse_quote_spanned!(span=> -),
                            "*" => syn::parse_quote_spanned!(span=> *),
                            _ => syn::parse_quote_spanned!(span=> /),
                        };
                        quote_spanned!(span=> #l #o #r)
                    }
                    Syntax::Neg => {
                        let l = &a[0];
                        quote_spanned!(span=> -#l)
                    }
                    Syntax::Method | Syntax::PowI => {
                        let (recv, rest) = (&call_args[0], &call_args[1..]);
                        quote_spanned!(span=> #recv.#rule(#(#rest),*))
                    }
                };
                one(e)
            }
            Op::Call {
                path,
                args,
                float: kinds,
            } => {
                let a: Vec<Ident> = args.iter().map(|y| v(*y)).collect();
                if let Some(original) = crate::generic::twin() {
                    if !kinds.contains(&ArgKind::Constant) {
                        return Def::Code(self.twin_call(x, path, &a, kinds, &original));
                    }
                }
                // Constants of unknown type, as a twin passes them.
                let passed: Vec<TokenStream> = a
                    .iter()
                    .zip(kinds)
                    .map(|(y, k)| match k {
                        ArgKind::Constant => crate::generic::twin_arg(&float, quote!(#y)),
                        _ => quote!(#y),
                    })
                    .collect();
                let path = &crate::generic::callee(path);
                if !self.active(x) {
                    return one(quote_spanned!(span=> #path(#(#passed),*)));
                }
                let gpath = companion_path(path);
                let call = quote_spanned!(span=> #gpath(#(#passed),*));
                if kinds.contains(&ArgKind::Constant) {
                    return Def::Code(self.bind_call(x, &vx, call, &a, kinds));
                }
                // As `bind_call` without constants, with the names declared ahead.
                let nf = kinds.iter().filter(|k| **k == ArgKind::Float).count();
                let names = std::iter::once((vx.clone(), ty.clone()))
                    .chain((0..nf).map(|k| (p(x, k), Some(float.clone()))))
                    .collect();
                let value = quote_spanned!(span=> #rt::companion::<#nf, _>(#call));
                Def::Bind(Binding::new(names, value, span))
            }
        }
    }
}

/// How a value is defined in the generated code.
pub(crate) enum Def {
    /// Names bound to one expression: declared ahead in the forward sweep.
    Bind(Binding),
    /// Statements of their own (a call whose partials are picked at run time).
    Code(TokenStream),
}

impl Def {
    /// The definition as statements of their own, declaring what they bind.
    pub(crate) fn into_let(self) -> TokenStream {
        match self {
            Def::Bind(b) => b.let_(),
            Def::Code(t) => t,
        }
    }
}

/// The slots a loop saves to by index on the float or the index stack
/// ([`crate::passes::window`]).
fn window(lp: usize, float: bool) -> Ident {
    id(if float { "wf" } else { "wu" }, lp)
}

/// The first slot of the current iteration.
fn window_at(lp: usize, float: bool) -> Ident {
    id(if float { "waf" } else { "wau" }, lp)
}

/// For `x.relu()` and `x.sigmoid()`, which the macro differentiates as `grad::Real`'s: the
/// same call with that trait in scope, in a closure never called. Where the user's own trait
/// with a method of that name is in scope too (a leaky `relu` of theirs, which the plain
/// function calls), rustc refuses it as ambiguous under the user's call, where the gradient
/// would otherwise be that of grad's `relu`.
fn trait_probe(rule: &Ident, x: &Ident, span: proc_macro2::Span) -> TokenStream {
    let rt = rt();
    quote_spanned! {span=>
        let _ = || {
            #[allow(unused_imports)]
            use #rt::Real as _;
            #x.#rule()
        };
    }
}
