//! Twins: a function's code over a generic float type, for forward mode and second order.
//!
//! `#[differentiable(jvp)]` and `#[differentiable(hessian)]` on `fn f(x: f64, ..) -> f64` also
//! emit hidden twins of `f` over a type parameter `__GradT` (`f__twin`, the forward sweep;
//! `f__twin_grad`, the gradient; `f__twin_pullback` where `f` has a pullback), generated from
//! the same IR as `f_grad` with the float type replaced, literals and casts lifted
//! (`grad::__private::Lift`), calls of functions of floats sent to the callees' `_jvp` / `_hvp`
//! (generated or hand-written: [`crate::generic::twin_call`]) and calls passing arrays to the
//! callees' twins. The gradient twins exist for functions with `hessian`. Run
//! at `grad::Dual<f64>`, the forward sweep gives directional derivatives and the gradient gives
//! Hessian-vector products (forward over reverse): the reverse sweep that `_grad` runs, already
//! verified, differentiated once more, so every rule serves second order too.

use crate::error::Errors;
use crate::parse::{self, Attr, Parsed};
use crate::pipeline::{companion, compile, needs_pullback, pullback_fn, Shell};
use crate::symbol::TWIN_SUFFIX;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The twins' float type parameter.
pub(crate) fn param() -> syn::Ident {
    syn::Ident::new("__GradT", proc_macro2::Span::call_site())
}

/// `ty` with the float type named `float` replaced by `param` (token by token: a type's
/// tokens name the float type only as the type).
fn retype(ty: &syn::Type, float: &str, param: &syn::Ident) -> syn::Type {
    fn walk(ts: TokenStream, float: &str, param: &syn::Ident) -> TokenStream {
        ts.into_iter()
            .map(|tt| match tt {
                proc_macro2::TokenTree::Ident(i) if i == float => {
                    proc_macro2::TokenTree::Ident(param.clone())
                }
                proc_macro2::TokenTree::Group(g) => {
                    let mut n =
                        proc_macro2::Group::new(g.delimiter(), walk(g.stream(), float, param));
                    n.set_span(g.span());
                    proc_macro2::TokenTree::Group(n)
                }
                other => other,
            })
            .collect()
    }
    syn::parse2(walk(quote!(#ty), float, param)).unwrap_or_else(|_| ty.clone())
}

/// A function's twins, each empty where it has none.
#[derive(Default)]
pub(crate) struct Twins {
    /// `f__twin_grad`, for `_hvp`, `_hessian` and callers passing constants of unknown type.
    pub grad: TokenStream,
    /// `f__twin_pullback`, for callers passing arrays.
    pub pullback: TokenStream,
    /// `f__twin`, for `_jvp`, `_jacobian`'s forward sweeps and callers passing arrays.
    pub forward: TokenStream,
}

impl Twins {
    /// All of them, emitted beside the function (callers' twins call them; the wrappers may
    /// hold copies of their own, see `siblings::nested`).
    pub(crate) fn all(&self) -> TokenStream {
        let (grad, pullback, forward) = (&self.grad, &self.pullback, &self.forward);
        quote!(#grad #pullback #forward)
    }
}

/// The twins of `item` (whose attribute is `attr`, parsed as `parsed`), or none with an
/// error if a construct has no twin yet.
pub(crate) fn twins(
    item: &syn::ItemFn,
    attr: &Attr,
    parsed: &Parsed,
    errors: &mut Errors,
) -> Twins {
    let t = param();
    let original = parsed.float_ty.clone();
    let float_name = quote!(#original).to_string();
    // The signature the twins are parsed with (`<__GradT: Real>` only, which the generic
    // support accepts) and the one they are emitted with (also `__GradT: Lift<f64>`).
    let mut twin = item.clone();
    twin.sig.ident = format_ident!("{}{}", item.sig.ident, TWIN_SUFFIX);
    for input in &mut twin.sig.inputs {
        if let syn::FnArg::Typed(pt) = input {
            // A struct (or tuple, or `GP<f64>`) keeps its type: its float fields become dual
            // numbers where they are read (`TwinField`), not in the type.
            // So does constant data of a type the macro cannot see (`&[(usize, f64)]`): its
            // floats are constants, lifted where they are read.
            let is_struct = parsed.params.iter().any(|p| {
                matches!(
                    p.class,
                    parse::ParamClass::Struct | parse::ParamClass::Opaque
                ) && matches!(&*pt.pat, syn::Pat::Ident(pi) if pi.ident == p.ident)
            });
            if !is_struct {
                *pt.ty = retype(&pt.ty, &float_name, &t);
            }
        }
    }
    if let syn::ReturnType::Type(_, ty) = &mut twin.sig.output {
        **ty = retype(ty, &float_name, &t);
    }
    twin.sig
        .generics
        .params
        .push(syn::parse_quote!(#t: ::grad::__private::Real));
    let mut emitted = twin.sig.clone();
    emitted
        .generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(#t: ::grad::__private::Tangent<#original>));

    crate::generic::with_param(Some(t.clone()), || {
        crate::generic::with_twin(original, attr.jvp, || {
            let mut inner = Errors::default();
            let every = every_but_data(parsed);
            let all = parse::signature(twin.clone(), every.clone(), &mut inner);
            let wrt = parse::signature(twin.clone(), attr.wrt.clone(), &mut inner);
            let mut off = parse::signature(twin.clone(), every, &mut inner);
            for p in &mut off.params {
                p.wrt = false;
            }
            // The gradient twins serve `_hvp` (and the pullback twin, callers with `hessian`
            // that pass it arrays); callers call `_jvp` / `_hvp` otherwise.
            let grad = (attr.hessian && wrt.ret == parse::RetClass::Float)
                .then(|| compile(&wrt, attr.passes, &mut inner))
                .flatten();
            // The pullback twin differentiates every parameter, so a struct left out by
            // `wrt(...)` (which may have no gradient type) leaves the function without one.
            let left_out = parsed
                .params
                .iter()
                .any(|p| matches!(p.class, parse::ParamClass::Struct) && !p.wrt);
            let mut pullback = (attr.hessian && needs_pullback(&all) && !left_out)
                .then(|| compile(&all, attr.passes, &mut inner))
                .flatten();
            // Plain helpers on parameters `wrt(...)` leaves out (`lgamma(ys[i] + 1.0)`): the
            // twins differentiate only what it lists, and give the rest NaN derivatives
            // (see `pipeline::pullback_fn`).
            let unknown = attr.wrt.is_some() && needs_pullback(&all) && {
                let mut ignored = Errors::default();
                let user = match &grad {
                    Some((f, _)) => Some(f.clone()),
                    None => compile(&wrt, attr.passes, &mut ignored).map(|(f, _)| f),
                };
                let every = match &pullback {
                    Some((f, _)) => Some(f.clone()),
                    None => compile(&all, attr.passes, &mut ignored).map(|(f, _)| f),
                };
                every.is_some_and(|a| crate::pipeline::plain_on_left_out(user.as_ref(), &a))
            };
            if unknown && pullback.is_some() {
                pullback = compile(&wrt, attr.passes, &mut inner);
            }
            // Callers that pass arrays call the forward twin with dual numbers for every float
            // parameter; otherwise only the `_jvp` wrapper calls it, with tangents for those
            // `wrt(...)` lists. A struct carries a tangent where `wrt(...)` lists it (callers
            // pass a zero one where they do not differentiate it).
            let varied = parsed
                .params
                .iter()
                .map(|p| match p.class {
                    parse::ParamClass::Struct => p.wrt,
                    _ => p.wrt || (needs_pullback(&all) && !unknown),
                })
                .collect();
            let forward =
                crate::generic::with_varied(varied, || compile(&off, attr.passes, &mut inner));
            if !inner.is_empty() {
                for e in inner.drain_prefixed("on dual numbers (for `jvp` / `hessian`): ") {
                    errors.push(e);
                }
                return Twins::default();
            }
            let shell =
                Shell::new(&with_twin_structs(&emitted, parsed), false).allowing(&item.attrs);
            // The parameters as `wrt(...)` lists them, with the twin's signature.
            let user_emitted = Parsed {
                item: syn::ItemFn {
                    sig: emitted.clone(),
                    ..twin.clone()
                },
                ..wrt.clone()
            };
            let wrt_emitted = Parsed {
                item: syn::ItemFn {
                    sig: emitted.clone(),
                    ..twin.clone()
                },
                ..wrt
            };
            let all_emitted = Parsed {
                item: syn::ItemFn {
                    sig: emitted.clone(),
                    ..twin.clone()
                },
                ..all
            };
            let mut out = Twins::default();
            if let Some((f, plan)) = grad {
                let body = crate::codegen::grad_body(&f, &plan);
                let shell =
                    Shell::new(&with_tangents(&emitted, &wrt_emitted), false).allowing(&item.attrs);
                out.grad.extend(quote!(#[doc(hidden)]));
                out.grad.extend(companion(&wrt_emitted, &shell, body, ""));
            }
            if let Some((f, plan)) = pullback {
                let body = crate::codegen::pullback_body(&f, &plan);
                out.pullback.extend(quote!(#[doc(hidden)]));
                let slots = if unknown { &user_emitted } else { &all_emitted };
                out.pullback
                    .extend(pullback_fn(slots, &shell, body, unknown));
            }
            if let Some((f, plan)) = forward {
                let unknown = unknown.then_some(&user_emitted);
                out.forward
                    .extend(forward_fn(&emitted, &item.vis, &shell, &f, &plan, unknown));
            }
            out
        })
    })
}

/// `wrt(...)` for the twins that differentiate every parameter: `None` (all of them), or, if
/// `wrt(...)` leaves out data of a type the macro cannot see (which gets no gradient
/// anywhere), the others.
fn every_but_data(parsed: &Parsed) -> Option<Vec<syn::Ident>> {
    use parse::ParamClass::*;
    if !parsed
        .params
        .iter()
        .any(|p| matches!(p.class, Opaque) && !p.wrt)
    {
        return None;
    }
    let names = parsed.params.iter().filter(|p| match p.class {
        Scalar | Slice | ScalarRef | Array(_) | Struct => true,
        Opaque => p.wrt,
        ConstArray | Constant => false,
    });
    Some(names.map(|p| p.ident.clone()).collect())
}

/// The gradient twin's signature: `sig` and, for each differentiated struct parameter `p`,
/// its tangent and the tangent's shadow (`__grad_tan_p: &S, __grad_sh_p: &S`, see
/// `grad::__private::TwinField`).
fn with_tangents(sig: &syn::Signature, parsed: &Parsed) -> syn::Signature {
    let mut out = sig.clone();
    for p in &parsed.params {
        if !(p.wrt && matches!(p.class, parse::ParamClass::Struct)) {
            continue;
        }
        let ty = parse::struct_ty(&p.ty);
        let tan = crate::codegen::place::tangent_param(&p.ident);
        let sh = crate::codegen::place::shadow_param(&p.ident);
        out.inputs.push(syn::parse_quote!(#tan: &#ty));
        out.inputs.push(syn::parse_quote!(#sh: &#ty));
    }
    out
}

/// The name a struct parameter with a tangent has in the forward and pullback twins'
/// signatures (`codegen::place` binds the struct and its tangent from it).
pub(crate) fn twin_struct_arg(ident: &syn::Ident) -> syn::Ident {
    format_ident!("__grad_twin_{}", ident)
}

/// The forward and pullback twins' signature: each struct parameter `wrt(...)` lists taken as
/// `impl grad::__private::TwinStruct<S>` (the struct with its tangent, or a plain `&S`), named
/// by [`twin_struct_arg`]; a method's receiver also after the other parameters (as
/// `impl TwinStruct<Self>`, or `&Self` where its gradient is not taken), which callers in twins
/// pass after the arguments.
fn with_twin_structs(sig: &syn::Signature, parsed: &Parsed) -> syn::Signature {
    let mut out = sig.clone();
    let tangent = |ident: &syn::Ident| {
        parsed
            .params
            .iter()
            .any(|p| &p.ident == ident && p.wrt && matches!(p.class, parse::ParamClass::Struct))
    };
    let mut receiver = None;
    for input in &mut out.inputs {
        match input {
            syn::FnArg::Receiver(r) => {
                receiver = Some(tangent(&syn::Ident::new("self", r.self_token.span)))
            }
            syn::FnArg::Typed(pt) => {
                let syn::Pat::Ident(pi) = &*pt.pat else {
                    continue;
                };
                if !tangent(&pi.ident) {
                    continue;
                }
                let (name, ty) = (twin_struct_arg(&pi.ident), parse::struct_ty(&pt.ty).clone());
                *pt.pat = syn::parse_quote!(#name);
                *pt.ty = syn::parse_quote!(impl ::grad::__private::TwinStruct<#ty>);
            }
        }
    }
    let name = twin_struct_arg(&syn::Ident::new("self", proc_macro2::Span::call_site()));
    match receiver {
        Some(true) => out
            .inputs
            .push(syn::parse_quote!(#name: impl ::grad::__private::TwinStruct<Self>)),
        Some(false) => out.inputs.push(syn::parse_quote!(#name: &Self)),
        None => {}
    }
    out
}

/// `<name>__twin`: the forward sweep alone (the function's value) over the generic type.
fn forward_fn(
    sig: &syn::Signature,
    vis: &syn::Visibility,
    shell: &Shell,
    f: &crate::ir::Function,
    plan: &crate::adjoint::Plan,
    unknown: Option<&Parsed>,
) -> TokenStream {
    let name = &sig.ident;
    // Where a parameter `wrt(...)` leaves out flows into a plain helper (`unknown`: the
    // parameters as it lists them), a tangent given to it makes the result's tangent NaN.
    let mut given = Vec::new();
    for p in unknown.iter().flat_map(|u| &u.params) {
        let ident = &p.ident;
        given.push(match p.class {
            parse::ParamClass::Scalar if !p.wrt => {
                quote!(::grad::__private::has_tangent(#ident))
            }
            parse::ParamClass::Slice | parse::ParamClass::Array(_) if !p.wrt && !p.mut_ref => {
                quote!(::grad::__private::has_tangents(&#ident[..]))
            }
            _ => continue,
        });
    }
    let check = (!given.is_empty()).then(|| quote!(let __grad_unknown = #(#given)||*;));
    let poison = |result: TokenStream, array: bool| match (&check, array) {
        (None, _) => TokenStream::new(),
        (Some(_), false) => quote! {
            if __grad_unknown { #result = ::grad::__private::unknown_tangent(#result); }
        },
        (Some(_), true) => quote! {
            if __grad_unknown {
                for __grad_e in #result.iter_mut() {
                    *__grad_e = ::grad::__private::unknown_tangent(*__grad_e);
                }
            }
        },
    };
    if let crate::ir::Returns::Array(_) = f.returns {
        // The pullback's code returns the array; with nothing differentiated, its reverse
        // sweep is empty and reads no adjoint of the result.
        let body = crate::codegen::pullback_body(f, plan);
        let output = &sig.output;
        let (generics, _, where_clause) = sig.generics.split_for_impl();
        let Shell { inputs, allow, .. } = shell;
        let dout = crate::codegen::dout();
        let t = param();
        let poison_array = poison(quote!(__grad_r), true);
        return quote! {
            #[doc(hidden)]
            #allow
            #[inline]
            #vis fn #name #generics (#inputs) #output #where_clause {
                #check
                let #dout: &[#t] = &[];
                let _ = #dout;
                #[allow(unused_mut)]
                let mut __grad_r = { #body };
                #poison_array
                __grad_r
            }
        };
    }
    let body = crate::codegen::grad_body(f, plan);
    let output = &sig.output;
    let (generics, _, where_clause) = sig.generics.split_for_impl();
    let Shell { inputs, allow, .. } = shell;
    let tail = match output {
        syn::ReturnType::Type(_, ty) if !matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()) =>
        {
            quote!(__grad_all.0)
        }
        _ => quote!(()),
    };
    let poison = poison(quote!(__grad_all.0), false);
    quote! {
        #[doc(hidden)]
        #allow
        #[inline]
        #vis fn #name #generics (#inputs) #output #where_clause {
            #check
            #[allow(unused_mut)]
            let mut __grad_all = { #body };
            let _ = &__grad_all;
            #poison
            #tail
        }
    }
}
