//! The companions beyond `_grad`: `_jvp` (forward mode), `_hvp` and `_hessian` (second
//! order, forward over reverse), and `_vjp` and `_jacobian` for functions returning arrays.
//!
//! `_jvp` runs the function's forward sweep on dual numbers (`grad::Dual`, value and tangent),
//! `_hvp` runs its gradient on them, and `_hessian` runs `_hvp` once per input with unit
//! tangents. For a concrete function they run its twins (see [`crate::twin`]); a generic one
//! (`fn f<T: Real>`) is instantiated at `Dual<T>` directly. `_vjp` and `_jacobian` call the
//! pullback, one reverse sweep per row.

use crate::error::Errors;
use crate::parse::{ParamClass, Parsed, RetClass};
use crate::siblings::{names_self, nested, run_twin, Siblings};
use crate::symbol::{
    GRAD_SUFFIX, HESSIAN_SUFFIX, HVP_SUFFIX, JACOBIAN_SUFFIX, JVP_SUFFIX, PULLBACK_SUFFIX,
    TWIN_SUFFIX, VJP_SUFFIX,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The tangent of an argument on duals ([`Target::dual_arg`]).
enum Tangent<'a> {
    /// None: the argument is a constant.
    Zero,
    /// The wrapper's parameter of the argument's shape (a float, a slice, an array).
    Param(&'a syn::Ident),
    /// Element `k`'s tangent as an expression of `k` (the unit vectors of `_hessian`).
    At(&'a dyn Fn(TokenStream) -> TokenStream),
}

/// What a wrapper needs of the function.
struct Target<'a> {
    parsed: &'a Parsed,
    /// The float type `F`.
    float: TokenStream,
    /// `grad::Dual<F>`.
    dual: TokenStream,
    /// The generics and where clause of the wrappers (the function's own).
    generics: TokenStream,
    where_clause: TokenStream,
    /// Whether the function is generic over its float type (then it runs at `Dual<T>`
    /// itself; else its twins do).
    generic: bool,
    /// The assertions opening the function ([`crate::asserts`]): checked first by the
    /// wrappers whose twins do not repeat them.
    asserts: TokenStream,
    /// What the wrappers hold copies of ([`nested`]), `None` where they call them beside.
    nested: Option<&'a Siblings>,
}

/// The copies of siblings `pick` chooses that a wrapper holds, or nothing.
fn nested_items(t: &Target, pick: impl Fn(&Siblings) -> Vec<&TokenStream>) -> TokenStream {
    let Some(s) = t.nested else {
        return TokenStream::new();
    };
    pick(s).into_iter().cloned().collect()
}

impl<'a> Target<'a> {
    fn new(parsed: &'a Parsed, asserts: TokenStream, siblings: &'a Siblings) -> Self {
        let float_ty = &parsed.float_ty;
        let float = quote!(#float_ty);
        let sig = &parsed.item.sig;
        let (generics, _, where_clause) = sig.generics.split_for_impl();
        Target {
            parsed,
            dual: quote!(::grad::Dual<#float>),
            float,
            generics: quote!(#generics),
            where_clause: quote!(#where_clause),
            generic: crate::generic::param().is_some(),
            asserts,
            nested: nested(parsed).then_some(siblings),
        }
    }

    /// The twin's float type fixed as the dual type where the wrapper's arguments may not fix
    /// it (a function whose only differentiable inputs are structs: their directions and
    /// shadows have the struct's own type).
    fn pin_dual(&self) -> TokenStream {
        let dual = &self.dual;
        quote!(let _: &#dual = &__grad_r.0;)
    }

    /// A companion `f` of the function as generated code calls it: through `Self::` for a
    /// method or a function naming `Self` (it is in an `impl` block), else by name.
    fn beside(&self, f: syn::Ident) -> TokenStream {
        if self.parsed.params.iter().any(|p| p.ident == "self") || names_self(&self.parsed.item) {
            quote!(Self::#f)
        } else {
            quote!(#f)
        }
    }

    /// A method's receiver passed again after the arguments of its forward twin (see
    /// `twin::with_twin_structs`); nothing for other functions and generic ones.
    fn twin_receiver(&self) -> Option<TokenStream> {
        let p = self.parsed.params.iter().find(|p| p.ident == "self")?;
        if self.generic {
            return None;
        }
        Some(match &p.ty {
            syn::Type::Reference(_) => quote!(self),
            _ => quote!(&self),
        })
    }

    /// The function run on duals: its twin `name__twin<suffix>`, or itself for a generic one.
    fn on_duals(&self, suffix: &str) -> TokenStream {
        let name = &self.parsed.item.sig.ident;
        let f = if self.generic {
            format_ident!("{}{}", name, suffix)
        } else {
            format_ident!("{}{}{}", name, TWIN_SUFFIX, suffix)
        };
        // A method's twins are associated functions beside it, taking `self` first; so are
        // those of a function that names `Self` (it is in an `impl` block too).
        self.beside(f)
    }

    /// The differentiable parameters: `(position, ident, class)`.
    fn wrt(&self) -> Vec<(usize, &'a syn::Ident, &'a ParamClass)> {
        self.parsed
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.wrt
                    && matches!(
                        p.class,
                        ParamClass::Scalar
                            | ParamClass::Slice
                            | ParamClass::Array(_)
                            | ParamClass::Struct
                    )
            })
            .map(|(i, p)| (i, &p.ident, &p.class))
            .collect()
    }

    /// The user's parameters as the wrappers take them (without `mut`).
    fn inputs(&self) -> Vec<TokenStream> {
        self.parsed
            .item
            .sig
            .inputs
            .iter()
            .map(|input| match input {
                syn::FnArg::Typed(pt) => {
                    let ty = &pt.ty;
                    let ident = match &*pt.pat {
                        syn::Pat::Ident(p) => p.ident.clone(),
                        _ => format_ident!("_"),
                    };
                    quote!(#ident: #ty)
                }
                syn::FnArg::Receiver(r) => quote!(#r),
            })
            .collect()
    }

    /// The argument for parameter `i` on duals, with its tangent.
    fn dual_arg(&self, i: usize, tangent: Tangent) -> (TokenStream, TokenStream) {
        let p = &self.parsed.params[i];
        let (ident, dual, float) = (&p.ident, &self.dual, &self.float);
        let local = format_ident!("__grad_dual_{}", ident);
        let zero = quote!(<#float as ::grad::__private::Float>::ZERO);
        let t = |k: TokenStream| match tangent {
            Tangent::Zero => zero.clone(),
            Tangent::Param(n) if matches!(p.class, ParamClass::Scalar) => quote!(#n),
            Tangent::Param(n) => quote!(#n[#k]),
            Tangent::At(f) => f(k),
        };
        let by_ref = matches!(&p.ty, syn::Type::Reference(_));
        let amp = by_ref.then(|| quote!(&));
        match &p.class {
            ParamClass::Scalar => {
                let tk = t(quote!(0usize));
                (
                    quote!(let #local = <#dual>::new(#ident, #tk);),
                    quote!(#local),
                )
            }
            // In a recycled buffer: no allocation per call. A tangent of the same length
            // (checked before) is zipped in, without a bounds check per element.
            ParamClass::Slice => {
                let duals = match tangent {
                    Tangent::Param(n) => quote! {
                        #ident.iter().zip(#n.iter())
                            .map(|(&__grad_x, &__grad_t)| <#dual>::new(__grad_x, __grad_t))
                    },
                    _ => {
                        let tk = t(quote!(__grad_k));
                        quote! {
                            #ident.iter().enumerate()
                                .map(|(__grad_k, &__grad_x)| <#dual>::new(__grad_x, #tk))
                        }
                    }
                };
                (
                    quote!(let #local: ::grad::__private::Scratch<#dual> = #duals.collect();),
                    quote!(#local.as_vec()),
                )
            }
            ParamClass::Array(n) => {
                let tk = t(quote!(__grad_k));
                (
                    quote! {
                        let #local: [#dual; #n] = ::core::array::from_fn(|__grad_k| <#dual>::new(#ident[__grad_k], #tk));
                    },
                    quote!(#amp #local),
                )
            }
            // A struct taken by value is cloned: `_hessian` passes it once per input.
            ParamClass::Struct if !by_ref => (
                TokenStream::new(),
                quote!(::core::clone::Clone::clone(&#ident)),
            ),
            _ => (TokenStream::new(), quote!(#ident)),
        }
    }
}

/// Every extra companion the attribute asks for (`jvp`/`hessian` having passed [`check`]),
/// and `_vjp`/`_jacobian` for functions returning arrays.
pub(crate) fn companions(
    parsed: &Parsed,
    jvp: bool,
    hessian: bool,
    asserts: TokenStream,
    siblings: &Siblings,
) -> TokenStream {
    let target = Target::new(parsed, asserts, siblings);
    let mut out = TokenStream::new();
    // Struct parameters by value or `&` go through the pullback; a method's `self` cannot (a
    // free path to its pullback would need `Self::`).
    let no_vjp = unsupported(parsed, true).is_some();
    if jvp && by_reverse(parsed) {
        out.extend(jvp_by_reverse_fn(&target));
    } else if jvp && wrappers(parsed, false) {
        // Struct parameters here are constants (left out by `wrt(...)`): read as they are.
        out.extend(jvp_fn(&target));
    }
    if hessian && wrappers(parsed, true) {
        out.extend(hvp_fn(&target));
        out.extend(hessian_fn(&target));
    }
    // Asked for but not generated (the function's twins are, for its callers): stand-ins
    // whose call is an error saying why, not rustc's "cannot find function".
    if jvp && !by_reverse(parsed) && !wrappers(parsed, false) {
        out.extend(not_generated(parsed, JVP_SUFFIX, 1));
    }
    if hessian && !wrappers(parsed, true) {
        out.extend(not_generated(parsed, HVP_SUFFIX, 1));
        out.extend(not_generated(parsed, HESSIAN_SUFFIX, 0));
    }
    if matches!(parsed.ret, RetClass::Array(_)) && !no_vjp {
        out.extend(vjp_fn(&target));
        out.extend(jacobian_fn(&target, jvp));
    }
    out
}

/// A parameter the wrappers cannot take yet (`structs`: whether struct parameters taken by
/// value or `&` can be, as in `_hvp` and `_hessian`).
fn unsupported(parsed: &Parsed, structs: bool) -> Option<&crate::parse::ParsedParam> {
    parsed.params.iter().find(|p| {
        p.mut_ref
            || matches!(p.class, ParamClass::ScalarRef)
            || (matches!(p.class, ParamClass::Struct) && (!structs || is_mut_ref(&p.ty)))
    })
}

/// Whether `jvp` / `hessian` apply to this function (else the errors say why). Reports once:
/// the pipeline asks before it builds the twins, the wrappers after.
pub(crate) fn check(parsed: &Parsed, jvp: bool, hessian: bool, errors: &mut Errors) -> bool {
    if !(jvp || hessian) {
        return true;
    }
    // A generic function runs on dual numbers itself, and rows of data would have to be
    // copied into rows of duals: not done.
    if let (Some(_), Some(p)) = (
        crate::generic::param(),
        parsed
            .params
            .iter()
            .find(|p| crate::parse::float_rows(&p.ty) > 0),
    ) {
        errors.on(
            &p.ty,
            "`jvp` and `hessian` of a generic function with rows (`&[[T; N]]`) are not \
             supported yet: write the function for a float type (`&[[f64; N]]`), or pass the \
             rows as a flat slice (`&[T]`, indexed `xs[i * n + j]`)",
        );
        return false;
    }
    let Some(p) = parsed
        .params
        .iter()
        .find(|p| p.wrt && matches!(p.class, ParamClass::Struct))
    else {
        return true;
    };
    let message = if hessian && crate::generic::param().is_some() {
        "`hessian` of a generic function with struct parameters is not supported yet: write \
         it for a float type (`p: &S<f64>`), or leave the struct out with `wrt(...)`"
    } else if parsed.ret != RetClass::Float && jvp {
        "`jvp` and `hessian` of a function with struct parameters need a float result; pass \
         the struct's floats as a slice, or remove the argument"
    } else if let Some(p) = parsed
        .params
        .iter()
        .find(|p| is_mut_ref(&p.ty) && p.wrt && matches!(p.class, ParamClass::Struct))
    {
        errors.on(
            &p.ty,
            "`jvp` and `hessian` of a function with struct parameters take them by value or \
             `&`, not `&mut`; leave this one out with `wrt(...)`, or remove the argument",
        );
        return false;
    } else {
        return true;
    };
    errors.on(&p.ty, message);
    false
}

fn is_mut_ref(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Reference(r) if r.mutability.is_some())
}

/// Whether `_jvp` comes from the gradient (a function with struct parameters: they have no
/// dual-number twin). For a float result the directional derivative is `∇f · v`, exactly.
pub(crate) fn by_reverse(parsed: &Parsed) -> bool {
    parsed
        .params
        .iter()
        .any(|p| p.wrt && matches!(p.class, ParamClass::Struct))
}

/// `<name>_jvp` of a function with struct parameters: `_grad`, then `∇f · v` summed over the
/// differentiable parameters in order (structs through `Differentiable::flatten`).
fn jvp_by_reverse_fn(t: &Target) -> TokenStream {
    let sig = &t.parsed.item.sig;
    let name = format_ident!("{}{}", sig.ident, JVP_SUFFIX);
    let grad = format_ident!("{}{}", sig.ident, GRAD_SUFFIX);
    let (vis, float) = (&t.parsed.item.vis, &t.float);
    let mut inputs = t.inputs();
    let (mut args, mut grads, mut terms) = (Vec::new(), Vec::new(), Vec::new());
    let mut checks = TokenStream::new();
    let mut method = false;
    for (k, p) in t.parsed.params.iter().enumerate() {
        let ident = &p.ident;
        if ident == "self" {
            method = true;
        } else {
            args.push(quote!(#ident));
        }
        if !p.wrt
            || !matches!(
                p.class,
                ParamClass::Scalar | ParamClass::Slice | ParamClass::Array(_) | ParamClass::Struct
            )
        {
            continue;
        }
        let (tname, g) = (
            format_ident!("tangent_{}", ident),
            format_ident!("__grad_g{}", k),
        );
        let rt = quote!(::grad::__private);
        let (ty, term) = match &p.class {
            ParamClass::Scalar => (quote!(#float), quote!(#g * #tname)),
            ParamClass::Slice => (quote!(&[#float]), quote!(#rt::dot(&#g[..], #tname))),
            ParamClass::Array(_) => {
                let ty = &p.ty;
                (quote!(#ty), quote!(#rt::dot(&#g[..], &#tname[..])))
            }
            _ => {
                let inner = match &p.ty {
                    syn::Type::Reference(r) => &*r.elem,
                    ty => ty,
                };
                (
                    quote!(&#inner),
                    quote!(#rt::dot_differentiable::<_, #float>(&#g, #tname)),
                )
            }
        };
        checks.extend(same_shape(p, &tname));
        inputs.push(quote!(#tname: #ty));
        grads.push(g);
        terms.push(term);
    }
    let call = if method {
        quote!(self.#grad(#(#args),*))
    } else {
        let grad = t.beside(grad);
        quote!(#grad(#(#args),*))
    };
    let nested = nested_items(t, |s| vec![&s.grad]);
    let (generics, where_clause, lints) = (&t.generics, &t.where_clause, lints());
    let at = at_caller();
    let doc = format!(
        "Value and directional derivative of [`{0}`]: `(value, d_value)` along the tangents \
         (one per differentiable parameter, in order; a struct's tangent is a value of its \
         type), as `∇{0} · tangent` from [`{0}_grad`] (struct parameters have no dual-number \
         form). Generated by `#[differentiable(jvp)]`.",
        sig.ident
    );
    quote! {
        #[doc = #doc]
        #lints
        #at
        #vis fn #name #generics (#(#inputs),*) -> (#float, #float) #where_clause {
            #nested
            #checks
            let (__grad_v, #(#grads),*) = #call;
            (__grad_v, <#float as ::grad::__private::Float>::ZERO #(+ #terms)*)
        }
    }
}

/// Whether the wrappers (`_jvp`, `_hvp`, `_hessian`) apply: a function with `&mut`
/// parameters, or returning `()` (or an array, for `_hvp`/`_hessian`), gets only its twins,
/// which its callers with `jvp`/`hessian` need.
fn wrappers(parsed: &Parsed, hessian: bool) -> bool {
    unsupported(parsed, true).is_none()
        && match parsed.ret {
            RetClass::Float => true,
            RetClass::Array(_) => !hessian,
            RetClass::Unit => false,
        }
}

/// `<name><suffix>` where the wrapper is not generated ([`wrappers`]): a function taking the
/// wrapper's arguments (the function's, then `per_param` tangents per differentiable one) as
/// type parameters, the first bounded by a trait of `grad::__private::not_generated` that no
/// type implements, whose message says why. A method keeps its receiver (`x.f_hvp(..)` reaches
/// it); one without other parameters gets none (rustc's error stands).
fn not_generated(parsed: &Parsed, suffix: &str, per_param: usize) -> TokenStream {
    let why = if unsupported(parsed, true).is_some() {
        quote!(MutParameter)
    } else if parsed.ret == RetClass::Unit {
        quote!(UnitResult)
    } else {
        quote!(ArrayResult)
    };
    let sig = &parsed.item.sig;
    let name = format_ident!("{}{}", sig.ident, suffix);
    let receiver = sig.inputs.iter().find_map(|a| match a {
        syn::FnArg::Receiver(r) => Some(r),
        syn::FnArg::Typed(_) => None,
    });
    let others = parsed.params.iter().filter(|p| p.ident != "self").count();
    let tangents = parsed
        .params
        .iter()
        .filter(|p| {
            p.wrt
                && matches!(
                    p.class,
                    ParamClass::Scalar
                        | ParamClass::ScalarRef
                        | ParamClass::Slice
                        | ParamClass::Array(_)
                        | ParamClass::Struct
                )
        })
        .count();
    let n = others + per_param * tangents;
    if others == 0 {
        return TokenStream::new();
    }
    let ts: Vec<syn::Ident> = (0..n).map(|k| format_ident!("__GradA{}", k)).collect();
    let first = &ts[0];
    let vis = &parsed.item.vis;
    let receiver = receiver.map(|r| quote!(#r,));
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, non_snake_case, clippy::all)]
        #vis fn #name<#(#ts),*>(#receiver #(_: #ts),*) -> !
        where
            #first: ::grad::__private::not_generated::#why,
        {
            ::core::unreachable!()
        }
    }
}

/// `name`, or `__grad_<name>` where the function has a parameter of that name (a weight `w`,
/// a parameter called `tangent_x`): a wrapper's own parameters must not clash with its
/// function's.
fn unclashed(t: &Target, name: syn::Ident) -> syn::Ident {
    if t.parsed.params.iter().any(|p| p.ident == name) {
        format_ident!("__grad_{}", name)
    } else {
        name
    }
}

/// On a wrapper that checks its arguments' shapes (a tangent's, a weight's length): a wrong
/// one then panics at the caller's line, as a slice index does. (The function's own leading
/// assertions, repeated there, report the caller's line too; the twins keep the user's lines.)
fn at_caller() -> TokenStream {
    quote!(#[track_caller])
}

fn lints() -> TokenStream {
    quote!(#[allow(dead_code, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)])
}

/// The wrapper's parameters (the function's, then one `<prefix>_<param>` per differentiable
/// parameter, of its type; `&[F]` for a slice), the duals built from them, and the arguments
/// on duals.
fn tangent_args(t: &Target, prefix: &str) -> (Vec<TokenStream>, TokenStream, Vec<TokenStream>) {
    let float = &t.float;
    let mut inputs = t.inputs();
    let mut prep = TokenStream::new();
    let wrt = t.wrt();
    let (mut args, mut extra) = (Vec::new(), Vec::new());
    for (i, p) in t.parsed.params.iter().enumerate() {
        let tangent = wrt
            .iter()
            .find(|(j, _, _)| *j == i)
            .map(|(_, ident, class)| {
                let tname = unclashed(t, format_ident!("{}_{}", prefix, ident));
                let ty = match class {
                    ParamClass::Slice => quote!(&[#float]),
                    ParamClass::Struct => {
                        let s = crate::parse::struct_ty(&p.ty);
                        quote!(&#s)
                    }
                    _ => {
                        let ty = &p.ty;
                        quote!(#ty)
                    }
                };
                inputs.push(quote!(#tname: #ty));
                tname
            });
        if let Some(tname) = &tangent {
            prep.extend(same_shape(p, tname));
        }
        let (bind, arg) = t.dual_arg(i, tangent.as_ref().map_or(Tangent::Zero, Tangent::Param));
        prep.extend(bind);
        args.push(arg);
        if let (Some(tname), ParamClass::Struct) = (&tangent, &p.class) {
            let (bind, more) = struct_tangent(p, quote!(#tname));
            prep.extend(bind);
            extra.extend(more);
        }
    }
    args.extend(extra);
    (inputs, prep, args)
}

/// The check that the tangent (or direction) `tname` of parameter `p` has its shape: a slice
/// one element per element, a struct as many floats (a longer tangent would be cut short, a
/// shorter one fail inside the generated code).
fn same_shape(p: &crate::parse::ParsedParam, tname: &syn::Ident) -> TokenStream {
    let ident = &p.ident;
    match p.class {
        ParamClass::Slice => {
            let msg = format!("grad: `{tname}` must have one element per element of `{ident}`");
            quote!(::core::assert_eq!(#tname.len(), #ident.len(), #msg);)
        }
        ParamClass::Struct => {
            let msg = format!(
                "grad: `{tname}` must have the shape of `{ident}` (its fields as long as \
                 `{ident}`'s; checked: as many floats in all)"
            );
            let (r, g) = (struct_ref(p), crate::parse::grad_ty(&p.ty));
            let count_t = crate::codegen::primal_count(&g, &quote!(#tname));
            let count_r = crate::codegen::primal_count(&g, &r);
            quote! {
                ::core::assert_eq!(
                    #count_t,
                    #count_r,
                    #msg
                );
            }
        }
        _ => TokenStream::new(),
    }
}

/// For a differentiated struct parameter `p` of the gradient twin, given its tangent (a
/// `&S`): the shadow's binding and the two extra arguments (tangent, shadow).
fn struct_tangent(
    p: &crate::parse::ParsedParam,
    tangent: TokenStream,
) -> (TokenStream, [TokenStream; 2]) {
    let g = crate::parse::grad_ty(&p.ty);
    let sh = format_ident!("__grad_shadow_{}", p.ident);
    let zero = crate::codegen::zero_grad(&g, &tangent);
    let restore = crate::codegen::restore_grad(&g, &quote!(&mut __grad_sh), &tangent);
    // `zero_like` with the constants put back: a skipped field equal to the tangent's own.
    (
        quote! {
            let #sh = {
                let mut __grad_sh = #zero;
                #restore
                __grad_sh
            };
        },
        [tangent, quote!(&#sh)],
    )
}

/// `p` as a `&S` (a struct parameter taken by value or by reference).
fn struct_ref(p: &crate::parse::ParsedParam) -> TokenStream {
    let ident = &p.ident;
    match &p.ty {
        syn::Type::Reference(_) => quote!(#ident),
        _ => quote!(&#ident),
    }
}

/// `<name>_jvp(args..., tangents...) -> (value, d_value)`.
fn jvp_fn(t: &Target) -> TokenStream {
    let nested = nested_items(t, |s| vec![s.on_duals(t.generic, false)]);
    let asserts = &t.asserts;
    let sig = &t.parsed.item.sig;
    let name = format_ident!("{}{}", sig.ident, JVP_SUFFIX);
    let vis = &t.parsed.item.vis;
    let float = &t.float;
    let (inputs, prep, mut args) = tangent_args(t, "tangent");
    args.extend(t.twin_receiver());
    let callee = t.on_duals("");
    let (generics, where_clause, lints) = (&t.generics, &t.where_clause, lints());
    let at = at_caller();
    let doc = format!(
        "Value and directional derivative of [`{0}`]: `(value, d_value)` along the tangents \
         (one per differentiable parameter, in order), in one forward sweep on dual numbers; \
         the derivative has the result's type. Generated by `#[differentiable(jvp)]`.",
        sig.ident
    );
    let (output, split) = match &t.parsed.ret {
        RetClass::Array(Some(_)) => {
            let ty = ret_ty(t);
            (
                quote!((#ty, #ty)),
                quote!((
                    __grad_r.map(|__grad_x| __grad_x.v),
                    __grad_r.map(|__grad_x| __grad_x.d)
                )),
            )
        }
        RetClass::Array(None) => {
            let ty = ret_ty(t);
            (
                quote!((#ty, #ty)),
                quote! {(
                    __grad_r.iter().map(|__grad_x| __grad_x.v).collect(),
                    __grad_r.iter().map(|__grad_x| __grad_x.d).collect(),
                )},
            )
        }
        _ => (quote!((#float, #float)), quote!((__grad_r.v, __grad_r.d))),
    };
    let r_ty = dual_result_ty(t);
    let run = run_twin(t.parsed, &callee, &args);
    quote! {
        #[doc = #doc]
        #lints
        #at
        #vis fn #name #generics (#(#inputs),*) -> #output #where_clause {
            #nested
            #asserts
            #prep
            let __grad_r: #r_ty = #run;
            #split
        }
    }
}

/// The type of the function's result on duals, written out where a twin's result is bound: a
/// function with no float parameter gives the twin's type parameter nothing else to be
/// inferred from.
fn dual_result_ty(t: &Target) -> TokenStream {
    let float = &t.float;
    let dual = quote!(::grad::Dual<#float>);
    match &t.parsed.ret {
        RetClass::Array(Some(n)) => {
            let n: TokenStream = n.parse().unwrap_or_default();
            quote!([#dual; #n])
        }
        RetClass::Array(None) => quote!(::std::vec::Vec<#dual>),
        _ => dual,
    }
}

/// The function's return type.
fn ret_ty(t: &Target) -> TokenStream {
    match &t.parsed.item.sig.output {
        syn::ReturnType::Type(_, ty) => quote!(#ty),
        syn::ReturnType::Default => quote!(()),
    }
}

/// The types of `_grad`'s gradients, one per differentiable parameter.
fn grad_types(t: &Target) -> Vec<TokenStream> {
    let float = &t.float;
    t.wrt()
        .into_iter()
        .map(|(i, _, class)| match class {
            ParamClass::Slice => quote!(::std::vec::Vec<#float>),
            ParamClass::Array(n) => quote!([#float; #n]),
            ParamClass::Struct => {
                let s = crate::parse::grad_ty(&t.parsed.params[i].ty);
                quote!(#s)
            }
            _ => quote!(#float),
        })
        .collect()
}

/// `part` (`v` or `d`) of a gradient on duals of `class`.
fn part(g: &TokenStream, class: &ParamClass, part: &str) -> TokenStream {
    let part = format_ident!("{}", part);
    match class {
        ParamClass::Slice => {
            quote!(#g.iter().map(|__grad_x| __grad_x.#part).collect::<::std::vec::Vec<_>>())
        }
        ParamClass::Array(_) => quote!(#g.map(|__grad_x| __grad_x.#part)),
        // A struct's gradient and its `H v` come as two values (see `tangent_index`).
        ParamClass::Struct => quote!(#g),
        _ => quote!(#g.#part),
    }
}

/// Where the gradient twin's result holds each differentiable parameter's gradient, and,
/// for a struct, its `H v` (after all the gradients, in parameter order).
fn result_indices(t: &Target) -> Vec<(syn::Index, syn::Index)> {
    let wrt = t.wrt();
    let mut next = wrt.len() + 1;
    wrt.iter()
        .enumerate()
        .map(|(k, (_, _, class))| {
            let g = syn::Index::from(k + 1);
            if matches!(class, ParamClass::Struct) {
                next += 1;
                (g, syn::Index::from(next - 1))
            } else {
                (g.clone(), g)
            }
        })
        .collect()
}

/// `<name>_hvp(args..., v...) -> (value, gradients..., hv...)`.
fn hvp_fn(t: &Target) -> TokenStream {
    let nested = nested_items(t, |s| vec![s.on_duals(t.generic, true)]);
    let asserts = &t.asserts;
    let sig = &t.parsed.item.sig;
    let name = format_ident!("{}{}", sig.ident, HVP_SUFFIX);
    let vis = &t.parsed.item.vis;
    let float = &t.float;
    let (inputs, prep, args) = tangent_args(t, "v");
    let wrt = t.wrt();
    let callee = t.on_duals(GRAD_SUFFIX);
    let pin = t.pin_dual();
    let at = result_indices(t);
    let values = at
        .iter()
        .zip(&wrt)
        .map(|((g, _), (_, _, c))| part(&quote!(__grad_r.#g), c, "v"));
    let tangents = at
        .iter()
        .zip(&wrt)
        .map(|((_, d), (_, _, c))| part(&quote!(__grad_r.#d), c, "d"));
    let types = grad_types(t);
    let (generics, where_clause, lints) = (&t.generics, &t.where_clause, lints());
    let at = at_caller();
    let doc = format!(
        "Value, gradient and Hessian-vector product of [`{0}`]: `(value, gradients..., hv...)`, \
         the gradient as `{0}_grad` returns it, then `H v` split per parameter with the \
         gradient's types (`v`: one vector per differentiable parameter, in order). One \
         gradient run on dual numbers (forward over reverse). Generated by \
         `#[differentiable(hessian)]`.",
        sig.ident
    );
    let run = run_twin(t.parsed, &callee, &args);
    quote! {
        #[doc = #doc]
        #lints
        #at
        #vis fn #name #generics (#(#inputs),*) -> (#float, #(#types,)* #(#types),*) #where_clause {
            #nested
            #asserts
            #prep
            let __grad_r = #run;
            #pin
            (__grad_r.0.v, #(#values,)* #(#tangents),*)
        }
    }
}

/// `<name>_hessian(args...) -> (value, gradient, Hessian)` over the flattened inputs.
fn hessian_fn(t: &Target) -> TokenStream {
    let nested = nested_items(t, |s| vec![s.on_duals(t.generic, true)]);
    let asserts = &t.asserts;
    let sig = &t.parsed.item.sig;
    let name = format_ident!("{}{}", sig.ident, HESSIAN_SUFFIX);
    let vis = &t.parsed.item.vis;
    let float = &t.float;
    let inputs = t.inputs();
    let wrt = t.wrt();
    let zero = quote!(<#float as ::grad::__private::Float>::ZERO);
    let (sizes, offsets, total) = offsets(t);
    let (prep, args) = unit_args(t, &offsets);
    let pin = t.pin_dual();
    let callee = t.on_duals(GRAD_SUFFIX);
    let at = result_indices(t);
    let flat = |field: &str| -> TokenStream {
        let tangent = field == "d";
        let field = format_ident!("{}", field);
        let mut out = TokenStream::new();
        for ((g, d), (_, _, class)) in at.iter().zip(&wrt) {
            out.extend(match class {
                ParamClass::Struct => {
                    let g = if tangent { d } else { g };
                    quote!(::grad::__private::flatten_as(&__grad_r.#g, __grad_out);)
                }
                ParamClass::Scalar => quote!(__grad_out.push(__grad_r.#g.#field);),
                _ => quote!(__grad_out.extend(__grad_r.#g.iter().map(|__grad_x| __grad_x.#field));),
            });
        }
        out
    };
    let (values, tangents) = (flat("v"), flat("d"));
    let (generics, where_clause, lints) = (&t.generics, &t.where_clause, lints());
    let doc = format!(
        "Value, gradient and Hessian of [`{0}`] over its differentiable inputs flattened in \
         parameter order (a slice of `n` counts `n`): `(value, gradient, hessian)` with \
         `hessian[i][j] = ∂²f/∂x_i∂x_j`, exactly symmetric (each pair is the mean of the two \
         Hessian-vector products that compute it). One gradient run on dual numbers per \
         input. Generated by `#[differentiable(hessian)]`.",
        sig.ident
    );
    let run = run_twin(t.parsed, &callee, &args);
    quote! {
        #[doc = #doc]
        #lints
        #vis fn #name #generics (#(#inputs),*)
            -> (#float, ::std::vec::Vec<#float>, ::std::vec::Vec<::std::vec::Vec<#float>>)
            #where_clause
        {
            #nested
            #asserts
            #sizes
            let __grad_n: usize = #total;
            let mut __grad_value = #zero;
            let mut __grad_gradient = ::std::vec::Vec::with_capacity(__grad_n);
            let mut __grad_h = ::std::vec![::std::vec![#zero; __grad_n]; __grad_n];
            // One column of `H`, refilled by each sweep.
            let mut __grad_column = ::std::vec::Vec::with_capacity(__grad_n);
            for __grad_col in 0..__grad_n.max(1) {
                #prep
                let __grad_r = #run;
                #pin
                if __grad_col == 0 {
                    __grad_value = __grad_r.0.v;
                    let __grad_out = &mut __grad_gradient;
                    #values
                }
                if __grad_col < __grad_n {
                    __grad_column.clear();
                    {
                        let __grad_out = &mut __grad_column;
                        #tangents
                    }
                    for (__grad_i, __grad_x) in __grad_column.iter().enumerate() {
                        __grad_h[__grad_i][__grad_col] = *__grad_x;
                    }
                }
            }
            let __grad_half = <#float as ::grad::__private::Float>::from_f64(0.5);
            for __grad_i in 0..__grad_n {
                for __grad_j in 0..__grad_i {
                    let (__grad_a, __grad_b) = (__grad_h[__grad_i][__grad_j], __grad_h[__grad_j][__grad_i]);
                    let mut __grad_m = (__grad_a + __grad_b) * __grad_half;
                    if !::grad::__private::Float::is_finite(__grad_m) {
                        // Two entries above half the largest float: their sum overflows.
                        __grad_m = __grad_a * __grad_half + __grad_b * __grad_half;
                    }
                    __grad_h[__grad_i][__grad_j] = __grad_m;
                    __grad_h[__grad_j][__grad_i] = __grad_m;
                }
            }
            (__grad_value, __grad_gradient, __grad_h)
        }
    }
}

/// The zero gradients and pullback slots of a call of `<name>_pullback`, and the gradients
/// `_grad` would return.
fn slots(t: &Target) -> (TokenStream, Vec<TokenStream>, Vec<TokenStream>) {
    let float = &t.float;
    let zero = quote!(<#float as ::grad::__private::Float>::ZERO);
    let mut decl = TokenStream::new();
    let mut slots = Vec::new();
    let mut grads = Vec::new();
    for p in &t.parsed.params {
        let ident = &p.ident;
        let g = format_ident!("__grad_g_{}", ident);
        match &p.class {
            ParamClass::Scalar => {
                decl.extend(quote!(let mut #g: #float = #zero;));
                slots.push(quote!(&mut #g));
            }
            ParamClass::Slice | ParamClass::Array(_) => {
                decl.extend(
                    quote!(let mut #g: ::std::vec::Vec<#float> = ::std::vec![#zero; #ident.len()];),
                );
                slots.push(quote!(&mut #g[..]));
            }
            ParamClass::Struct if p.wrt => {
                // The gradient starts as `zero_like` (a `#[grad(skip)]` field keeps its
                // value: the pullback adds into it and `restore_constants` puts it back).
                let (ty, r) = (crate::parse::grad_ty(&p.ty), struct_ref(p));
                let zero = crate::codegen::zero_grad(&ty, &r);
                decl.extend(quote!(let mut #g: #ty = #zero;));
                slots.push(quote!(&mut #g));
            }
            _ => slots.push(quote!(&mut ())),
        }
        if p.wrt {
            match &p.class {
                ParamClass::Scalar | ParamClass::Slice => grads.push(quote!(#g)),
                ParamClass::Struct => {
                    let r = struct_ref(p);
                    let restore = crate::codegen::restore_grad(
                        &crate::parse::grad_ty(&p.ty),
                        &quote!(&mut #g),
                        &r,
                    );
                    grads.push(quote! {{
                        #restore
                        #g
                    }});
                }
                ParamClass::Array(n) => grads.push(quote! {{
                    let mut __grad_a = [#zero; #n];
                    __grad_a.copy_from_slice(&#g);
                    __grad_a
                }}),
                _ => {}
            }
        }
    }
    (decl, slots, grads)
}

/// The body of `_grad` for a large function ([`crate::pipeline`] decides): its `_pullback`
/// seeded with one, into zero slots. The pullback is the same code as `_grad`'s own body
/// would be (the same plan, the seed multiplying partials exactly), so the value and the
/// gradient are the same bit for bit; rustc checks one copy of the body instead of two.
pub(crate) fn grad_by_pullback(parsed: &Parsed) -> TokenStream {
    let siblings = Siblings::default();
    let t = Target::new(parsed, TokenStream::new(), &siblings);
    let (decl, slots, grads) = slots(&t);
    let args = call_args(&t);
    let pullback = t.beside(format_ident!(
        "{}{}",
        parsed.item.sig.ident,
        PULLBACK_SUFFIX
    ));
    let float = &t.float;
    quote! {
        #decl
        let __grad_value = #pullback(
            #(#args,)*
            <#float as ::grad::__private::Float>::ONE,
            #(#slots),*
        );
        (__grad_value, #(#grads),*)
    }
}

/// The arguments as passed on to the function (by name). A struct taken by value is passed
/// as a clone: the wrapper reads it again afterwards (`restore_constants`, another sweep).
fn call_args(t: &Target) -> Vec<TokenStream> {
    t.parsed
        .params
        .iter()
        .map(|p| {
            let ident = &p.ident;
            match (&p.class, &p.ty) {
                (ParamClass::Struct, syn::Type::Reference(_)) => quote!(#ident),
                (ParamClass::Struct, _) => quote!(::core::clone::Clone::clone(&#ident)),
                _ => quote!(#ident),
            }
        })
        .collect()
}

/// `<name>_vjp(args..., w) -> (value, gradients...)`: the gradient of `w · f(args)`.
fn vjp_fn(t: &Target) -> TokenStream {
    let nested = nested_items(t, |s| vec![&s.pullback]);
    let sig = &t.parsed.item.sig;
    let name = format_ident!("{}{}", sig.ident, VJP_SUFFIX);
    let pullback = t.beside(format_ident!("{}{}", sig.ident, PULLBACK_SUFFIX));
    let vis = &t.parsed.item.vis;
    let float = &t.float;
    let mut inputs = t.inputs();
    let w_name = unclashed(t, format_ident!("w"));
    let (w_ty, w) = match &t.parsed.ret {
        RetClass::Array(Some(n)) => {
            let n: TokenStream = n.parse().unwrap_or_default();
            (quote!([#float; #n]), quote!(&#w_name[..]))
        }
        _ => (quote!(&[#float]), quote!(#w_name)),
    };
    // The pullback checks a `w` of another length once the result's is known (an empty one
    // is a zero adjoint there, as callers that read no result pass it): checked again here,
    // so an empty `w` is refused too, naming it.
    let check = matches!(t.parsed.ret, RetClass::Array(None)).then(|| {
        let msg = format!(
            "grad: `{w_name}` must have one element per element of `{}`'s result",
            sig.ident
        );
        quote!(::core::assert_eq!(#w_name.len(), __grad_value.len(), #msg);)
    });
    inputs.push(quote!(#w_name: #w_ty));
    let (decl, slots, grads) = slots(t);
    let args = call_args(t);
    let types = grad_types(t);
    let output = match &sig.output {
        syn::ReturnType::Type(_, ty) => quote!(#ty),
        syn::ReturnType::Default => quote!(()),
    };
    let (generics, where_clause, lints) = (&t.generics, &t.where_clause, lints());
    let at = at_caller();
    let doc = format!(
        "Value of [`{0}`] and the gradient of `w · {0}(args)` (a vector-Jacobian product), in \
         `{0}_grad`'s shapes: `(value, gradients...)`. One reverse sweep. Generated by \
         `#[differentiable]` for a function returning an array.",
        sig.ident
    );
    quote! {
        #[doc = #doc]
        #lints
        #at
        #vis fn #name #generics (#(#inputs),*) -> (#output, #(#types),*) #where_clause {
            #nested
            #decl
            let __grad_value = #pullback(#(#args,)* #w, #(#slots),*);
            #check
            (__grad_value, #(#grads),*)
        }
    }
}

/// The flattened offsets of the differentiable parameters, and the expression of their total.
fn offsets(t: &Target) -> (TokenStream, Vec<syn::Ident>, TokenStream) {
    let wrt = t.wrt();
    let mut sizes = TokenStream::new();
    let offsets: Vec<syn::Ident> = (0..wrt.len())
        .map(|k| format_ident!("__grad_o{}", k))
        .collect();
    let mut total = quote!(0usize);
    for ((_, ident, class), o) in wrt.iter().zip(&offsets) {
        let size = match class {
            ParamClass::Scalar => quote!(1usize),
            ParamClass::Struct => {
                let p = t.parsed.params.iter().find(|p| p.ident == **ident);
                let r = p.map(struct_ref).unwrap_or_default();
                match p {
                    Some(p) => crate::codegen::primal_count(&crate::parse::grad_ty(&p.ty), &r),
                    None => quote!(0usize),
                }
            }
            _ => quote!(#ident.len()),
        };
        sizes.extend(quote!(let #o: usize = #total;));
        total = quote!(#o + #size);
    }
    (sizes, offsets, total)
}

/// The arguments on duals whose tangent is the unit vector of flattened input `__grad_col`.
fn unit_args(t: &Target, offsets: &[syn::Ident]) -> (TokenStream, Vec<TokenStream>) {
    let float = &t.float;
    let one = quote!(<#float as ::grad::__private::Float>::ONE);
    let zero = quote!(<#float as ::grad::__private::Float>::ZERO);
    let wrt = t.wrt();
    let mut prep = TokenStream::new();
    let (mut args, mut extra) = (Vec::new(), Vec::new());
    for (i, p) in t.parsed.params.iter().enumerate() {
        let o = wrt
            .iter()
            .position(|(j, _, _)| *j == i)
            .map(|k| offsets[k].clone());
        let f = o.map(|o| {
            let (one, zero) = (one.clone(), zero.clone());
            let scalar = matches!(p.class, ParamClass::Scalar);
            move |k: TokenStream| {
                let at = if scalar { quote!(#o) } else { quote!(#o + #k) };
                quote!(if #at == __grad_col { #one } else { #zero })
            }
        });
        let (bind, arg) = t.dual_arg(
            i,
            f.as_ref()
                .map_or(Tangent::Zero, |f| Tangent::At(f as &dyn Fn(_) -> _)),
        );
        prep.extend(bind);
        args.push(arg);
        if let (Some(k), ParamClass::Struct) = (wrt.iter().position(|(j, _, _)| *j == i), &p.class)
        {
            // The unit tangent: `zero_like`, then a 1 at `__grad_col` if it falls here.
            let (o, g, r) = (&offsets[k], crate::parse::grad_ty(&p.ty), struct_ref(p));
            let (zero, count) = (
                crate::codegen::zero_grad(&g, &r),
                crate::codegen::primal_count(&g, &r),
            );
            let tan = format_ident!("__grad_unit_{}", p.ident);
            prep.extend(quote! {
                let mut #tan = #zero;
                {
                    let __grad_len = #count;
                    let mut __grad_unit = ::std::vec![0.0f64; __grad_len];
                    if __grad_col >= #o && __grad_col < #o + __grad_len {
                        __grad_unit[__grad_col - #o] = 1.0;
                    }
                    ::grad::__private::Differentiable::unflatten(&mut #tan, &mut &__grad_unit[..]);
                }
            });
            let (bind, more) = struct_tangent(p, quote!(&#tan));
            prep.extend(bind);
            extra.extend(more);
        }
    }
    args.extend(extra);
    (prep, args)
}

/// `<name>_jacobian(args...) -> (value, rows)`: one reverse sweep per output or, where the
/// function has `jvp` and fewer inputs than outputs, one forward sweep per input.
fn jacobian_fn(t: &Target, forward: bool) -> TokenStream {
    let nested = nested_items(t, |s| vec![&s.plain, &s.pullback]);
    let sig = &t.parsed.item.sig;
    let name = format_ident!("{}{}", sig.ident, JACOBIAN_SUFFIX);
    let pullback = t.beside(format_ident!("{}{}", sig.ident, PULLBACK_SUFFIX));
    let plain = t.beside(sig.ident.clone());
    let vis = &t.parsed.item.vis;
    let float = &t.float;
    let inputs = t.inputs();
    let zero = quote!(<#float as ::grad::__private::Float>::ZERO);
    let one = quote!(<#float as ::grad::__private::Float>::ONE);
    let (decl, slots, _) = slots(t);
    let args = call_args(t);
    let mut flat = TokenStream::new();
    for p in t.parsed.params.iter().filter(|p| p.wrt) {
        let g = format_ident!("__grad_g_{}", p.ident);
        flat.extend(match p.class {
            ParamClass::Scalar => quote!(__grad_row.push(#g);),
            ParamClass::Slice | ParamClass::Array(_) => quote!(__grad_row.extend_from_slice(&#g);),
            ParamClass::Struct => {
                // `flatten` leaves `#[grad(skip)]` fields out: they are not inputs.
                quote!(::grad::__private::flatten_as(&#g, &mut __grad_row);)
            }
            _ => TokenStream::new(),
        });
    }
    let output = match &sig.output {
        syn::ReturnType::Type(_, ty) => quote!(#ty),
        syn::ReturnType::Default => quote!(()),
    };
    let forward_branch = if forward {
        let (sizes, offs, total) = offsets(t);
        let (prep, mut dual_args) = unit_args(t, &offs);
        dual_args.extend(t.twin_receiver());
        let callee = t.on_duals("");
        let run = run_twin(t.parsed, &callee, &dual_args);
        let r_ty = dual_result_ty(t);
        // (A generic function's forward sweep is the function itself, nested above.)
        let nested = nested_items(t, |s| vec![&s.twins.forward]);
        quote! {
            #nested
            #sizes
            let __grad_n: usize = #total;
            if __grad_n < __grad_m {
                let mut __grad_rows = ::std::vec![::std::vec![#zero; __grad_n]; __grad_m];
                for __grad_col in 0..__grad_n {
                    #prep
                    let __grad_r: #r_ty = #run;
                    for (__grad_i, __grad_x) in __grad_r.iter().enumerate() {
                        __grad_rows[__grad_i][__grad_col] = __grad_x.d;
                    }
                }
                return (__grad_value, __grad_rows);
            }
        }
    } else {
        TokenStream::new()
    };
    let (generics, where_clause, lints) = (&t.generics, &t.where_clause, lints());
    let doc = format!(
        "Value and Jacobian of [`{0}`]: `(value, rows)`, one row per output, one column per \
         differentiable input flattened in parameter order (a slice of `n` counts `n`). One \
         reverse sweep per output or, with `jvp` and fewer inputs than outputs, one forward \
         sweep per input (as JAX's `jacrev` / `jacfwd`). Generated by `#[differentiable]` for \
         a function returning an array.",
        sig.ident
    );
    quote! {
        #[doc = #doc]
        #lints
        #vis fn #name #generics (#(#inputs),*)
            -> (#output, ::std::vec::Vec<::std::vec::Vec<#float>>) #where_clause
        {
            #nested
            let __grad_value = #plain(#(#args),*);
            let __grad_m = __grad_value.len();
            #forward_branch
            let mut __grad_rows = ::std::vec::Vec::with_capacity(__grad_m);
            let mut __grad_w = ::std::vec![#zero; __grad_m];
            for __grad_i in 0..__grad_m {
                __grad_w[__grad_i] = #one;
                #decl
                let _ = #pullback(#(#args,)* &__grad_w[..], #(#slots),*);
                __grad_w[__grad_i] = #zero;
                let mut __grad_row = ::std::vec::Vec::new();
                #flat
                __grad_rows.push(__grad_row);
            }
            (__grad_value, __grad_rows)
        }
    }
}
