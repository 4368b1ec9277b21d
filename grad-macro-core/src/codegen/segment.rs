//! Large blocks in segments (issue 16).
//!
//! LLVM's optimizer is superlinear in the size of one function: a 10,000-statement companion
//! written as one body did not finish optimizing in 25 minutes. A block of generated code
//! heavier than [`split_above`] is cut into segments of about `size` IR steps, each the
//! body of a closure run by `grad::__private::segment`, which is never inlined, so each
//! segment is optimized as a function of its own:
//!
//! ```text
//! let (mut a, mut b) = ::grad::__private::segment(|| { let (a, b, c); ...; (a, b) });
//! ```
//!
//! The closure captures what it reads and writes from before it (by reference); the names it
//! declares that later code reads (found by name: generated names are unique) are returned
//! and bound again outside. A step heavier than a segment (a loop or a branch of many steps)
//! is not wrapped: its own blocks are split. The order of operations is unchanged, so the
//! values and gradients are the same bit for bit.
//!
//! The size is [`crate::passes::Passes::segment`]: `segment(N)` in the attribute sets it,
//! `disable(segment)` never splits.

use super::declare::{declare, Decl};
use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::quote;
use std::collections::HashSet;

/// One step of a block: the names it declares ahead (forward sweep), its code, its weight
/// (IR steps, nested ones included).
pub(crate) struct Unit {
    pub decls: Vec<Decl>,
    pub code: TokenStream,
    pub weight: usize,
}

/// The default segment size, in IR steps (about five per source statement). Chosen by the
/// compile-cost measurements in the README.
pub const DEFAULT: usize = 400;

/// Blocks heavier than this are split.
pub(crate) fn split_above(size: usize) -> usize {
    size.saturating_mul(3)
}

/// The code of a block made of `units` followed by `after` (in the same block): one run of
/// statements with the declarations at its top, or, when the block is heavy, in segments,
/// each returning the names it declares that later code reads.
pub(crate) fn join(units: Vec<Unit>, after: TokenStream, size: usize) -> TokenStream {
    let total: usize = units.iter().map(|u| u.weight).sum();
    if total <= split_above(size) {
        return whole(
            units.into_iter().map(|u| (false, vec![u], 0)).collect(),
            after,
        );
    }
    // Group the units: runs of light ones into segments, heavy ones alone. A short run (a
    // few steps between heavy ones) is not worth a segment.
    let mut pieces: Vec<(bool, Vec<Unit>, usize)> = Vec::new();
    for u in units {
        if u.weight > size {
            pieces.push((false, vec![u], 0));
            continue;
        }
        match pieces.last_mut() {
            Some((true, run, weight)) if *weight + u.weight <= size => {
                *weight += u.weight;
                run.push(u);
            }
            _ => {
                let w = u.weight;
                pieces.push((true, vec![u], w));
            }
        }
    }
    for piece in &mut pieces {
        piece.0 &= piece.2 >= size / 4;
    }
    if !pieces.iter().any(|p| p.0) {
        return whole(pieces, after);
    }
    let pieces: Vec<(bool, TokenStream)> = pieces
        .into_iter()
        .map(|(wrapped, run, _)| (wrapped, declared_then_code(run)))
        .collect();
    // From the last piece back: the names each segment returns.
    let mut used = super::reads::Names::default();
    super::reads::reads(&after, &mut used);
    let mut live = vec![Vec::new(); pieces.len()];
    for (k, (wrapped, code)) in pieces.iter().enumerate().rev() {
        if *wrapped {
            live[k] = returned(code, &used);
        }
        super::reads::reads(code, &mut used);
    }
    let rt = super::rt();
    let mut out = TokenStream::new();
    for ((wrapped, code), live) in pieces.into_iter().zip(live) {
        if !wrapped {
            out.extend(code);
            continue;
        }
        let code = batch(code);
        out.extend(match live.as_slice() {
            [] => quote!(#rt::segment(|| { #code });),
            [one] => quote!(let mut #one = #rt::segment(|| { #code #one });),
            _ => quote!(let (#(mut #live),*) = #rt::segment(|| { #code (#(#live),*) });),
        });
    }
    out.extend(after);
    out
}

/// The pieces as they are, each with its declarations, then `after`.
fn whole(pieces: Vec<(bool, Vec<Unit>, usize)>, after: TokenStream) -> TokenStream {
    let mut code = TokenStream::new();
    let mut decls: Vec<Decl> = Vec::new();
    let mut body = TokenStream::new();
    for (_, run, _) in pieces {
        for u in run {
            decls.extend(u.decls);
            body.extend(u.code);
        }
    }
    code.extend(declare(&decls));
    code.extend(body);
    code.extend(after);
    code
}

/// A run's declarations, then its code.
fn declared_then_code(run: Vec<Unit>) -> TokenStream {
    let decls: Vec<Decl> = run.iter().flat_map(|u| u.decls.iter().cloned()).collect();
    let mut code = declare(&decls);
    code.extend(run.into_iter().map(|u| u.code));
    code
}

/// The statements at the top level of `code`: split after each `;`, and after a block that
/// ends a statement (one not followed by `else`).
fn statements(code: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut out = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let brace = |tt: Option<&TokenTree>| matches!(tt, Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Brace);
    for tt in code {
        let semi = matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';');
        if brace(current.last()) && !semi && !matches!(&tt, TokenTree::Ident(i) if i == "else") {
            out.push(std::mem::take(&mut current));
        }
        current.push(tt);
        if semi {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A statement `<tape>.push(<name>);` of the float stack: the name pushed.
fn single_push(st: &[TokenTree], tape: &str) -> Option<Ident> {
    match st {
        [TokenTree::Ident(t), TokenTree::Punct(dot), TokenTree::Ident(m), TokenTree::Group(args), TokenTree::Punct(semi)]
            if t == tape && dot.as_char() == '.' && m == "push" && semi.as_char() == ';' =>
        {
            // Only values and partials: assigned once, so pushing them later pushes the same.
            let mut inner = args.stream().into_iter();
            match (inner.next(), inner.next()) {
                (Some(TokenTree::Ident(x)), None) => {
                    let n = x.to_string();
                    (n.starts_with("__grad_v") || n.starts_with("__grad_p")).then_some(x)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A statement `let <name> = <tape>.pop();`: the name bound.
fn single_pop(st: &[TokenTree], tape: &str) -> Option<Ident> {
    match st {
        [TokenTree::Ident(l), TokenTree::Ident(x), TokenTree::Punct(eq), TokenTree::Ident(t), TokenTree::Punct(dot), TokenTree::Ident(m), TokenTree::Group(args), TokenTree::Punct(semi)]
            if l == "let"
                && eq.as_char() == '='
                && t == tape
                && dot.as_char() == '.'
                && m == "pop"
                && args.stream().is_empty()
                && semi.as_char() == ';' =>
        {
            Some(x.clone())
        }
        _ => None,
    }
}

fn mentions(tokens: &[TokenTree], name: &str) -> bool {
    tokens.iter().any(|tt| mentioned(tt, name))
}

fn mentioned(tt: &TokenTree, name: &str) -> bool {
    match tt {
        TokenTree::Ident(i) => i == name,
        TokenTree::Group(g) => g.stream().into_iter().any(|t| mentioned(&t, name)),
        _ => false,
    }
}

/// A segment's pushes of names on the float stack, and its pops of it into names, in runs:
/// `push_slice(&[a, b, c])` where nothing between them touches the stack (pushes move later,
/// to the end of their run), `let [c, b, a] = pop_array()` likewise (pops move earlier, to the
/// start of theirs). The stack holds the same items in the same order; a large function's
/// code has one call per run instead of one per saved partial.
fn batch(code: TokenStream) -> TokenStream {
    let tape = super::tape_f();
    let name = tape.to_string();
    let mut out = TokenStream::new();
    let mut pushes: Vec<Ident> = Vec::new();
    let mut pops: Vec<Ident> = Vec::new();
    let mut after_pops = TokenStream::new();
    let mut popped = HashSet::new();
    let flush_pushes = |pushes: &mut Vec<Ident>, out: &mut TokenStream| {
        match pushes.len() {
            0 => {}
            1 => out.extend(quote!(#tape.push(#(#pushes)*);)),
            _ => out.extend(quote!(#tape.push_slice(&[#(#pushes),*]);)),
        }
        pushes.clear();
    };
    let flush_pops = |pops: &mut Vec<Ident>, after: &mut TokenStream, out: &mut TokenStream| {
        match pops.len() {
            0 => {}
            1 => out.extend(quote!(let #(#pops)* = #tape.pop();)),
            n => {
                // Popped first is pushed last: the array is in push order.
                let names = pops.iter().rev();
                out.extend(quote!(let [#(#names),*] = #tape.pop_array::<#n>();));
            }
        }
        pops.clear();
        out.extend(std::mem::take(after));
    };
    for st in statements(code) {
        if let Some(x) = single_push(&st, &name) {
            flush_pops(&mut pops, &mut after_pops, &mut out);
            pushes.push(x);
            continue;
        }
        if let Some(x) = single_pop(&st, &name) {
            flush_pushes(&mut pushes, &mut out);
            if !popped.insert(x.to_string()) {
                // The same name again: the first one's readers stay before it.
                flush_pops(&mut pops, &mut after_pops, &mut out);
            }
            pops.push(x);
            continue;
        }
        if mentions(&st, &name) {
            flush_pushes(&mut pushes, &mut out);
            flush_pops(&mut pops, &mut after_pops, &mut out);
            out.extend(st);
        } else if pops.is_empty() {
            out.extend(st);
        } else {
            after_pops.extend(st);
        }
    }
    flush_pops(&mut pops, &mut after_pops, &mut out);
    flush_pushes(&mut pushes, &mut out);
    out
}

/// The names `code` declares at its top level that are in `used`, each once, in order.
fn returned(code: &TokenStream, used: &super::reads::Names) -> Vec<Ident> {
    let mut declared = Vec::new();
    top_level_lets(code, &mut declared);
    let mut seen = HashSet::new();
    declared
        .into_iter()
        .filter(|n| {
            let name = n.to_string();
            used.contains(&name) && seen.insert(name)
        })
        .collect()
}

/// The names bound by the `let` statements at the top level of `code` (not inside blocks),
/// in order: the identifiers of each pattern, up to its `:`, `=` or `;`.
fn top_level_lets(code: &TokenStream, out: &mut Vec<Ident>) {
    let mut in_pattern = false;
    for tt in code.clone() {
        match &tt {
            TokenTree::Ident(i) if !in_pattern => in_pattern = i == "let",
            TokenTree::Punct(p) if matches!(p.as_char(), ':' | '=' | ';') => in_pattern = false,
            _ if in_pattern => pattern_names(&tt, out),
            _ => {}
        }
    }
}

fn pattern_names(tt: &TokenTree, out: &mut Vec<Ident>) {
    match tt {
        TokenTree::Ident(i) if !matches!(i.to_string().as_str(), "mut" | "ref" | "_") => {
            out.push(i.clone());
        }
        TokenTree::Group(g) => g.stream().into_iter().for_each(|t| pattern_names(&t, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: TokenStream) -> Unit {
        Unit {
            decls: Vec::new(),
            code,
            weight: 1,
        }
    }

    fn joined(units: Vec<Unit>, after: TokenStream, size: usize) -> String {
        join(units, after, size).to_string()
    }

    #[test]
    fn light_blocks_are_left_whole() {
        let units = vec![unit(quote!(let a = 1.0;)), unit(quote!(let b = a * 2.0;))];
        let out = joined(units, quote!(b), 10);
        assert_eq!(out, quote!(let a = 1.0; let b = a * 2.0; b).to_string());
    }

    #[test]
    fn segments_return_what_later_code_reads() {
        let units = vec![
            unit(quote!(let (a, n) = (1.0, 3usize);)),
            unit(quote!(let (mut b, c): (f64, _) = (a, 2.0);)),
            unit(quote!(let d = b + c * n as f64;)),
            unit(quote!(b += d; for a in 0..n { b += a as f64; })),
        ];
        let out = joined(units, quote!((b, c)), 1);
        let rt = quote!(::grad::__private::segment);
        let expected = quote! {
            let (mut a, mut n) = #rt(|| { let (a, n) = (1.0, 3usize); (a, n) });
            let (mut b, mut c) = #rt(|| { let (mut b, c): (f64, _) = (a, 2.0); (b, c) });
            let mut d = #rt(|| { let d = b + c * n as f64; d });
            #rt(|| { b += d; for a in 0..n { b += a as f64; } });
            (b, c)
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn heavy_units_stay_outside_segments_and_names_declared_again_are_not_returned() {
        let units = vec![
            unit(quote!(let r = 0..3; let f = 1.0;)),
            unit(quote!(for i in r {
                x += f;
            })),
            Unit {
                decls: Vec::new(),
                code: quote!(if f > 0.0 {
                    let r = 0..3;
                    for i in r.rev() {
                        x += 1.0;
                    }
                }),
                weight: 5,
            },
            unit(quote!(let b = x;)),
        ];
        let out = joined(units, TokenStream::new(), 2);
        let rt = quote!(::grad::__private::segment);
        let expected = quote! {
            let mut f = #rt(|| { let r = 0..3; let f = 1.0; for i in r { x += f; } f });
            if f > 0.0 { let r = 0..3; for i in r.rev() { x += 1.0; } }
            #rt(|| { let b = x; });
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn pushes_and_pops_of_a_segment_go_in_runs() {
        let tape = super::super::tape_f();
        let (p1, p2, v3, r1, r2) = (
            super::super::id("p1_", 0),
            super::super::id("p2_", 0),
            super::super::id("v", 3),
            super::super::id("r", 1),
            super::super::id("r", 2),
        );
        let code = quote! {
            #tape.push(#p1);
            x = 1.0;
            #tape.push(#p2);
            #tape.push(#v3);
            (|| { for k in 0..2 { #tape.push(x); } })();
            y = 2.0;
            let #r2 = #tape.pop();
            z = #r2;
            let #r1 = #tape.pop();
        };
        let expected = quote! {
            x = 1.0;
            #tape.push_slice(&[#p1, #p2, #v3]);
            (|| { for k in 0..2 { #tape.push(x); } })();
            y = 2.0;
            let [#r1, #r2] = #tape.pop_array::<2usize>();
            z = #r2;
        };
        assert_eq!(batch(code).to_string(), expected.to_string());
    }
}
