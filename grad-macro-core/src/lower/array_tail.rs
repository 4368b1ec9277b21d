//! A function returning `[F; N]` that ends in a branch (`if c { ..; [a, b] } else { [d, e] }`):
//! rewritten, before lowering, to end in a local array each branch assigns, the form the
//! lowering of array results takes.

use quote::quote;

/// The name of the local array the branches assign.
const OUT: &str = "__grad_out";

/// `block` ending in a local array if it ends in an `if` whose every branch ends in an array
/// (a literal, a local array or a call returning one), for a result of type `[float; n]`;
/// `None` otherwise (the lowering reports what it cannot take).
pub(crate) fn if_tail_to_local(
    block: &syn::Block,
    float: &syn::Type,
    n: &str,
) -> Option<syn::Block> {
    let (last, rest) = block.stmts.split_last()?;
    let syn::Stmt::Expr(syn::Expr::If(tail), None) = last else {
        return None;
    };
    let n: syn::Expr = syn::parse_str(n).ok()?;
    let out = syn::Ident::new(OUT, proc_macro2::Span::call_site());
    let ty: syn::Type = syn::parse_quote!([#float; #n]);
    let branch = assign_branches(tail, &out, &ty)?;
    let mut stmts = rest.to_vec();
    stmts.push(syn::parse_quote!(let mut #out: #ty = [0.0; #n];));
    stmts.push(syn::Stmt::Expr(
        syn::Expr::If(branch),
        Some(Default::default()),
    ));
    stmts.push(syn::Stmt::Expr(syn::parse_quote!(#out), None));
    Some(syn::Block {
        brace_token: block.brace_token,
        stmts,
    })
}

/// The `if` with each branch's tail array assigned to `out` instead.
fn assign_branches(i: &syn::ExprIf, out: &syn::Ident, ty: &syn::Type) -> Option<syn::ExprIf> {
    let mut i = i.clone();
    i.then_branch = assign_tail(&i.then_branch, out, ty)?;
    let (_, els) = i.else_branch.as_mut()?;
    **els = match &**els {
        syn::Expr::If(inner) => syn::Expr::If(assign_branches(inner, out, ty)?),
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
