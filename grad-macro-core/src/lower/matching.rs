//! Lowering `match` and `matches!`: a chain of `if` / `else if` on `matches!(scrutinee, P)`.
//!
//! `match self.act { Act::Relu => z.max(0.0), Act::Tanh => z.tanh() }` becomes
//! `if matches!(self.act, Act::Relu) { .. } else { .. }`: the last arm is the `else` (the plain
//! function, compiled as written, proves the arms exhaustive, so whatever reaches the last arm
//! matches it), a guard is tested after its pattern (`P if g`), `_` matches anything, and a
//! lower-case name is bound to the scrutinee (before the last arm it is tested as written, as
//! it may name a constant). The scrutinee is evaluated once: a
//! place inside a struct parameter (`self.act`, `&p.kind`, an enum parameter) is tested where
//! it stands, without moving it ([`Seg::Matches`]); anything else (`i % 3`, `(i, j)`) is a
//! value. A float scrutinee is refused (test it with `if`), and so is a pattern that binds
//! parts of the value (`Some(x)`), which would need the parts' types.

use super::stmt::strip;
use super::{Dest, Lowerer};
use crate::ir::*;
use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;

/// What the arms test.
#[derive(Clone)]
enum Scrutinee {
    /// A place inside a struct parameter, borrowed (`&self.act`) or not.
    Place(Place, bool),
    /// Values (one, or the elements of a tuple scrutinee).
    Values(Vec<Value>, bool),
}

impl Lowerer<'_> {
    /// `match e { arms }` with its result going to `dest`.
    pub(crate) fn match_expr(&mut self, m: &syn::ExprMatch, dest: Dest) {
        let mut ok = true;
        for arm in &m.arms {
            ok &= self.check_pattern(&arm.pat);
        }
        let Some(scrutinee) = self.scrutinee(&m.expr) else {
            return;
        };
        if ok {
            crate::stack::deep(|| self.arms(&scrutinee, &m.arms, dest));
        }
    }

    /// `matches!(e, P)` or `matches!(e, P if g)`.
    pub(crate) fn matches_macro(&mut self, mac: &syn::Macro, span: Span) -> Option<Value> {
        let parser = |input: syn::parse::ParseStream| {
            let e: syn::Expr = input.parse()?;
            input.parse::<syn::Token![,]>()?;
            let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
            let guard = if input.peek(syn::Token![if]) {
                input.parse::<syn::Token![if]>()?;
                Some(input.parse::<syn::Expr>()?)
            } else {
                None
            };
            let _ = input.parse::<Option<syn::Token![,]>>()?;
            Ok((e, pat, guard))
        };
        let (e, pat, guard) = match syn::parse::Parser::parse2(parser, mac.tokens.clone()) {
            Ok(parsed) => parsed,
            Err(err) => {
                self.errors.push(err);
                return None;
            }
        };
        if !self.check_pattern(&pat) {
            return None;
        }
        let scrutinee = self.scrutinee(&e)?;
        let arm = syn::Arm {
            attrs: Vec::new(),
            pat,
            guard: guard.map(|g| (syn::Token![if](span), Box::new(g))),
            fat_arrow_token: syn::Token![=>](span),
            body: Box::new(syn::parse_quote!(())),
            comma: None,
        };
        self.scopes.push();
        let v = self.arm_test(&scrutinee, &arm, span);
        self.scopes.pop();
        v
    }

    /// The scrutinee, evaluated once.
    fn scrutinee(&mut self, e: &syn::Expr) -> Option<Scrutinee> {
        let (inner, by_ref) = match strip(e) {
            syn::Expr::Reference(r) if r.mutability.is_none() => (&*r.expr, true),
            other => (other, false),
        };
        if self.is_place(inner) {
            return Some(Scrutinee::Place(self.place_at(inner)?, by_ref));
        }
        let parts: Vec<&syn::Expr> = match strip(inner) {
            syn::Expr::Tuple(t) if !by_ref => t.elems.iter().collect(),
            _ => vec![e],
        };
        let mut values = Vec::new();
        for part in &parts {
            let v = self.expr(part)?;
            if self.ty(v) == Ty::Float && self.place_reads.iter().any(|(x, _)| *x == v) {
                self.errors.on(
                    part,
                    "this value is a field read as a float (the macro cannot see the field's \
                     type); if it is an enum or another non-number, match on the field itself \
                     (`match self.act { .. }`, not in a tuple), or bind it with its type in a \
                     parameter that is not `&mut` (`let act: Act = self.act;`)",
                );
                return None;
            }
            if self.ty(v) == Ty::Float {
                self.errors.on(
                    part,
                    "a `match` on a float is not supported (its patterns would compare floats \
                     exactly); test it with `if` / `else if` (`if x < 0.5 { .. } else { .. }`)",
                );
                return None;
            }
            values.push(v);
        }
        Some(Scrutinee::Values(values, parts.len() > 1))
    }

    /// Whether `pat` binds nothing but, at its top, one name for the whole value; an error
    /// under each part that binds.
    fn check_pattern(&mut self, pat: &syn::Pat) -> bool {
        if binding_name(pat).is_some() {
            return true;
        }
        let mut ok = true;
        visit_bindings(pat, &mut |b| {
            ok = false;
            self.errors.on(
                &b,
                "a pattern that binds parts of the value is not supported in a differentiable \
                 function; match without binding (`Shape::Circle(_)`) and read the parts with \
                 methods or fields, or compute them outside and pass them in",
            );
        });
        ok
    }

    /// Arms from the first: `if <first matches> { body } else { rest }`; the last is the `else`.
    fn arms(&mut self, scrutinee: &Scrutinee, arms: &[syn::Arm], dest: Dest) {
        let Some((first, rest)) = arms.split_first() else {
            return;
        };
        if rest.is_empty() {
            self.scopes.push();
            self.bind_whole(scrutinee, &first.pat);
            self.arm_body(&first.body, dest);
            self.scopes.pop();
            return;
        }
        self.scopes.push();
        let Some(cond) = self.arm_test(scrutinee, first, first.pat.span()) else {
            self.scopes.pop();
            return;
        };
        let then = self.region(|cx| cx.arm_body(&first.body, dest));
        self.scopes.pop();
        let els = self.region(|cx| cx.arms(scrutinee, rest, dest));
        self.push(Node::If { cond, then, els });
    }

    /// The arm's body into `dest`.
    fn arm_body(&mut self, body: &syn::Expr, dest: Dest) {
        match strip(body) {
            syn::Expr::Block(b) if b.label.is_none() => {
                let end = b.block.brace_token.span.close();
                self.block_in_scope(&b.block.stmts, dest, end);
            }
            // `()` as a statement arm: nothing to do.
            syn::Expr::Tuple(t) if t.elems.is_empty() && matches!(dest, Dest::Discard) => {}
            other => {
                self.tail(other, dest);
            }
        }
    }

    /// Whether the arm's pattern (and guard) match: a `bool` value. Binds the arm's name, if
    /// its pattern is one, in the current scope.
    fn arm_test(&mut self, scrutinee: &Scrutinee, arm: &syn::Arm, span: Span) -> Option<Value> {
        // A lower-case name before the last arm is tested as written: it may be a constant
        // (`const two: usize = 2;`), which rustc resolves and the macro cannot.
        if let Some(name) = binding_name(&arm.pat) {
            match scrutinee {
                Scrutinee::Values(vs, false) if vs.len() == 1 => {
                    self.scopes.bind(name, super::scope::Binding::Value(vs[0]));
                }
                // `match self.n { m if m > 2 => .. }`: the name reads the place, which a
                // struct behind `&` keeps; behind `&mut` the arm may change it (`p.n = 1;`),
                // so the name is a copy read at the test, as Rust's binding is.
                Scrutinee::Place(p, _) if self.mut_roots.get(p.root) == Some(&true) => {
                    let v = self.load_place(p.clone(), span);
                    self.scopes.bind(name, super::scope::Binding::Value(v));
                }
                Scrutinee::Place(p, _) => {
                    let place = self.new_place(p.clone());
                    self.scopes.bind(name, super::scope::Binding::Place(place));
                }
                // A tuple: the name is tested as written (it may be a constant); one that
                // binds is rustc's error where it is used.
                _ => {}
            }
        }
        let matched = if is_wild(&arm.pat) {
            self.def(Op::Const(quote!(true)), Ty::Bool, span, None)
        } else {
            let pat = Box::new(arm.pat.clone());
            match scrutinee {
                Scrutinee::Place(p, by_ref) => {
                    let mut p = p.clone();
                    p.segs.push(Seg::Matches(pat, *by_ref));
                    self.def(Op::Field(p), Ty::Bool, span, None)
                }
                Scrutinee::Values(vs, tuple) => self.def(
                    Op::Plain(Plain::Matches(pat, *tuple), vs.clone()),
                    Ty::Bool,
                    span,
                    None,
                ),
            }
        };
        let Some((_, guard)) = &arm.guard else {
            return Some(matched);
        };
        // `matched && guard`, the guard evaluated only where the pattern matched.
        Some(self.logical(matched, guard, true, span))
    }

    /// Binds the pattern's name to the scrutinee if the pattern is one name; whether it was.
    fn bind_whole(&mut self, scrutinee: &Scrutinee, pat: &syn::Pat) -> bool {
        let Some(name) = binding_name(pat) else {
            return false;
        };
        match scrutinee {
            Scrutinee::Values(vs, false) if vs.len() == 1 => {
                self.scopes.bind(name, super::scope::Binding::Value(vs[0]));
            }
            _ => self.errors.on(
                pat,
                "binding the whole value of this `match` to a name is not supported; write `_` \
                 and use the scrutinee itself",
            ),
        }
        true
    }
}

/// `_`.
fn is_wild(pat: &syn::Pat) -> bool {
    matches!(pat, syn::Pat::Wild(_))
}

/// The name of a pattern that is one lower-case name (`n`, `other`): it matches anything and
/// binds it, unless it names a constant (then it matches that value, which it equals where the
/// arm runs). An upper-case name is a constant or a unit variant (`use Act::*; Relu`).
pub(crate) fn binding_name(pat: &syn::Pat) -> Option<&syn::Ident> {
    match pat {
        syn::Pat::Ident(i) if i.subpat.is_none() && is_binding_ident(&i.ident) => Some(&i.ident),
        _ => None,
    }
}

fn is_binding_ident(i: &syn::Ident) -> bool {
    i.to_string()
        .trim_start_matches("r#")
        .starts_with(|c: char| c.is_lowercase() || c == '_')
}

/// Calls `found` on every part of `pat` that binds a name (or that the macro cannot read).
fn visit_bindings(pat: &syn::Pat, found: &mut dyn FnMut(proc_macro2::TokenStream)) {
    use quote::ToTokens;
    use syn::Pat;
    match pat {
        Pat::Ident(i) if i.subpat.is_some() || i.by_ref.is_some() || i.mutability.is_some() => {
            found(i.to_token_stream())
        }
        Pat::Ident(i) if is_binding_ident(&i.ident) => found(i.to_token_stream()),
        Pat::Ident(_) | Pat::Lit(_) | Pat::Path(_) | Pat::Range(_) | Pat::Rest(_) => {}
        Pat::Wild(_) => {}
        Pat::Or(o) => o.cases.iter().for_each(|c| visit_bindings(c, found)),
        Pat::Paren(p) => visit_bindings(&p.pat, found),
        Pat::Reference(r) => visit_bindings(&r.pat, found),
        Pat::Slice(s) => s.elems.iter().for_each(|c| visit_bindings(c, found)),
        Pat::Tuple(t) => t.elems.iter().for_each(|c| visit_bindings(c, found)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|c| visit_bindings(c, found)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| visit_bindings(&f.pat, found)),
        Pat::Type(t) => visit_bindings(&t.pat, found),
        other => found(other.to_token_stream()),
    }
}
