//! The whole expansion: parse → lower → activity → adjoint → codegen, on `proc_macro2` types
//! so that ordinary tests can call it.

use crate::error::Errors;
use crate::ir::Function;
use crate::passes::{cse, fold, Passes};
use crate::symbol::{GRAD_SUFFIX, GRAPH_SUFFIX, MAX_PARTIALS, PULLBACK_SUFFIX};
use crate::{activity, adjoint, codegen, listing, lower, parse};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};

/// Expands `#[differentiable(attr)] item`. Never panics on user input: every problem becomes
/// a `compile_error!` under its tokens, and the user's function (plus a stub companion with
/// the right signature) is still emitted so one error does not cascade.
///
/// Runs on a stack of its own, large enough for any nesting rustc accepts (see `stack.rs`), on
/// the calling thread.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    stacker::grow(crate::stack::ENTRY, || {
        // A generic function's float type parameter is its float type throughout.
        let param = crate::generic::float_param_of(item.clone());
        crate::generic::with_param(param, || expand_here(attr, item))
    })
}

/// [`expand`] on the current stack.
fn expand_here(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let err = syn::Error::new(
                e.span(),
                "#[differentiable] applies to a function: `fn f(x: f64, ...) -> f64 { ... }`",
            )
            .to_compile_error();
            return quote!(#err #item);
        }
    };
    // Assertions opening the body are checked again at the start of the companions, not
    // differentiated ([`crate::asserts`]); the function itself is emitted as written.
    let original = item.clone();
    let (asserts, item) = crate::asserts::split_leading(&item);
    let mut errors = Errors::default();
    let attr = parse::attribute(attr, &mut errors);
    let restricted = attr.wrt.is_some();
    let parsed = parse::signature(item.clone(), attr.wrt.clone(), &mut errors);
    let float_ret = parsed.ret == parse::RetClass::Float;
    let compiled = compile(&parsed, attr.passes, &mut errors);
    let compiled_ok = compiled.is_some();
    // The pullback differentiates with respect to every float parameter (a caller cannot see
    // `wrt`): compiled again where `wrt(...)` restricts the gradient.
    let mut unknown = false;
    let pullback = match &compiled {
        _ if !needs_pullback(&parsed) => None,
        Some((f, plan)) if !restricted => Some(codegen::pullback_body(f, plan)),
        Some(_) => {
            // Every float parameter; structs and parameters of unknown types only where
            // `wrt(...)` lists them (the others are constants, with a `&mut ()` slot).
            let mut ignored = Errors::default();
            let names = parsed
                .params
                .iter()
                .filter(|p| {
                    p.wrt
                        || !matches!(
                            p.class,
                            parse::ParamClass::Struct
                                | parse::ParamClass::Opaque
                                | parse::ParamClass::Constant
                                | parse::ParamClass::ConstArray
                        )
                })
                .map(|p| p.ident.clone())
                .collect();
            let all = parse::signature(item.clone(), Some(names), &mut ignored);
            match compile(&all, attr.passes, &mut ignored) {
                Some((a, _)) if plain_on_left_out(f_of(&compiled), &a) => {
                    // It would call a plain helper's companions: it differentiates what
                    // `wrt(...)` lists, and the rest's gradient is unknown.
                    unknown = true;
                    compiled
                        .as_ref()
                        .map(|(f, plan)| codegen::pullback_body(f, plan))
                }
                Some((f, plan)) => Some(codegen::pullback_body(&f, &plan)),
                // Refused with every float parameter differentiated (a float the body uses as
                // no arithmetic allows, `for i in (x[0] * c).sin()..n`, where `wrt(...)` leaves
                // `x` out): the same, as for a plain helper.
                None => {
                    unknown = true;
                    compiled
                        .as_ref()
                        .map(|(f, plan)| codegen::pullback_body(f, plan))
                }
            }
        }
        None => None,
    };
    // Whether `_pullback` runs `_grad`'s code: the same compile, float and array parameters
    // only (the slots `_grad` would fill), a concrete free function or one that names `Self`.
    let pullback_is_grad = pullback.is_some()
        && !restricted
        && !unknown
        && crate::generic::param().is_none()
        && crate::generic::twin().is_none()
        && parsed.params.iter().all(|p| {
            matches!(
                p.class,
                parse::ParamClass::Scalar
                    | parse::ParamClass::Slice
                    | parse::ParamClass::Array(_)
                    | parse::ParamClass::ConstArray
                    | parse::ParamClass::Constant
            )
        });
    let body = compiled.map(|(f, plan)| {
        let graph = (parsed.float == parse::FloatTy::F64
            && !f
                .params
                .iter()
                .any(|p| matches!(p.kind, crate::ir::ParamKind::Struct { .. }))
            && !codegen::has_pullback_calls(&f.body)
            && !f.array_mut.contains(&true))
        .then(|| codegen::graph_body(&f, &plan, &parsed.item.sig.ident.to_string()));
        // A large function's `_grad` calls its `_pullback` (issue 16: one copy of the body
        // for rustc to check). Not the others': inside an `impl` block the call would need
        // `Self::`, which the macro cannot always tell from the function alone, and a small
        // body costs little.
        let by_pullback = pullback_is_grad && codegen::is_split(f.body.weight(), plan.segment);
        let grad = if by_pullback {
            crate::higher::grad_by_pullback(&parsed)
        } else {
            codegen::grad_body(&f, &plan)
        };
        (grad, listing::listing(&f, &plan), graph)
    });
    let shell = Shell::new(&parsed.item.sig, body.is_none()).allowing(&parsed.item.attrs);
    let stub = || quote!(::core::unimplemented!());
    let (body, listing, graph) = body.unwrap_or_else(|| {
        let graph = (parsed.float == parse::FloatTy::F64).then(stub);
        (stub(), String::new(), graph)
    });
    let companion = float_ret.then(|| companion(&parsed, &shell, quote!(#asserts #body), &listing));
    let graph = graph
        .filter(|_| float_ret)
        .map(|g| graph_fn(&parsed, &shell, quote!(#asserts #g)));
    let pullback = needs_pullback(&parsed).then(|| {
        let body = pullback.unwrap_or_else(stub);
        pullback_fn(&parsed, &shell, quote!(#asserts #body), unknown)
    });
    // Forward mode and second order: the twins (concrete functions) and the wrappers.
    let mut extra = TokenStream::new();
    let wants_duals = attr.jvp || attr.hessian;
    if errors.is_empty() {
        let ok = crate::higher::check(&parsed, attr.jvp, attr.hessian, &mut errors);
        let mut twins = crate::twin::Twins::default();
        if ok
            && wants_duals
            && (attr.hessian || !crate::higher::by_reverse(&parsed))
            && crate::generic::param().is_none()
            && compiled_ok
        {
            twins = crate::twin::twins(&item, &attr, &parsed, &mut errors);
            extra.extend(twins.all());
        }
        // A generic function runs on dual numbers itself: its twins' names, which callers'
        // twins call, forward to it and its pullback.
        if ok && wants_duals && crate::generic::param().is_some() && compiled_ok {
            extra.extend(generic_twin_names(&original, pullback.as_ref()));
        }
        // Where `jvp`/`hessian` are refused (or their twins were, with errors already), `_vjp`
        // / `_jacobian` still come with an array-valued function; the other wrappers would
        // only add rustc's errors about the missing twins.
        let ok = ok && errors.is_empty();
        let siblings = crate::siblings::Siblings {
            plain: hidden_copy(&original, original.sig.ident.clone()),
            grad: companion.clone().unwrap_or_default(),
            pullback: pullback.clone().unwrap_or_default(),
            twins,
        };
        extra.extend(crate::higher::companions(
            &parsed,
            attr.jvp && ok,
            attr.hessian && ok,
            asserts.clone(),
            &siblings,
        ));
    } else if parsed.ret != parse::RetClass::Unit {
        // Stubs of the wrappers, as of `_grad`: their callers add no errors of their own.
        let wrappers = crate::higher::companions(
            &parsed,
            attr.jvp,
            attr.hessian,
            TokenStream::new(),
            &crate::siblings::Siblings::default(),
        );
        extra.extend(stubs(wrappers));
    }
    let e = errors.to_compile_errors();
    // The user's function is used whenever a companion is, and rustc cannot see that: without
    // this, a loss used only through `loss_grad` is reported as dead code. (The companions
    // allow `dead_code` too, so a differentiable function used nowhere is not reported.)
    quote! {
        #e
        #[allow(dead_code)]
        #original
        #companion
        #graph
        #pullback
        #extra
    }
}

/// For a generic function with `jvp` or `hessian`: `<name>__needs_jvp_or_hessian` and its
/// `_pullback`, the names a concrete caller's twin calls (a generic function needs no twin of
/// its own: it runs on dual numbers itself). Copies of the function and its pullback, not
/// calls of them: a call would need `Self::` inside an `impl` block, which the macro cannot
/// always tell. Methods have none (a method's twin is called through `Self`).
fn generic_twin_names(original: &syn::ItemFn, pullback: Option<&TokenStream>) -> TokenStream {
    if original.sig.receiver().is_some() {
        return TokenStream::new();
    }
    let name = &original.sig.ident;
    let renamed = |suffix: &str| {
        format_ident!(
            "{}{}{}",
            name,
            crate::symbol::TWIN_SUFFIX,
            suffix,
            span = name.span()
        )
    };
    let mut out = hidden_copy(original, renamed(""));
    if let Some(pb) = pullback.and_then(|pb| syn::parse2::<syn::ItemFn>(pb.clone()).ok()) {
        out.extend(hidden_copy(&pb, renamed(PULLBACK_SUFFIX)));
    }
    out
}

/// A copy of the function `f` named `name`, hidden: the user's `allow`s stay (the copy is the
/// same code), an `expect` as an `allow` (the copy must not fulfil or miss it twice); the
/// other attributes go.
pub(crate) fn hidden_copy(f: &syn::ItemFn, name: syn::Ident) -> TokenStream {
    let mut copy = f.clone();
    copy.sig.ident = name;
    copy.attrs
        .retain(|a| a.path().is_ident("allow") || a.path().is_ident("expect"));
    for a in &mut copy.attrs {
        if let syn::Meta::List(l) = &mut a.meta {
            l.path = syn::parse_quote!(allow);
        }
    }
    copy.attrs.push(syn::parse_quote!(#[doc(hidden)]));
    copy.attrs.push(syn::parse_quote!(
        #[allow(unused, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
    ));
    copy.to_token_stream()
}

/// The functions of `code` with their bodies replaced by `unimplemented!()` (a function with
/// errors: the errors say what is wrong, the stubs keep its callers quiet).
fn stubs(code: TokenStream) -> TokenStream {
    let Ok(file) = syn::parse2::<syn::File>(code) else {
        return TokenStream::new();
    };
    let mut out = TokenStream::new();
    for item in file.items {
        if let syn::Item::Fn(mut f) = item {
            *f.block = syn::parse_quote!({ ::core::unimplemented!() });
            f.attrs.push(syn::parse_quote!(#[allow(unused)]));
            out.extend(quote!(#f));
        }
    }
    out
}

/// Whether a caller can need `<name>_pullback`: a call passes arrays or `&mut` only to a
/// function that takes them, and a call of a function returning a float with at most
/// [`MAX_PARTIALS`] arguments goes through `_grad`.
pub(crate) fn needs_pullback(parsed: &parse::Parsed) -> bool {
    parsed.ret != parse::RetClass::Float
        || parsed.params.len() > MAX_PARTIALS
        || parsed.params.iter().any(|p| {
            matches!(
                p.class,
                parse::ParamClass::Slice
                    | parse::ParamClass::Array(_)
                    | parse::ParamClass::ScalarRef
                    | parse::ParamClass::Struct
            ) || p.mut_ref
                // Rows left out by `wrt(...)`: callers pass them as places, to the pullback.
                || parse::float_rows(&p.ty) > 0
                || parse::int_rows(&p.ty) > 0
        })
}

/// The function of a compiled pair.
fn f_of(
    compiled: &Option<(crate::ir::Function, crate::adjoint::Plan)>,
) -> Option<&crate::ir::Function> {
    compiled.as_ref().map(|(f, _)| f)
}

/// Whether the code differentiating every float parameter (`all`) calls through its
/// companions a helper that the code for `wrt(...)` (`user`) calls as a plain function on
/// constants (`lgamma(ys[i] + 1.0)` with `ys` left out): a plain helper has no companions.
pub(crate) fn plain_on_left_out(
    user: Option<&crate::ir::Function>,
    all: &crate::ir::Function,
) -> bool {
    use crate::ir::{Op, Plain};
    let Some(user) = user else {
        return false;
    };
    let name = |p: &syn::Path| quote!(#p).to_string();
    let (mut plain, mut called) = (
        std::collections::HashSet::new(),
        std::collections::HashSet::new(),
    );
    for op in user.defs().values() {
        match op {
            Op::Plain(Plain::Call(p), _) => {
                plain.insert(name(p));
            }
            Op::Call { path, .. } => {
                called.insert(name(path));
            }
            _ => {}
        }
    }
    all.defs().values().any(|op| {
        matches!(op, Op::Call { path, .. } if plain.contains(&name(path)) && !called.contains(&name(path)))
    })
}

/// `<name>_pullback(args..., d_out, slots...)`: what a caller differentiates a call that passes
/// arrays through, and a custom rule's shape for functions over slices.
///
/// `unknown`: the body differentiates only what `wrt(...)` lists (it calls plain helpers on
/// the rest, see [`plain_on_left_out`]): the slots of the other float parameters (not `&mut`)
/// get NaN added, so a caller differentiating through them gets NaN rather than a gradient
/// missing the helpers' part (a caller passing constant data there never reads its slot).
pub(crate) fn pullback_fn(
    parsed: &parse::Parsed,
    shell: &Shell,
    body: TokenStream,
    unknown: bool,
) -> TokenStream {
    let sig = &parsed.item.sig;
    let vis = &parsed.item.vis;
    let name = format_ident!("{}{}", sig.ident, PULLBACK_SUFFIX, span = sig.ident.span());
    let Shell {
        inputs,
        allow,
        generics,
        where_clause,
    } = shell;
    let inputs = inputs.clone().into_iter().collect::<Vec<_>>();
    let trailing =
        matches!(inputs.last(), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ',');
    let inputs: TokenStream = inputs.into_iter().collect();
    let sep = (!inputs.is_empty() && !trailing).then(|| quote!(,));
    let float = &parsed.float_ty;
    let dout = codegen::dout();
    let d_out = match &parsed.ret {
        parse::RetClass::Float => Some(quote!(#dout: #float)),
        parse::RetClass::Array(_) => Some(quote!(#dout: &[#float])),
        parse::RetClass::Unit => None,
    };
    let d_out = d_out.map(|d| quote!(#d,));
    let slots = parsed.params.iter().enumerate().map(|(i, p)| {
        let s = codegen::slot(i);
        match &p.class {
            parse::ParamClass::Scalar | parse::ParamClass::ScalarRef => quote!(#s: &mut #float),
            parse::ParamClass::Slice | parse::ParamClass::Array(_) => quote!(#s: &mut [#float]),
            // In a twin: the gradient and the Hessian-vector product (see `twin.rs`).
            parse::ParamClass::Struct if p.wrt && crate::generic::twin().is_some() => {
                let ty = parse::grad_ty(&p.ty);
                quote!(#s: ::grad::__private::TwinMut<'_, #ty>)
            }
            parse::ParamClass::Struct if p.wrt => {
                let ty = parse::grad_ty(&p.ty);
                quote!(#s: &mut #ty)
            }
            parse::ParamClass::ConstArray
            | parse::ParamClass::Constant
            | parse::ParamClass::Struct
            | parse::ParamClass::Opaque => quote!(#s: &mut ()),
        }
    });
    let mut poison = TokenStream::new();
    for (i, p) in parsed.params.iter().enumerate() {
        if !unknown || p.wrt || p.mut_ref {
            continue;
        }
        let s = codegen::slot(i);
        let (one, all) = match crate::generic::twin() {
            // On dual numbers: the gradient and the Hessian-vector product both unknown.
            Some(original) => (
                quote!(::grad::__private::unknown_dual_adjoint::<#original, _>),
                quote!(::grad::__private::unknown_dual_adjoints::<#original, _>),
            ),
            None => (
                quote!(::grad::__private::unknown_adjoint),
                quote!(::grad::__private::unknown_adjoints),
            ),
        };
        poison.extend(match &p.class {
            parse::ParamClass::Scalar => quote!(#one(#s);),
            parse::ParamClass::Slice | parse::ParamClass::Array(_) => quote!(#all(#s);),
            _ => continue,
        });
    }
    let body = if poison.is_empty() {
        body
    } else {
        quote!(let __grad_r = { #body }; #poison __grad_r)
    };
    let output = &sig.output;
    let doc = format!(
        "Pullback of [`{}`]: runs it on the arguments and adds the gradient of \
         `d_out · {}(args)` into one adjoint slot per parameter (`&mut f64` for a float, \
         `&mut [f64]` for a slice or array, `&mut ()` otherwise). For a `&mut` parameter the \
         slot holds the adjoint of its final values on entry and of its initial values on \
         return. Returns what the function returns. A call that passes arrays to a \
         differentiable function is differentiated through this; write it by hand beside a \
         plain function for a custom rule. Generated by `#[differentiable]`.",
        sig.ident, sig.ident
    );
    quote! {
        #[doc = #doc]
        #allow
        #[allow(clippy::too_many_arguments)]
        // Code-generated only where it is called (by `_grad` or a caller).
        #[inline]
        #vis fn #name #generics (#inputs #sep #d_out #(#slots),*) #output #where_clause {
            #body
        }
    }
}

/// Lowers a parsed function, runs the passes and plans the reverse sweep; `None` if anything
/// was refused (the errors say what).
pub(crate) fn compile(
    parsed: &parse::Parsed,
    passes: Passes,
    errors: &mut Errors,
) -> Option<(Function, adjoint::Plan)> {
    let mut f = lower::lower_with(parsed, passes, errors)?;
    if !errors.is_empty() {
        return None;
    }
    verified(&f, "lowering", errors)?;
    if passes.fold {
        f = fold::run(f);
        verified(&f, "fold", errors)?;
    }
    if passes.cse {
        f = cse::run(f);
        verified(&f, "cse", errors)?;
    }
    let act = activity::analyze(&f, passes.prune, errors);
    let plan = adjoint::plan(&f, act, passes);
    errors.is_empty().then_some((f, plan))
}

/// `Some(())` if the IR is valid after `stage`; otherwise an internal error under the function's
/// name (a bug in grad, reported instead of generating wrong code).
fn verified(f: &Function, stage: &str, errors: &mut Errors) -> Option<()> {
    match crate::verify::check(f) {
        Ok(()) => Some(()),
        Err(e) => {
            let workaround = if stage == "lowering" {
                String::new()
            } else {
                format!(", and meanwhile try `#[differentiable(disable({stage}))]`")
            };
            errors.at(
                proc_macro2::Span::call_site(),
                format!("internal error in grad after {stage}: {e}; please report it{workaround}"),
            );
            None
        }
    }
}

/// `<name>_graph`, the function's computation as a tape-engine graph (f64 functions only).
fn graph_fn(parsed: &parse::Parsed, shell: &Shell, body: TokenStream) -> TokenStream {
    let sig = &parsed.item.sig;
    let vis = &parsed.item.vis;
    let name = format_ident!("{}{}", sig.ident, GRAPH_SUFFIX, span = sig.ident.span());
    let Shell {
        inputs,
        allow,
        generics,
        where_clause,
    } = shell;
    let doc = format!(
        "The computation of [`{}`] as a graph: runs the function once on the tape engine (one \
         node per value computed, loops unrolled, the branches taken), labelled with the \
         source's names, back-propagates, and returns the result's node. Draw it with \
         `grad::dot::to_dot` or `grad::dot::to_svg`. Generated by `#[differentiable]`.",
        sig.ident
    );
    quote! {
        #[doc = #doc]
        #allow
        // Code-generated only where it is called: a graph of a large function is costly to
        // compile, and most builds never call it.
        #[inline]
        #vis fn #name #generics (#inputs) -> ::grad::tape::Value #where_clause {
            #body
        }
    }
}

/// The companion function `<name>_grad` around a generated body.
pub(crate) fn companion(
    parsed: &parse::Parsed,
    shell: &Shell,
    body: TokenStream,
    listing: &str,
) -> TokenStream {
    let sig = &parsed.item.sig;
    let vis = &parsed.item.vis;
    let name = format_ident!("{}{}", sig.ident, GRAD_SUFFIX, span = sig.ident.span());
    let Shell {
        inputs,
        allow,
        generics,
        where_clause,
    } = shell;
    let float = &parsed.float_ty;
    let mut outs = vec![quote!(#float)];
    let mut listed = Vec::new();
    for p in &parsed.params {
        if !p.wrt {
            continue;
        }
        listed.push(format!("d_{}", p.ident));
        outs.push(match &p.class {
            parse::ParamClass::Slice => quote!(::std::vec::Vec<#float>),
            parse::ParamClass::Array(n) => quote!([#float; #n]),
            parse::ParamClass::Struct => parse::grad_ty(&p.ty).to_token_stream(),
            _ => quote!(#float),
        });
    }
    // A gradient twin returns the Hessian-vector products of struct parameters last.
    if crate::generic::twin().is_some() {
        for p in &parsed.params {
            if p.wrt && matches!(p.class, parse::ParamClass::Struct) {
                outs.push(parse::grad_ty(&p.ty).to_token_stream());
            }
        }
    }
    let doc = format!(
        "Value and gradient of [`{}`]: returns `(value, {})`. Generated by `#[differentiable]`.",
        sig.ident,
        listed.join(", ")
    );
    let code = format!(
        "\n# The generated code\n\nThe forward sweep computes the value and keeps the local \
         partials the reverse sweep needs; the reverse sweep accumulates the gradient \
         (`∂a/∂x` is the partial of `a` with respect to `x`, from `grad::rules`).\n\n{listing}"
    );
    quote! {
        #[doc = #doc]
        #[doc = #code]
        #allow
        #vis fn #name #generics (#inputs) -> (#(#outs),*,) #where_clause {
            #body
        }
    }
}

/// What the companions share around their bodies: the parameters and the lint levels.
pub(crate) struct Shell {
    /// The user's parameters without `mut`: generated code only reads them.
    pub(crate) inputs: TokenStream,
    /// `#[allow(...)]` for what generated code may trip. A user cannot `forbid` a lint allowed
    /// here (error E0453), so the list is short: rustc reports none of its lints in tokens the
    /// macro creates, only in the user's own tokens, which are the parameters (hence no `mut`).
    /// Allowed: `dead_code` (a companion may go unused), `non_snake_case` where the companion's
    /// name is not snake case, and clippy's groups (`too_many_arguments` sees the user's
    /// signature again, and `used_underscore_binding` reads of `_x` parameters). A stub
    /// companion, emitted beside errors, also allows `unused`.
    pub(crate) allow: TokenStream,
    /// The user's generic parameters (`<T: Real>`) and `where` clause, repeated.
    generics: TokenStream,
    where_clause: TokenStream,
}

impl Shell {
    /// The user's own `#[allow(...)]` attributes too: lints rustc reports in the user's
    /// tokens that the companions repeat (a lower-case constant in a pattern).
    pub(crate) fn allowing(mut self, attrs: &[syn::Attribute]) -> Self {
        for a in attrs.iter().filter(|a| a.path().is_ident("allow")) {
            self.allow.extend(quote!(#a));
        }
        self
    }

    pub(crate) fn new(sig: &syn::Signature, stub: bool) -> Self {
        let mut inputs = sig.inputs.clone();
        for input in &mut inputs {
            if let syn::FnArg::Typed(pt) = input {
                if let syn::Pat::Ident(p) = &mut *pt.pat {
                    p.mutability = None;
                }
            }
        }
        let mut lints = vec![quote!(dead_code)];
        // rustc's rule: no uppercase letter and no `__` once the outer `_`s are trimmed.
        let name = format!("{}{GRAD_SUFFIX}", sig.ident);
        let name = name.trim_matches('_');
        if name.contains("__") || name.chars().any(char::is_uppercase) {
            lints.push(quote!(non_snake_case));
        }
        if stub {
            lints.push(quote!(unused));
        }
        lints.extend([
            quote!(clippy::all),
            quote!(clippy::pedantic),
            quote!(clippy::nursery),
        ]);
        let (generics, _, where_clause) = sig.generics.split_for_impl();
        Shell {
            inputs: quote!(#inputs),
            allow: quote!(#[allow(#(#lints),*)]),
            generics: quote!(#generics),
            where_clause: quote!(#where_clause),
        }
    }
}
