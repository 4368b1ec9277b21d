//! The span of an expression without printing it.
//!
//! `syn::spanned::Spanned::span` prints the whole expression to tokens to find its first and
//! last token, so calling it at every level of a nested expression costs time quadratic in the
//! depth (a chain of 400 methods printed 400 times). [`span_of`] walks to the first and the
//! last token instead and joins their spans exactly as `Spanned::span` does.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::Expr;

/// What `e.span()` returns: the first token's span joined with the last one's where the
/// compiler can join spans, the first token's span otherwise.
pub(crate) fn span_of(e: &Expr) -> Span {
    let first = first_span(e);
    first.join(last_span(e)).unwrap_or(first)
}

/// The span of the first token of `e`.
fn first_span(mut e: &Expr) -> Span {
    loop {
        e = match e {
            Expr::Binary(b) if b.attrs.is_empty() => &b.left,
            Expr::MethodCall(m) if m.attrs.is_empty() => &m.receiver,
            Expr::Call(c) if c.attrs.is_empty() => &c.func,
            Expr::Index(i) if i.attrs.is_empty() => &i.expr,
            Expr::Cast(c) if c.attrs.is_empty() => &c.expr,
            Expr::Field(f) if f.attrs.is_empty() => &f.base,
            Expr::Range(syn::ExprRange {
                attrs,
                start: Some(start),
                ..
            }) if attrs.is_empty() => start,
            Expr::Paren(p) if p.attrs.is_empty() => return p.paren_token.span.join(),
            Expr::Unary(u) if u.attrs.is_empty() => return u.op.span(),
            Expr::Lit(l) if l.attrs.is_empty() => return l.lit.span(),
            Expr::If(i) if i.attrs.is_empty() => return i.if_token.span,
            Expr::Reference(r) if r.attrs.is_empty() => return r.and_token.span,
            Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none() => {
                return match (&p.path.leading_colon, p.path.segments.first()) {
                    (Some(colons), _) => colons.spans[0],
                    (None, Some(s)) => s.ident.span(),
                    (None, None) => end_span(e, true),
                }
            }
            _ => return end_span(e, true),
        };
    }
}

/// The span of the last token of `e` (outer attributes come first, so they do not matter).
fn last_span(mut e: &Expr) -> Span {
    loop {
        e = match e {
            Expr::Binary(b) => &b.right,
            Expr::Unary(u) => &u.expr,
            Expr::Reference(r) => &r.expr,
            Expr::Range(syn::ExprRange { end: Some(end), .. }) => end,
            Expr::If(i) => match &i.else_branch {
                Some((_, els)) => els,
                None => return i.then_branch.brace_token.span.join(),
            },
            Expr::MethodCall(m) => return m.paren_token.span.join(),
            Expr::Call(c) => return c.paren_token.span.join(),
            Expr::Index(i) => return i.bracket_token.span.join(),
            Expr::Paren(p) => return p.paren_token.span.join(),
            Expr::Block(b) => return b.block.brace_token.span.join(),
            Expr::Lit(l) => return l.lit.span(),
            // Small: a cast's type, a path, a field; anything else is rare.
            _ => return end_span(e, false),
        };
    }
}

/// The span of the first or last token of `t`, by printing it.
fn end_span(t: &impl ToTokens, first: bool) -> Span {
    let tokens = t.to_token_stream().into_iter();
    let token = if first {
        tokens.into_iter().next()
    } else {
        tokens.last()
    };
    token.map_or_else(|| t.span(), |t| t.span())
}
