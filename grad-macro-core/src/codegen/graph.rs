//! Tape mode: `<name>_graph(args)` runs the function's SSA form on the tape engine, one node
//! per value computed (loops unrolled for the run, the branch taken), labelled with the
//! user's names, and back-propagates, so the picture holds every value and its gradient.
//! The control flow is the forward sweep's ([`super::forward`]); only the values differ:
//! floats are handles to values recorded on the tape engine (`grad::__private::record`),
//! built from the same rules with their local partials.

use super::*;
use crate::adjoint::Plan;

/// The body of `<name>_graph`: returns the result's tape node after `backward()`, labelled
/// with the function's name when the source gives it none.
pub fn graph_body(f: &Function, plan: &Plan, name: &str) -> TokenStream {
    let g = Gen {
        f,
        plan,
        defs: f.defs(),
        graph: true,
        in_fused: Default::default(),
        fenced: Default::default(),
        sinks: Default::default(),
        pullback: false,
        closures: loops_in_closures(f),
        promoted: Default::default(),
        promotions: Default::default(),
    };
    let (rt, rec, rules) = (rt(), rec_path(), rules_path());
    let recording = id("recording", "");
    // Short local names for the runtime's modules: every node's code names one or both, and
    // the full paths were a third of `_graph`'s tokens (issue 16). `rules` only where a
    // primitive uses it: an unused import would warn in the user's crate.
    let has_prims = g.defs.values().any(|op| matches!(op, Op::Prim { .. }));
    let use_rules = has_prims.then(|| quote!(use #rt::rules as #rules;));
    let mut prologue = quote! {
        use #rt::record as #rec;
        #use_rules
        let #recording = #rec::Recording::start();
    };
    // Float slices and arrays become slices of labelled leaves, under the parameter's name.
    for p in &f.params {
        if let ParamKind::FloatArray { .. } = p.kind {
            let ident = &p.ident;
            let name = ident.to_string();
            // Hygienic names: a user's constant `x` or `i` would turn these into patterns.
            let (i, x, buf) = (id("i", ""), id("x", ""), id("leaves_", ident));
            prologue.extend(quote! {
                let #buf: ::std::vec::Vec<#rec::Node> = #ident
                    .iter()
                    .enumerate()
                    .map(|(#i, #x)| #rec::leaf(*#x, &::std::format!("{}[{}]", #name, #i)))
                    .collect();
                let #ident: &[#rec::Node] = &#buf;
            });
        }
    }
    let mut ord = 0;
    let forward = g.region_units(&f.body, &mut ord);
    let (result, root) = (v(f.result), id("root", ""));
    let items = &f.items;
    let forward = g.join(
        forward,
        quote! {
            let #root = #recording.finish(#result);
            if #root.label().is_empty() {
                #root.set_label(#name);
            }
            #root.backward();
            #root
        },
    );
    quote! {
        #(#items)*
        #prologue
        #forward
    }
}

/// The runtime's `record` module, by the local name `graph_body` gives it. Graph values are
/// [`grad_runtime::record::Node`] handles (`Copy`): the generated code borrows nothing, which
/// keeps the borrow checker's work linear in the function's size.
fn rec_path() -> Ident {
    id("rec", "")
}

/// The runtime's derivative rules, by the local name `graph_body` gives them.
fn rules_path() -> Ident {
    id("rules", "")
}

/// The `record` helper that applies a rule of `arity` float operands and records its node.
fn op_n(arity: usize) -> Option<Ident> {
    let name = match arity {
        1 => "op1",
        2 => "op2",
        3 => "op3",
        _ => return None,
    };
    Some(Ident::new(name, Span::call_site()))
}

impl Gen<'_> {
    /// `x` as an `f64` for a rule or a comparison: the data of a recorded value.
    fn data(&self, x: Value) -> TokenStream {
        let vx = v(x);
        if self.is_float(x) {
            let rec = rec_path();
            quote!(#rec::data(#vx))
        } else {
            quote!(#vx)
        }
    }

    /// Labels a new node with the user's name, where there is one.
    fn label(&self, x: Value) -> TokenStream {
        match &self.f.values[x.0 as usize].name {
            Some(name) => {
                let (vx, rec) = (v(x), rec_path());
                quote!(#rec::label(#vx, #name);)
            }
            None => TokenStream::new(),
        }
    }

    /// A node from a rule's result tuple and the float operands that are its parents.
    fn node_from(
        &self,
        x: Value,
        op_name: &str,
        call: TokenStream,
        operands: &[Value],
    ) -> TokenStream {
        let rec = rec_path();
        let vx = v(x);
        let out = id("out", x.0);
        let ps: Vec<Ident> = (0..operands.len()).map(|k| p(x, k)).collect();
        let parents = operands
            .iter()
            .zip(&ps)
            .filter(|(a, _)| self.is_float(**a))
            .map(|(a, pk)| {
                let va = v(*a);
                quote!((#va, #pk))
            });
        let label = self.label(x);
        quote! {
            let (#out, #(#ps),*) = #call;
            let #vx = #rec::op(#out, #op_name, [#(#parents),*]);
            #label
        }
    }

    pub(crate) fn graph_let(&self, x: Value, op: &Op) -> TokenStream {
        let span = self.f.span(x);
        let vx = v(x);
        let (rec, rules) = (rec_path(), rules_path());
        match op {
            Op::Param(i) => {
                let ident = &self.f.params[*i].ident;
                let name = ident.to_string();
                quote!(let #vx = #rec::leaf(#ident, #name);)
            }
            Op::Const(t) if self.is_float(x) => {
                quote_spanned!(span=> let #vx = #rec::constant(#t);)
            }
            Op::Const(t) => quote_spanned!(span=> let #vx = #t;),
            Op::Read(var) => {
                let sv = s(*var);
                quote!(let #vx = #sv;)
            }
            // An element of a `const` array of the surrounding scope: a constant node.
            Op::Load(arr, i)
                if self.is_float(x)
                    && matches!(self.f.arrays[arr.0 as usize].1, ArrayKind::Constant) =>
            {
                let (arr, i) = (self.array_ident(*arr), v(*i));
                quote_spanned!(span=> let #vx = #rec::constant(#arr[#i]);)
            }
            Op::Load(arr, i) => {
                let (arr, i) = (self.array_ident(*arr), v(*i));
                quote_spanned!(span=> let #vx = #arr[#i];)
            }
            Op::Copy(a) => {
                let va = v(*a);
                quote!(let #vx = #va;)
            }
            Op::Len(a) => {
                let a = self.array_ident(*a);
                quote!(let #vx = #a.len();)
            }
            // Functions with struct parameters have no `_graph`.
            Op::Field(_) | Op::FieldLen(_) => {
                quote!(::core::compile_error!("grad: internal error: a struct in a graph");)
            }
            Op::Plain(pl, args) => {
                let a: Vec<TokenStream> = args.iter().map(|y| self.data(*y)).collect();
                let e = plain_expr(pl, &a);
                if self.is_float(x) {
                    quote_spanned!(span=> let #vx = #rec::constant(#e);)
                } else {
                    quote_spanned!(span=> let #vx = #e;)
                }
            }
            Op::Prim { prim, args, int } => {
                let rule = Ident::new(prim.rule, span);
                let op_name = match prim.syntax {
                    Syntax::Infix(sym) => sym,
                    Syntax::Neg => "neg",
                    Syntax::Method | Syntax::PowI => prim.rule,
                };
                // Float operands only, one to three of them: one call of `record::op{n}`,
                // a quarter of the tokens of the general form below (issue 16).
                let compact = int.is_none() && args.iter().all(|a| self.is_float(*a));
                if let (true, Some(opn)) = (compact, op_n(args.len())) {
                    let vs = args.iter().map(|a| v(*a));
                    let label = self.label(x);
                    return quote_spanned! {span=>
                        let #vx = #rec::#opn(#rules::#rule, #op_name, #(#vs),*);
                        #label
                    };
                }
                let mut call_args: Vec<TokenStream> = args.iter().map(|y| self.data(*y)).collect();
                if let Some(k) = int {
                    let k = v(*k);
                    call_args.push(quote!(#k));
                }
                let call = quote_spanned!(span=> #rules::#rule(#(#call_args),*));
                self.node_from(x, op_name, call, args)
            }
            Op::Call { path, args, float } => {
                let data: Vec<TokenStream> = args.iter().map(|y| self.data(*y)).collect();
                let floats: Vec<Value> = args
                    .iter()
                    .zip(float)
                    .filter(|(_, k)| **k == ArgKind::Float)
                    .map(|(y, _)| *y)
                    .collect();
                if floats.is_empty() {
                    return quote_spanned!(span=> let #vx = #rec::constant(#path(#(#data),*)););
                }
                let gpath = companion_path(path);
                // Name the data of every argument so constant arguments can be inspected.
                let names: Vec<Ident> = args.iter().map(|y| id("arg", y.0)).collect();
                let call = quote_spanned!(span=> #gpath(#(#names),*));
                let out = id("out", x.0);
                let bind = self.bind_call(x, &out, call, &names, float);
                let parents = floats.iter().enumerate().map(|(k, y)| {
                    let (vy, pk) = (v(*y), p(x, k));
                    quote!((#vy, #pk))
                });
                let name = path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                let label = self.label(x);
                quote! {
                    #(let #names = #data;)*
                    #bind
                    let #vx = #rec::op(#out, #name, [#(#parents),*]);
                    #label
                }
            }
        }
    }
}
