//! Whether a `let` of a call binds an array: the macro sees one function at a time, so a
//! call's result is an array when the binding is used as one (indexed, measured, borrowed,
//! iterated, looped over) in its scope: the statements after the `let` up to the next `let`
//! of the same name in the same block (whose initializer still reads it). A name used as an
//! array elsewhere in the function (another binding of it) does not count.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashMap;

/// For each statement of a block: `Some(used)` for a `let name = call(..);` (or a method
/// call) without a type, whether `name` is used as an array in its scope; `None` otherwise.
/// `after` is code of the same scope after the statements (a tail lowered apart from them).
pub(crate) fn call_lets_used_as_arrays(
    stmts: &[syn::Stmt],
    after: Option<&TokenStream>,
) -> Vec<Option<bool>> {
    let names: Vec<Option<String>> = stmts.iter().map(call_let_name).collect();
    if names.iter().all(Option::is_none) {
        return vec![None; stmts.len()];
    }
    // One scan of the block: where each name may be used as an array (ignoring shadowing),
    // where it is bound again.
    let mut uses: HashMap<String, Vec<usize>> = HashMap::new();
    let mut rebinds: HashMap<String, Vec<usize>> = HashMap::new();
    let mut tokens = Vec::with_capacity(stmts.len() + 1);
    for (j, stmt) in stmts.iter().enumerate() {
        let ts = stmt.to_token_stream();
        for name in array_uses(&ts) {
            uses.entry(name).or_default().push(j);
        }
        tokens.push(ts);
        if let syn::Stmt::Local(l) = stmt {
            for name in bound_names(&l.pat) {
                rebinds.entry(name).or_default().push(j);
            }
        }
    }
    if let Some(ts) = after {
        for name in array_uses(ts) {
            uses.entry(name).or_default().push(stmts.len());
        }
        tokens.push(ts.clone());
    }
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = name.as_ref()?;
            // The scope ends at the next `let` of the name, which may still read it.
            let end = rebinds
                .get(name)
                .and_then(|r| r.iter().copied().find(|&k| k > i))
                .unwrap_or(usize::MAX);
            Some(uses.get(name).is_some_and(|u| {
                u.iter()
                    .any(|&j| j > i && j <= end && uses_unshadowed(&tokens[j], name))
            }))
        })
        .collect()
}

/// Whether `tokens` use `name` as an array where a `let` of the name in an inner block does
/// not hide it (the rest of that block after the `let`'s `;`).
fn uses_unshadowed(tokens: &TokenStream, name: &str) -> bool {
    // Groups as a work list, not recursion: expressions nest as deep as rustc allows.
    let mut work = vec![tokens.clone()];
    while let Some(ts) = work.pop() {
        let tts: Vec<TokenTree> = ts.into_iter().collect();
        let pattern = pattern_mask(&tts);
        let mut hidden = false;
        for (i, tt) in tts.iter().enumerate() {
            match tt {
                TokenTree::Punct(p) if hidden && p.as_char() == ';' => break,
                _ if pattern[i] => {}
                TokenTree::Group(g) => work.push(g.stream()),
                TokenTree::Ident(id) if id == "let" => {
                    let mut k = i + 1;
                    if matches!(tts.get(k), Some(TokenTree::Ident(m)) if m == "mut") {
                        k += 1;
                    }
                    hidden |= matches!(tts.get(k), Some(TokenTree::Ident(n)) if n == name);
                }
                TokenTree::Ident(id) if id == name && array_use_at(&tts, i) => return true,
                _ => {}
            }
        }
    }
    false
}

/// `name` of `let name = f(..);`, `let mut name = x.f(..);` (no type written).
fn call_let_name(stmt: &syn::Stmt) -> Option<String> {
    let syn::Stmt::Local(l) = stmt else {
        return None;
    };
    let syn::Pat::Ident(p) = &l.pat else {
        return None;
    };
    let init = l.init.as_ref()?;
    let mut e = &*init.expr;
    while let syn::Expr::Paren(p) = e {
        e = &p.expr;
    }
    let user_call = match e {
        syn::Expr::Call(c) => match &c.func.as_ref() {
            syn::Expr::Path(f) => !f.path.segments.first().is_some_and(|s| {
                // `Vec::new()` and the like: not a differentiable helper's result.
                LIBRARY_ROOTS.iter().any(|r| s.ident == r)
            }),
            _ => false,
        },
        syn::Expr::MethodCall(_) => true,
        _ => false,
    };
    user_call.then(|| p.ident.to_string())
}

/// First segments of paths that name the standard library's constructors, not helpers.
const LIBRARY_ROOTS: &[&str] = &[
    "Vec", "Box", "String", "std", "core", "alloc", "f64", "f32", "usize", "Default",
];

/// The names a pattern binds.
fn bound_names(pat: &syn::Pat) -> Vec<String> {
    let mut out = Vec::new();
    let mut work = vec![pat];
    while let Some(p) = work.pop() {
        match p {
            syn::Pat::Ident(i) => {
                out.push(i.ident.to_string());
                if let Some((_, sub)) = &i.subpat {
                    work.push(sub);
                }
            }
            syn::Pat::Type(t) => work.push(&t.pat),
            syn::Pat::Tuple(t) => work.extend(t.elems.iter()),
            syn::Pat::Slice(s) => work.extend(s.elems.iter()),
            syn::Pat::Reference(r) => work.push(&r.pat),
            syn::Pat::Paren(p) => work.push(&p.pat),
            syn::Pat::TupleStruct(t) => work.extend(t.elems.iter()),
            _ => {}
        }
    }
    out
}

/// Names `tokens` uses as arrays: indexed (`x[i]`), measured or iterated (`x.len()`,
/// `x.iter()`, ...), borrowed (`&x`; not `&mut x`, a float passed to a `&mut f64` parameter)
/// or looped over (`for v in x`).
pub(crate) fn array_uses(tokens: &TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    let mut work = vec![tokens.clone()];
    while let Some(ts) = work.pop() {
        let tts: Vec<TokenTree> = ts.into_iter().collect();
        let pattern = pattern_mask(&tts);
        for (i, tt) in tts.iter().enumerate() {
            match tt {
                _ if pattern[i] => {}
                TokenTree::Group(g) => work.push(g.stream()),
                TokenTree::Ident(id) if array_use_at(&tts, i) => out.push(id.to_string()),
                _ => {}
            }
        }
    }
    out
}

/// Which tokens of a sequence are patterns, which bind names and use none (`&x` of
/// `for &x in xs`, `|&v| ..`, `let (a, &b) = ..`): between `for` and `in`, between `let` and
/// its `=`, and between a closure's `|`s.
fn pattern_mask(tts: &[TokenTree]) -> Vec<bool> {
    let mut mask = vec![false; tts.len()];
    let punct = |t: &TokenTree, c: char| matches!(t, TokenTree::Punct(p) if p.as_char() == c);
    let mut i = 0;
    while i < tts.len() {
        let end: Option<&dyn Fn(&TokenTree) -> bool> = match &tts[i] {
            TokenTree::Ident(k) if k == "for" => {
                Some(&|t: &TokenTree| matches!(t, TokenTree::Ident(k) if k == "in"))
            }
            TokenTree::Ident(k) if k == "let" => Some(&|t: &TokenTree| punct(t, '=')),
            // A closure's parameters: `|` where no operand precedes (not `a | b`).
            TokenTree::Punct(p)
                if p.as_char() == '|'
                    && (i == 0
                        || matches!(&tts[i - 1], TokenTree::Punct(_))
                        || matches!(&tts[i - 1], TokenTree::Ident(k) if k == "move")) =>
            {
                Some(&|t: &TokenTree| punct(t, '|'))
            }
            _ => None,
        };
        i += 1;
        if let Some(end) = end {
            while i < tts.len() && !end(&tts[i]) {
                mask[i] = true;
                i += 1;
            }
            i += 1;
        }
    }
    mask
}

/// Whether the identifier at `tts[i]` is used as an array there.
fn array_use_at(tts: &[TokenTree], i: usize) -> bool {
    let prev = i.checked_sub(1).and_then(|j| tts.get(j));
    let next = tts.get(i + 1);
    let indexed = matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
        && !matches!(prev, Some(TokenTree::Punct(p)) if p.as_char() == '.');
    let method = matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == '.')
        && matches!(tts.get(i + 2), Some(TokenTree::Ident(m)) if ARRAY_METHODS.iter().any(|k| m == k));
    let borrowed = matches!(prev, Some(TokenTree::Punct(p)) if p.as_char() == '&');
    // `for v in x {`: the name right before the loop's body.
    let looped = matches!(prev, Some(TokenTree::Ident(k)) if k == "in")
        && matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace);
    indexed || method || borrowed || looped
}

/// Methods of slices and arrays a body calls.
const ARRAY_METHODS: &[&str] = &[
    "len",
    "iter",
    "iter_mut",
    "into_iter",
    "to_vec",
    "copy_from_slice",
    "fill",
    "swap",
    "chunks",
    "chunks_exact",
    "windows",
    "split_at",
    "is_empty",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(body: TokenStream) -> Vec<Option<bool>> {
        let block: syn::Block = syn::parse2(quote::quote!({ #body })).unwrap();
        call_lets_used_as_arrays(&block.stmts, None)
    }

    #[test]
    fn uses_in_scope_decide() {
        let d = decide(quote::quote! {
            let p = polar(r, t);
            let y = p[0] * 2.0;
            let q = h(y);
            let s = q + 1.0;
            let q = g(s);
            for v in q { s += v; }
            s
        });
        assert_eq!(
            d,
            vec![Some(true), None, Some(false), None, Some(true), None, None]
        );
    }

    #[test]
    fn a_later_binding_of_the_name_does_not_count() {
        // The float `w` of the first `let` is shadowed before `w` is indexed.
        let d = decide(quote::quote! {
            let w = f(x);
            let z = w * 2.0;
            let w = [z, 1.0];
            w[0]
        });
        assert_eq!(d[0], Some(false));
        // The initializer of the shadowing `let` still reads the first binding.
        let d = decide(quote::quote! {
            let w = f(x);
            let w = w[1];
            w
        });
        assert_eq!(d[0], Some(true));
        // A `let` in an inner block hides the name for the rest of that block only.
        let d = decide(quote::quote! {
            let w = f(x);
            { let w = [1.0, 2.0]; s += w[0]; }
            w + 1.0
        });
        assert_eq!(d[0], Some(false));
    }

    #[test]
    fn patterns_are_no_uses() {
        let d = decide(quote::quote! {
            let s0 = f(x);
            for &s0 in xs.iter() { t += s0; }
            let v: f64 = ys.iter().map(|&s0| s0 * 2.0).sum();
            let (a, &s0) = (1.0, &ys[0]);
            s0 + 1.0
        });
        assert_eq!(d[0], Some(false));
    }

    #[test]
    fn a_tail_lowered_apart_counts() {
        // An array-valued function's tail, lowered apart from the statements before it.
        let block: syn::Block = syn::parse2(quote::quote!({
            let d = self.deriv(s);
        }))
        .unwrap();
        let tail = quote::quote!([s[0] + h * d[0], s[1] + h * d[1]]);
        assert_eq!(
            call_lets_used_as_arrays(&block.stmts, Some(&tail)),
            vec![Some(true)]
        );
        assert_eq!(
            call_lets_used_as_arrays(&block.stmts, None),
            vec![Some(false)]
        );
    }
}
