//! Parsing: the attribute's arguments and the function's signature. Everything the signature
//! does not support is reported here, each error under its own tokens.

use crate::error::Errors;
use crate::passes::Passes;
use crate::symbol::{DISABLE, HESSIAN, JVP, WRT};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;

/// The float type of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatTy {
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// The function's type parameter `T: Real` (see `generic.rs`).
    Generic,
}

/// How a parameter's type is classified.
#[derive(Clone)]
pub enum ParamClass {
    /// `f64` / `f32`.
    Scalar,
    /// `&[f64]`.
    Slice,
    /// `&mut f64`: a float the function may change (an array of one element in the body).
    ScalarRef,
    /// `[f64; N]` or `&[f64; N]`, with `N` as written.
    Array(TokenStream),
    /// A slice or array of something else (indexable, never differentiated).
    ConstArray,
    /// A struct (or `self`, or any type the macro cannot see, such as a type alias): read
    /// through its fields; its gradient is a value of its own type (`grad::Differentiable`).
    Struct,
    /// A type the macro can neither differentiate nor knows to be constant (a tuple, a
    /// function, a trait object): refused unless `wrt(...)` leaves it out.
    Opaque,
    /// Anything else (integers, bools, ...): a constant.
    Constant,
}

/// One parameter.
#[derive(Clone)]
pub struct ParsedParam {
    /// Its name.
    pub ident: syn::Ident,
    /// Its type as written.
    pub ty: syn::Type,
    /// Its classification.
    pub class: ParamClass,
    /// Whether the gradient is taken with respect to it.
    pub wrt: bool,
    /// Whether it is declared `mut` (then the body may assign it).
    pub mutable: bool,
    /// Whether it is a `&mut` slice or array: the body may write its elements, and the
    /// callers see the new values.
    pub mut_ref: bool,
}

impl ParsedParam {
    /// Whether the parameter's type is a `&mut` reference (of anything).
    pub fn mut_ref_any(&self) -> bool {
        matches!(&self.ty, syn::Type::Reference(r) if r.mutability.is_some())
    }
}

/// What a function returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetClass {
    /// `f64` / `f32`.
    Float,
    /// `[f64; N]` (with `N` as written) or `Vec<f64>` (`None`).
    Array(Option<String>),
    /// `()`: the function works through `&mut` parameters.
    Unit,
}

/// The parsed attribute and signature.
#[derive(Clone)]
pub struct Parsed {
    /// The user's function, unchanged.
    pub item: syn::ItemFn,
    /// The float type (from the return type, else from the parameters).
    pub float: FloatTy,
    /// Whether the return type is `f32` or `f64` (if not, that is reported and the body is
    /// only checked).
    pub returns_float: bool,
    /// What the function returns.
    pub ret: RetClass,
    /// The float type as tokens.
    pub float_ty: syn::Type,
    /// The parameters.
    pub params: Vec<ParsedParam>,
}

/// The names listed in `wrt(...)`, if the attribute has it.
pub fn attribute(attr: TokenStream, errors: &mut Errors) -> Attr {
    let mut wrt: Option<Vec<syn::Ident>> = None;
    let mut disabled = Vec::new();
    let mut empty = None;
    let (mut jvp, mut hessian) = (false, false);
    let mut segment = None;
    let parser = syn::meta::parser(|meta| {
        let list = |meta: &syn::meta::ParseNestedMeta| {
            let content;
            syn::parenthesized!(content in meta.input);
            content.parse_terminated(<syn::Ident as syn::parse::Parse>::parse, syn::Token![,])
        };
        if meta.path.is_ident(WRT) {
            // `self` is a keyword: parsed as any identifier, so a method lists it.
            let content;
            syn::parenthesized!(content in meta.input);
            let names = content.parse_terminated(syn::ext::IdentExt::parse_any, syn::Token![,])?;
            if names.is_empty() {
                empty = Some(meta.path.span());
            }
            wrt.get_or_insert_with(Vec::new).extend(names);
            Ok(())
        } else if meta.path.is_ident(DISABLE) {
            disabled.extend(list(&meta)?);
            Ok(())
        } else if meta.path.is_ident(JVP) {
            jvp = true;
            Ok(())
        } else if meta.path.is_ident(HESSIAN) {
            hessian = true;
            Ok(())
        } else if meta.path.is_ident("segment") {
            let content;
            syn::parenthesized!(content in meta.input);
            let n: syn::LitInt = content.parse()?;
            match n.base10_parse::<usize>() {
                Ok(v) if v > 0 => segment = Some(v),
                _ => {
                    return Err(syn::Error::new(
                        n.span(),
                        "`segment(N)` takes a positive size",
                    ))
                }
            }
            Ok(())
        } else {
            Err(meta.error(
                "unknown argument; the arguments are `wrt(a, b, ...)`, `disable(pass, ...)`, \
                 `jvp`, `hessian` and `segment(N)`",
            ))
        }
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, attr) {
        errors.push(e);
    }
    if let Some(span) = empty {
        errors.at(
            span,
            "`wrt()` names no parameter; list the parameters to differentiate with respect to, \
             or remove `wrt`",
        );
    }
    let mut passes = Passes::default();
    if let Some(n) = segment {
        passes.segment = n;
    }
    for name in &disabled {
        passes.disable(name, errors);
    }
    Attr {
        wrt,
        passes,
        jvp,
        hessian,
    }
}

/// The attribute's arguments.
pub struct Attr {
    /// `wrt(a, b, ...)`: the parameters to differentiate with respect to (all when absent).
    pub wrt: Option<Vec<syn::Ident>>,
    /// The optimizing passes to run (`disable(...)` turns some off).
    pub passes: Passes,
    /// `jvp`: also generate `<name>_jvp`.
    pub jvp: bool,
    /// `hessian`: also generate `<name>_hvp` and `<name>_hessian`.
    pub hessian: bool,
}

/// `f32` or `f64` if `ty` is exactly that path.
pub fn float_of(ty: &syn::Type) -> Option<FloatTy> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            if p.path.is_ident("f64") {
                Some(FloatTy::F64)
            } else if p.path.is_ident("f32") {
                Some(FloatTy::F32)
            } else if p.path.get_ident().is_some_and(crate::generic::is_param) {
                Some(FloatTy::Generic)
            } else {
                None
            }
        }
        syn::Type::Paren(p) => float_of(&p.elem),
        syn::Type::Group(g) => float_of(&g.elem),
        _ => None,
    }
}

fn classify(ty: &syn::Type, errors: &mut Errors) -> (ParamClass, Option<FloatTy>) {
    if let Some(f) = float_of(ty) {
        return (ParamClass::Scalar, Some(f));
    }
    match ty {
        syn::Type::Reference(r) => {
            if r.mutability.is_some() {
                if let Some(f) = float_of(&r.elem) {
                    return (ParamClass::ScalarRef, Some(f));
                }
                if float_rows(ty) > 0 {
                    errors.on(
                        r,
                        "rows behind `&mut` are not supported; take them as `&[[f64; N]]` and \
                         write results through a flat `&mut [f64]` (`out[i * n + j]`)",
                    );
                    return (ParamClass::Opaque, None);
                }
            }
            if float_of(&r.elem).is_some() {
                errors.on(
                    r,
                    "a float behind a reference would silently get no gradient; take it by \
                     value (`x: f64`)",
                );
                return (ParamClass::Constant, None);
            }
            match &*r.elem {
                syn::Type::Slice(s) => match float_of(&s.elem) {
                    Some(f) => (ParamClass::Slice, Some(f)),
                    None if known_constant(&s.elem) => (ParamClass::ConstArray, None),
                    // Rows of floats (`&[[f64; 3]]`): a container whose gradient is a
                    // `Vec<[f64; 3]>`; left out by `wrt(...)`, data (see below).
                    None if float_rows(ty) > 0 => (ParamClass::Struct, None),
                    None => (ParamClass::Opaque, None),
                },
                syn::Type::Array(a) => match float_of(&a.elem) {
                    Some(f) => (ParamClass::Array(a.len.to_token_stream()), Some(f)),
                    None if known_constant(&a.elem) => (ParamClass::ConstArray, None),
                    None => (ParamClass::Struct, None),
                },
                elem => match vec_elem(elem) {
                    Some(e) => match float_of(e) {
                        Some(f) => (ParamClass::Slice, Some(f)),
                        None if known_constant(e) => (ParamClass::ConstArray, None),
                        None => (ParamClass::Struct, None),
                    },
                    None => by_value(elem),
                },
            }
        }
        syn::Type::Array(a) => match float_of(&a.elem) {
            Some(f) => (ParamClass::Array(a.len.to_token_stream()), Some(f)),
            None if known_constant(&a.elem) => (ParamClass::ConstArray, None),
            None => (ParamClass::Struct, None),
        },
        other => by_value(other),
    }
}

/// A type taken by value (or behind a reference) that is neither a float nor an array.
fn by_value(ty: &syn::Type) -> (ParamClass, Option<FloatTy>) {
    if known_constant(ty) {
        (ParamClass::Constant, None)
    } else if matches!(ty, syn::Type::Path(p) if p.qself.is_none())
        || matches!(ty, syn::Type::Tuple(t) if !t.elems.is_empty())
    {
        // A struct, a type alias or a tuple: read through its fields (`p.w`, `pair.0`).
        (ParamClass::Struct, None)
    } else {
        (ParamClass::Opaque, None)
    }
}

/// The type of a struct parameter's gradient: the parameter's type without its reference
/// (rows `&[T]`: `Vec<T>`).
pub fn grad_ty(ty: &syn::Type) -> syn::Type {
    match struct_ty(ty) {
        syn::Type::Slice(s) => {
            let elem = &s.elem;
            syn::parse_quote!(::std::vec::Vec<#elem>)
        }
        other => other.clone(),
    }
}

/// Whether `ty` is the gradient type [`grad_ty`] gives rows (`::std::vec::Vec<T>`, written so
/// by the macro only).
pub fn is_rows_grad(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.leading_colon.is_some()
        && p.path.segments.len() == 3
        && p.path.segments[0].ident == "std"
        && p.path.segments[2].ident == "Vec")
}

/// The type of a struct parameter's value: the parameter's type without its reference (a
/// slice `[T]` for rows, whose gradient is a `Vec<T>`: [`grad_ty`]).
pub fn struct_ty(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Reference(r) => struct_ty(&r.elem),
        syn::Type::Paren(p) => struct_ty(&p.elem),
        other => other,
    }
}

/// Types that can never carry a derivative: integers, `bool`, `char`, `str`, `String`, and
/// references, slices, arrays, `Vec`s and `Option`s of them.
pub fn known_constant(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            let scalar = matches!(
                name.as_str(),
                "i8" | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
                    | "isize"
                    | "u8"
                    | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "usize"
                    | "bool"
                    | "char"
                    | "str"
                    | "String"
            );
            if scalar && p.path.segments.len() == 1 {
                return true;
            }
            if matches!(name.as_str(), "Vec" | "Option") {
                return vec_or_option_elem(last).is_some_and(known_constant);
            }
            false
        }
        syn::Type::Reference(r) => known_constant(&r.elem),
        syn::Type::Slice(s) => known_constant(&s.elem),
        syn::Type::Array(a) => known_constant(&a.elem),
        syn::Type::Paren(p) => known_constant(&p.elem),
        syn::Type::Group(g) => known_constant(&g.elem),
        syn::Type::Tuple(t) => t.elems.iter().all(known_constant),
        _ => false,
    }
}

/// `S` of `&[S]` or `&mut [S]` with `S` a named type (a struct) or an array.
fn slice_elem(ty: &syn::Type) -> Option<&syn::Type> {
    match ty {
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Slice(s) if matches!(&*s.elem, syn::Type::Path(_) | syn::Type::Array(_)) => {
                Some(&s.elem)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The number of indices down to a float of `ty` if it is `&[A]` (or `&mut [A]`) with `A` an
/// array of floats at any depth (`&[[f64; 4]]`: 2, `&[[[f32; 2]; 3]]`: 3), else 0.
pub fn float_rows(ty: &syn::Type) -> usize {
    rows_of(ty, &|e| float_of(e).is_some())
}

/// The same for rows of integers (`edges: &[[usize; 2]]`: 2), constant data.
pub fn int_rows(ty: &syn::Type) -> usize {
    rows_of(ty, &|e| {
        known_constant(e) && !matches!(e, syn::Type::Array(_))
    })
}

fn rows_of(ty: &syn::Type, scalar: &dyn Fn(&syn::Type) -> bool) -> usize {
    fn depth(ty: &syn::Type, scalar: &dyn Fn(&syn::Type) -> bool) -> usize {
        match ty {
            syn::Type::Array(a) if scalar(&a.elem) => 1,
            syn::Type::Array(a) => match depth(&a.elem, scalar) {
                0 => 0,
                d => d + 1,
            },
            syn::Type::Paren(p) => depth(&p.elem, scalar),
            _ => 0,
        }
    }
    match ty {
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Slice(s) => match depth(&s.elem, scalar) {
                0 => 0,
                d => d + 1,
            },
            _ => 0,
        },
        _ => 0,
    }
}

/// Whether a parameter of type `ty` can be indexed: a slice, an array or a `Vec`, or a
/// reference to one (of anything).
pub fn indexable(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => indexable(&r.elem),
        syn::Type::Slice(_) | syn::Type::Array(_) => true,
        other => vec_elem(other).is_some(),
    }
}

fn vec_or_option_elem(seg: &syn::PathSegment) -> Option<&syn::Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// `T` if `ty` is `Vec<T>`.
pub fn vec_elem(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if p.qself.is_some() || last.ident != "Vec" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// What a return type is: a float, an array of floats, or `()`.
fn ret_class(ty: &syn::Type) -> Option<(RetClass, FloatTy)> {
    if let Some(f) = float_of(ty) {
        return Some((RetClass::Float, f));
    }
    match ty {
        syn::Type::Array(a) => float_of(&a.elem).map(|f| {
            (
                RetClass::Array(Some(a.len.to_token_stream().to_string())),
                f,
            )
        }),
        syn::Type::Tuple(t) if t.elems.is_empty() => None,
        syn::Type::Paren(p) => ret_class(&p.elem),
        other => vec_elem(other)
            .and_then(float_of)
            .map(|f| (RetClass::Array(None), f)),
    }
}

/// Checks the signature and classifies the parameters.
pub fn signature(item: syn::ItemFn, wrt: Option<Vec<syn::Ident>>, errors: &mut Errors) -> Parsed {
    let sig = &item.sig;
    if let Some(c) = &sig.constness {
        errors.on(c, "`const fn` cannot be differentiable; remove `const`");
    }
    if let Some(a) = &sig.asyncness {
        errors.on(a, "`async fn` cannot be differentiable; remove `async`");
    }
    if let Some(u) = &sig.unsafety {
        errors.on(u, "`unsafe fn` cannot be differentiable; remove `unsafe`");
    }
    if let Some(abi) = &sig.abi {
        errors.on(
            abi,
            "`extern` functions cannot be differentiable; remove the ABI",
        );
    }
    crate::generic::check(&sig.generics, errors);
    if let Some(v) = &sig.variadic {
        errors.on(
            v,
            "variadic functions are not supported; take the values as a slice (`xs: &[f64]`)",
        );
    }
    let unit = |ty: &syn::Type| matches!(ty, syn::Type::Tuple(t) if t.elems.is_empty());
    let (float, ret) = match &sig.output {
        syn::ReturnType::Type(_, ty) if unit(ty) => (None, RetClass::Unit),
        syn::ReturnType::Type(_, ty) => match ret_class(ty) {
            Some((ret, f)) => (Some(f), ret),
            None => {
                errors.on(
                    ty,
                    "a differentiable function must return `f64` or `f32`, an array of them \
                     (`[f64; N]`, `Vec<f64>`) or nothing (writing through `&mut` parameters); \
                     return one scalar (e.g. a loss) and differentiate each output in its own \
                     function",
                );
                (None, RetClass::Float)
            }
        },
        syn::ReturnType::Default => (None, RetClass::Unit),
    };

    let mut params = Vec::new();
    let mut first_float = None;
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => {
                if r.colon_token.is_some() {
                    errors.on(
                        r,
                        "a receiver with an explicit type is not supported; write `&self`",
                    );
                }
                let by_mut_ref = r.reference.is_some() && r.mutability.is_some();
                params.push(ParsedParam {
                    ident: syn::Ident::new("self", r.self_token.span),
                    ty: (*r.ty).clone(),
                    class: ParamClass::Struct,
                    wrt: true,
                    mutable: false,
                    mut_ref: by_mut_ref,
                });
            }
            syn::FnArg::Typed(pt) => {
                let (ident, mutable) = match &*pt.pat {
                    syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                        (p.ident.clone(), p.mutability.is_some())
                    }
                    other => {
                        errors.on(
                            other,
                            "parameter patterns are not supported; use a plain name",
                        );
                        continue;
                    }
                };
                let (class, ftype) = classify(&pt.ty, errors);
                let by_value = !matches!(&*pt.ty, syn::Type::Reference(_));
                if mutable && by_value && matches!(class, ParamClass::Struct) {
                    errors.on(
                        &pt.pat,
                        "a struct taken by value cannot be changed in a differentiable function; \
                         take it as `&mut` (`s: &mut S`: its gradient is then that of its \
                         initial values), or copy the fields you change into local variables",
                    );
                }
                let mut_ref = matches!(&*pt.ty, syn::Type::Reference(r) if r.mutability.is_some())
                    && matches!(
                        class,
                        ParamClass::Slice
                            | ParamClass::Array(_)
                            | ParamClass::ScalarRef
                            | ParamClass::Struct
                    );
                first_float = first_float.or(ftype);
                if let (Some(f), Some(expected)) = (ftype, float) {
                    if f != expected && expected == FloatTy::Generic {
                        let t = crate::generic::param().map(|t| t.to_string());
                        errors.on(
                            &pt.ty,
                            format!(
                                "in a generic function every float is of the type parameter's \
                                 type; write `{}` here",
                                t.unwrap_or_default()
                            ),
                        );
                    } else if f != expected {
                        errors.on(
                            &pt.ty,
                            "mixed `f32` and `f64` are not supported; use the return type's \
                             float type for every float parameter",
                        );
                    }
                }
                params.push(ParsedParam {
                    ident,
                    ty: (*pt.ty).clone(),
                    wrt: ftype.is_some()
                        || matches!(class, ParamClass::Struct | ParamClass::Opaque),
                    mutable,
                    mut_ref,
                    class,
                });
            }
        }
    }

    if let Some(names) = wrt {
        for p in &mut params {
            p.wrt = p.wrt && names.contains(&p.ident);
        }
        for name in &names {
            match params.iter().find(|p| p.ident == *name) {
                None => errors.at(
                    name.span(),
                    format!(
                        "`{name}` is not a parameter of this function; `wrt(...)` lists \
                         parameters by name"
                    ),
                ),
                Some(p) if matches!(p.class, ParamClass::Opaque) => {}
                Some(p) if matches!(p.class, ParamClass::Constant | ParamClass::ConstArray) => {
                    errors.at(
                        name.span(),
                        format!(
                            "`{name}` is not a float, a float slice or a float array, so it \
                             has no gradient; remove it from `wrt(...)`"
                        ),
                    )
                }
                Some(_) => {}
            }
        }
    }

    // Rows of floats left out by `wrt(...)` are data: read where they stand, as other indexable
    // data, and never given a tangent by the twins.
    for p in &mut params {
        if matches!(p.class, ParamClass::Struct) && !p.wrt && float_rows(&p.ty) > 0 {
            p.class = ParamClass::Opaque;
        }
    }

    // No silent constants: a parameter of a type the macro cannot see either gets a gradient
    // (a struct, through its fields) or is left out by `wrt(...)`.
    for p in &params {
        if float_rows(&p.ty) > 0 {
            // Rows: a `Struct`, data, or `&mut` (refused above).
            continue;
        }
        if let (ParamClass::Opaque, true, Some(elem)) = (&p.class, p.wrt, slice_elem(&p.ty)) {
            // `[f64 ; 2]` as written: `[f64; 2]`.
            let elem = elem
                .to_token_stream()
                .to_string()
                .replace(' ', "")
                .replace(';', "; ")
                .replace(',', ", ");
            errors.on(
                &p.ty,
                format!(
                    "a slice of `{elem}` has no gradient of its own type; take `&Vec<{elem}>` \
                     (its gradient is a `Vec<{elem}>`, one gradient per element), or leave `{}` \
                     out of the gradient with `#[differentiable(wrt(...))]`",
                    p.ident
                ),
            );
        } else if matches!(p.class, ParamClass::Opaque) && p.wrt {
            errors.on(
                &p.ty,
                format!(
                    "`{}` has a type the macro cannot differentiate or tell to be constant; pass \
                     floats, float slices or arrays, or a struct with \
                     `#[derive(Differentiable)]`, or leave it out of the gradient with \
                     `#[differentiable(wrt(...))]` listing the other parameters",
                    p.ident
                ),
            );
        }
    }

    // Without a float return type (already reported) the body is still checked, so that every
    // error of the function is reported at once: as a function of its float parameters' type.
    if ret == RetClass::Unit && !params.iter().any(|p| p.mut_ref) {
        errors.at(
            sig.ident.span(),
            "a differentiable function must return `f64` or `f32` (or an array of them), or \
             write its results through a `&mut` slice parameter; add `-> f64`",
        );
    }
    let returns_float = float.is_some();
    let float = float.or(first_float).unwrap_or(FloatTy::F64);
    let float_ty: syn::Type = match float {
        FloatTy::F32 => syn::parse_quote_spanned!(sig.output.span()=> f32),
        FloatTy::F64 => syn::parse_quote_spanned!(sig.output.span()=> f64),
        FloatTy::Generic => {
            let t = crate::generic::param();
            syn::parse_quote!(#t)
        }
    };
    Parsed {
        item,
        float,
        returns_float,
        ret,
        float_ty,
        params,
    }
}
