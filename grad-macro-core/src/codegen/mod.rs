//! Code generation: the companion `<name>_grad` from the IR and the plan.
//!
//! Generated locals are `__grad_*` identifiers with mixed-site hygiene, so they can never
//! collide with the user's names; the runtime is reached by absolute paths through the `grad`
//! crate. Each instruction carries the span of the user's expression it comes from, so a type
//! error lands on the user's code.
//!
//! [`forward`] emits the forward sweep (also used, in tape mode, for `<name>_graph`),
//! [`reverse`] the reverse sweep.
//!
//! Two choices keep rustc's work linear in the function's size: locals are declared in groups
//! ([`declare`]), and every loop runs in a closure called on the spot ([`own_body`]).

use crate::adjoint::{Adj, Plan, Rev, Save, SaveKind, SaveSource, Storage, Trips, VarReplay};
use crate::ir::*;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

mod call;
mod declare;
mod forward;
mod graph;
pub(crate) mod place;
mod promote;
mod reads;
mod reverse;
mod scaled;
mod segment;
mod twin_call;
mod twin_place;

pub use segment::DEFAULT as DEFAULT_SEGMENT;

/// Whether a function body of `weight` IR steps is split into segments of `size`.
pub fn is_split(weight: usize, size: usize) -> bool {
    weight > segment::split_above(size)
}

pub use graph::graph_body;

/// Whether the body calls a function through its pullback (then it has no `_graph`: the
/// tape engine has no node for a call that passes arrays).
pub fn has_pullback_calls(r: &Region) -> bool {
    r.nodes.iter().any(|n| match n {
        Node::Call(_) => true,
        Node::If { then, els, .. } => has_pullback_calls(then) || has_pullback_calls(els),
        Node::Loop { body, .. } => has_pullback_calls(body),
        _ => false,
    })
}

/// `path` with its last segment renamed to the companion: `physics::step` → `physics::step_grad`.
pub(crate) fn companion_path(path: &syn::Path) -> syn::Path {
    suffixed(path, crate::symbol::GRAD_SUFFIX)
}

/// `path` with `suffix` added to its last segment: `physics::step` → `physics::step_hvp`.
pub(crate) fn suffixed(path: &syn::Path, suffix: &str) -> syn::Path {
    let mut p = path.clone();
    if let Some(last) = p.segments.last_mut() {
        last.ident = format_ident!("{}{}", last.ident, suffix, span = last.ident.span());
    }
    p
}

/// The path through which generated code reaches the runtime.
pub(crate) fn rt() -> TokenStream {
    quote!(::grad::__private)
}

/// The starting value of a struct parameter's gradient of type `ty`, from the parameter's
/// value `arg` (a `&S`; for rows, a `&[T]` and a `Vec<T>`). Written `<S as
/// Differentiable>::zero_like` where it can be: a type without the trait is then rustc's error
/// under the parameter's type, with the trait's own message.
pub(crate) fn zero_grad(ty: &syn::Type, arg: &TokenStream) -> TokenStream {
    let rt = rt();
    if crate::parse::is_rows_grad(ty) {
        quote!(#rt::zero_grad::<#ty, _>(#arg))
    } else {
        quote!(<#ty as #rt::Differentiable>::zero_like(#arg))
    }
}

/// `restore_constants` of the gradient `owned` (of type `ty`) from the parameter's value.
pub(crate) fn restore_grad(
    ty: &syn::Type,
    owned: &TokenStream,
    primal: &TokenStream,
) -> TokenStream {
    let rt = rt();
    if crate::parse::is_rows_grad(ty) {
        quote!(#rt::restore_grad::<#ty, _>(#owned, #primal);)
    } else {
        quote!(<#ty as #rt::Differentiable>::restore_constants(#owned, #primal);)
    }
}

/// The number of floats of a struct parameter's value `arg` whose gradient is a `ty`.
pub(crate) fn primal_count(ty: &syn::Type, arg: &TokenStream) -> TokenStream {
    let rt = rt();
    if crate::parse::is_rows_grad(ty) {
        quote!(#rt::primal_count::<#ty, _>(#arg))
    } else {
        quote!(<#ty as #rt::Differentiable>::param_count(#arg))
    }
}

pub(crate) fn id(prefix: &str, n: impl std::fmt::Display) -> Ident {
    Ident::new(&format!("__grad_{prefix}{n}"), Span::mixed_site())
}

pub(crate) fn v(x: Value) -> Ident {
    id("v", x.0)
}
pub(crate) fn s(x: Var) -> Ident {
    id("s", x.0)
}
pub(crate) fn d(x: Value) -> Ident {
    id("d", x.0)
}
pub(crate) fn ds(x: Var) -> Ident {
    id("ds", x.0)
}
pub(crate) fn p(x: Value, k: usize) -> Ident {
    format_ident!("__grad_p{}_{}", x.0, k, span = Span::mixed_site())
}
pub(crate) fn h(x: Save) -> Ident {
    id("h", x.0)
}
pub(crate) fn r(x: Save) -> Ident {
    id("r", x.0)
}
pub(crate) fn da(x: Array) -> Ident {
    id("da", x.0)
}
pub(crate) fn n(ord: usize) -> Ident {
    id("n", ord)
}
pub(crate) fn lv(x: Save) -> Ident {
    id("lv", x.0)
}
/// A non-differentiated operation on its operands (plain values, or the tape's `data()`).
pub(crate) fn plain_expr(pl: &Plain, a: &[TokenStream]) -> TokenStream {
    match pl {
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
        Plain::TotalCmp(m) => {
            let (l, r) = (&a[0], &a[1]);
            quote!(#l.total_cmp(&#r).#m())
        }
        Plain::Range { inclusive } => {
            let (l, r) = (&a[0], &a[1]);
            if *inclusive {
                quote!(#l..=#r)
            } else {
                quote!(#l..#r)
            }
        }
        Plain::Call(path) | Plain::Test(path) => quote!(#path(#(#a),*)),
        Plain::Field(m) => {
            let x = &a[0];
            quote!(#x.#m)
        }
        Plain::Matches(pat, true) => matches(quote!((#(#a,)*)), pat),
        Plain::Matches(pat, false) => matches(a[0].clone(), pat),
    }
}

/// `matches!(x, pat)`, for an arm's pattern `pat` (a `match` lowered to tests). The only name
/// an accepted pattern may bind is the whole value's ([`crate::lower::binding_name`]:
/// parts that bind are refused); its guard is lowered apart, so the name would be unused here:
/// it is passed to `grad::__private::used` (no `#[allow]`: a crate may `forbid` the lint).
pub(crate) fn matches(x: TokenStream, pat: &syn::Pat) -> TokenStream {
    match crate::lower::binding_name(pat) {
        Some(name) => {
            let rt = rt();
            quote!(::core::matches!(#x, #pat if #rt::used(&#name)))
        }
        None => quote!(::core::matches!(#x, #pat)),
    }
}

/// Whether `f`'s loops run in closures ([`Gen::own_body`]): above 1,200 IR steps, the same
/// bound as [`is_split`] at the default segment size.
pub(crate) fn loops_in_closures(f: &Function) -> bool {
    f.body.weight() > segment::split_above(DEFAULT_SEGMENT)
}

impl Gen<'_> {
    /// A loop, run in a closure called on the spot when the function is large.
    ///
    /// rustc's borrow checker solves its dataflow problems over a whole function body. Once
    /// the body has a cycle, each pass over it costs (places × blocks): quadratic in a long
    /// function (a 5,000-statement companion with a loop every ten statements took 18 s to
    /// check, 10,000 took 123 s). A loop in a closure is a body of its own, so the function's
    /// body stays acyclic and is checked in one pass; each closure is checked over its own
    /// few places.
    ///
    /// A small function's loops stay in its body: the closure reaches the variables the loop
    /// carries through references, and where LLVM does not inline it (a twin called from
    /// several places) every iteration stores and reloads them (a quarter of the samples of
    /// Rosenbrock's `_jvp` sat on that store and reload; without the closure it ran 3-5%
    /// faster).
    pub(crate) fn own_body(&self, code: TokenStream) -> TokenStream {
        if self.closures {
            quote!((|| { #code })();)
        } else {
            quote!({ #code })
        }
    }
}

/// The scratch copy, for the fused loop at `ord`, of an adjoint from outside it.
pub(crate) fn fused_scalar(ord: usize, a: Adj) -> Ident {
    match a {
        Adj::Value(x) => id("fd", format!("{ord}_{}", x.0)),
        Adj::Var(x) => id("fds", format!("{ord}_{}", x.0)),
        Adj::Elem(x, _) => fused_array(ord, x),
        // Never fused (see `passes::fuse`).
        Adj::Field(k) => id("fieldnotfused", k),
    }
}

/// The scratch gradient, for the fused loop at `ord`, of struct parameter `root`.
pub(crate) fn fused_struct(ord: usize, root: usize) -> Ident {
    id("fzs", format!("{ord}_{root}"))
}

/// The scratch adjoint, for the fused loop at `ord`, of an array from outside it.
pub(crate) fn fused_array(ord: usize, a: Array) -> Ident {
    id("fz", format!("{ord}_{}", a.0))
}

pub(crate) fn tape_f() -> Ident {
    id("tape", "_f")
}
pub(crate) fn tape_u() -> Ident {
    id("tape", "_u")
}

/// The adjoint slot of parameter `i` in a pullback's signature.
pub(crate) fn slot(i: usize) -> Ident {
    id("dp", i)
}

/// The adjoint of the result, in a pullback's signature.
pub(crate) fn dout() -> Ident {
    id("dout", "")
}

/// Generates the body of the companion: forward sweep, reverse sweep, returned tuple.
pub fn grad_body(f: &Function, plan: &Plan) -> TokenStream {
    body(f, plan, false)
}

/// Generates the body of the pullback `<name>_pullback(args..., d_out, slots...)`: the
/// forward sweep, the reverse sweep from `d_out` (a float, or a slice for an array result),
/// adding into the slots (for a `&mut` parameter, the slot holds the adjoint of its final
/// values on entry and of its initial values on return), and the value.
pub fn pullback_body(f: &Function, plan: &Plan) -> TokenStream {
    body(f, plan, true)
}

fn body(f: &Function, plan: &Plan, pullback: bool) -> TokenStream {
    let g = Gen {
        f,
        plan,
        defs: f.defs(),
        graph: false,
        in_fused: Default::default(),
        fenced: Default::default(),
        sinks: Default::default(),
        pullback,
        closures: loops_in_closures(f),
        promoted: Default::default(),
        promotions: Default::default(),
    };
    let float = &f.float;
    let rt = rt();

    let lit0 = crate::generic::lit("0.0");
    let mut prologue = g.twin_structs();
    for (i, info) in plan.saves.iter().enumerate() {
        if info.storage == Storage::Hoisted {
            let name = h(Save(i as u32));
            prologue.extend(match info.kind {
                SaveKind::Float => quote!(let mut #name: #float = #lit0;),
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
    for &(ord, k) in &plan.place_snaps {
        let stack = call::place_snaps(ord, k);
        prologue.extend(quote!(let mut #stack = ::std::vec::Vec::new();));
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
        let param = f
            .params
            .iter()
            .position(|p| matches!(&p.kind, ParamKind::FloatArray { array } if *array == a));
        if let (true, Some(i)) = (pullback, param) {
            // The caller's adjoint, added into in place.
            let (sl, p) = (slot(i), g.array_ident(a));
            prologue.extend(if f.scalar_ref[a.0 as usize] {
                quote!(let #name: &mut [#float] = ::core::slice::from_mut(#sl);)
            } else {
                quote! {
                    ::core::assert_eq!(#sl.len(), #p.len(), "grad: an adjoint slot of the wrong length");
                    let #name: &mut [#float] = #sl;
                }
            });
            continue;
        }
        prologue.extend(match kind {
            ArrayKind::Slice => {
                // The adjoint is used through a slice of exactly the parameter's length, so
                // the optimizer knows an index checked against one is in bounds for the other.
                let (p, buf) = (g.array_ident(a), id("buf", a.0));
                quote! {
                    let mut #buf: ::std::vec::Vec<#float> = ::std::vec![#lit0; #p.len()];
                    let #name: &mut [#float] = &mut #buf[..#p.len()];
                }
            }
            ArrayKind::Fixed(len) => quote!(let mut #name: [#float; #len] = [#lit0; #len];),
            // Grown where the array is created; recycled per thread, so a `vec!` local or an
            // array a call returns allocates nothing per call in steady state.
            ArrayKind::Vec => quote!(let mut #name = #rt::Scratch::<#float>::zeroed(0);),
            ArrayKind::Constant => TokenStream::new(),
        });
    }

    if !pullback {
        prologue.extend(g.struct_gradients());
    }
    let mut ord = 0;
    let mut sweeps = g.region_units(&f.body, &mut ord);
    let reverse = g.rev_units(&plan.reverse);
    if pullback {
        return g.pullback_tail(prologue, sweeps, reverse);
    }
    sweeps.extend(reverse);

    let result = v(f.result);
    let mut grads = Vec::new();
    for (i, p) in f.params.iter().enumerate() {
        if !p.wrt {
            continue;
        }
        grads.push(match &p.kind {
            ParamKind::Scalar(x) if plan.act.value[x.0 as usize] => {
                // `+ 0.0` turns an untouched -0.0 adjoint into +0.0 and changes nothing else.
                let dx = d(*x);
                quote!(#dx + #lit0)
            }
            ParamKind::Scalar(_) => quote!(#lit0),
            ParamKind::FloatArray { array } => match &f.arrays[array.0 as usize].1 {
                ArrayKind::Slice => {
                    let buf = id("buf", array.0);
                    quote!(#buf)
                }
                _ if f.scalar_ref[array.0 as usize] => {
                    let dx = da(*array);
                    quote!(#dx[0])
                }
                _ => {
                    let dx = da(*array);
                    quote!(#dx)
                }
            },
            ParamKind::Struct { ty, by_ref, .. } => {
                let (owned, ident) = (place::owned(i), &p.ident);
                let primal = if *by_ref {
                    quote!(#ident)
                } else {
                    quote!(&#ident)
                };
                let restore = restore_grad(ty, &quote!(&mut #owned), &primal);
                quote!({
                    #restore
                    #owned
                })
            }
            ParamKind::Constant => continue,
        });
    }
    // The gradient twin returns the Hessian-vector products of struct parameters last.
    for (i, p) in f.params.iter().enumerate() {
        if let (true, true, ParamKind::Struct { ty, by_ref, .. }) =
            (g.twin_tangents(i), p.wrt, &p.kind)
        {
            let (owned, ident) = (place::owned_tangent(i), &p.ident);
            let primal = if *by_ref {
                quote!(#ident)
            } else {
                quote!(&#ident)
            };
            let restore = restore_grad(ty, &quote!(&mut #owned), &primal);
            grads.push(quote!({
                #restore
                #owned
            }));
        }
    }
    let items = &f.items;
    let sweeps = g.join(sweeps, quote!((#result, #(#grads),*)));
    let sinks = g.sinks();
    quote! {
        #(#items)*
        #prologue
        #sinks
        #sweeps
    }
}

pub(crate) struct Gen<'a> {
    pub f: &'a Function,
    pub plan: &'a Plan,
    pub defs: std::collections::HashMap<Value, &'a Op>,
    /// Tape mode: floats are `grad::tape::Value`s and the code builds a graph (`_graph`).
    pub graph: bool,
    /// Set while the reverse of a fused loop's body is generated.
    pub in_fused: std::cell::Cell<bool>,
    /// The arrays whose updates in that body are fenced ([`reverse::fenced`]).
    pub fenced: std::cell::RefCell<std::collections::HashSet<Array>>,
    /// The argument positions whose sinks the code uses ([`call::sink`]).
    pub sinks: std::cell::RefCell<std::collections::BTreeSet<usize>>,
    /// Generating a pullback: the reverse sweep starts from `d_out` and adds into slots.
    pub pullback: bool,
    /// Loops run in closures of their own ([`Gen::own_body`]).
    pub closures: bool,
    /// Array-adjoint elements kept in locals while a reverse loop runs ([`promote`]).
    pub promoted:
        std::cell::RefCell<std::collections::HashMap<(Array, crate::adjoint::Save), Ident>>,
    /// How many locals [`promote`] has named.
    pub promotions: std::cell::Cell<usize>,
}

impl Gen<'_> {
    /// A block from its steps and the code after them ([`segment::join`]).
    pub(crate) fn join(&self, units: Vec<segment::Unit>, after: TokenStream) -> TokenStream {
        segment::join(units, after, self.plan.segment)
    }

    /// The pullback's body around its sweeps: the result's adjoint seeded from `d_out` (for
    /// an array result; a float result is seeded by the plan's `Seed`), the scalar adjoints
    /// added into their slots, and the value returned.
    fn pullback_tail(
        &self,
        prologue: TokenStream,
        forward: Vec<segment::Unit>,
        reverse: Vec<segment::Unit>,
    ) -> TokenStream {
        let f = self.f;
        let mut seed = TokenStream::new();
        let value = match f.returns {
            Returns::Float => {
                let r = v(f.result);
                quote!(#r)
            }
            Returns::Unit => quote!(()),
            Returns::Array(a) => {
                let name = self.array_ident(a);
                if self.plan.act.array[a.0 as usize] {
                    let (dname, out, x, t) = (da(a), dout(), id("x", ""), id("t", ""));
                    // Named as the user passes it: `w` of `_vjp` or `d_out` of `_pullback`
                    // (generated callers always pass the right length).
                    let msg = "grad: the weights (`w` of `_vjp`, `d_out` of `_pullback`) \
                               must have one element per element of the result";
                    // An empty `d_out` is a zero adjoint (a caller that reads no result).
                    seed = self.own_body(quote! {
                        if !#out.is_empty() {
                            ::core::assert_eq!(#out.len(), #name.len(), #msg);
                            for (#x, #t) in #dname[..#name.len()].iter_mut().zip(#out) {
                                *#x += *#t;
                            }
                        }
                    });
                }
                quote!(#name)
            }
        };
        let mut slots = TokenStream::new();
        for (i, p) in f.params.iter().enumerate() {
            if let (ParamKind::Scalar(x), true) = (&p.kind, p.wrt) {
                if self.active(*x) {
                    let (sl, dx) = (slot(i), d(*x));
                    slots.extend(quote!(*#sl += #dx;));
                }
            }
        }
        let items = &f.items;
        let mut sweeps = forward;
        let one = |code| segment::Unit {
            decls: Vec::new(),
            code,
            weight: 1,
        };
        sweeps.push(one(seed));
        sweeps.extend(reverse);
        sweeps.push(one(slots));
        let sweeps = self.join(sweeps, value);
        let sinks = self.sinks();
        quote! {
            #(#items)*
            #prologue
            #sinks
            #sweeps
        }
    }

    pub(crate) fn is_wrt_array(&self, a: Array) -> bool {
        self.f
            .params
            .iter()
            .any(|p| p.wrt && matches!(&p.kind, ParamKind::FloatArray { array, .. } if *array == a))
    }

    /// The forward name of an array: the parameter, or the local.
    pub(crate) fn array_ident(&self, a: Array) -> TokenStream {
        match &self.f.array_param[a.0 as usize] {
            Some(i) => quote!(#i),
            None => {
                let name = id("a", a.0);
                quote!(#name)
            }
        }
    }

    /// [`Gen::array_ident`] located at `span` (same name resolution): an index out of bounds
    /// then panics at the user's line, as the plain function does.
    pub(crate) fn array_ident_at(&self, a: Array, span: Span) -> TokenStream {
        let mut name = match &self.f.array_param[a.0 as usize] {
            Some(i) => i.clone(),
            None => id("a", a.0),
        };
        name.set_span(name.span().located_at(span));
        quote!(#name)
    }

    /// The length of an array (1 for a `&mut f64` parameter).
    pub(crate) fn array_len(&self, a: Array) -> TokenStream {
        if self.f.scalar_ref[a.0 as usize] {
            return quote!(1usize);
        }
        let name = self.array_ident(a);
        quote!(#name.len())
    }

    /// Whether the macro knows `x` is a float.
    pub(crate) fn is_float(&self, x: Value) -> bool {
        self.f.value_ty[x.0 as usize] == Ty::Float
    }

    /// Binds `out` to a call's value and `p(x, k)` to the partial of its `k`-th float
    /// argument, from the companion's result. Where some arguments are constants of types only
    /// rustc knows, each partial's position is counted at run time (folded away).
    pub(crate) fn bind_call(
        &self,
        x: Value,
        out: &Ident,
        call: TokenStream,
        args: &[Ident],
        float: &[ArgKind],
    ) -> TokenStream {
        let rt = rt();
        let span = self.f.span(x);
        let nf = float.iter().filter(|k| **k == ArgKind::Float).count();
        let ps: Vec<Ident> = (0..nf).map(|k| p(x, k)).collect();
        if !float.contains(&ArgKind::Constant) {
            return quote_spanned!(span=> let (#out, #(#ps),*) = #rt::companion::<#nf, _>(#call););
        }
        let (r, k) = (id("r", x.0), id("k", x.0));
        let mut picks = TokenStream::new();
        let mut next = ps.iter();
        for (arg, kind) in args.iter().zip(float) {
            picks.extend(match kind {
                ArgKind::Float => {
                    let pj = next.next();
                    quote!(let #pj = #r[#k]; #k += 1;)
                }
                ArgKind::Constant => quote!(if #rt::is_float(&#arg) { #k += 1; }),
                ArgKind::NotFloat => TokenStream::new(),
            });
        }
        quote_spanned! {span=>
            let #r = #rt::IntoPartials::into_partials(#call);
            let mut #k = 1usize;
            #picks
            let #out = #r[0];
        }
    }

    pub(crate) fn active(&self, x: Value) -> bool {
        self.plan.act.value[x.0 as usize]
    }
}
