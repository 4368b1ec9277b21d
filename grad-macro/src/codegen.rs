//! Code generation: the companion `<name>_grad` from the IR and the plan.
//!
//! Generated locals are `__grad_*` identifiers with mixed-site hygiene, so they can never
//! collide with the user's names; the runtime is reached by absolute paths through the `grad`
//! crate. Each instruction carries the span of the user's expression it comes from, so a type
//! error lands on the user's code.

use crate::adjoint::{Adj, Plan, Rev, Save, SaveKind, SaveSource, Storage, Trips, VarReplay};
use crate::ir::*;
use crate::lower::{JUMP_BREAK, JUMP_CONTINUE};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// The path through which generated code reaches the runtime.
fn rt() -> TokenStream {
    quote!(::grad::__private)
}

fn id(prefix: &str, n: impl std::fmt::Display) -> Ident {
    Ident::new(&format!("__grad_{prefix}{n}"), Span::mixed_site())
}

fn v(x: Value) -> Ident {
    id("v", x.0)
}
fn s(x: Var) -> Ident {
    id("s", x.0)
}
fn d(x: Value) -> Ident {
    id("d", x.0)
}
fn ds(x: Var) -> Ident {
    id("ds", x.0)
}
fn p(x: Value, k: usize) -> Ident {
    format_ident!("__grad_p{}_{}", x.0, k, span = Span::mixed_site())
}
fn h(x: Save) -> Ident {
    id("h", x.0)
}
fn r(x: Save) -> Ident {
    id("r", x.0)
}
fn da(x: Array) -> Ident {
    id("da", x.0)
}
fn n(ord: usize) -> Ident {
    id("n", ord)
}
fn lv(x: Save) -> Ident {
    id("lv", x.0)
}
fn tape_f() -> Ident {
    id("tape", "_f")
}
fn tape_u() -> Ident {
    id("tape", "_u")
}

/// Generates the body of the companion: forward sweep, reverse sweep, returned tuple.
pub fn grad_body(f: &Function, plan: &Plan) -> TokenStream {
    let g = Gen {
        f,
        plan,
        defs: f.defs(),
    };
    let float = &f.float;
    let rt = rt();

    let mut prologue = TokenStream::new();
    for (i, info) in plan.saves.iter().enumerate() {
        if info.storage == Storage::Hoisted {
            let name = h(Save(i as u32));
            prologue.extend(match info.kind {
                SaveKind::Float => quote!(let mut #name: #float = 0.0;),
                SaveKind::Index => quote!(let mut #name: usize = 0;),
                SaveKind::Flag => quote!(let mut #name: bool = false;),
                SaveKind::Int => quote!(let mut #name = ::core::default::Default::default();),
            });
        }
        // Integers of the user's types get a stack each (its item type is inferred).
        if info.storage == Storage::Stack && info.kind == SaveKind::Int {
            let name = lv(Save(i as u32));
            prologue.extend(quote!(let mut #name = #rt::Stack::new();));
        }
    }
    if plan.uses_stack(true) {
        let t = tape_f();
        prologue.extend(quote!(let mut #t = #rt::Tape::<#float>::take();));
    }
    if plan.uses_stack(false) {
        let t = tape_u();
        prologue.extend(quote!(let mut #t = #rt::Tape::<usize>::take();));
    }
    // Adjoints of arrays: parameters, then local arrays (hoisted, zeroed after each use).
    for (i, (_, kind)) in f.arrays.iter().enumerate() {
        let a = Array(i as u32);
        if !plan.act.array[i] && !g.is_wrt_array(a) {
            continue;
        }
        let name = da(a);
        prologue.extend(match kind {
            ArrayKind::Slice => {
                // The adjoint is used through a slice of exactly the parameter's length, so
                // the optimizer knows an index checked against one is in bounds for the other.
                let (p, buf) = (g.array_ident(a), id("buf", a.0));
                quote! {
                    let mut #buf: ::std::vec::Vec<#float> = ::std::vec![0.0; #p.len()];
                    let #name: &mut [#float] = &mut #buf[..#p.len()];
                }
            }
            ArrayKind::Fixed(len) => quote!(let mut #name: [#float; #len] = [0.0; #len];),
            ArrayKind::Vec => {
                quote!(let mut #name: ::std::vec::Vec<#float> = ::std::vec::Vec::new();)
            }
            ArrayKind::Constant => TokenStream::new(),
        });
    }

    let mut ord = 0;
    let forward = g.region(&f.body, &mut ord);
    let reverse = g.rev_list(&plan.reverse);

    let result = v(f.result);
    let mut grads = Vec::new();
    for p in &f.params {
        if !p.wrt {
            continue;
        }
        grads.push(match &p.kind {
            ParamKind::Scalar(x) if plan.act.value[x.0 as usize] => {
                // `+ 0.0` turns an untouched -0.0 adjoint into +0.0 and changes nothing else.
                let dx = d(*x);
                quote!(#dx + 0.0)
            }
            ParamKind::Scalar(_) => quote!(0.0),
            ParamKind::FloatArray { array } => match &f.arrays[array.0 as usize].1 {
                ArrayKind::Slice => {
                    let buf = id("buf", array.0);
                    quote!(#buf)
                }
                _ => {
                    let dx = da(*array);
                    quote!(#dx)
                }
            },
            ParamKind::Constant => continue,
        });
    }
    quote! {
        #prologue
        #forward
        #reverse
        (#result, #(#grads),*)
    }
}

struct Gen<'a> {
    f: &'a Function,
    plan: &'a Plan,
    defs: std::collections::HashMap<Value, &'a Op>,
}

impl Gen<'_> {
    fn is_wrt_array(&self, a: Array) -> bool {
        self.f
            .params
            .iter()
            .any(|p| p.wrt && matches!(&p.kind, ParamKind::FloatArray { array, .. } if *array == a))
    }

    /// The forward name of an array: the parameter, or the local.
    fn array_ident(&self, a: Array) -> TokenStream {
        match &self.f.array_param[a.0 as usize] {
            Some(i) => quote!(#i),
            None => {
                let name = id("a", a.0);
                quote!(#name)
            }
        }
    }

    fn active(&self, x: Value) -> bool {
        self.plan.act.value[x.0 as usize]
    }

    fn region(&self, region: &Region, ord: &mut usize) -> TokenStream {
        let mut out = TokenStream::new();
        for node in &region.nodes {
            let my = *ord;
            *ord += 1;
            out.extend(self.node(node, my, ord));
        }
        out
    }

    /// The forward code that stores a node's saves (after the node itself).
    fn store_saves(&self, my: usize) -> TokenStream {
        let mut out = TokenStream::new();
        let Some(saves) = self.plan.node_saves.get(&my) else {
            return out;
        };
        for sv in saves {
            let info = self.plan.save(*sv);
            if matches!(info.source, SaveSource::LoopVar(_)) {
                continue;
            }
            let src = self.forward_name(&info.source);
            out.extend(match info.storage {
                Storage::Local | Storage::Replayed | Storage::Constant => TokenStream::new(),
                Storage::Hoisted => {
                    let name = h(*sv);
                    quote!(#name = #src;)
                }
                Storage::Stack => match info.kind {
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

    fn node(&self, node: &Node, my: usize, ord: &mut usize) -> TokenStream {
        let code = match node {
            Node::Let(x, op) => self.let_(*x, op),
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
                quote!(#a[#i] = #x;)
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
                        if self.plan.act.array[a.0 as usize] {
                            let dname = da(*a);
                            t.extend(quote! {
                                if #dname.len() < #l {
                                    #dname.resize(#l, 0.0);
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
                let b = self.region(body, ord);
                let counted = self.plan.node_saves.contains_key(&my);
                let counter = n(my);
                let (mut init, mut incr) = if counted {
                    (quote!(let mut #counter: usize = 0;), quote!(#counter += 1;))
                } else {
                    (TokenStream::new(), TokenStream::new())
                };
                if let (Some(last), LoopHead::For { var, .. }) = (self.last_var(my), head) {
                    let x = v(*var);
                    init.extend(quote!(let mut #last = ::core::default::Default::default();));
                    incr.extend(quote!(#last = #x;));
                }
                if let (Some(sv), LoopHead::For { var, .. }) =
                    (self.plan.loop_var_saves.get(&my), head)
                {
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
                let head = match head {
                    LoopHead::For { var, iter } => {
                        let (x, it) = (v(*var), v(*iter));
                        quote!(for #x in #it)
                    }
                    LoopHead::Forever => quote!(loop),
                };
                quote! {
                    #init
                    #head {
                        #incr
                        #b
                        #exit
                    }
                }
            }
        };
        let mut out = code;
        out.extend(self.store_saves(my));
        out
    }

    fn let_(&self, x: Value, op: &Op) -> TokenStream {
        let span = self.f.span(x);
        let vx = v(x);
        let rt = rt();
        match op {
            Op::Param(i) => {
                let ident = &self.f.params[*i].ident;
                quote!(let #vx = #ident;)
            }
            Op::Const(t) if self.f.value_ty[x.0 as usize] == Ty::Float => {
                // The float type is stated, as the user's `let c: f64 = 4.0;` does, so methods
                // on constants resolve.
                let float = &self.f.float;
                quote_spanned!(span=> let #vx: #float = #t;)
            }
            Op::Const(t) => quote_spanned!(span=> let #vx = #t;),
            Op::Copy(a) => {
                let a = v(*a);
                quote!(let #vx = #a;)
            }
            Op::Read(var) => {
                let sv = s(*var);
                quote!(let #vx = #sv;)
            }
            Op::Load(a, i) => {
                let (a, i) = (self.array_ident(*a), v(*i));
                quote_spanned!(span=> let #vx = #a[#i];)
            }
            Op::Len(a) => {
                let a = self.array_ident(*a);
                quote!(let #vx = #a.len();)
            }
            Op::Plain(pl, args) => {
                let a: Vec<Ident> = args.iter().map(|x| v(*x)).collect();
                let e = match pl {
                    Plain::Binary(o) => {
                        let (l, r) = (&a[0], &a[1]);
                        quote!(#l #o #r)
                    }
                    Plain::Unary(o) => {
                        let l = &a[0];
                        quote!(#o #l)
                    }
                    Plain::Cast(t) => {
                        let l = &a[0];
                        quote!(#l as #t)
                    }
                    Plain::Method(m) => {
                        let (recv, rest) = (&a[0], &a[1..]);
                        quote!(#recv.#m(#(#rest),*))
                    }
                    Plain::Range { inclusive } => {
                        let (l, r) = (&a[0], &a[1]);
                        if *inclusive {
                            quote!(#l..=#r)
                        } else {
                            quote!(#l..#r)
                        }
                    }
                };
                quote_spanned!(span=> let #vx = #e;)
            }
            Op::Prim { prim, args, int } => {
                let a: Vec<Ident> = args.iter().map(|x| v(*x)).collect();
                let rule = Ident::new(prim.rule, span);
                let mut call_args: Vec<TokenStream> = a.iter().map(|i| quote!(#i)).collect();
                if let Some(k) = int {
                    let k = v(*k);
                    call_args.push(quote!(#k));
                }
                if self.active(x) {
                    let ps: Vec<Ident> = (0..args.len()).map(|k| p(x, k)).collect();
                    quote_spanned!(span=> let (#vx, #(#ps),*) = #rt::rules::#rule(#(#call_args),*);)
                } else {
                    let e = match prim.syntax {
                        // `relu` and `sigmoid` are trait methods: call them by path so the
                        // trait need not be in scope.
                        _ if matches!(prim.rule, "relu" | "sigmoid") => {
                            quote_spanned!(span=> #rt::Real::#rule(#(#call_args),*))
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
                    quote_spanned!(span=> let #vx = #e;)
                }
            }
            Op::Call { path, args, float } => {
                let a: Vec<Ident> = args.iter().map(|x| v(*x)).collect();
                if self.active(x) {
                    let mut gpath = path.clone();
                    if let Some(last) = gpath.segments.last_mut() {
                        last.ident = format_ident!(
                            "{}{}",
                            last.ident,
                            crate::symbol::GRAD_SUFFIX,
                            span = last.ident.span()
                        );
                    }
                    let nf = float.iter().filter(|f| **f == ArgKind::Float).count();
                    let ps: Vec<Ident> = (0..nf).map(|k| p(x, k)).collect();
                    if !float.contains(&ArgKind::Constant) {
                        return quote_spanned!(span=>
                            let (#vx, #(#ps),*) = #rt::companion::<#nf, _>(#gpath(#(#a),*));
                        );
                    }
                    // Some arguments are constants of types only rustc knows: the position of
                    // each float argument's partial is counted at run time (folded away).
                    let (r, k) = (id("r", x.0), id("k", x.0));
                    let mut picks = TokenStream::new();
                    let mut next = 0;
                    for (arg, kind) in a.iter().zip(float) {
                        picks.extend(match kind {
                            ArgKind::Float => {
                                let pj = p(x, next);
                                next += 1;
                                quote!(let #pj = #r[#k]; #k += 1;)
                            }
                            ArgKind::Constant => {
                                quote!(if #rt::is_float(&#arg) { #k += 1; })
                            }
                            ArgKind::NotFloat => TokenStream::new(),
                        });
                    }
                    quote_spanned!(span=>
                        let #r = #rt::IntoPartials::into_partials(#gpath(#(#a),*));
                        let mut #k = 1usize;
                        #picks
                        let #vx = #r[0];
                    )
                } else {
                    quote_spanned!(span=> let #vx = #path(#(#a),*);)
                }
            }
        }
    }

    // ----- reverse ---------------------------------------------------------------------------

    /// The local holding the last value of the loop variable, for loops whose reverse steps
    /// back from it.
    fn last_var(&self, ord: usize) -> Option<Ident> {
        let saves = self.plan.node_saves.get(&ord)?;
        saves
            .iter()
            .any(|s| matches!(self.plan.save(*s).source, SaveSource::LastVar(_)))
            .then(|| id("last", ord))
    }

    /// The forward sweep's name for a saved quantity (in scope where it is computed).
    fn forward_name(&self, source: &SaveSource) -> TokenStream {
        match source {
            SaveSource::Partial(x, k) => {
                let pk = p(*x, *k);
                quote!(#pk)
            }
            SaveSource::IndexOf(x) | SaveSource::Cond(x) | SaveSource::LoopVar(x) => {
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
    fn saved(&self, sv: Save) -> TokenStream {
        let info = self.plan.save(sv);
        match info.storage {
            Storage::Local | Storage::Replayed => self.forward_name(&info.source),
            Storage::Constant => self.constant_partial(&info.source),
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

    /// A partial that does not depend on the operands: the rule evaluated at zero.
    fn constant_partial(&self, source: &SaveSource) -> TokenStream {
        let prim = match source {
            SaveSource::Partial(x, k) => match self.defs.get(x) {
                Some(Op::Prim { prim, .. }) => Some((prim, *k)),
                _ => None,
            },
            _ => None,
        };
        let Some((prim, k)) = prim else {
            return quote!(::core::unreachable!());
        };
        let rt = rt();
        let float = &self.f.float;
        let rule = Ident::new(prim.rule, Span::call_site());
        let zeros = (0..prim.arity).map(|_| quote!(0.0));
        let field = syn::Index::from(k + 1);
        quote!(#rt::rules::#rule::<#float>(#(#zeros),*).#field)
    }

    fn adj(&self, a: Adj) -> TokenStream {
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
                let (name, i) = (da(arr), self.saved(i));
                quote!(#name[#i])
            }
        }
    }

    fn rev_list(&self, list: &[Rev]) -> TokenStream {
        let float = &self.f.float;
        let mut out = TokenStream::new();
        for step in list {
            out.extend(match step {
                Rev::Zero(a) => {
                    let name = self.adj(*a);
                    // -0.0 is the additive identity (-0.0 + x == x for every x, +0.0 included),
                    // so the first `+=` into an adjoint folds away.
                    quote!(let mut #name: #float = -0.0;)
                }
                Rev::Seed(x) => {
                    let dx = d(*x);
                    quote!(#dx = 1.0;)
                }
                Rev::Restore(sv) => {
                    let info = self.plan.save(*sv);
                    if info.storage != Storage::Stack {
                        continue;
                    }
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
                Rev::Acc { to, from, by } => {
                    let (to, from) = (self.adj(*to), self.adj(*from));
                    match by {
                        Some(sv) => {
                            let by = self.saved(*sv);
                            quote!(#to += #from * #by;)
                        }
                        None => quote!(#to += #from;),
                    }
                }
                Rev::Reset(a) => {
                    let a = self.adj(*a);
                    quote!(#a = 0.0;)
                }
                Rev::AccSum { to, array } => {
                    let (to, a) = (d(*to), da(*array));
                    quote!(for __grad_e in #a.iter() { #to += *__grad_e; })
                }
                Rev::ResetArray(array) => {
                    let a = da(*array);
                    quote!(for __grad_e in #a.iter_mut() { *__grad_e = 0.0; })
                }
                Rev::If { flag, then, els } => {
                    let (f, t, e) = (self.saved(*flag), self.rev_list(then), self.rev_list(els));
                    quote!(if #f { #t } else { #e })
                }
                Rev::Loop {
                    trips,
                    var,
                    replay,
                    body,
                } => {
                    let b = self.rev_list(body);
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
                    match trips {
                        Trips::Count(count) => {
                            let c = self.saved(*count);
                            quote!(#before for #k in 0..#c { #each #replay #b })
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
                            quote!({ #rebuild for #x in #it.rev() { #replay #b } })
                        }
                    }
                }
            });
        }
        out
    }
}
