//! Generic float code: `fn f<T: Real>(x: T) -> T`. While a generic function is expanded, its
//! type parameter is the function's float type: every place that recognizes `f64` / `f32` by
//! name asks [`is_float_name`], and the float constants generated code writes go through
//! [`lit`], which keeps the literal for a concrete type (the code for `f64` / `f32` functions is
//! unchanged) and names the constant of `grad::__private::Float` for a type parameter.
//!
//! The parameter's name is ambient for the expansion (a thread-local set by [`with_param`])
//! rather than threaded through every stage: the stages that recognize float types by name are
//! free functions on types and paths (`parse::float_of`, `lower::scope::ty_of_type`, ...),
//! and one proc-macro expansion runs on one thread.

use proc_macro2::TokenStream;
use quote::quote;
use std::cell::RefCell;

thread_local! {
    static PARAM: RefCell<Option<syn::Ident>> = const { RefCell::new(None) };
    static TWIN: RefCell<Option<syn::Type>> = const { RefCell::new(None) };
    static TWIN_JVP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static VARIED: RefCell<Option<Vec<bool>>> = const { RefCell::new(None) };
}

/// Runs `f` lowering the forward twin, which differentiates nothing (`wrt` is off for every
/// parameter) while parameter `i` carries a tangent where `varied[i]`: every float parameter
/// if callers that pass arrays call it with dual numbers, else those `wrt(...)` lists (its
/// `_jvp` wrapper's tangents). The others are constants ([`varied`]).
pub fn with_varied<R>(varied: Vec<bool>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Vec<bool>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            VARIED.with(|p| *p.borrow_mut() = old);
        }
    }
    let _restore = Restore(VARIED.with(|p| p.replace(Some(varied))));
    f()
}

/// Whether parameter `i` carries a tangent in the forward twin being lowered, if one is
/// ([`with_varied`]).
pub fn varied(i: usize) -> Option<bool> {
    VARIED.with(|p| {
        p.borrow()
            .as_ref()
            .map(|v| v.get(i).copied().unwrap_or(true))
    })
}

/// Runs `f` generating a twin ([`crate::symbol::TWIN_SUFFIX`]): the function's code with its
/// float type `original` (`f64` or `f32`) replaced by the type parameter. Its literals and
/// casts to the float type are lifted (`Lift<original>`), and its calls of differentiable
/// functions call their twins.
/// `jvp`: the function also has `jvp`, so its callees have `_jvp` (see [`twin_call`]).
pub fn with_twin<R>(original: syn::Type, jvp: bool, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<syn::Type>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            TWIN.with(|p| *p.borrow_mut() = old);
            TWIN_JVP.with(|p| p.set(self.1));
        }
    }
    let old = TWIN.with(|p| p.replace(Some(original)));
    let old_jvp = TWIN_JVP.with(|p| p.replace(jvp));
    let _restore = Restore(old, old_jvp);
    f()
}

/// How a twin calls a differentiable function of float arguments: through the callee's `_jvp`
/// or `_hvp` on plain floats (its generated one, or a custom rule written by hand), never
/// through the callee's own twin, so a hand-written `f_jvp` / `f_hvp` next to a plain `f`
/// serves second order as `f_grad` serves first order.
pub enum TwinCall {
    /// The forward twin of a function with `jvp`: `f_jvp(values.., tangents..) -> (v, d)`.
    Jvp,
    /// Otherwise: `f_hvp(values.., tangents..) -> (v, gradient.., H·tangent..)`.
    Hvp,
}

/// Which of [`TwinCall`] a twin uses, `forward`: whether it is the forward twin (the others
/// exist only for functions with `hessian`).
pub fn twin_call(forward: bool) -> TwinCall {
    if forward && TWIN_JVP.with(std::cell::Cell::get) {
        TwinCall::Jvp
    } else {
        TwinCall::Hvp
    }
}

/// The original float type while a twin is generated.
pub fn twin() -> Option<syn::Type> {
    TWIN.with(|p| p.borrow().clone())
}

/// Whether `ty` is the original float type of the twin being generated (`x as f64` in a twin
/// of an `f64` function casts to its float type).
pub fn is_twin_float(ty: &syn::Type) -> bool {
    use quote::ToTokens;
    twin().is_some_and(|t| t.to_token_stream().to_string() == ty.to_token_stream().to_string())
}

/// `path` as generated code calls it: the callee's twin while a twin is generated
/// (`physics::step` → `physics::step__twin`), else unchanged.
pub fn callee(path: &syn::Path) -> syn::Path {
    if twin().is_none() {
        return path.clone();
    }
    crate::codegen::suffixed(path, crate::symbol::TWIN_SUFFIX)
}

/// A call argument of unknown type (a constant such as `K`) as generated code passes it: on
/// dual numbers through `grad::__private::TwinArg` (a float constant lifted, an integer
/// unchanged); unchanged outside a twin.
pub fn twin_arg(t: &syn::Type, arg: TokenStream) -> TokenStream {
    if twin().is_some() {
        quote!(<_ as ::grad::__private::TwinArg<#t>>::arg(#arg))
    } else {
        arg
    }
}

/// A float constant written for the original float type (`2.0`, `PI`, `n as f64`), as a value
/// of the twin's float type `t`; unchanged outside a twin.
pub fn lift_const(t: &syn::Type, value: TokenStream) -> TokenStream {
    // Constants the macro writes itself ([`lit`]) already have the twin's type.
    let generated = param().is_some_and(|p| value.to_string().starts_with(&format!("< {p} as")));
    match twin() {
        Some(original) if !generated => {
            quote!(<#t as ::grad::__private::Lift<#original>>::lift(#value))
        }
        _ => value,
    }
}

/// Runs `f` with `param` (if any) as the float type parameter, restoring the previous one
/// after (also on unwind, so a panic in one expansion cannot leak into the next).
pub fn with_param<R>(param: Option<syn::Ident>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<syn::Ident>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            PARAM.with(|p| *p.borrow_mut() = old);
        }
    }
    let old = PARAM.with(|p| p.replace(param));
    let _restore = Restore(old);
    f()
}

/// The float type parameter of the function being expanded, if it is generic.
pub fn param() -> Option<syn::Ident> {
    PARAM.with(|p| p.borrow().clone())
}

/// Whether `name` is the float type parameter of the function being expanded.
pub fn is_param(name: &impl PartialEq<str>) -> bool {
    PARAM.with(|p| matches!(&*p.borrow(), Some(t) if *name == *t.to_string()))
}

/// Whether `name` names a float type: `f64`, `f32` or the float type parameter.
pub fn is_float_name(name: &impl PartialEq<str>) -> bool {
    *name == *"f64" || *name == *"f32" || is_param(name)
}

/// A float constant of the function's type: `0.0`, `-0.0` or `1.0` as written for a concrete
/// type, `<T as ::grad::__private::Float>::ZERO` (`NEG_ZERO`, `ONE`) for a type parameter.
pub fn lit(value: &str) -> TokenStream {
    let Some(t) = param() else {
        return value.parse().expect("a float literal");
    };
    let name = match value {
        "0.0" => quote!(ZERO),
        "-0.0" => quote!(NEG_ZERO),
        "1.0" => quote!(ONE),
        other => unreachable!("no generic constant for {other}"),
    };
    quote!(<#t as ::grad::__private::Float>::#name)
}

/// The type parameter `T` of `fn f<T: Real>` (or `fn f<T>(..) where T: Real`), if the
/// function has one bounded by `Real`; whether the generics are otherwise supported is
/// [`check`]'s business.
pub fn float_param(generics: &syn::Generics) -> Option<syn::Ident> {
    generics.type_params().find_map(|tp| {
        // `T: Float` too, so that the float type is `T` and only the bound is reported.
        let bounded = tp
            .bounds
            .iter()
            .chain(where_bounds(generics, &tp.ident))
            .any(|b| is_real(b) || is_float(b));
        bounded.then(|| tp.ident.clone())
    })
}

/// The bounds `where T: ...` puts on the type parameter `t`.
fn where_bounds<'a>(
    generics: &'a syn::Generics,
    t: &'a syn::Ident,
) -> impl Iterator<Item = &'a syn::TypeParamBound> {
    generics
        .where_clause
        .iter()
        .flat_map(|w| &w.predicates)
        .filter_map(move |p| match p {
            syn::WherePredicate::Type(pt) if names(&pt.bounded_ty, t) => Some(&pt.bounds),
            _ => None,
        })
        .flatten()
}

fn names(ty: &syn::Type, t: &syn::Ident) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(t))
}

/// `Real`, `grad::Real`, `grad::prelude::Real`, ...: a trait path ending in `Real`, without
/// `?`, lifetimes or generic arguments.
fn is_real(b: &syn::TypeParamBound) -> bool {
    matches!(b, syn::TypeParamBound::Trait(t)
        if t.lifetimes.is_none()
            && matches!(t.modifier, syn::TraitBoundModifier::None)
            && t.path.segments.last().is_some_and(|s| s.ident == "Real" && s.arguments.is_empty()))
}

/// `Float`, `grad::Float`, ...
fn is_float(b: &syn::TypeParamBound) -> bool {
    matches!(b, syn::TypeParamBound::Trait(t)
        if t.path.segments.last().is_some_and(|s| s.ident == "Float"))
}

/// What the errors say is supported.
const SUPPORTED: &str = "supported: one type parameter, the float type, bounded by `Real` \
                         alone (`fn f<T: Real>(x: T, ys: &[T]) -> T`), const parameters \
                         (`const N: usize`) and lifetimes";

/// Reports every part of the generics that is not one type parameter bounded by `Real`
/// (plus lifetimes and const parameters), each under its own tokens.
pub fn check(generics: &syn::Generics, errors: &mut crate::error::Errors) {
    let float = float_param(generics);
    for param in &generics.params {
        match param {
            syn::GenericParam::Lifetime(_) => {}
            syn::GenericParam::Const(_) => {}
            syn::GenericParam::Type(tp) if Some(&tp.ident) != float.as_ref() => {
                let why = if float.is_some() {
                    "a second type parameter is not supported"
                } else {
                    "a type parameter must be the float type, bounded by `Real`"
                };
                errors.on(tp, format!("{why}; {SUPPORTED}"));
            }
            syn::GenericParam::Type(tp) => {
                if tp.default.is_some() || !tp.attrs.is_empty() {
                    errors.on(
                        tp,
                        format!("defaults and attributes are not supported; {SUPPORTED}"),
                    );
                }
                let all: Vec<_> = tp
                    .bounds
                    .iter()
                    .chain(where_bounds(generics, &tp.ident))
                    .collect();
                if let Some(other) = all.iter().find(|b| !is_real(b)) {
                    let why = if is_float(other) {
                        "bound the float type by `Real`, not `Float`: `Real` adds the compound \
                         assignments (`+=`) that a body and the generated code use"
                    } else {
                        "only the bound `Real` is supported (it carries the operators, methods \
                         and constants a float body needs)"
                    };
                    errors.on(other, format!("{why}; {SUPPORTED}"));
                }
            }
        }
    }
    if let Some(w) = &generics.where_clause {
        for p in &w.predicates {
            let supported = match p {
                syn::WherePredicate::Type(pt) => {
                    float.as_ref().is_some_and(|t| names(&pt.bounded_ty, t))
                }
                syn::WherePredicate::Lifetime(_) => true,
                _ => false,
            };
            if !supported {
                errors.on(
                    p,
                    format!("this `where` clause is not supported; {SUPPORTED}"),
                );
            }
        }
    }
}

/// [`float_param`] of a function's tokens, parsing only its signature (the body is parsed
/// once, later, where errors are reported).
pub fn float_param_of(item: proc_macro2::TokenStream) -> Option<syn::Ident> {
    let signature = |input: syn::parse::ParseStream| {
        input.call(syn::Attribute::parse_outer)?;
        input.parse::<syn::Visibility>()?;
        let sig: syn::Signature = input.parse()?;
        input.parse::<proc_macro2::TokenStream>()?;
        Ok(sig)
    };
    let sig = syn::parse::Parser::parse2(signature, item).ok()?;
    float_param(&sig.generics).or_else(|| {
        (sig.generics.type_params().next().is_none())
            .then(|| impl_float(&sig))
            .flatten()
    })
}

/// The float type of a function without type parameters whose signature names no `f32` or
/// `f64`: a method of `impl<T: Real> Model<T>` (`fn loss(&self, x: &[T]) -> T`), or a
/// function over a type alias (`fn f(x: Real64) -> Real64`). It is the return type where
/// that is one name (`T`, `Real64`), else a one-letter type parameter the parameters use as a
/// scalar or element type (`fn forward(&self, x: &[T], out: &mut [T])`). If that name is not
/// a float type, rustc says so under it.
fn impl_float(sig: &syn::Signature) -> Option<syn::Ident> {
    use quote::ToTokens;
    let text = sig.to_token_stream().to_string();
    let words = |w: &str| {
        text.split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|t| t == w)
    };
    if words("f64") || words("f32") {
        return None;
    }
    fn bare(ty: &syn::Type) -> Option<&syn::Ident> {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => {
                let id = p.path.get_ident()?;
                let name = id.to_string();
                let known = crate::parse::known_constant(ty) || name == "Self";
                (!known).then_some(id)
            }
            syn::Type::Paren(p) => bare(&p.elem),
            syn::Type::Group(g) => bare(&g.elem),
            _ => None,
        }
    }
    fn elem(ty: &syn::Type) -> Option<&syn::Type> {
        match ty {
            syn::Type::Reference(r) => elem(&r.elem),
            syn::Type::Slice(s) => Some(&s.elem),
            syn::Type::Array(a) => Some(&a.elem),
            other => crate::parse::vec_elem(other),
        }
    }
    if let syn::ReturnType::Type(_, ty) = &sig.output {
        if let Some(t) = bare(ty).or_else(|| elem(ty).and_then(bare)) {
            return Some(t.clone());
        }
    }
    let one_letter = |t: &&syn::Ident| {
        let s = t.to_string();
        s.len() == 1 && s.chars().all(|c| c.is_ascii_uppercase())
    };
    sig.inputs.iter().find_map(|input| match input {
        syn::FnArg::Typed(pt) => {
            let ty = match &*pt.ty {
                syn::Type::Reference(r) if elem(&r.elem).is_none() => &*r.elem,
                other => other,
            };
            bare(ty)
                .or_else(|| elem(ty).and_then(bare))
                .filter(one_letter)
                .cloned()
        }
        syn::FnArg::Receiver(_) => None,
    })
}
