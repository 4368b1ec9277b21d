//! Whether a `let` of a call binds an array: the macro sees one function at a time, so a
//! call's result is an array when the binding is used as one (indexed, measured, borrowed,
//! iterated, looped over) in its scope: the statements after the `let` up to the next `let`
//! of the same name in the same block (whose initializer still reads it). A name used as an
//! array elsewhere in the function (another binding of it) does not count.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashMap;

/// What a `let name = call(..);` (or a method call) without a type shows of its result.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CallLet {
    /// `name` is used as an array in its scope.
    pub used: bool,
    /// The argument positions at which `name` is passed, bare, to the function that made it
    /// (`let e = deriv(s); let d = deriv(e);`): where that call's own argument is an array, the
    /// result is one (a step function fed its own result).
    pub fed_back: Vec<usize>,
    /// The names `name` is assigned to whole (`s = next;`): where one of them is an array, the
    /// result is one.
    pub assigned_to: Vec<String>,
}

/// For each statement of a block: `Some(..)` for a `let name = call(..);` (or a method call)
/// without a type, what its scope shows ([`CallLet`]); `None` otherwise. `after` is code of
/// the same scope after the statements (a tail lowered apart from them).
pub(crate) fn call_lets_used_as_arrays(
    stmts: &[syn::Stmt],
    after: Option<&TokenStream>,
) -> Vec<Option<CallLet>> {
    let names: Vec<Option<(String, String)>> = stmts.iter().map(call_let_name).collect();
    if names.iter().all(Option::is_none) {
        return vec![None; stmts.len()];
    }
    // One scan of the block: where each name may be used as an array (ignoring shadowing),
    // where it is passed bare to a call, where it is bound again.
    let mut uses: HashMap<String, Vec<usize>> = HashMap::new();
    let mut passed: HashMap<String, Vec<(usize, String, usize)>> = HashMap::new();
    let mut rebinds: HashMap<String, Vec<usize>> = HashMap::new();
    let mut assigned: HashMap<String, Vec<(usize, String)>> = HashMap::new();
    let mut tokens = Vec::with_capacity(stmts.len() + 1);
    let mut scan = |j: usize, ts: &TokenStream| {
        for name in array_uses(ts) {
            uses.entry(name).or_default().push(j);
        }
        for (to, name) in whole_assignments(ts) {
            assigned.entry(name).or_default().push((j, to));
        }
        for (name, callee, k) in bare_arguments(ts) {
            passed.entry(name).or_default().push((j, callee, k));
        }
    };
    for (j, stmt) in stmts.iter().enumerate() {
        let ts = stmt.to_token_stream();
        scan(j, &ts);
        tokens.push(ts);
        if let syn::Stmt::Local(l) = stmt {
            for name in bound_names(&l.pat) {
                rebinds.entry(name).or_default().push(j);
            }
        }
    }
    if let Some(ts) = after {
        scan(stmts.len(), ts);
        tokens.push(ts.clone());
    }
    names
        .iter()
        .enumerate()
        .map(|(i, named)| {
            let (name, callee) = named.as_ref()?;
            // The scope ends at the next `let` of the name, which may still read it.
            let end = rebinds
                .get(name)
                .and_then(|r| r.iter().copied().find(|&k| k > i))
                .unwrap_or(usize::MAX);
            let in_scope = |j: usize| j > i && j <= end;
            let used = uses.get(name).is_some_and(|u| {
                u.iter()
                    .any(|&j| in_scope(j) && uses_unshadowed(&tokens[j], name))
            });
            let mut fed_back: Vec<usize> = passed
                .get(name)
                .map(|p| {
                    p.iter()
                        .filter(|(j, f, k)| {
                            in_scope(*j)
                                && f == callee
                                && passes_unshadowed(&tokens[*j], name, callee, *k)
                        })
                        .map(|(_, _, k)| *k)
                        .collect()
                })
                .unwrap_or_default();
            fed_back.dedup();
            let assigned_to = assigned
                .get(name)
                .map(|a| {
                    a.iter()
                        .filter(|(j, _)| in_scope(*j))
                        .map(|(_, to)| to.clone())
                        .collect()
                })
                .unwrap_or_default();
            Some(CallLet {
                used,
                fed_back,
                assigned_to,
            })
        })
        .collect()
}

/// `(to, name)` for each statement `to = name;` of two bare names.
fn whole_assignments(tokens: &TokenStream) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut work = vec![tokens.clone()];
    while let Some(ts) = work.pop() {
        let tts: Vec<TokenTree> = ts.into_iter().collect();
        for (i, tt) in tts.iter().enumerate() {
            if let TokenTree::Group(g) = tt {
                work.push(g.stream());
            }
            let (
                Some(TokenTree::Ident(to)),
                Some(TokenTree::Punct(eq)),
                Some(TokenTree::Ident(name)),
            ) = (tts.get(i), tts.get(i + 1), tts.get(i + 2))
            else {
                continue;
            };
            let alone = eq.as_char() == '=' && eq.spacing() == proc_macro2::Spacing::Alone;
            let starts = i == 0 || matches!(&tts[i - 1], TokenTree::Punct(p) if p.as_char() == ';');
            let ends = match tts.get(i + 3) {
                None => true,
                Some(TokenTree::Punct(p)) => p.as_char() == ';',
                _ => false,
            };
            if alone && starts && ends {
                out.push((to.to_string(), name.to_string()));
            }
        }
    }
    out
}

/// `(name, callee, k)` for each argument `k` of a call `callee(..)` (or `.callee(..)`) that
/// is a bare name.
fn bare_arguments(tokens: &TokenStream) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut work = vec![tokens.clone()];
    while let Some(ts) = work.pop() {
        let tts: Vec<TokenTree> = ts.into_iter().collect();
        for (i, tt) in tts.iter().enumerate() {
            let TokenTree::Group(g) = tt else { continue };
            work.push(g.stream());
            let Some(callee) = callee_at(&tts, i) else {
                continue;
            };
            for (k, name) in bare_names(g) {
                out.push((name, callee.clone(), k));
            }
        }
    }
    out
}

/// The callee of the parenthesized group at `tts[i]`: `m::f` of `m::f(..)`, `.f` of
/// `x.f(..)`; `None` where the group is no call's arguments.
fn callee_at(tts: &[TokenTree], i: usize) -> Option<String> {
    let TokenTree::Group(g) = &tts[i] else {
        return None;
    };
    if g.delimiter() != Delimiter::Parenthesis {
        return None;
    }
    let mut j = i.checked_sub(1)?;
    let TokenTree::Ident(f) = &tts[j] else {
        return None;
    };
    let mut segments = vec![f.to_string()];
    let punct = |t: &TokenTree, c: char| matches!(t, TokenTree::Punct(p) if p.as_char() == c);
    if j >= 1 && punct(&tts[j - 1], '.') {
        return Some(format!(".{f}"));
    }
    // `a::b::f`: identifiers joined by `::` (two `:` tokens).
    while j >= 3 && punct(&tts[j - 1], ':') && punct(&tts[j - 2], ':') {
        match &tts[j - 3] {
            TokenTree::Ident(seg) => segments.push(seg.to_string()),
            _ => break,
        }
        j -= 3;
    }
    segments.reverse();
    Some(segments.join("::"))
}

/// `(k, name)` for each argument `k` of a call's parenthesized arguments that is a bare name.
fn bare_names(g: &proc_macro2::Group) -> Vec<(usize, String)> {
    let args: Vec<TokenTree> = g.stream().into_iter().collect();
    args.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
        .enumerate()
        .filter_map(|(k, arg)| match arg {
            [TokenTree::Ident(name)] => Some((k, name.to_string())),
            _ => None,
        })
        .collect()
}

/// Whether `tokens` use `name` as an array where no binding of the name hides it: a `let` in
/// an inner block (the rest of that block after the `let`'s `;`), a `for` pattern (the loop's
/// body), a closure's parameter (the rest of the closure, to the next `,`).
fn uses_unshadowed(tokens: &TokenStream, name: &str) -> bool {
    unshadowed(tokens, name, &|tts, i| {
        matches!(&tts[i], TokenTree::Ident(id) if id == name) && array_use_at(tts, i)
    })
}

/// Whether `tokens` pass `name` bare to `callee` as argument `k` where no binding of the name
/// hides it (as [`uses_unshadowed`]).
fn passes_unshadowed(tokens: &TokenStream, name: &str, callee: &str, k: usize) -> bool {
    unshadowed(tokens, name, &|tts, i| {
        callee_at(tts, i).is_some_and(|c| c == callee)
            && matches!(&tts[i], TokenTree::Group(g) if bare_names(g).iter().any(|(j, n)| *j == k && n == name))
    })
}

/// Whether `hit` holds at a token of `tokens` where no binding of `name` hides it.
fn unshadowed(tokens: &TokenStream, name: &str, hit: &dyn Fn(&[TokenTree], usize) -> bool) -> bool {
    // Groups as a work list, not recursion: expressions nest as deep as rustc allows.
    let mut work = vec![tokens.clone()];
    while let Some(ts) = work.pop() {
        let tts: Vec<TokenTree> = ts.into_iter().collect();
        let pattern = pattern_mask(&tts);
        let mut hidden = false;
        let mut hide_next_brace = false;
        let mut closure_hides = false;
        for (i, tt) in tts.iter().enumerate() {
            match tt {
                TokenTree::Punct(p) if hidden && p.as_char() == ';' => break,
                TokenTree::Punct(p) if closure_hides && p.as_char() == ',' => closure_hides = false,
                _ if closure_hides => {}
                _ if pattern[i] => {
                    let binds = match tt {
                        TokenTree::Ident(n) => n == name,
                        // `for (i, w) in ..`, `|(a, w)| ..`
                        TokenTree::Group(g) => names_in(&g.stream()).iter().any(|n| n == name),
                        _ => false,
                    };
                    if binds {
                        // Bound by the pattern of a `for` or of a closure's parameters?
                        match tts[..i].iter().rev().find(|t| {
                            matches!(t, TokenTree::Ident(k) if k == "for" || k == "let")
                                || matches!(t, TokenTree::Punct(p) if p.as_char() == '|')
                        }) {
                            Some(TokenTree::Ident(k)) if k == "for" => hide_next_brace = true,
                            Some(TokenTree::Punct(_)) => closure_hides = true,
                            _ => {}
                        }
                    }
                }
                TokenTree::Group(g) if hide_next_brace && g.delimiter() == Delimiter::Brace => {
                    hide_next_brace = false;
                }
                _ if hit(&tts, i) => return true,
                TokenTree::Group(g) => work.push(g.stream()),
                TokenTree::Ident(id) if id == "let" => {
                    let mut k = i + 1;
                    if matches!(tts.get(k), Some(TokenTree::Ident(m)) if m == "mut") {
                        k += 1;
                    }
                    hidden |= matches!(tts.get(k), Some(TokenTree::Ident(n)) if n == name);
                }
                _ => {}
            }
        }
    }
    false
}

/// Every identifier in `tokens`.
fn names_in(tokens: &TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    let mut work = vec![tokens.clone()];
    while let Some(ts) = work.pop() {
        for tt in ts {
            match tt {
                TokenTree::Ident(i) => out.push(i.to_string()),
                TokenTree::Group(g) => work.push(g.stream()),
                _ => {}
            }
        }
    }
    out
}

/// `name` and `f` of `let name = f(..);`, `let mut name = x.f(..);` (no type written).
fn call_let_name(stmt: &syn::Stmt) -> Option<(String, String)> {
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
    // The callee as `bare_arguments` names it: a path's segments, or `.method`.
    let callee = match e {
        syn::Expr::Call(c) if is_helper_call(c) => match &*c.func {
            syn::Expr::Path(f) => f
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::"),
            _ => return None,
        },
        syn::Expr::MethodCall(m) => format!(".{}", m.method),
        _ => return None,
    };
    Some((p.ident.to_string(), callee))
}

/// Whether `c` calls a function by a path that may name a differentiable helper: not the
/// standard library's (`Vec::new()`, `std::iter::repeat(x)`).
pub(crate) fn is_helper_call(c: &syn::ExprCall) -> bool {
    let mut f = &*c.func;
    while let syn::Expr::Paren(p) = f {
        f = &p.expr;
    }
    match f {
        syn::Expr::Path(f) => !f
            .path
            .segments
            .first()
            .is_some_and(|s| LIBRARY_ROOTS.iter().any(|r| s.ident == r)),
        _ => false,
    }
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
            // (`let x;` has no `=`: its pattern ends at the `;`.)
            TokenTree::Ident(k) if k == "let" => {
                Some(&|t: &TokenTree| punct(t, '=') || punct(t, ';'))
            }
            // A closure's parameters: `|` where no operand precedes (not `a | b`), and not
            // the second half of `||` (`a || b`; a closure `|| e` has none).
            TokenTree::Punct(p)
                if p.as_char() == '|'
                    && (i == 0
                        || matches!(&tts[i - 1], TokenTree::Punct(q) if q.as_char() != '|')
                        || matches!(&tts[i - 1], TokenTree::Ident(k) if k == "move")) =>
            {
                Some(&|t: &TokenTree| punct(t, '|'))
            }
            _ => None,
        };
        i += 1;
        // Masked only where the pattern ends in this sequence.
        if let Some(stop) = end.and_then(|end| (i..tts.len()).find(|&j| end(&tts[j]))) {
            mask[i..stop].iter_mut().for_each(|m| *m = true);
            i = stop + 1;
        }
    }
    mask
}

/// Whether the identifier at `tts[i]` is used as an array there.
fn array_use_at(tts: &[TokenTree], i: usize) -> bool {
    let prev = i.checked_sub(1).and_then(|j| tts.get(j));
    let next = tts.get(i + 1);
    // A field or a path's segment (`p.w.len()`, `Self::w`) is not the name.
    if matches!(prev, Some(TokenTree::Punct(p)) if p.as_char() == '.' || p.as_char() == ':') {
        return false;
    }
    let indexed = matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket);
    let method = matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == '.')
        && matches!(tts.get(i + 2), Some(TokenTree::Ident(m)) if ARRAY_METHODS.iter().any(|k| m == k));
    // `&x`, not `a && x` nor `a & x`: no operand before the `&`.
    let before_amp = i.checked_sub(2).and_then(|j| tts.get(j));
    let borrowed = matches!(prev, Some(TokenTree::Punct(p)) if p.as_char() == '&')
        && !matches!(before_amp, Some(TokenTree::Punct(p)) if p.as_char() == '&')
        && !matches!(
            before_amp,
            Some(TokenTree::Literal(_)) | Some(TokenTree::Group(_))
        )
        && !matches!(before_amp, Some(TokenTree::Ident(k)) if !is_keyword(k));
    // `for v in x {`: the name right before the loop's body.
    let looped = matches!(prev, Some(TokenTree::Ident(k)) if k == "in")
        && matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace);
    // `let [a, b] = x;`: destructured.
    let destructured = matches!(prev, Some(TokenTree::Punct(p)) if p.as_char() == '=')
        && matches!(i.checked_sub(2).and_then(|j| tts.get(j)),
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
        && matches!(i.checked_sub(3).and_then(|j| tts.get(j)),
            Some(TokenTree::Ident(k)) if k == "let");
    indexed || method || borrowed || looped || destructured
}

/// Keywords after which `&x` is a borrow (`in &xs`, `return &x`), not `a & x`.
fn is_keyword(k: &proc_macro2::Ident) -> bool {
    [
        "in", "return", "if", "while", "match", "else", "break", "mut", "let",
    ]
    .iter()
    .any(|w| k == w)
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
            .into_iter()
            .map(|c| c.map(|c| c.used))
            .collect()
    }

    #[test]
    fn destructuring_and_whole_assignments() {
        let d = decide(quote::quote! {
            let r = rot(p, t);
            let [a, b] = r;
            let q = h(a);
            let z = q * b;
        });
        assert_eq!(d, [Some(true), None, Some(false), None]);
        let block: syn::Block = syn::parse2(quote::quote!({
            let next = deriv(s, c);
            s = next;
            let m = g(s);
            y == m;
        }))
        .unwrap();
        let lets = call_lets_used_as_arrays(&block.stmts, None);
        assert_eq!(lets[0].as_ref().unwrap().assigned_to, ["s"]);
        assert!(lets[2].as_ref().unwrap().assigned_to.is_empty());
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
    fn operators_fields_and_inner_bindings_are_no_uses() {
        for body in [
            // `&&` and `||` are operators, not a borrow and a closure.
            quote::quote! { let m = f(x); if x > 0.0 && m > 1.0 { m * m } else { x } },
            quote::quote! { let m = f(x); let q = a || b; m + q },
            // A field of the same name.
            quote::quote! { let w = f(x); let n = p.w.len() as f64; w * n + p.w[0] },
            // Bound again by a loop or a closure.
            quote::quote! { let w = f(y); for w in x.chunks(2) { s += w[0]; } s + w },
            quote::quote! { let w = f(y); for (i, w) in x.chunks(2).enumerate() { s += w[0]; } s + w },
            quote::quote! { let w = f(y); let t: f64 = x.chunks(2).map(|w| w[0]).sum(); t + w },
        ] {
            assert_eq!(decide(body.clone())[0], Some(false), "{body}");
        }
        // Uses after `||` and in the loop body of another name still count.
        let d = decide(quote::quote! {
            let d = g(s);
            if a > 0.0 || b > 0.0 { out += d[0] * d[1]; }
            out
        });
        assert_eq!(d[0], Some(true));
        let d = decide(quote::quote! { let d = g(s); for v in x.chunks(2) { s += d[0]; } s });
        assert_eq!(d[0], Some(true));
    }

    #[test]
    fn a_tail_lowered_apart_counts() {
        // An array-valued function's tail, lowered apart from the statements before it.
        let block: syn::Block = syn::parse2(quote::quote!({
            let d = self.deriv(s);
        }))
        .unwrap();
        let tail = quote::quote!([s[0] + h * d[0], s[1] + h * d[1]]);
        let used = |after| {
            call_lets_used_as_arrays(&block.stmts, after)[0]
                .clone()
                .map(|c| c.used)
        };
        assert_eq!(used(Some(&tail)), Some(true));
        assert_eq!(used(None), Some(false));
    }

    #[test]
    fn a_result_fed_back_to_its_function() {
        let block: syn::Block = syn::parse2(quote::quote!({
            let e = deriv(s, h);
            let d = deriv(h, e);
            let q = other(e);
        }))
        .unwrap();
        let c = call_lets_used_as_arrays(&block.stmts, None);
        assert_eq!(
            c[0],
            Some(CallLet {
                used: false,
                fed_back: vec![1],
                assigned_to: vec![],
            })
        );
        assert_eq!(
            c[1],
            Some(CallLet {
                used: false,
                fed_back: vec![],
                assigned_to: vec![],
            })
        );
        // Another function of the same name (by path or a method), or the name hidden by an
        // inner `let`: not fed back.
        let fed_back = |body: TokenStream| {
            let block: syn::Block = syn::parse2(quote::quote!({ #body })).unwrap();
            call_lets_used_as_arrays(&block.stmts, None)[0]
                .as_ref()
                .map(|c| c.fed_back.clone())
        };
        let d = fed_back(quote::quote! {
            let e = m1::f(x);
            let d = m2::f(e) + p.f(e) + f(e) + m1::f(e);
        });
        assert_eq!(d, Some(vec![0]));
        let d = fed_back(quote::quote! {
            let e = m1::f(x);
            if c { let e = [1.0, 2.0]; acc += m1::f(e); }
            e
        });
        assert_eq!(d, Some(vec![]));
    }
}
