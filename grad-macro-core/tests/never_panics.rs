//! The macro never panics: for every input, [`grad_macro_core::expand`] returns code (the
//! expansion, or the user's item with `compile_error!`s) and never unwinds.
//!
//! Two proptest strategies (a failure is shrunk by proptest, then minimized by deleting
//! statements and tokens while it fails the same way):
//! - `mutated_real_functions`: every `#[differentiable]` function of the repository's tests, UI
//!   tests, examples and bench workloads (read and parsed at test time), changed by random
//!   token-level mutations (delete, duplicate, swap, replace a token, change a literal's
//!   suffix or a group's delimiter, insert operators and fragments, unwrap, wrap, truncate)
//!   and syn-level ones (replace an expression or a statement, change parameter and return
//!   types, add generics, replace the attribute's arguments).
//! - `generated_functions`: functions from a grammar wider than what the macro accepts (every
//!   kind of expression, statement, pattern and type syn has, odd signatures, junk in
//!   `wrt(...)`), mixed with one close to what it accepts, so that the later stages run too.
//!
//! Each input is checked: `expand` does not panic; and when the item is a Rust item (as the
//! compiler guarantees for an attribute's input) the output parses as a file that carries a
//! `compile_error!` or has `<name>_grad` or `<name>_pullback` without an
//! `unimplemented!()` stub (nor stubs of `_grad` and `_graph`). Inputs nest at
//! most [`MAX_DEPTH`] groups, and expansion runs on a thread with rustc's 8 MiB stack.
//!
//! By default each test runs [`DEFAULT_CASES`] inputs from a fixed seed; the counts are printed
//! with `--nocapture`. A long run sets the inputs per test (`GRAD_NEVER_PANICS_CASES`), a time
//! limit per test in seconds (`GRAD_NEVER_PANICS_SECS`, checked every [`BATCH`] inputs) and a
//! seed (`PROPTEST_RNG_SEED`; batch `k` uses seed + k):
//!
//! ```text
//! GRAD_NEVER_PANICS_CASES=500000 GRAD_NEVER_PANICS_SECS=1800 PROPTEST_RNG_SEED=7 \
//!     cargo test -p grad-macro-core --release --test never_panics -- --nocapture
//! ```

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::{Union, ValueTree};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use quote::{quote, ToTokens};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::time::Instant;
use syn::ext::IdentExt;
use syn::visit::Visit;
use syn::visit_mut::{self, VisitMut};

/// Inputs per test unless `GRAD_NEVER_PANICS_CASES` says otherwise.
const DEFAULT_CASES: u64 = 1500;
/// Inputs per proptest run; a long run is several, each with the next seed.
const BATCH: u64 = 10_000;
/// The seed unless `PROPTEST_RNG_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x6772_6164;
/// The deepest nesting of groups in an input (deep nesting is tested elsewhere).
const MAX_DEPTH: usize = 30;

// ---------------------------------------------------------------------------------------------
// The check

type Expander = fn(TokenStream, TokenStream) -> TokenStream;

thread_local! {
    /// Set while `expand` runs: the panic hook then records the panic instead of printing it.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                CAUGHT.with(|c| *c.borrow_mut() = Some(info.to_string()));
            } else {
                default(info);
            }
        }));
    });
}

/// What an expansion gave.
#[derive(Clone, Copy)]
enum Outcome {
    /// The input is not an item, so the compiler would never have called the macro.
    NotAnItem,
    /// Code with a `compile_error!`.
    Refused,
    /// A companion `<name>_pullback` (and `<name>_grad` for a scalar result).
    Expanded,
}

/// Expands one input and checks the output. `Err` says what went wrong.
fn check(expand: Expander, attr: &TokenStream, item: &TokenStream) -> Result<Outcome, String> {
    install_panic_hook();
    QUIET.with(|q| q.set(true));
    let out = panic::catch_unwind(AssertUnwindSafe(|| expand(attr.clone(), item.clone())));
    QUIET.with(|q| q.set(false));
    let out = match out {
        Ok(out) => out,
        Err(_) => {
            let msg = CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or_default();
            return Err(format!("expand panicked: {msg}"));
        }
    };
    // The compiler only hands an attribute a well-formed item.
    if syn::parse2::<syn::Item>(item.clone()).is_err() {
        return Ok(Outcome::NotAnItem);
    }
    let file: syn::File = syn::parse2(out.clone())
        .map_err(|e| format!("the output is not Rust items ({e}):\n{out}"))?;
    let errors: Vec<String> = file
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Macro(m) if m.mac.path.segments.last()?.ident == "compile_error" => Some(
                m.mac
                    .parse_body::<syn::LitStr>()
                    .map_or_else(|e| e.to_string(), |s| s.value()),
            ),
            _ => None,
        })
        .collect();
    // An internal error is an assertion that failed without panicking.
    if let Some(e) = errors.iter().find(|e| e.starts_with("internal")) {
        return Err(format!("an internal error: {e}\n{out}"));
    }
    if !errors.is_empty() {
        return Ok(Outcome::Refused);
    }
    let Ok(f) = syn::parse2::<syn::ItemFn>(item.clone()) else {
        return Err(format!(
            "no compile_error! for an item that is not a function:\n{out}"
        ));
    };
    let name = f.sig.ident.unraw();
    // `_grad` for a scalar result, `_pullback` for a function that takes arrays or returns an
    // array or `()`: at least one of them.
    let companions = [format!("{name}_grad"), format!("{name}_pullback")];
    let stub = quote!({ ::core::unimplemented!() }).to_string();
    let mut found = false;
    for i in &file.items {
        if let syn::Item::Fn(g) = i {
            let generated = companions
                .iter()
                .chain([&format!("{name}_graph")])
                .any(|n| g.sig.ident == n);
            found |= companions.iter().any(|n| g.sig.ident == n);
            if generated && g.block.to_token_stream().to_string() == stub {
                return Err(format!(
                    "`{}` is a stub but no compile_error! says why:\n{out}",
                    g.sig.ident
                ));
            }
        }
    }
    if !found {
        return Err(format!(
            "neither `{}` nor a compile_error!:\n{out}",
            companions.join("` nor `")
        ));
    }
    Ok(Outcome::Expanded)
}

/// The input, pretty-printed when it parses as a function.
fn show(attr: &TokenStream, item: &TokenStream) -> String {
    let item = match syn::parse2::<syn::File>(item.clone()) {
        Ok(f) => prettyplease::unparse(&f),
        Err(_) => item.to_string(),
    };
    format!("attribute arguments: `{attr}`\nitem:\n{item}")
}

fn stream_depth(ts: &TokenStream) -> usize {
    ts.clone()
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => 1 + stream_depth(&g.stream()),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number")),
    )
}

/// How many inputs a test runs, after how many seconds it stops early (checked between
/// batches of [`BATCH`] inputs), and how many steps may shrink a failing input.
struct Budget {
    cases: u64,
    secs: Option<f64>,
    shrink: u32,
}

impl Budget {
    fn from_env() -> Self {
        Budget {
            cases: env_number("GRAD_NEVER_PANICS_CASES").unwrap_or(DEFAULT_CASES),
            secs: env_number("GRAD_NEVER_PANICS_SECS"),
            shrink: 1000,
        }
    }

    /// A quick run, for testing the harness.
    fn quick(cases: u64) -> Self {
        Budget {
            cases,
            secs: None,
            shrink: 100,
        }
    }
}

fn seed() -> u64 {
    env_number("PROPTEST_RNG_SEED").unwrap_or(DEFAULT_SEED)
}

fn config(cases: u32, seed: u64, shrink: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_time: 120_000,
        max_shrink_iters: shrink,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    }
}

/// Expansions by [`Outcome`] and failed, and inputs skipped as too deep.
#[derive(Default)]
struct Stats {
    outcomes: [u64; 3],
    failed: u64,
    skipped: u64,
}

impl Stats {
    fn executed(&self) -> u64 {
        self.outcomes.iter().sum::<u64>() + self.failed
    }
}

/// Runs `strategy`'s inputs through `expand`, in batches with seeds `seed()`, `seed() + 1`,
/// ..., on a thread with rustc's stack size. `input` turns a value into `(attr, item)`, or
/// `None` to skip it (too deep).
fn run<S>(
    budget: Budget,
    expand: Expander,
    strategy: impl FnOnce() -> S + Send + 'static,
    input: fn(&S::Value) -> Option<(TokenStream, TokenStream)>,
) -> Result<Stats, String>
where
    S: Strategy,
    S::Value: 'static,
{
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let strategy = strategy();
            let start = Instant::now();
            let stats = RefCell::new(Stats::default());
            for batch in 0.. {
                let done = stats.borrow().executed() + stats.borrow().skipped;
                let late = budget
                    .secs
                    .is_some_and(|s| start.elapsed().as_secs_f64() >= s);
                if done >= budget.cases || late {
                    break;
                }
                let cases = (budget.cases - done).min(BATCH) as u32;
                let mut runner =
                    TestRunner::new(config(cases, seed().wrapping_add(batch), budget.shrink));
                let result = runner.run(&strategy, |v| {
                    let Some((attr, item)) = input(&v) else {
                        stats.borrow_mut().skipped += 1;
                        return Ok(());
                    };
                    let result = check(expand, &attr, &item);
                    let mut stats = stats.borrow_mut();
                    match result {
                        Ok(outcome) => {
                            stats.outcomes[outcome as usize] += 1;
                            Ok(())
                        }
                        Err(e) => {
                            stats.failed += 1;
                            let input = show(&attr, &item);
                            Err(TestCaseError::fail(format!("{e}\n\n{input}")))
                        }
                    }
                });
                match result {
                    Ok(()) => {}
                    Err(TestError::Fail(reason, value)) => {
                        let executed = stats.borrow().executed();
                        let (attr, item) = input(&value).unwrap_or_default();
                        let (attr, item) =
                            minimize(expand, attr, item, first_line(reason.message()));
                        return Err(format!(
                            "after {executed} expansions (batch {batch}), proptest's smallest \
                             failing input:\n{reason}\n\nminimized:\n{}",
                            show(&attr, &item)
                        ));
                    }
                    Err(TestError::Abort(reason)) => return Err(format!("aborted: {reason}")),
                }
            }
            Ok(stats.into_inner())
        })
        .expect("spawn")
        .join()
        .unwrap_or_else(|_| Err("the test itself panicked".into()))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

/// The list of trees inside the group at `path` (the top level for `[]`).
fn list_at<'a>(mut ts: &'a mut Vec<Tree>, path: &[usize]) -> Option<&'a mut Vec<Tree>> {
    for &i in path {
        ts = match ts.get_mut(i)? {
            Tree::Group(_, inner) => inner,
            Tree::Leaf(_) => return None,
        };
    }
    Some(ts)
}

/// Whether a statement or an argument may end after `t`.
fn ends_segment(t: &Tree) -> bool {
    match t {
        Tree::Leaf(TokenTree::Punct(p)) => matches!(p.as_char(), ';' | ','),
        Tree::Group(d, _) => *d == Delimiter::Brace,
        _ => false,
    }
}

/// Where the statement or argument holding `list[j]` starts.
fn segment_start(list: &[Tree], j: usize) -> usize {
    list[..j]
        .iter()
        .rposition(ends_segment)
        .map_or(0, |i| i + 1)
}

/// Ranges of `list` worth deleting: everything, runs of one and two statements or arguments
/// (ending at `;`, `,` or a brace group), and each tree.
fn deletable(list: &[Tree]) -> Vec<std::ops::Range<usize>> {
    let mut ends = vec![0];
    for (i, t) in list.iter().enumerate() {
        if ends_segment(t) {
            ends.push(i + 1);
        }
    }
    ends.push(list.len());
    ends.dedup();
    let mut out = Vec::new();
    out.push(0..list.len());
    for span in [2, 1] {
        out.extend(ends.windows(span + 1).map(|w| w[0]..w[span]));
    }
    out.extend((0..list.len()).map(|i| i..i + 1));
    out.retain(|r| !r.is_empty());
    out
}

/// Greedily deletes statements and token trees and unwraps groups of the input while
/// `expand` still fails with the same first line (at most a few thousand tries).
fn minimize(
    expand: Expander,
    attr: TokenStream,
    item: TokenStream,
    failure: &str,
) -> (TokenStream, TokenStream) {
    let mut input = [trees(attr), trees(item)];
    let mut tries = 0;
    let still_fails = |candidate: &[Vec<Tree>; 2]| {
        let [a, b] = candidate;
        let e = check(expand, &stream(a), &stream(b));
        e.is_err_and(|e| first_line(&e) == failure)
    };
    let mut progress = true;
    while progress && tries < 5000 {
        progress = false;
        for part in 0..2 {
            let mut g = 0;
            loop {
                let mut groups = vec![Vec::new()];
                paths(&input[part], Kind::Group, &mut Vec::new(), &mut groups);
                let Some(group) = groups.get(g) else { break };
                // Unwrap the group, or delete parts of its contents, until nothing goes.
                let mut candidates = Vec::new();
                let mut unwrapped = input.clone();
                if let Some((list, i)) = siblings(&mut unwrapped[part], group) {
                    if let Tree::Group(_, inner) = list.remove(i) {
                        list.splice(i..i, inner);
                        candidates.push(unwrapped);
                    }
                }
                // `if c { body }`, `loop { body }`, ... → `body`.
                let list = list_at(&mut input[part], group)
                    .cloned()
                    .unwrap_or_default();
                for (j, t) in list.iter().enumerate() {
                    if let Tree::Group(Delimiter::Brace, inner) = t {
                        let start = segment_start(&list, j);
                        let mut c = input.clone();
                        if let Some(l) = list_at(&mut c[part], group) {
                            l.splice(start..=j, inner.clone());
                        }
                        candidates.push(c);
                    }
                }
                let ranges = list_at(&mut input[part], group).map(|l| deletable(l));
                for range in ranges.into_iter().flatten() {
                    let mut c = input.clone();
                    if let Some(list) = list_at(&mut c[part], group) {
                        list.drain(range);
                    }
                    candidates.push(c);
                }
                let found = candidates.into_iter().find(|c| {
                    tries += 1;
                    tries <= 5000 && still_fails(c)
                });
                match found {
                    Some(c) => (input, progress) = (c, true),
                    None => g += 1,
                }
            }
        }
    }
    let [attr, item] = input;
    (stream(&attr), stream(&item))
}

fn report(name: &str, start: Instant, result: Result<Stats, String>) {
    match result {
        Ok(s) => eprintln!(
            "{name}: {} expansions in {:.1} s (seed {}), none panicked: {} gave `_grad`, {} \
             compile_error!, {} were not items; {} inputs skipped as too deep",
            s.executed(),
            start.elapsed().as_secs_f64(),
            seed(),
            s.outcomes[Outcome::Expanded as usize],
            s.outcomes[Outcome::Refused as usize],
            s.outcomes[Outcome::NotAnItem as usize],
            s.skipped,
        ),
        Err(e) => panic!("{name}: {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Token trees and their mutations

#[derive(Clone)]
enum Tree {
    Leaf(TokenTree),
    Group(Delimiter, Vec<Tree>),
}

fn trees(ts: TokenStream) -> Vec<Tree> {
    ts.into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => Tree::Group(g.delimiter(), trees(g.stream())),
            other => Tree::Leaf(other),
        })
        .collect()
}

fn stream(ts: &[Tree]) -> TokenStream {
    ts.iter()
        .map(|t| match t {
            Tree::Leaf(l) => l.clone(),
            Tree::Group(d, inner) => TokenTree::Group(Group::new(*d, stream(inner))),
        })
        .collect()
}

/// Which nodes a token mutation may pick.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Any,
    Ident,
    Leaf,
    Literal,
    Group,
}

impl Kind {
    fn admits(self, t: &Tree) -> bool {
        matches!(
            (self, t),
            (Kind::Any, _)
                | (Kind::Ident, Tree::Leaf(TokenTree::Ident(_)))
                | (Kind::Leaf, Tree::Leaf(_))
                | (Kind::Literal, Tree::Leaf(TokenTree::Literal(_)))
                | (Kind::Group, Tree::Group(..))
        )
    }
}

/// The paths (child indices from the root) of the nodes of `kind`, in pre-order.
fn paths(ts: &[Tree], kind: Kind, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (i, t) in ts.iter().enumerate() {
        prefix.push(i);
        if kind.admits(t) {
            out.push(prefix.clone());
        }
        if let Tree::Group(_, inner) = t {
            paths(inner, kind, prefix, out);
        }
        prefix.pop();
    }
}

/// A node of `kind` chosen by `at`.
fn pick(ts: &[Tree], kind: Kind, at: &Index) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    paths(ts, kind, &mut Vec::new(), &mut out);
    (!out.is_empty()).then(|| at.get(&out).clone())
}

/// The list holding the node at `path`, and the node's index in it.
fn siblings<'a>(mut ts: &'a mut Vec<Tree>, path: &[usize]) -> Option<(&'a mut Vec<Tree>, usize)> {
    let (last, parents) = path.split_last()?;
    for &i in parents {
        ts = match ts.get_mut(i)? {
            Tree::Group(_, inner) => inner,
            Tree::Leaf(_) => return None,
        };
    }
    Some((ts, *last))
}

fn node(ts: &mut Vec<Tree>, path: &[usize]) -> Option<Tree> {
    let (list, i) = siblings(ts, path)?;
    list.get(i).cloned()
}

fn tokens(s: &str) -> TokenStream {
    s.parse().unwrap_or_default()
}

#[derive(Clone, Debug)]
enum TokOp {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    /// Replace an identifier (or, if `false`, any leaf) by a token from the pools.
    Replace(Index, bool, &'static str),
    Suffix(Index, &'static str),
    Delimit(Index, Delim),
    Insert(Index, &'static str),
    Unwrap(Index),
    Wrap(Index, usize, Delim),
    Truncate(Index),
}

#[derive(Clone, Copy, Debug)]
enum Delim {
    Paren,
    Brace,
    Bracket,
    Invisible,
}

impl From<Delim> for Delimiter {
    fn from(d: Delim) -> Self {
        match d {
            Delim::Paren => Delimiter::Parenthesis,
            Delim::Brace => Delimiter::Brace,
            Delim::Bracket => Delimiter::Bracket,
            Delim::Invisible => Delimiter::None,
        }
    }
}

#[rustfmt::skip]
const SUFFIXES: &[&str] = &[
    "", "f32", "f64", "i8", "i32", "i64", "i128", "isize", "u8", "u32", "u64", "u128", "usize",
    "f16", "f128", "foo", "e5", "_f64",
];

/// `lit` with its suffix replaced (numbers) or added (strings and characters).
fn resuffix(lit: &str, suffix: &str) -> String {
    let numeric = lit.starts_with(|c: char| c.is_ascii_digit());
    if !numeric {
        return format!("{lit}{suffix}");
    }
    let mut sorted: Vec<&str> = SUFFIXES.iter().copied().filter(|s| !s.is_empty()).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let stem = sorted
        .iter()
        .find_map(|s| lit.strip_suffix(s))
        .unwrap_or(lit);
    format!("{stem}{suffix}")
}

fn apply_tok(ts: &mut Vec<Tree>, op: &TokOp) {
    match op {
        TokOp::Delete(at) => {
            if let Some((list, i)) = pick(ts, Kind::Any, at).and_then(|p| siblings(ts, &p)) {
                list.remove(i);
            }
        }
        TokOp::Duplicate(at) => {
            if let Some((list, i)) = pick(ts, Kind::Any, at).and_then(|p| siblings(ts, &p)) {
                let t = list[i].clone();
                list.insert(i + 1, t);
            }
        }
        TokOp::Swap(a, b) => {
            let (Some(pa), Some(pb)) = (pick(ts, Kind::Any, a), pick(ts, Kind::Any, b)) else {
                return;
            };
            if pa.starts_with(&pb) || pb.starts_with(&pa) {
                return;
            }
            let (Some(ta), Some(tb)) = (node(ts, &pa), node(ts, &pb)) else {
                return;
            };
            for (p, t) in [(pa, tb), (pb, ta)] {
                if let Some((list, i)) = siblings(ts, &p) {
                    list[i] = t;
                }
            }
        }
        TokOp::Replace(at, idents, with) => {
            let kind = if *idents { Kind::Ident } else { Kind::Leaf };
            if let Some((list, i)) = pick(ts, kind, at).and_then(|p| siblings(ts, &p)) {
                list.splice(i..=i, trees(tokens(with)));
            }
        }
        TokOp::Suffix(at, suffix) => {
            if let Some((list, i)) = pick(ts, Kind::Literal, at).and_then(|p| siblings(ts, &p)) {
                let text = stream(&list[i..=i]).to_string();
                if let Ok(new) = resuffix(&text, suffix).parse::<TokenStream>() {
                    list.splice(i..=i, trees(new));
                }
            }
        }
        TokOp::Delimit(at, d) => {
            if let Some((list, i)) = pick(ts, Kind::Group, at).and_then(|p| siblings(ts, &p)) {
                if let Tree::Group(delim, _) = &mut list[i] {
                    *delim = (*d).into();
                }
            }
        }
        TokOp::Insert(at, snippet) => {
            let new = trees(tokens(snippet));
            match pick(ts, Kind::Any, at).and_then(|p| siblings(ts, &p)) {
                Some((list, i)) => drop(list.splice(i..i, new)),
                None => ts.extend(new),
            }
        }
        TokOp::Unwrap(at) => {
            if let Some((list, i)) = pick(ts, Kind::Group, at).and_then(|p| siblings(ts, &p)) {
                if let Tree::Group(_, inner) = list[i].clone() {
                    list.splice(i..=i, inner);
                }
            }
        }
        TokOp::Wrap(at, len, d) => {
            if let Some((list, i)) = pick(ts, Kind::Any, at).and_then(|p| siblings(ts, &p)) {
                let end = (i + len).min(list.len());
                let inner: Vec<Tree> = list.drain(i..end).collect();
                list.insert(i, Tree::Group((*d).into(), inner));
            }
        }
        TokOp::Truncate(at) => {
            if let Some((list, i)) = pick(ts, Kind::Any, at).and_then(|p| siblings(ts, &p)) {
                list.truncate(i);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The corpus: the repository's `#[differentiable]` functions

/// Attribute arguments and item of one function, as the compiler would hand them over.
struct Corpus {
    functions: Vec<(TokenStream, TokenStream)>,
    /// How many of the functions come from code that compiles (all but `tests/ui/`).
    accepted: usize,
    exprs: Vec<syn::Expr>,
}

thread_local! {
    static CORPUS: Corpus = load_corpus();
}

fn rust_files(dir: &Path, recurse: bool, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() && recurse {
            rust_files(&p, recurse, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[derive(Default)]
struct Collect {
    functions: Vec<(TokenStream, TokenStream)>,
    exprs: Vec<syn::Expr>,
}

impl<'ast> Visit<'ast> for Collect {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let is_ours = |a: &syn::Attribute| {
            a.path()
                .segments
                .last()
                .is_some_and(|s| s.ident == "differentiable")
        };
        if let Some(attr) = f.attrs.iter().find(|a| is_ours(a)) {
            let args = match &attr.meta {
                syn::Meta::List(l) => l.tokens.clone(),
                _ => TokenStream::new(),
            };
            let mut item = f.clone();
            item.attrs.retain(|a| !is_ours(a));
            self.functions.push((args, item.to_token_stream()));
            let mut exprs = Exprs(&mut self.exprs);
            exprs.visit_block(&f.block);
        }
        syn::visit::visit_item_fn(self, f);
    }
}

struct Exprs<'a>(&'a mut Vec<syn::Expr>);

impl<'ast> Visit<'ast> for Exprs<'_> {
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        self.0.push(e.clone());
        syn::visit::visit_expr(self, e);
    }
}

fn load_corpus() -> Corpus {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for (dir, recurse) in [
        ("tests", false),
        ("tests/ui", false),
        ("tests/ui-pass", false),
        ("examples", true),
        ("benches/workloads", false),
    ] {
        rust_files(&root.join(dir), recurse, &mut files);
    }
    let mut c = Collect::default();
    let refused_dir = root.join("tests/ui");
    let mut accepted = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read a corpus file");
        if let Ok(file) = syn::parse_file(&text) {
            let before = c.functions.len();
            c.visit_file(&file);
            if path.parent() != Some(refused_dir.as_path()) {
                accepted += c.functions.len() - before;
            }
        }
    }
    assert!(
        c.functions.len() >= 100,
        "expected the repository's #[differentiable] functions, found {} in {} files",
        c.functions.len(),
        files.len()
    );
    Corpus {
        functions: c.functions,
        accepted,
        exprs: c.exprs,
    }
}

// ---------------------------------------------------------------------------------------------
// Syn-level mutations

#[derive(Clone, Debug)]
enum ExprFrom {
    Corpus(Index),
    Generated(Src<syn::Expr>),
}

#[derive(Clone, Debug)]
enum SynOp {
    Expr(Index, ExprFrom),
    /// Replace a statement by these statements (none: delete it).
    Stmt(Index, Src<syn::Block>),
    ParamType(Index, Src<syn::Type>),
    AddParam(&'static str, Src<syn::Type>),
    ReturnType(Option<Src<syn::Type>>),
    Generics(&'static str),
}

/// Replaces the `n`-th expression (pre-order); with nothing to put, counts them.
struct NthExpr {
    n: usize,
    seen: usize,
    with: Option<syn::Expr>,
}

impl VisitMut for NthExpr {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if self.seen == self.n {
            if let Some(w) = self.with.take() {
                *e = w;
            }
        }
        self.seen += 1;
        visit_mut::visit_expr_mut(self, e);
    }
}

/// Replaces the `n`-th statement (pre-order) by statements; with nothing to put, counts them.
struct NthStmt {
    n: usize,
    seen: usize,
    with: Option<Vec<syn::Stmt>>,
}

impl VisitMut for NthStmt {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let mut i = 0;
        while i < b.stmts.len() {
            if self.seen == self.n {
                if let Some(w) = self.with.take() {
                    let k = w.len();
                    b.stmts.splice(i..=i, w);
                    self.seen += 1;
                    i += k;
                    continue;
                }
            }
            self.seen += 1;
            self.visit_stmt_mut(&mut b.stmts[i]);
            i += 1;
        }
    }
}

fn apply_syn(item: &mut Vec<Tree>, op: &SynOp) {
    let Ok(mut f) = syn::parse2::<syn::ItemFn>(stream(item)) else {
        return;
    };
    match op {
        SynOp::Expr(at, from) => {
            let mut counter = NthExpr {
                n: usize::MAX,
                seen: 0,
                with: None,
            };
            counter.visit_item_fn_mut(&mut f);
            if counter.seen == 0 {
                return;
            }
            let with = match from {
                ExprFrom::Corpus(i) => CORPUS.with(|c| i.get(&c.exprs).clone()),
                ExprFrom::Generated(e) => e.0.clone(),
            };
            NthExpr {
                n: at.index(counter.seen),
                seen: 0,
                with: Some(with),
            }
            .visit_item_fn_mut(&mut f);
        }
        SynOp::Stmt(at, with) => {
            let mut counter = NthStmt {
                n: usize::MAX,
                seen: 0,
                with: None,
            };
            counter.visit_item_fn_mut(&mut f);
            let with = with.0.stmts.clone();
            if counter.seen == 0 {
                f.block.stmts = with;
            } else {
                NthStmt {
                    n: at.index(counter.seen),
                    seen: 0,
                    with: Some(with),
                }
                .visit_item_fn_mut(&mut f);
            }
        }
        SynOp::ParamType(at, ty) => {
            let sig = &mut f.sig;
            let ty = &ty.0;
            let n = sig.inputs.len();
            if n == 0 {
                sig.inputs.push(syn::parse_quote!(x: #ty));
            } else {
                match &mut sig.inputs[at.index(n)] {
                    syn::FnArg::Typed(pt) => *pt.ty = ty.clone(),
                    r @ syn::FnArg::Receiver(_) => *r = syn::parse_quote!(s: #ty),
                }
            }
        }
        SynOp::AddParam(name, ty) => {
            let (name, ty) = (tokens(name), &ty.0);
            f.sig.inputs.push(syn::parse_quote!(#name: #ty));
        }
        SynOp::ReturnType(ty) => {
            f.sig.output = match ty {
                Some(t) => {
                    let t = &t.0;
                    syn::parse_quote!(-> #t)
                }
                None => syn::ReturnType::Default,
            }
        }
        SynOp::Generics(g) => {
            let (params, clause) = g.split_once(" where ").unwrap_or((g, ""));
            if let Ok(generics) = syn::parse_str::<syn::Generics>(params) {
                f.sig.generics = generics;
            }
            if !clause.is_empty() {
                f.sig.generics.where_clause = syn::parse_str(&format!("where {clause}")).ok();
            }
        }
    }
    *item = trees(f.to_token_stream());
}

// ---------------------------------------------------------------------------------------------
// The grammar

/// A syn value, shown as its tokens.
#[derive(Clone)]
struct Src<T>(T);

impl<T: ToTokens> fmt::Debug for Src<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.to_token_stream())
    }
}

/// Names that the generated signatures declare and the bodies use.
const NAMES: &[&str] = &["x", "y", "z", "xs", "ys", "n", "i", "k", "acc", "h", "s"];

/// Float methods of one operand, each with a derivative rule.
#[rustfmt::skip]
const UNARY: &[&str] = &[
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "exp", "exp2", "exp_m1", "ln", "log2", "log10", "ln_1p", "sqrt", "cbrt", "recip",
    "abs", "signum", "floor", "ceil", "round", "trunc", "relu", "sigmoid",
];

/// Method names: supported float methods, refused ones, array methods, and others.
#[rustfmt::skip]
const METHODS: &[&str] = &[
    "sin", "exp", "ln", "log", "sqrt", "powf", "powi", "abs", "mul_add", "hypot", "atan2", "max",
    "min", "clamp", "relu", "sigmoid", "tanh", "is_nan", "is_finite", "is_sign_negative",
    "to_bits", "from_bits", "fract", "rem_euclid", "sin_cos", "copysign", "len", "iter",
    "enumerate", "rev", "step_by", "sum", "map", "clone", "unwrap", "to_degrees", "frobnicate",
];

#[rustfmt::skip]
const LITERALS: &[&str] = &[
    "0", "1", "2", "3", "0.0", "1.0", "0.5", "2.5", "1e-3", "1e308", "1e400", "0usize", "3usize",
    "1u8", "256u8", "1i32", "1f32", "1.0f32", "1.0f64", "1_000.0", "0x1F", "0b11", "0o7", "1.",
    "true", "false", "\"s\"", "'c'", "b'c'", "b\"b\"", "c\"c\"", "r\"raw\"", "1.0e10f64",
    "18446744073709551616", "340282366920938463463374607431768211456", "1.0foo", "3u128",
    "0.0f16", "1e-400", "4294967296usize",
];

#[rustfmt::skip]
const IDENTS: &[&str] = &[
    "x", "y", "z", "xs", "ys", "n", "i", "j", "acc", "a", "b", "h", "f", "g", "self", "Self",
    "crate", "super", "f64", "f32", "i32", "usize", "bool", "sin", "exp", "powi", "powf", "len",
    "iter", "enumerate", "rev", "step_by", "sum", "vec", "println", "T", "N", "_", "PI", "wrt",
    "differentiable", "r#type", "r#x", "r#fn", "let", "mut", "fn", "if", "else", "for", "in",
    "while", "loop", "break", "continue", "return", "match", "as", "ref", "move", "async",
    "await", "unsafe", "const", "static", "struct", "enum", "impl", "trait", "dyn", "where",
    "type", "use", "mod", "pub", "extern", "yield", "box", "try", "union", "macro_rules", "true",
    "false", "__grad_jump", "__grad_t0", "δx", "é",
];

/// Operators and fragments to insert.
#[rustfmt::skip]
const SNIPPETS: &[&str] = &[
    "+", "-", "*", "/", "%", "=", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "&", "&mut",
    "|", "^", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "..", "..=", "...", "?", "::", ";", ",",
    ".", "->", "=>", "#", "@", "$", "~", "'a", "'a:", "as", "as f64", "as usize", ".0", ".len()",
    ".sin()", ".powi(2)", "[0]", "()", "[]", "{}", "(x)", "return", "break", "continue", "let",
    "mut", "_", "x", "xs", "1.0", "0", "#[inline]", "#![allow(unused)]", "/// doc", "!",
    "println!(\"{}\", x)", "vec![0.0; 3]", "if x > 0.0 { x } else { -x }", "for i in 0..n {}",
    "f(x)", "Self::", "crate::", "<f64>::", "<T as Tr>::", "return x;", "break;", "continue;",
    "let y = x;", "let mut y = 0.0;", "y += x;", "xs[i] = x;", "loop { break; }", "while false {}",
];

#[rustfmt::skip]
const TYPES: &[&str] = &[
    "f64", "f64", "f64", "f32", "i32", "usize", "bool", "u8", "&f64", "&[f64]", "&[f64]",
    "&[f32]", "[f64; 3]", "[f64; 0]", "[f64; N]", "[f64; 1 + 2]", "&[f64; 3]", "&mut f64",
    "&mut [f64]", "T", "Vec<f64>", "Option<f64>", "(f64, f64)", "()", "!", "_",
    "impl Fn(f64) -> f64", "dyn Fn()", "*const f64", "fn(f64) -> f64", "&'a f64",
    "[[f64; 2]; 2]", "&[&[f64]]", "Self", "(f64)", "Box<f64>", "f16", "f128",
    "std::primitive::f64", "core::f64", "<T as Tr>::A", "&&[f64]", "&[usize]", "[usize; 2]",
    "&str", "String", "&[f64; 3usize]", "[f64; { 3 }]", "[f64; -1]",
    "[f64; 18446744073709551616]", "&[(f64)]", "[f32; 2]", "&[f64; n]", "f64::X",
];

#[rustfmt::skip]
const PATTERNS: &[&str] = &[
    "_", "x", "y", "mut x", "ref x", "ref mut x", "x @ 1..=2", "(a, b)", "(a, ..)", "(..)",
    "S { a, .. }", "S { a: 1, b }", "S(a, _)", "[a, b]", "[first, rest @ ..]", "&a", "&mut a",
    "&(a, b)", "1 | 2", "1..=5", "..=5", "0..", "1.0", "\"s\"", "Some(x)", "None", "E::V", "m!()",
    "(a)", "-1", "'c'", "true", "a @ (b | c)", "r#type", "Self", "&&x", "[..]", "(x,)",
];

#[rustfmt::skip]
const ATTRS: &[&str] = &[
    "", "", "", "wrt(x)", "wrt(x, y)", "wrt()", "wrt(xs)", "wrt(n)", "wrt(z)", "wrt", "wrt = x",
    "wrt(x)(y)", "wrt(1)", "wrt(x,,)", "wrt(x), wrt(y)", "foo", "wrt[x]", "wrt{x}", "wrt(self)",
    "wrt(r#type)", "wrt(x::y)", "wrt(x) extra", "crate::wrt(x)", "= 1", "#", "wrt(x y)",
    "\"str\"", "wrt(_)", ",", "wrt(x),", "order = 2", "wrt(x, z), order = 2", "mode = \"forward\"",
    "wrt(x, x)", "wrt(h)", "wrt(acc)",
];

// Templates. Holes: `__eN` an expression, `__cN` a condition, `__iN` an index, `__bN` the
// statements of a block, `__vN` the same ending in a value, `__nN` a name, `__mN` a method,
// `__uN` a one-operand float method, `__pN` a pattern, `__tN` a type.

/// Float-valued leaves of the grammar close to what the macro accepts, given [`SIGNATURES`]
/// and [`PRELUDE`].
#[rustfmt::skip]
const CLOSE_LEAVES: &[&str] = &[
    "x", "y", "z", "acc", "a", "xs[0]", "xs[k]", "ys[1]", "h[0]", "h[k]", "0.5", "1.0", "2.0",
    "3.5", "1e-3", "PI", "n as f64", "k as f64", "xs.len() as f64", "f64::EPSILON", "-1.0",
];

#[rustfmt::skip]
const CLOSE_EXPRS: &[&str] = &[
    "__e0 + __e1", "__e0 - __e1", "__e0 * __e1", "__e0 / __e1", "-__e0", "(__e0)",
    "__e0.__u0()", "__e0.__u0()", "__e0.max(__e1)", "__e0.min(__e1)", "__e0.powf(__e1)",
    "__e0.powi(2)", "__e0.powi(k as i32)", "__e0.powi(-1)", "__e0.atan2(__e1)",
    "__e0.hypot(__e1)", "__e0.log(__e1)", "__e0.mul_add(__e1, __e2)", "__e0.clamp(__e1, __e2)",
    "if __c0 { __v0 } else { __v1 }", "if __c0 { __v0 } else if __c1 { __v1 } else { __v2 }",
    "{ __v0 }", "xs[__i0]", "h[__i0]", "ys[__i0] * __e0", "__e0 as f64", "f64::from(__e0)",
    "f(__e0)", "g(__e0, __e1)", "__e0 * (__c0 as i32 as f64)",
];

#[rustfmt::skip]
const CLOSE_CONDS: &[&str] = &[
    "__e0 < __e1", "__e0 > __e1", "__e0 <= __e1", "__e0 >= 0.0", "__e0 < 1.0 && __e1 > 0.0",
    "__e0 > __e1 || k > 1", "!(__e0 < __e1)", "__e0.is_nan()", "!__e0.is_finite()", "n > 2",
    "k == 0", "__i0 < n", "__e0 == __e1", "__e0 != 0.0",
];

#[rustfmt::skip]
const CLOSE_INTS: &[&str] = &[
    "0", "1", "2", "k", "n - 1", "xs.len() - 1", "k % 3", "n / 2", "k + 1", "(n - 1) * 2",
];

#[rustfmt::skip]
const CLOSE_STMTS: &[&str] = &[
    "acc += __e0;", "acc -= __e0;", "acc *= __e0;", "acc /= __e0;", "acc = __e0;",
    "h[__i0] = __e0;", "h[__i0] += __e0;", "let t = __e0;", "let mut t = __e0; t *= __e1; acc += t;",
    "let v = vec![__e0; n]; acc += v[__i0];", "let w: f64 = __e0; acc += w;",
    "if __c0 { __b0 }", "if __c0 { __b0 } else { __b1 }", "if __c0 { return __e0; }",
    "if __c0 { acc += __e0; } else if __c1 { acc -= __e1; }", "for i in 0..n { __b0 }",
    "for i in 0..n { acc += xs[i] * __e0; }", "for &v in xs { acc += v * __e0; }",
    "for v in xs.iter() { acc = acc.max(*v); }",
    "for (j, &v) in xs.iter().enumerate() { h[j % 3] += v * __e0; }",
    "for i in (0..n).rev() { if __c0 { break; } { __b0 } }",
    "for i in (0..=k).step_by(2) { if __c0 { continue; } { __b0 } }",
    "for i in 0..3 { h[i] = __e0; }",
    "for i in 0..n { for j in 0..k { acc += __e0 * (i * j) as f64; } }",
    "let mut m = 0; while m < k { acc += __e0; m += 1; }",
    "while acc < __e0 { acc += 1.0; if __c0 { break; } }",
    "loop { acc *= 0.5; if acc < __e0 { break; } }", "{ __b0 }",
    "let y2 = if __c0 { __v0 } else { __v1 }; acc += y2;", "return __e0;",
];

/// Signatures (with their return types) that declare every name [`CLOSE_LEAVES`] uses.
#[rustfmt::skip]
const SIGNATURES: &[(&str, &str)] = &[
    ("x: f64, y: f64, z: f64, xs: &[f64], ys: [f64; 3], n: usize, k: usize", "f64"),
    ("mut x: f64, y: f64, z: f64, xs: &[f64], ys: &[f64; 3], n: usize, k: usize", "f64"),
    ("xs: &[f64], x: f64, n: usize, y: f64, k: usize, z: f64, ys: [f64; 3]", "f64"),
    ("x: f32, y: f32, z: f32, xs: &[f32], ys: [f32; 3], n: usize, k: usize", "f32"),
];

const PRELUDE: &str = "let mut acc = 0.0; let a = x * y; let mut h = [0.0; 3];";

/// Leaves and templates for every other kind of expression syn has; the wide grammar also
/// uses the close one's.
#[rustfmt::skip]
const WIDE_LEAVES: &[&str] = &[
    "_", "..", "self", "Self", "crate::C", "<f64>::MAX", "None", "return", "break", "continue",
    "r#type", "f64::NAN", "x.0", "async {}", "'a: {}", "S", "Vec::new", "std::f64::consts::PI",
];

#[rustfmt::skip]
const WIDE_EXPRS: &[&str] = &[
    "__e0 < __e1", "__e0 && __e1", "__e0 || __e1", "!__e0", "__e0 % __e1", "__e0.__m0()",
    "__e0.__m0(__e1)", "__e0.__m0(__e1, __e2)", "__e0 as usize", "__e0 as f32",
    "f32::from(__e0)", "__n0[__e0]", "__n0.len()", "__n0 as f64", "|__n0| __e0",
    "|__p0: f64, __n1| -> f64 { __b0 }", "move || __e0", "async move |__n0| __e0",
    "match __e0 { __p0 => __e1, __p1 if __e2 => { __b0 } _ => __e3 }", "match __e0 {}",
    "if let __p0 = __e0 { __b0 } else { __b1 }", "if let __p0 = __e0 && __e1 { __b0 }",
    "while let __p0 = __e0 { __b0 }", "&__e0", "&mut __e0", "&raw const __e0", "&&__e0",
    "*__e0", "S { a: __e0, b: __e1 }", "S { a, ..__e0 }", "S::<f64> { 0: __e0 }",
    "Self { x: __e0 }", "(__e0,)", "(__e0, __e1)", "()", "[__e0, __e1]", "[__e0; 3]",
    "[__e0; __e1]", "[]", "__e0.a", "__e0.0", "__e0.0.1", "__e0.__m0::<f64>()",
    "__e0.iter().map(|v| v * __e1).sum::<f64>()", "__e0.__m0", "__e0[__e1][__e2]",
    "__e0[__e1]", "__e0[..]", "__e0[__e1..]", "xs[xs[__e0] as usize]", "'a: loop { __b0 }",
    "'outer: for __p0 in __e0 { __b0 }", "'b: { __b0 }", "'a: while __e0 { __b0 }",
    "loop { __b0 }", "for __p0 in __e0 { __b0 }", "while __e0 { __b0 }",
    "for __n0 in __e0..__e1 { __b0 }", "break", "break 'a", "break 'a __e0", "break __e0",
    "continue 'a", "continue", "return", "return __e0", "async { __b0 }", "async move { __b0 }",
    "__e0.await", "unsafe { __b0 }", "const { __b0 }", "__e0?", "try { __b0 }", "yield __e0",
    "__e0 = __e1", "__e0 += __e1", "__e0 %= __e1", "__e0 <<= __e1", "__e0 ^ __e1",
    "__e0 & __e1", "__e0 | __e1", "__e0 << __e1", "__e0 >> __e1", "__e0..__e1", "__e0..=__e1",
    "..__e0", "__e0..", "..=__e0", "(__e0..__e1).rev()", "(__e0..__e1).step_by(2)",
    "__e0 as __t0", "__e0 as _", "Vec::<f64>::new()", "<T as Tr>::f(__e0)", "<f64>::sin(__e0)",
    "f64::sin(__e0)", "f64::to_bits(__e0)", "f64::max(__e0, __e1)", "f64::from(__e0, __e1)",
    "Self::f(__e0)", "crate::f(__e0)", "super::g(__e0)", "(f)(__e0)", "(|v| v)(__e0)",
    "__e0(__e1)", "__n0(__e0)", "__n0.f(__e0)", "{ #[allow(unused)] __e0 }",
    "vec![__e0; __e1]", "vec![__e0, __e1]", "vec![__e0]", "println!(\"{}\", __e0)",
    "assert!(__e0)", "dbg!(__e0)", "m!(__e0)", "format!(\"{x}\")", "unreachable!()",
    "matches!(__e0, __p0)",
];

#[rustfmt::skip]
const WIDE_STMTS: &[&str] = &[
    "let __n0 = __e0;", "let mut __n0 = __e0;", "let __n0;", "__n0 = __e0;", "__n0 += __e0;",
    "let mut __n0 = [__e0; 2];", "let mut __n0 = vec![__e0; __e1];", "__n0[__e0] = __e1;",
    "for &__n0 in __n1 { __b0 }", "for (__n0, &__n1) in __n2.iter().enumerate() { __b0 }",
    "if __e0 { break; }", "if __e0 { continue; }", "break;", "continue;", "__e0;",
    "let __p0 = __e0;", "let __p0: __t0 = __e0;", "let __p0 = __e0 else { __b0 };", "let __p0;",
    "let (__n0, __n1) = (__e0, __e1);", "fn inner(__n0: f64) -> f64 { __b0 }",
    "const C: f64 = __e0;", "static S: __t0 = __e0;", "struct S;", "use std::f64::consts::PI;",
    "macro_rules! m { () => { __e0 } }", "impl S { fn f(&self) {} }", "mod m {}",
    "extern crate core;", "type T = __t0;", "println!(\"{}\", __e0);", "assert!(__e0);",
    "m! {}", "vec![__e0];", "#[allow(unused)] let __n0 = __e0;", "#[cfg(any())] __e0;",
    "'a: loop { break 'a; }", "__e0 = __e1;", "*__e0 = __e1;", "__e0.a = __e1;",
    "(__n0, __n1) = (__e0, __e1);", "_ = __e0;", "xs[__e0][__e1] = __e2;", "return;",
    "let __n0 = [__e0, __e1];", "let mut __n0 = vec![0.0; __e0, __e1];", "let mut __n0 = vec![];",
];

/// One of the two grammars.
#[derive(Clone, Copy)]
struct Grammar {
    leaves: &'static [&'static [&'static str]],
    exprs: &'static [&'static [&'static str]],
    /// Templates for conditions, or none to use expressions.
    conds: &'static [&'static str],
    /// Index expressions, or none to use expressions.
    ints: &'static [&'static str],
    stmts: &'static [&'static [&'static str]],
    methods: &'static [&'static str],
    unary: &'static [&'static str],
    wide: bool,
}

/// Close to what the macro accepts: float expressions over the names [`SIGNATURES`] and
/// [`PRELUDE`] declare, conditions that are `bool`, loops it supports.
const CLOSE: Grammar = Grammar {
    leaves: &[CLOSE_LEAVES],
    exprs: &[CLOSE_EXPRS],
    conds: CLOSE_CONDS,
    ints: CLOSE_INTS,
    stmts: &[CLOSE_STMTS],
    methods: UNARY,
    unary: UNARY,
    wide: false,
};

/// Everything syn parses, mixed with [`CLOSE`].
const WIDE: Grammar = Grammar {
    leaves: &[CLOSE_LEAVES, NAMES, WIDE_LEAVES, LITERALS],
    exprs: &[CLOSE_EXPRS, CLOSE_CONDS, WIDE_EXPRS],
    conds: &[],
    ints: &[],
    stmts: &[CLOSE_STMTS, WIDE_STMTS],
    methods: METHODS,
    unary: METHODS,
    wide: true,
};

const HOLES: [char; 10] = ['e', 'c', 'i', 'b', 'v', 'n', 'm', 'u', 'p', 't'];

/// How many holes of each kind of [`HOLES`] a template has.
fn holes(template: &str) -> [usize; 10] {
    let mut n = [0; 10];
    for (k, c) in HOLES.into_iter().enumerate() {
        let tag = format!("__{c}");
        for (at, _) in template.match_indices(&tag) {
            let digit = template[at + 3..]
                .chars()
                .next()
                .and_then(|d| d.to_digit(10));
            if let Some(d) = digit {
                n[k] = n[k].max(d as usize + 1);
            }
        }
    }
    n
}

/// What fills a template's holes.
struct Fill {
    /// Expressions, conditions and indices (`e`, `c`, `i`).
    exprs: [Vec<syn::Expr>; 3],
    /// Statement and value blocks (`b`, `v`).
    blocks: [Vec<syn::Block>; 2],
    /// Names, methods and one-operand methods (`n`, `m`, `u`).
    idents: [Vec<&'static str>; 3],
    p: Vec<syn::Pat>,
    t: Vec<syn::Type>,
}

/// `(kind, index)` if `name` is a hole.
fn hole(name: &str) -> Option<(char, usize)> {
    let rest = name.strip_prefix("__")?;
    let mut chars = rest.chars();
    let kind = chars.next().filter(|c| HOLES.contains(c))?;
    Some((kind, chars.as_str().parse().ok()?))
}

fn ident_named(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

impl Fill {
    fn expr(&self, name: &str) -> Option<&syn::Expr> {
        let (k, i) = hole(name)?;
        let slot = ['e', 'c', 'i'].iter().position(|c| *c == k)?;
        self.exprs[slot].get(i)
    }

    fn block(&self, name: &str) -> Option<&syn::Block> {
        let (k, i) = hole(name)?;
        let slot = ['b', 'v'].iter().position(|c| *c == k)?;
        self.blocks[slot].get(i)
    }

    fn ident(&self, name: &str) -> Option<&'static str> {
        let (k, i) = hole(name)?;
        let slot = ['n', 'm', 'u'].iter().position(|c| *c == k)?;
        self.idents[slot].get(i).copied()
    }

    /// Fills the holes inside a macro's tokens.
    fn macro_tokens(&self, ts: TokenStream) -> TokenStream {
        ts.into_iter()
            .flat_map(|t| match t {
                TokenTree::Ident(i) => {
                    let name = i.to_string();
                    if let Some(e) = self.expr(&name) {
                        return e.to_token_stream();
                    }
                    if let Some(s) = self.ident(&name) {
                        return tokens(s);
                    }
                    match hole(&name) {
                        Some(('p', k)) if k < self.p.len() => self.p[k].to_token_stream(),
                        Some(('t', k)) if k < self.t.len() => self.t[k].to_token_stream(),
                        _ => TokenTree::Ident(i).into(),
                    }
                }
                TokenTree::Group(g) => {
                    TokenTree::Group(Group::new(g.delimiter(), self.macro_tokens(g.stream())))
                        .into()
                }
                other => other.into(),
            })
            .collect()
    }
}

impl VisitMut for Fill {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let Some(name) = ident_named(e) {
            if let Some(new) = self.expr(&name) {
                *e = new.clone();
                return;
            }
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        if let [syn::Stmt::Expr(e, None)] = b.stmts.as_slice() {
            if let Some(new) = ident_named(e).and_then(|n| self.block(&n)) {
                b.stmts = new.stmts.clone();
                return;
            }
        }
        visit_mut::visit_block_mut(self, b);
    }

    fn visit_pat_mut(&mut self, p: &mut syn::Pat) {
        if let syn::Pat::Ident(pi) = p {
            if let Some(('p', k)) = hole(&pi.ident.to_string()) {
                if let Some(new) = self.p.get(k) {
                    *p = new.clone();
                    return;
                }
            }
        }
        visit_mut::visit_pat_mut(self, p);
    }

    fn visit_type_mut(&mut self, t: &mut syn::Type) {
        if let syn::Type::Path(tp) = t {
            if let Some(('t', k)) = tp.path.get_ident().and_then(|i| hole(&i.to_string())) {
                if let Some(new) = self.t.get(k) {
                    *t = new.clone();
                    return;
                }
            }
        }
        visit_mut::visit_type_mut(self, t);
    }

    fn visit_ident_mut(&mut self, i: &mut proc_macro2::Ident) {
        let new = self.ident(&i.to_string());
        if let Some(new) = new.and_then(|s| syn::parse_str::<proc_macro2::Ident>(s).ok()) {
            *i = new;
        }
    }

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = self.macro_tokens(std::mem::take(&mut m.tokens));
    }
}

thread_local! {
    static EXPR_TEMPLATES: RefCell<HashMap<&'static str, syn::Expr>> = RefCell::default();
    static STMT_TEMPLATES: RefCell<HashMap<&'static str, syn::Block>> = RefCell::default();
}

fn expr_template(t: &'static str) -> syn::Expr {
    EXPR_TEMPLATES.with(|c| {
        c.borrow_mut()
            .entry(t)
            .or_insert_with(|| syn::parse_str(t).unwrap_or_else(|e| panic!("`{t}`: {e}")))
            .clone()
    })
}

fn stmt_template(t: &'static str) -> syn::Block {
    STMT_TEMPLATES.with(|c| {
        c.borrow_mut()
            .entry(t)
            .or_insert_with(|| {
                syn::parse_str(&format!("{{ {t} }}")).unwrap_or_else(|e| panic!("`{t}`: {e}"))
            })
            .clone()
    })
}

type Strat<T> = BoxedStrategy<Src<T>>;

/// What a template's holes are drawn from.
#[derive(Clone)]
struct Parts {
    /// Expressions, conditions, indices.
    exprs: [Strat<syn::Expr>; 3],
    /// Statement blocks, value blocks.
    blocks: [Strat<syn::Block>; 2],
    g: Grammar,
}

fn empty_block() -> Strat<syn::Block> {
    Just(Src(syn::parse_quote!({}))).boxed()
}

fn srcs<T: ToTokens + Clone + 'static>(s: Strat<T>, n: usize) -> BoxedStrategy<Vec<Src<T>>> {
    proptest::collection::vec(s, n).boxed()
}

fn unwrap<T>(v: Vec<Src<T>>) -> Vec<T> {
    v.into_iter().map(|x| x.0).collect()
}

/// One of `templates` with its holes filled from `parts`; `make` parses a template, `visit`
/// fills it.
fn templated<T: ToTokens + Clone + 'static>(
    templates: &'static [&'static str],
    parts: Parts,
    make: fn(&'static str) -> T,
    visit: fn(&mut Fill, &mut T),
) -> Strat<T> {
    select(templates)
        .prop_flat_map(move |template| {
            let h = holes(template);
            let [e, c, i] = parts.exprs.clone();
            let [b, v] = parts.blocks.clone();
            let names = |n: usize, pool: &'static [&'static str]| {
                proptest::collection::vec(select(pool), n)
            };
            (
                (srcs(e, h[0]), srcs(c, h[1]), srcs(i, h[2])),
                (srcs(b, h[3]), srcs(v, h[4])),
                (
                    names(h[5], NAMES),
                    names(h[6], parts.g.methods),
                    names(h[7], parts.g.unary),
                ),
                srcs(patterns(), h[8]),
                srcs(types(), h[9]),
            )
                .prop_map(move |((e, c, i), (b, v), (n, m, u), p, t)| {
                    let mut fill = Fill {
                        exprs: [unwrap(e), unwrap(c), unwrap(i)],
                        blocks: [unwrap(b), unwrap(v)],
                        idents: [n, m, u],
                        p: unwrap(p),
                        t: unwrap(t),
                    };
                    let mut out = make(template);
                    visit(&mut fill, &mut out);
                    Src(out)
                })
        })
        .boxed()
}

fn parse_or_verbatim(s: &str) -> syn::Expr {
    syn::parse_str(s).unwrap_or_else(|_| syn::Expr::Verbatim(tokens(s)))
}

fn types() -> Strat<syn::Type> {
    select(TYPES)
        .prop_map(|s| Src(syn::parse_str(s).unwrap_or_else(|_| syn::Type::Verbatim(tokens(s)))))
        .boxed()
}

fn patterns() -> Strat<syn::Pat> {
    let one = select(PATTERNS);
    let shapes = select(
        &[
            "{}",
            "{}",
            "({}, {})",
            "&{}",
            "[{}, {}]",
            "{} | {}",
            "S({}, {})",
        ][..],
    );
    (one.clone(), one, shapes)
        .prop_map(|(a, b, shape)| {
            let s = shape.replacen("{}", a, 1).replacen("{}", b, 1);
            let parse = syn::Pat::parse_multi_with_leading_vert;
            let pat = syn::parse::Parser::parse_str(parse, &s)
                .unwrap_or_else(|_| syn::Pat::Verbatim(tokens(&s)));
            Src(pat)
        })
        .boxed()
}

fn from_pool(pool: &'static [&'static str]) -> Strat<syn::Expr> {
    select(pool).prop_map(|s| Src(parse_or_verbatim(s))).boxed()
}

fn weighted<T: fmt::Debug + 'static>(arms: Vec<(u32, BoxedStrategy<T>)>) -> BoxedStrategy<T> {
    Union::new_weighted(arms).boxed()
}

/// Statements, then an optional tail (`(probability, expression)`). Non-tail expression
/// statements get their semicolon.
fn block(
    stmts: Strat<syn::Block>,
    tail: Option<(f64, Strat<syn::Expr>)>,
    max: usize,
) -> Strat<syn::Block> {
    let tail = match tail {
        Some((p, t)) if p >= 1.0 => t.prop_map(Some).boxed(),
        Some((p, t)) if p > 0.0 => proptest::option::weighted(p, t).boxed(),
        _ => Just(None).boxed(),
    };
    (proptest::collection::vec(stmts, 0..max), tail)
        .prop_map(|(stmts, tail)| {
            let mut b: syn::Block = syn::parse_quote!({});
            for s in stmts.into_iter().flat_map(|s| s.0.stmts) {
                b.stmts.push(match s {
                    syn::Stmt::Expr(e, None) => {
                        syn::Stmt::Expr(e, Some(syn::Token![;](proc_macro2::Span::call_site())))
                    }
                    other => other,
                });
            }
            if let Some(t) = tail {
                b.stmts.push(syn::Stmt::Expr(t.0, None));
            }
            Src(b)
        })
        .boxed()
}

impl Grammar {
    fn stmts(self, parts: &Parts) -> Strat<syn::Block> {
        let visit: fn(&mut Fill, &mut syn::Block) = |f, b| f.visit_block_mut(b);
        let arms = self
            .stmts
            .iter()
            .map(|t| (1, templated(t, parts.clone(), stmt_template, visit)));
        weighted(arms.collect())
    }

    /// Holes for templates one level up from `e`: blocks hold statements whose own blocks are
    /// empty (or only a value).
    fn parts(self, e: Strat<syn::Expr>) -> Parts {
        let visit: fn(&mut Fill, &mut syn::Expr) = |f, e| f.visit_expr_mut(e);
        let only = |exprs: [Strat<syn::Expr>; 3]| Parts {
            exprs,
            blocks: [empty_block(), empty_block()],
            g: self,
        };
        let i = if self.ints.is_empty() {
            e.clone()
        } else {
            from_pool(self.ints)
        };
        let c = if self.conds.is_empty() {
            e.clone()
        } else {
            let holes = only([e.clone(), e.clone(), i.clone()]);
            templated(self.conds, holes, expr_template, visit)
        };
        let value = block(empty_block(), Some((1.0, e.clone())), 1);
        let flat = Parts {
            blocks: [empty_block(), value],
            ..only([e.clone(), c, i])
        };
        let stmts = self.stmts(&flat);
        let tail = if self.wide { 0.5 } else { 0.0 };
        Parts {
            blocks: [
                block(stmts.clone(), Some((tail, e.clone())), 3),
                block(stmts, Some((1.0, e)), 3),
            ],
            ..flat
        }
    }

    /// Expressions of at most `depth` levels of templates.
    fn exprs(self, depth: u32) -> Strat<syn::Expr> {
        let leaves = self.leaves.iter().map(|pool| (1, from_pool(pool)));
        weighted(leaves.collect())
            .prop_recursive(depth, 48, 3, move |inner| {
                let parts = self.parts(inner.clone());
                let visit: fn(&mut Fill, &mut syn::Expr) = |f, e| f.visit_expr_mut(e);
                let mut arms: Vec<_> = self
                    .exprs
                    .iter()
                    .map(|t| (2, templated(t, parts.clone(), expr_template, visit)))
                    .collect();
                if self.wide {
                    let group = inner.prop_map(|e| {
                        Src(syn::Expr::Group(syn::ExprGroup {
                            attrs: Vec::new(),
                            group_token: Default::default(),
                            expr: Box::new(e.0),
                        }))
                    });
                    arms.push((1, group.boxed()));
                }
                weighted(arms)
            })
            .boxed()
    }
}

type Input = (Src<TokenStream>, Src<TokenStream>);

/// Functions close to what the macro accepts: one of [`SIGNATURES`], [`PRELUDE`], statements
/// and a float tail.
fn close_functions() -> BoxedStrategy<Input> {
    let e = CLOSE.exprs(4);
    let parts = CLOSE.parts(e.clone());
    let body = block(CLOSE.stmts(&parts), Some((0.9, e)), 6);
    let attrs = select(&["", "", "wrt(x)", "wrt(x, xs)", "wrt(y, ys, z)", "wrt(xs)"][..]);
    (attrs, select(SIGNATURES), body)
        .prop_map(|(attr, (params, ret), body)| {
            let mut all = stmt_template(PRELUDE);
            all.stmts.extend(body.0.stmts);
            let (params, ret) = (tokens(params), tokens(ret));
            (Src(tokens(attr)), Src(quote!(fn f(#params) -> #ret #all)))
        })
        .boxed()
}

/// Functions from the wide grammar, with odd signatures and attribute arguments.
fn wide_functions() -> BoxedStrategy<Input> {
    let e = WIDE.exprs(4);
    let parts = WIDE.parts(e.clone());
    let body = block(WIDE.stmts(&parts), Some((0.7, e)), 6);
    let param_types = prop_oneof![
        2 => select(&["f64", "f64", "&[f64]", "[f64; 3]", "usize", "f32"][..]),
        1 => select(TYPES),
    ];
    let param_names = prop_oneof![4 => select(NAMES), 1 => select(PATTERNS)];
    let params = proptest::collection::vec((param_names, param_types), 0..4);
    let heads = (
        select(
            &[
                "",
                "",
                "",
                "#[inline]",
                "#[doc = \"d\"]",
                "#[cfg(test)]",
                "/// doc",
            ][..],
        ),
        select(&["", "", "pub", "pub(crate)", "pub(in crate::m)"][..]),
        select(
            &[
                "",
                "",
                "",
                "",
                "const",
                "async",
                "unsafe",
                "extern \"C\"",
                "const unsafe",
            ][..],
        ),
        select(
            &[
                "f", "loss", "r#type", "f_grad", "r#try", "main", "sin", "__grad_x", "r#f",
            ][..],
        ),
        select(
            &[
                "",
                "",
                "",
                "",
                "<T>",
                "<T: Copy>",
                "<'a>",
                "<const N: usize>",
                "<T> where T: Copy",
                "where",
            ][..],
        ),
        select(
            &[
                "",
                "",
                "",
                "",
                "",
                "",
                "self, ",
                "&self, ",
                "&mut self, ",
                "self: Box<Self>, ",
            ][..],
        ),
        select(&["", "", "", "", "", "", "", "...", ", ..."][..]),
        select(
            &[
                "-> f64",
                "-> f64",
                "-> f64",
                "-> f32",
                "",
                "-> usize",
                "-> (f64, f64)",
                "-> ()",
                "-> !",
                "-> impl Fn()",
                "-> Self",
                "-> &f64",
                "-> (f64)",
                "-> _",
                "-> [f64; 2]",
            ][..],
        ),
    );
    let junk = proptest::collection::vec(
        prop_oneof![
            select(NAMES),
            select(IDENTS),
            select(LITERALS),
            select(SNIPPETS)
        ],
        0..5,
    );
    let attrs = prop_oneof![
        3 => select(ATTRS).prop_map(String::from),
        1 => junk.clone().prop_map(|j| format!("wrt({})", j.join(" "))),
        1 => junk.prop_map(|j| j.join(", ")),
    ];
    (attrs, heads, params, body)
        .prop_map(|(attr, head, params, body)| {
            let (doc, vis, quals, name, generics, receiver, variadic, ret) = head;
            let (generics, clause) = match generics.split_once("where") {
                Some((g, c)) => (g, format!("where {c}")),
                None => (generics, String::new()),
            };
            let params = params.iter().map(|(p, t)| tokens(&format!("{p}: {t}")));
            let [doc, vis, quals, name, generics, receiver, variadic, ret, clause] = [
                doc, vis, quals, name, generics, receiver, variadic, ret, &clause,
            ]
            .map(tokens);
            let body = body.0;
            let item = quote! {
                #doc #vis #quals fn #name #generics (#receiver #(#params),* #variadic) #ret
                    #clause #body
            };
            (Src(tokens(&attr)), Src(item))
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Mutations of corpus functions

#[derive(Clone, Debug)]
enum Mutation {
    Tok { attr: bool, op: TokOp },
    Syn(Box<SynOp>),
    Attr(&'static str),
}

fn delims() -> impl Strategy<Value = Delim> {
    prop_oneof![
        Just(Delim::Paren),
        Just(Delim::Brace),
        Just(Delim::Bracket),
        Just(Delim::Invisible)
    ]
}

fn tok_ops() -> BoxedStrategy<TokOp> {
    let i = any::<Index>;
    let leaves = prop_oneof![select(IDENTS), select(LITERALS), select(NAMES)];
    prop_oneof![
        3 => i().prop_map(TokOp::Delete),
        2 => i().prop_map(TokOp::Duplicate),
        2 => (i(), i()).prop_map(|(a, b)| TokOp::Swap(a, b)),
        4 => (i(), any::<bool>(), leaves).prop_map(|(a, b, c)| TokOp::Replace(a, b, c)),
        2 => (i(), select(SUFFIXES)).prop_map(|(a, b)| TokOp::Suffix(a, b)),
        2 => (i(), delims()).prop_map(|(a, b)| TokOp::Delimit(a, b)),
        4 => (i(), select(SNIPPETS)).prop_map(|(a, b)| TokOp::Insert(a, b)),
        2 => i().prop_map(TokOp::Unwrap),
        2 => (i(), 1..4usize, delims()).prop_map(|(a, b, c)| TokOp::Wrap(a, b, c)),
        1 => i().prop_map(TokOp::Truncate),
    ]
    .boxed()
}

fn syn_ops() -> BoxedStrategy<SynOp> {
    let i = any::<Index>;
    let from = prop_oneof![
        2 => i().prop_map(ExprFrom::Corpus),
        1 => WIDE.exprs(3).prop_map(ExprFrom::Generated),
        1 => CLOSE.exprs(2).prop_map(ExprFrom::Generated),
    ];
    let some_stmts = block(WIDE.stmts(&WIDE.parts(WIDE.exprs(2))), None, 3);
    prop_oneof![
        4 => (i(), from).prop_map(|(a, b)| SynOp::Expr(a, b)),
        2 => (i(), some_stmts).prop_map(|(a, b)| SynOp::Stmt(a, b)),
        2 => (i(), types()).prop_map(|(a, b)| SynOp::ParamType(a, b)),
        1 => (select(NAMES), types()).prop_map(|(a, b)| SynOp::AddParam(a, b)),
        1 => proptest::option::weighted(0.8, types()).prop_map(SynOp::ReturnType),
        1 => select(&["<T>", "<T: Copy>", "<'a>", "<const N: usize>", "<T> where T: Copy", "<>"][..])
            .prop_map(SynOp::Generics),
    ]
    .boxed()
}

fn mutations() -> BoxedStrategy<(Index, Vec<Mutation>)> {
    let m = prop_oneof![
        2 => (proptest::bool::weighted(0.1), tok_ops()).prop_map(|(attr, op)| Mutation::Tok { attr, op }),
        5 => syn_ops().prop_map(|op| Mutation::Syn(Box::new(op))),
        1 => select(ATTRS).prop_map(Mutation::Attr),
    ];
    (any::<Index>(), proptest::collection::vec(m, 1..5)).boxed()
}

/// A corpus function with `muts` applied, or `None` if it became too deep.
fn mutated(value: &(Index, Vec<Mutation>)) -> Option<(TokenStream, TokenStream)> {
    let (at, muts) = value;
    let (attr, item) = CORPUS.with(|c| at.get(&c.functions).clone());
    let (mut attr, mut item) = (trees(attr), trees(item));
    for m in muts {
        let before = (attr.clone(), item.clone());
        match m {
            Mutation::Tok { attr: true, op } => apply_tok(&mut attr, op),
            Mutation::Tok { attr: false, op } => apply_tok(&mut item, op),
            Mutation::Syn(op) => apply_syn(&mut item, op),
            Mutation::Attr(a) => attr = trees(tokens(a)),
        }
        if stream_depth(&stream(&item)).max(stream_depth(&stream(&attr))) > MAX_DEPTH {
            (attr, item) = before;
        }
    }
    Some((stream(&attr), stream(&item)))
}

fn generated(value: &Input) -> Option<(TokenStream, TokenStream)> {
    let (attr, item) = (value.0 .0.clone(), value.1 .0.clone());
    (stream_depth(&item) <= MAX_DEPTH).then_some((attr, item))
}

fn generated_functions_strategy() -> BoxedStrategy<Input> {
    prop_oneof![2 => close_functions(), 3 => wide_functions()].boxed()
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn mutated_real_functions() {
    let start = Instant::now();
    let result = run(
        Budget::from_env(),
        grad_macro_core::expand,
        mutations,
        mutated,
    );
    report("mutated_real_functions", start, result);
}

#[test]
fn generated_functions() {
    let start = Instant::now();
    let result = run(
        Budget::from_env(),
        grad_macro_core::expand,
        generated_functions_strategy,
        generated,
    );
    report("generated_functions", start, result);
}

/// The harness reports a panicking expander with a shrunk input, output that is not code, a
/// stub without an error, and an internal error.
#[test]
fn harness_reports_panics_and_bad_output() {
    let panics: Expander = |attr, item| {
        assert!(!item.to_string().contains('%'), "a % sign");
        grad_macro_core::expand(attr, item)
    };
    let e = run(Budget::quick(300), panics, mutations, mutated)
        .err()
        .expect("the panic is found");
    assert!(
        e.contains("expand panicked") && e.contains("a % sign"),
        "{e}"
    );
    let minimized = e.split("minimized:").nth(1).expect("a minimized input");
    assert!(minimized.contains('%') && minimized.len() < 200, "{e}");
    let garbage: Expander = |_, _| quote!(fn (;));
    let e = run(
        Budget::quick(10),
        garbage,
        generated_functions_strategy,
        generated,
    )
    .err()
    .expect("found");
    assert!(e.contains("not Rust items"), "{e}");
    let stub: Expander = |_, item| {
        let Ok(f) = syn::parse2::<syn::ItemFn>(item) else {
            return quote!(::core::compile_error!("not a function");;);
        };
        let name = quote::format_ident!("{}_pullback", f.sig.ident.unraw());
        quote!(#f fn #name() { ::core::unimplemented!() })
    };
    let e = run(Budget::quick(50), stub, mutations, mutated)
        .err()
        .expect("found");
    assert!(e.contains("is a stub"), "{e}");
    let internal: Expander = |_, item| quote!(::core::compile_error!("internal: oops"); #item);
    let e = run(Budget::quick(10), internal, mutations, mutated)
        .err()
        .expect("found");
    assert!(e.contains("an internal error"), "{e}");
}

/// Every template and pool entry parses; every corpus function expands without a mutation,
/// and the generated functions reach the later stages.
#[test]
fn templates_corpus_and_grammar() {
    for t in [
        CLOSE_EXPRS,
        CLOSE_CONDS,
        CLOSE_INTS,
        WIDE_EXPRS,
        CLOSE_LEAVES,
    ]
    .concat()
    {
        expr_template(t);
    }
    for t in [CLOSE_STMTS, WIDE_STMTS, &[PRELUDE]].concat() {
        stmt_template(t);
    }
    for t in TYPES {
        syn::parse_str::<syn::Type>(t).unwrap_or_else(|e| panic!("`{t}`: {e}"));
    }
    let parse = syn::Pat::parse_multi_with_leading_vert;
    for p in PATTERNS {
        syn::parse::Parser::parse_str(parse, p).unwrap_or_else(|e| panic!("`{p}`: {e}"));
    }
    let (functions, accepted) = CORPUS.with(|c| (c.functions.clone(), c.accepted));
    let mut expanded = 0;
    for (attr, item) in &functions {
        let outcome = check(grad_macro_core::expand, attr, item);
        let outcome = outcome.unwrap_or_else(|e| panic!("{e}\n\n{}", show(attr, item)));
        expanded += matches!(outcome, Outcome::Expanded) as usize;
    }
    eprintln!(
        "corpus: {expanded} of {} functions expand ({accepted} from code that compiles)",
        functions.len()
    );
    // The UI tests are refused; everything else (code that compiles) expands.
    assert!(
        expanded >= accepted,
        "{expanded} of {} expanded, but {accepted} come from code that compiles",
        functions.len()
    );
    let mut runner = TestRunner::new(config(1, seed(), 0));
    let close = close_functions();
    let mut expanded = 0;
    for _ in 0..50 {
        let (attr, item) = generated(&close.new_tree(&mut runner).expect("a value").current())
            .expect("not too deep");
        let outcome = check(grad_macro_core::expand, &attr, &item);
        expanded += matches!(outcome, Ok(Outcome::Expanded)) as usize;
    }
    assert!(expanded >= 20, "{expanded} of 50 close functions expanded");
}
