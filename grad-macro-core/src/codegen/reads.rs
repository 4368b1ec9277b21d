//! The names a block of generated code reads from before it, found in its text (issue 16).
//!
//! [`super::segment`] asks this of every segment it cuts: a segment returns the names it
//! declares that later code reads. Walking the tokens themselves copies each one (a
//! `proc_macro2` stream is iterated by value, and inside rustc every step crosses the macro
//! bridge), and the macro runs unoptimized in a user's build, so on a 10,000-statement function
//! that walk was a quarter of the macro's time. The text of a stream is one call
//! (`to_string`), and a small lexer over it allocates only the names it reports.
//!
//! The lexer knows what generated code and a function body contain: identifiers (raw ones
//! too), punctuation, the three bracket pairs, and literals, which it skips (strings raw or
//! not, byte and C strings, characters, numbers), so that a word inside a string is not a
//! name. A lifetime or label is a `'` then its name, as `proc_macro2` gives them.

use rustc_hash::{FxHashMap, FxHashSet};

/// The identifiers `code` reads from before it: every identifier at any depth, except those
/// of a pattern and those a `let` (or `for`) inside `code` declared before them. A name the
/// code only declares again (the reverse sweep rebuilds a loop's range under its name) is not
/// read, so a segment does not return a value the code before it moved.
pub(crate) fn reads(code: &proc_macro2::TokenStream, out: &mut Names) {
    let text = code.to_string();
    let toks = lex(&text);
    let mut at = 0;
    block(&toks, &mut at, &mut Shadowed::default(), out);
}

/// The identifiers of `text` (the text of a token stream), in order, with those inside
/// literals left out.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    lex(text).into_iter().filter_map(|t| match t {
        Tok::Ident(w) => Some(w),
        _ => None,
    })
}

/// A set of names (hashed with `FxHash`: the macro runs unoptimized in a user's build, where
/// the standard hasher's rounds are slow).
pub(crate) type Names = FxHashSet<String>;

/// A token of the text.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    Punct(u8),
    /// `(`, `[` or `{`.
    Open(u8),
    Close,
    Literal,
}

/// Names declared so far inside the code being scanned, with an undo log per block.
#[derive(Default)]
struct Shadowed<'a> {
    count: FxHashMap<&'a str, usize>,
    log: Vec<&'a str>,
}

impl<'a> Shadowed<'a> {
    fn declare(&mut self, names: Vec<&'a str>) {
        for n in names {
            *self.count.entry(n).or_default() += 1;
            self.log.push(n);
        }
    }

    fn is(&self, name: &str) -> bool {
        self.count.get(name).is_some_and(|&c| c > 0)
    }

    /// Forgets the names declared since the log had `mark` entries (a block ends).
    fn undo(&mut self, mark: usize) {
        for key in self.log.drain(mark..) {
            if let Some(c) = self.count.get_mut(key) {
                *c -= 1;
            }
        }
    }
}

/// Where a scan is in a `let` or `for` statement.
enum Let<'a> {
    Outside,
    /// In the pattern: the names so far; whether it is a `for` loop's.
    Pattern(Vec<&'a str>, bool),
    /// Past the pattern (a `let`'s type and value, up to its `;`; a `for`'s iterator, up to
    /// its body): the names, in scope from the `;` or in the body.
    Rest(Vec<&'a str>, bool),
}

/// Scans from `*at` to the end of the current group (its closing bracket, consumed) or of the
/// tokens.
fn block<'a>(toks: &[Tok<'a>], at: &mut usize, shadowed: &mut Shadowed<'a>, out: &mut Names) {
    let mut state = Let::Outside;
    while let Some(&tok) = toks.get(*at) {
        *at += 1;
        // A word after `.` or `::` is a field, a method or a path's segment, never a local.
        // (`..` is a range: the word after it is read.)
        let before = |k: usize| (*at > k).then(|| toks[*at - 1 - k]);
        let member = match (before(1), before(2)) {
            (Some(Tok::Punct(b'.')), b) => b != Some(Tok::Punct(b'.')),
            (Some(Tok::Punct(b':')), b) => b == Some(Tok::Punct(b':')),
            _ => false,
        };
        match (tok, &mut state) {
            (Tok::Close, _) => return,
            (Tok::Ident(w), _) if w == "let" || w == "for" => {
                state = Let::Pattern(Vec::new(), w == "for");
            }
            (Tok::Punct(b':' | b'='), Let::Pattern(names, false)) => {
                state = Let::Rest(std::mem::take(names), false);
            }
            (Tok::Ident("in"), Let::Pattern(names, true)) => {
                state = Let::Rest(std::mem::take(names), true);
            }
            (Tok::Punct(b';'), Let::Pattern(names, false) | Let::Rest(names, false)) => {
                shadowed.declare(std::mem::take(names));
                state = Let::Outside;
            }
            (Tok::Open(_), Let::Pattern(names, _)) => pattern_group(toks, at, names),
            (Tok::Ident(w), Let::Pattern(names, _)) => pattern_name(w, names),
            (_, Let::Pattern(..)) => {}
            (Tok::Ident(w), _) if !member && !out.contains(w) && !shadowed.is(w) => {
                out.insert(w.to_string());
            }
            (Tok::Ident(_), _) => {}
            (Tok::Open(delimiter), st) => {
                let mark = shadowed.log.len();
                // The body of `for x in it { .. }` sees `x`.
                if let (Let::Rest(names, true), b'{') = (&mut *st, delimiter) {
                    shadowed.declare(std::mem::take(names));
                    *st = Let::Outside;
                }
                block(toks, at, shadowed, out);
                shadowed.undo(mark);
            }
            _ => {}
        }
    }
}

fn pattern_name<'a>(w: &'a str, names: &mut Vec<&'a str>) {
    if !matches!(w, "mut" | "ref" | "_") {
        names.push(w);
    }
}

/// The names in a group of a pattern, up to its closing bracket (consumed).
fn pattern_group<'a>(toks: &[Tok<'a>], at: &mut usize, names: &mut Vec<&'a str>) {
    let mut depth = 1;
    while let Some(&tok) = toks.get(*at) {
        *at += 1;
        match tok {
            Tok::Open(_) => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            Tok::Ident(w) => pattern_name(w, names),
            _ => {}
        }
    }
}

fn ident_byte(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80
}

/// The tokens of `s` (the text of a token stream).
fn lex(s: &str) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 4);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            _ if c.is_ascii_whitespace() => i += 1,
            b'"' => {
                i = after_string(b, i + 1);
                out.push(Tok::Literal);
            }
            b'\'' => match b.get(i + 1) {
                Some(b'\\') => {
                    i = after_char(b, i + 2);
                    out.push(Tok::Literal);
                }
                Some(&n) if b.get(i + 1 + utf8_len(n)) == Some(&b'\'') => {
                    i += 2 + utf8_len(n);
                    out.push(Tok::Literal);
                }
                // A lifetime or a label: the `'`, then its name.
                _ => {
                    out.push(Tok::Punct(c));
                    i += 1;
                }
            },
            b'(' | b'[' | b'{' => {
                out.push(Tok::Open(c));
                i += 1;
            }
            b')' | b']' | b'}' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'0'..=b'9' => {
                i += 1;
                while i < b.len()
                    && (ident_byte(b[i])
                        || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
                {
                    i += 1;
                }
                out.push(Tok::Literal);
            }
            _ if ident_byte(c) => {
                let start = i;
                while i < b.len() && ident_byte(b[i]) {
                    i += 1;
                }
                let word = &s[start..i];
                match (word, b.get(i)) {
                    ("b" | "c", Some(b'"')) => {
                        i = after_string(b, i + 1);
                        out.push(Tok::Literal);
                    }
                    ("b", Some(b'\'')) => {
                        i = match b.get(i + 1) {
                            Some(b'\\') => after_char(b, i + 2),
                            _ => i + 3,
                        };
                        out.push(Tok::Literal);
                    }
                    ("r" | "br" | "cr", Some(b'"' | b'#')) => {
                        let mut j = i;
                        while b.get(j) == Some(&b'#') {
                            j += 1;
                        }
                        let hashes = j - i;
                        if b.get(j) == Some(&b'"') {
                            i = after_raw_string(b, j + 1, hashes);
                            out.push(Tok::Literal);
                        } else if word == "r"
                            && hashes == 1
                            && b.get(j).is_some_and(|&c| ident_byte(c))
                        {
                            // A raw identifier, `r#type`.
                            i = j;
                            while i < b.len() && ident_byte(b[i]) {
                                i += 1;
                            }
                            out.push(Tok::Ident(&s[start..i]));
                        } else {
                            out.push(Tok::Ident(word));
                        }
                    }
                    _ => out.push(Tok::Ident(word)),
                }
            }
            _ => {
                out.push(Tok::Punct(c));
                i += 1;
            }
        }
    }
    out
}

/// The bytes a UTF-8 character takes, from its first byte.
fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Past the closing quote of a string whose text starts at `i`.
fn after_string(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Past the closing quote of a character literal whose escape starts at `i` (after `'\`).
fn after_char(b: &[u8], mut i: usize) -> usize {
    i += 1; // the escaped character (`\'` included)
    while i < b.len() && b[i] != b'\'' {
        i += 1;
    }
    i + 1
}

/// Past the closing `"#…#` of a raw string with `hashes` hashes whose text starts at `i`.
fn after_raw_string(b: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < b.len() {
        if b[i] == b'"'
            && b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::{TokenStream, TokenTree};
    use quote::quote;
    use std::collections::{HashMap, HashSet};

    /// The same scan over the tokens themselves (what this module replaces): the reference.
    fn reads_by_tokens(
        code: TokenStream,
        shadowed: &mut HashMap<String, usize>,
        log: &mut Vec<String>,
        out: &mut HashSet<String>,
    ) {
        enum St {
            Outside,
            Pattern(Vec<String>, bool),
            Rest(Vec<String>, bool),
        }
        fn names(tt: &TokenTree, out: &mut Vec<String>) {
            match tt {
                TokenTree::Ident(i) if !matches!(i.to_string().as_str(), "mut" | "ref" | "_") => {
                    out.push(i.to_string())
                }
                TokenTree::Group(g) => g.stream().into_iter().for_each(|t| names(&t, out)),
                _ => {}
            }
        }
        let declare =
            |names: Vec<String>, shadowed: &mut HashMap<String, usize>, log: &mut Vec<String>| {
                for n in names {
                    *shadowed.entry(n.clone()).or_default() += 1;
                    log.push(n);
                }
            };
        let mut state = St::Outside;
        let (mut p1, mut p2) = (' ', ' ');
        for tt in code {
            let word = match &tt {
                TokenTree::Ident(i) => Some(i.to_string()),
                _ => None,
            };
            let member = (p1 == '.' && p2 != '.') || (p1 == ':' && p2 == ':');
            p2 = p1;
            p1 = match &tt {
                TokenTree::Punct(p) => p.as_char(),
                _ => ' ',
            };
            let word = word.filter(|w| {
                !member || w == "let" || w == "for" || w == "in" || matches!(state, St::Pattern(..))
            });
            match (&tt, word, &mut state) {
                (_, Some(w), _) if w == "let" || w == "for" => {
                    state = St::Pattern(Vec::new(), w == "for")
                }
                (TokenTree::Punct(p), _, St::Pattern(n, false))
                    if matches!(p.as_char(), ':' | '=') =>
                {
                    state = St::Rest(std::mem::take(n), false)
                }
                (_, Some(w), St::Pattern(n, true)) if w == "in" => {
                    state = St::Rest(std::mem::take(n), true)
                }
                (TokenTree::Punct(p), _, St::Pattern(n, false) | St::Rest(n, false))
                    if p.as_char() == ';' =>
                {
                    declare(std::mem::take(n), shadowed, log);
                    state = St::Outside;
                }
                (_, _, St::Pattern(n, _)) => names(&tt, n),
                (_, Some(w), _) if !shadowed.get(&w).is_some_and(|&c| c > 0) => {
                    out.insert(w);
                }
                (TokenTree::Group(g), _, st) => {
                    let mark = log.len();
                    if let (St::Rest(n, true), proc_macro2::Delimiter::Brace) =
                        (&mut *st, g.delimiter())
                    {
                        declare(std::mem::take(n), shadowed, log);
                        *st = St::Outside;
                    }
                    reads_by_tokens(g.stream(), shadowed, log, out);
                    for k in log.drain(mark..) {
                        *shadowed.get_mut(&k).unwrap() -= 1;
                    }
                }
                _ => {}
            }
        }
    }

    fn both(code: TokenStream) -> HashSet<String> {
        let mut by_text = Names::default();
        reads(&code, &mut by_text);
        let mut by_tokens = HashSet::new();
        reads_by_tokens(
            code.clone(),
            &mut HashMap::new(),
            &mut Vec::new(),
            &mut by_tokens,
        );
        let by_text: HashSet<String> = by_text.into_iter().collect();
        assert_eq!(by_text, by_tokens, "{code}");
        by_text
    }

    fn set(names: &[&str]) -> HashSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reads_are_the_names_used_before_a_declaration() {
        let got = both(quote! {
            let (mut a, b): (f64, _) = (x, y.sin());
            let c = a + b * z;
            for i in 0..n { let t = w[i]; a += t * c; }
            let i = k;
            { let q = 1.0; r = q; }
            q
        });
        // `a`, `b`, `c`, `t` and the loop's `i` are declared before they are read; `q` is
        // read after its block ended; `_` is a word of a type; `sin` is a method, not a read.
        let want = set(&["x", "y", "f64", "_", "z", "n", "w", "k", "r", "q"]);
        assert_eq!(got, want);
    }

    #[test]
    fn literals_lifetimes_and_raw_identifiers() {
        let got = both(quote! {
            let s = "a \" quoted let x = y; string";
            let r = r#"raw "quoted" y"#;
            let bs = b"bytes z";
            let c = ['x', '\'', '\u{1F600}', 'é', b'q', b'\\'];
            let n = [1.5e-3, 0x1F_u32 as f64, 2.0f64.max(v), 1_000usize as f64, t.0 .1];
            'outer: loop { break 'outer; }
            let r#type = u;
            r#type + s.len() as f64
        });
        // Suffixes of numbers are not names; keywords are words as `proc_macro2` sees them;
        // methods are not reads.
        let want = set(&["v", "f64", "as", "t", "outer", "loop", "break", "u"]);
        assert_eq!(got, want);
    }

    #[test]
    fn text_and_tokens_agree_on_a_generated_function() {
        let item: syn::ItemFn = syn::parse_quote! {
            fn f(x: f64, w: &[f64]) -> f64 {
                let mut s = 0.0;
                for (i, &v) in w.iter().enumerate() {
                    let t = if v > x { v * 2.0 } else { x.powi(2) };
                    s += t * (i as f64);
                }
                let m = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                while s > 1.0 { s *= 0.5; }
                s + m
            }
        };
        let out = crate::pipeline::expand(quote!(), quote!(#item));
        both(out);
    }
}
