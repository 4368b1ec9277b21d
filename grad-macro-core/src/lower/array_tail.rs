//! Array values that come out of a branch or a chain, rewritten before lowering into a local
//! array that each branch assigns, the form the lowering of array results takes:
//! - a function returning `[F; N]` that ends in a branch (`if c { ..; [a, b] } else { [d, e]
//!   }`, or a `match` whose arms end in arrays);
//! - `let p = if c { [a, b] } else { [d, e] };` (or `match`) with `p` an array;
//! - a function returning `Vec<F>` that ends in a chain collected into it (`xs.iter().map(..)
//!   .collect()`) or in `vec![a, b]`: bound to a local first, as `let r: Vec<F> = ...; r` is.

use quote::quote;

/// The name of the local array the branches assign.
const OUT: &str = "__grad_out";

/// `block` ending in a local array if it ends in an `if` or a `match` whose every branch ends
/// in an array (a literal, a local array or a call returning one), for a result of type
/// `[float; n]`, or (`n` = `None`, a `Vec` result) in a `collect()`; `None` otherwise (the
/// lowering reports what it cannot take).
pub(crate) fn tail_to_local(
    block: &syn::Block,
    float: &syn::Type,
    n: Option<&str>,
) -> Option<syn::Block> {
    let (last, rest) = block.stmts.split_last()?;
    let syn::Stmt::Expr(tail, None) = last else {
        return None;
    };
    let out = syn::Ident::new(OUT, proc_macro2::Span::call_site());
    let mut stmts = rest.to_vec();
    match n {
        Some(n) => {
            let n: syn::Expr = syn::parse_str(n).ok()?;
            let ty: syn::Type = syn::parse_quote!([#float; #n]);
            let branch = assign_branches(tail, &out, &ty)?;
            stmts.push(syn::parse_quote!(let mut #out: #ty = [0.0; #n];));
            stmts.push(syn::Stmt::Expr(branch, Some(Default::default())));
        }
        None => {
            let collected = matches!(super::stmt::strip(tail),
                syn::Expr::MethodCall(m) if m.method == "collect");
            let listed = matches!(super::stmt::strip(tail),
                syn::Expr::Macro(m) if m.mac.path.is_ident("vec"));
            if !collected && !listed {
                return None;
            }
            stmts.push(syn::parse_quote!(let #out: ::std::vec::Vec<#float> = #tail;));
        }
    }
    stmts.push(syn::Stmt::Expr(syn::parse_quote!(#out), None));
    Some(syn::Block {
        brace_token: block.brace_token,
        stmts,
    })
}

/// `let p = if c { [a, b] } else { [d, e] };` (or a `match`) as `let mut tmp: [float; n] =
/// [0.0; n];`, the branch assigning `tmp`, and `let p = tmp;`, where the branches end in arrays
/// and the length is known: the type written, a literal's element count, or the length of a
/// local array a branch ends in (`named`). `id` makes the temporary's name unique (an inner
/// `let p = if ..` inside a branch has its own). `None` otherwise.
pub(crate) fn let_branch_to_local(
    ident: &syn::Ident,
    mutable: bool,
    ty: Option<&syn::Type>,
    init: &syn::Expr,
    float: &syn::Type,
    named: &dyn Fn(&syn::Ident) -> Option<syn::Expr>,
    id: usize,
) -> Option<Vec<syn::Stmt>> {
    if !matches!(
        super::stmt::strip(init),
        syn::Expr::If(_) | syn::Expr::Match(_)
    ) {
        return None;
    }
    let n: syn::Expr = match ty {
        Some(syn::Type::Array(a)) => a.len.clone(),
        Some(_) => return None,
        None => tail_len(init, named)?,
    };
    let ty: syn::Type = syn::parse_quote!([#float; #n]);
    // The branches may read an array of the same name that this `let` shadows: they assign a
    // temporary, bound to the name after them.
    let tmp = quote::format_ident!("__grad_let{}_{}", id, ident);
    let branch = assign_branches(init, &tmp, &ty)?;
    let m = mutable.then(|| quote!(mut));
    Some(vec![
        syn::parse_quote!(let mut #tmp: #ty = [0.0; #n];),
        syn::Stmt::Expr(branch, Some(Default::default())),
        syn::parse_quote!(let #m #ident = #tmp;),
    ])
}

/// The length of the first array a branch of `e` ends in: a literal's element count, or a
/// local array's length (`named`).
fn tail_len(e: &syn::Expr, named: &dyn Fn(&syn::Ident) -> Option<syn::Expr>) -> Option<syn::Expr> {
    match super::stmt::strip(e) {
        syn::Expr::Array(a) => {
            let n = a.elems.len();
            Some(syn::parse_quote!(#n))
        }
        syn::Expr::Path(p) => p.path.get_ident().and_then(named),
        syn::Expr::Block(b) => tail_of(&b.block).and_then(|t| tail_len(t, named)),
        syn::Expr::If(i) => tail_of(&i.then_branch)
            .and_then(|t| tail_len(t, named))
            .or_else(|| i.else_branch.as_ref().and_then(|(_, e)| tail_len(e, named))),
        syn::Expr::Match(m) => m.arms.iter().find_map(|a| tail_len(&a.body, named)),
        _ => None,
    }
}

fn tail_of(b: &syn::Block) -> Option<&syn::Expr> {
    match b.stmts.last()? {
        syn::Stmt::Expr(e, None) => Some(e),
        _ => None,
    }
}

/// The branch (`if` or `match`) with each branch's tail array assigned to `out` instead.
fn assign_branches(e: &syn::Expr, out: &syn::Ident, ty: &syn::Type) -> Option<syn::Expr> {
    match super::stmt::strip(e) {
        syn::Expr::If(i) => Some(syn::Expr::If(assign_if(i, out, ty)?)),
        syn::Expr::Match(m) => {
            let mut m = m.clone();
            for arm in &mut m.arms {
                let block = match &*arm.body {
                    syn::Expr::Block(b) if b.label.is_none() => b.block.clone(),
                    other => syn::parse_quote!({ #other }),
                };
                let block = assign_tail(&block, out, ty)?;
                *arm.body = syn::parse_quote!(#block);
                arm.comma = Some(Default::default());
            }
            Some(syn::Expr::Match(m))
        }
        _ => None,
    }
}

/// The `if` with each branch's tail array assigned to `out` instead.
fn assign_if(i: &syn::ExprIf, out: &syn::Ident, ty: &syn::Type) -> Option<syn::ExprIf> {
    let mut i = i.clone();
    i.then_branch = assign_tail(&i.then_branch, out, ty)?;
    let (_, els) = i.else_branch.as_mut()?;
    **els = match &**els {
        syn::Expr::If(inner) => syn::Expr::If(assign_if(inner, out, ty)?),
        syn::Expr::Block(b) => {
            let mut b = b.clone();
            b.block = assign_tail(&b.block, out, ty)?;
            syn::Expr::Block(b)
        }
        _ => return None,
    };
    Some(i)
}

/// `block` with its tail `t` replaced by `let tmp: ty = t; out = tmp;`.
fn assign_tail(block: &syn::Block, out: &syn::Ident, ty: &syn::Type) -> Option<syn::Block> {
    let (last, rest) = block.stmts.split_last()?;
    let syn::Stmt::Expr(tail, None) = last else {
        return None;
    };
    let tmp = syn::Ident::new("__grad_branch_out", proc_macro2::Span::call_site());
    let mut stmts = rest.to_vec();
    let assign: syn::Block = syn::parse2(quote!({ let #tmp: #ty = #tail; #out = #tmp; })).ok()?;
    stmts.extend(assign.stmts);
    Some(syn::Block {
        brace_token: block.brace_token,
        stmts,
    })
}
