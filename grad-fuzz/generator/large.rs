//! Large and deep functions (issue 7): one long `#[differentiable]` function of an exact number
//! of statements, and expressions nested a given depth, each with its tape twin.
//!
//! Every value stays within a few units by construction (each expression form maps operands of
//! magnitude at most [`BOUND`] to a result of magnitude at most `BOUND`; accumulators move by
//! convex combinations), so however long the function, its value and gradient are finite and
//! central differences are accurate. Both renderings perform the same floating-point
//! operations in the same order, so the tape's value is the plain function's bit for bit.
//!
//! Used by `build.rs` (the sources of `tests/large.rs` and `tests/deep.rs`) and by the
//! `compile-cost` binary.

use super::rng::Rng;
use std::fmt::Write;

/// Every float value of a generated function has at most this magnitude (at the test points:
/// parameters and slice elements in `[-1.5, 1.5]`).
pub const BOUND: f64 = 3.0;
/// The length of the slice parameter `w` of the long function.
pub const SLICE_LEN: usize = 6;
/// The scalar parameters of every generated function.
pub const SCALARS: usize = 4;

/// A generated function: the plain source (without the attribute) and its tape twin
/// `fn {name}_tape(x0: &Value, .., w: &[Value]) -> Value`.
pub struct Generated {
    pub name: String,
    /// The function as the user writes it, without `#[differentiable]`.
    pub plain: String,
    /// The same computation over `grad::tape::Value`.
    pub tape: String,
    /// Scalar parameters `x0, x1, ..` come first.
    pub scalars: usize,
    /// Whether the slice `w: &[f64]` (of [`SLICE_LEN`] elements at the points) follows.
    pub slice: bool,
    /// Statements in the body, nested ones included (the tail expression not counted).
    pub statements: usize,
}

// ----- expressions ---------------------------------------------------------------------------

/// A float expression, rendered as plain Rust and over the tape.
#[derive(Clone)]
enum E {
    /// A float variable (`Value` on the tape).
    Var(String),
    /// A loop's `&Value` (the tape's `for v in w`): already a reference.
    Borrowed(String),
    /// `w[index]`, `index` a literal or an integer variable.
    Elem(String),
    Lit(f64),
    /// `(i as f64)`: an integer loop variable (a plain `f64` on the tape too).
    IntF(String),
    Bin(char, Box<E>, Box<E>),
    Neg(Box<E>),
    /// `recv.name(args)`.
    Method(&'static str, Box<E>, Vec<E>),
    Powi(Box<E>, i32),
    /// `if l > r { a } else { b }`.
    If(Box<(E, E, E, E)>),
}

use E::*;

fn var(name: &str) -> E {
    Var(name.to_string())
}

fn lit(v: f64) -> E {
    Lit(v)
}

fn bin(op: char, a: E, b: E) -> E {
    Bin(op, Box::new(a), Box::new(b))
}

fn method(name: &'static str, recv: E, args: Vec<E>) -> E {
    Method(name, Box::new(recv), args)
}

fn lit_src(v: f64) -> String {
    let mut s = format!("{v:?}");
    if !s.contains(['.', 'e']) {
        s.push_str(".0");
    }
    if v < 0.0 {
        format!("({s})")
    } else {
        s
    }
}

fn prec(op: char) -> u8 {
    if matches!(op, '+' | '-') {
        1
    } else {
        2
    }
}

/// How the tape rendering of an expression is used.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A place holding a `Value` (`x0`, `w[3]`): borrowed as an operand.
    Place,
    /// Already a `&Value`.
    Ref,
    /// A `Value` temporary.
    Owned,
    /// A plain `f64` (literals, `i as f64` and arithmetic on them).
    F64,
}

impl E {
    /// Needs parentheses as a method receiver.
    fn loose(&self) -> bool {
        matches!(self, Bin(..) | Neg(_) | If(_)) || matches!(self, Lit(v) if *v < 0.0)
    }

    /// Needs parentheses as operand of `op` (on the `right` side or not).
    fn needs_parens(&self, op: char, right: bool) -> bool {
        match self {
            Bin(o, ..) => prec(*o) < prec(op) || (right && prec(*o) == prec(op)),
            If(_) => true,
            _ => false,
        }
    }

    fn plain(&self, out: &mut String) {
        match self {
            Var(n) | Borrowed(n) => out.push_str(n),
            Elem(i) => {
                let _ = write!(out, "w[{i}]");
            }
            Lit(v) => out.push_str(&lit_src(*v)),
            IntF(i) => {
                let _ = write!(out, "({i} as f64)");
            }
            Bin(op, a, b) => {
                paren(out, a.needs_parens(*op, false), |o| a.plain(o));
                let _ = write!(out, " {op} ");
                paren(out, b.needs_parens(*op, true), |o| b.plain(o));
            }
            Neg(a) => {
                out.push('-');
                paren(out, a.loose(), |o| a.plain(o));
            }
            Method(name, recv, args) => {
                paren(out, recv.loose(), |o| recv.plain(o));
                let _ = write!(out, ".{name}(");
                for (k, a) in args.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    a.plain(out);
                }
                out.push(')');
            }
            Powi(a, n) => {
                paren(out, a.loose(), |o| a.plain(o));
                let _ = write!(out, ".powi({n})");
            }
            If(b) => {
                let (l, r, t, e) = &**b;
                out.push_str("if ");
                l.plain(out);
                out.push_str(" > ");
                r.plain(out);
                out.push_str(" { ");
                t.plain(out);
                out.push_str(" } else { ");
                e.plain(out);
                out.push_str(" }");
            }
        }
    }

    fn to_plain(&self) -> String {
        let mut s = String::new();
        self.plain(&mut s);
        s
    }

    fn kind(&self) -> Kind {
        match self {
            Var(_) | Elem(_) => Kind::Place,
            Borrowed(_) => Kind::Ref,
            Lit(_) | IntF(_) => Kind::F64,
            Bin(_, a, b) if a.kind() == Kind::F64 && b.kind() == Kind::F64 => Kind::F64,
            Neg(a) if a.kind() == Kind::F64 => Kind::F64,
            _ => Kind::Owned,
        }
    }

    /// The tape rendering, as it reads in place (a place is not borrowed).
    fn tape(&self, out: &mut String) {
        match self {
            Var(n) | Borrowed(n) => out.push_str(n),
            Elem(i) => {
                let _ = write!(out, "w[{i}]");
            }
            Lit(_) | IntF(_) => self.plain(out),
            Bin(op, a, b) => {
                paren(out, a.needs_parens(*op, false), |o| a.operand(o));
                let _ = write!(out, " {op} ");
                paren(out, b.needs_parens(*op, true), |o| b.operand(o));
            }
            Neg(a) => {
                out.push('-');
                paren(out, a.loose(), |o| a.operand(o));
            }
            Method(name, recv, args) => {
                paren(out, recv.loose(), |o| recv.tape(o));
                let _ = write!(out, ".{name}(");
                for (k, a) in args.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    a.operand(out);
                }
                out.push(')');
            }
            Powi(a, n) => {
                paren(out, a.loose(), |o| a.tape(o));
                let _ = write!(out, ".powi({n})");
            }
            If(b) => {
                let (l, r, t, e) = &**b;
                out.push_str("if ");
                paren(out, l.loose(), |o| l.tape(o));
                out.push_str(".data() > ");
                if r.kind() == Kind::F64 {
                    r.plain(out);
                } else {
                    paren(out, r.loose(), |o| r.tape(o));
                    out.push_str(".data()");
                }
                out.push_str(" { ");
                t.owned(out);
                out.push_str(" } else { ");
                e.owned(out);
                out.push_str(" }");
            }
        }
    }

    /// As an operand of an operator or a method argument: places are borrowed.
    fn operand(&self, out: &mut String) {
        if self.kind() == Kind::Place {
            out.push('&');
        }
        self.tape(out);
    }

    /// As a new `Value` (a `let`'s initializer, a branch's result).
    fn owned(&self, out: &mut String) {
        self.tape(out);
        match self.kind() {
            Kind::Place | Kind::Ref => out.push_str(".clone()"),
            Kind::Owned => {}
            Kind::F64 => unreachable!("a constant where a tape value is needed"),
        }
    }

    fn to_owned_tape(&self) -> String {
        let mut s = String::new();
        self.owned(&mut s);
        s
    }

    fn to_operand(&self) -> String {
        let mut s = String::new();
        self.operand(&mut s);
        s
    }
}

/// A coefficient in `[lo, hi]` with two decimals, never zero.
fn coef(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    let c = (rng.uniform(lo, hi) * 100.0).round() / 100.0;
    if c == 0.0 {
        0.01
    } else {
        c
    }
}

fn paren(out: &mut String, yes: bool, f: impl FnOnce(&mut String)) {
    if yes {
        out.push('(');
    }
    f(out);
    if yes {
        out.push(')');
    }
}

/// Emits one line into both renderings.
struct Twin {
    plain: String,
    tape: String,
}

impl Twin {
    fn line(&mut self, ind: usize, plain: &str, tape: &str) {
        for (out, s) in [(&mut self.plain, plain), (&mut self.tape, tape)] {
            for _ in 0..ind {
                out.push_str("    ");
            }
            out.push_str(s);
            out.push('\n');
        }
    }
}

// ----- the long function ---------------------------------------------------------------------

/// Where the statement being generated is.
#[derive(Clone)]
enum Ctx {
    Top,
    /// Inside `for i in 0..k`: `i` is an integer (`w[i]` is valid when `k <= SLICE_LEN`).
    Range {
        i: String,
        indexes_w: bool,
    },
    /// Inside `for &v in w`.
    Over {
        v: String,
    },
    /// Inside an `if` or a `while`.
    Block,
}

struct Long {
    rng: Rng,
    twin: Twin,
    /// Statements emitted so far; the target.
    count: usize,
    target: usize,
    /// Immutable float `let`s visible here (innermost last).
    lets: Vec<String>,
    fresh: usize,
    /// Indices where `if x0 > 100.0 { return ..; }` guards go (never taken at the points).
    guards: Vec<usize>,
}

const ACCS: usize = 4;

impl Long {
    fn name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn coef(&mut self, lo: f64, hi: f64) -> f64 {
        coef(&mut self.rng, lo, hi)
    }

    fn acc(&mut self) -> String {
        format!("s{}", self.rng.below(ACCS))
    }

    /// A variable or element of magnitude at most `BOUND`.
    fn leaf(&mut self, ctx: &Ctx) -> E {
        let recent = self.lets.len().min(10);
        loop {
            match self.rng.weighted(&[34, 22, 20, 9, 15]) {
                0 if recent > 0 => {
                    let k = self.lets.len() - 1 - self.rng.below(recent);
                    return var(&self.lets[k].clone());
                }
                1 => return var(&format!("x{}", self.rng.below(SCALARS))),
                2 => return var(&self.acc()),
                3 => return Elem(self.rng.below(SLICE_LEN).to_string()),
                4 => match ctx {
                    Ctx::Range { i, indexes_w: true } => return Elem(i.clone()),
                    Ctx::Over { v } => return Borrowed(v.clone()),
                    _ => {}
                },
                _ => {}
            }
        }
    }

    /// An operand: a leaf, sometimes a whole bounded expression.
    fn operand(&mut self, ctx: &Ctx, depth: u32) -> E {
        if depth > 0 && self.rng.chance(0.3) {
            self.fexpr(ctx, depth - 1)
        } else {
            self.leaf(ctx)
        }
    }

    /// A bounded expression: operands of magnitude at most `BOUND` give a result of
    /// magnitude at most `BOUND`.
    fn fexpr(&mut self, ctx: &Ctx, depth: u32) -> E {
        let a = self.operand(ctx, depth);
        let b = self.operand(ctx, depth);
        let form = self
            .rng
            .weighted(&[10, 8, 7, 6, 6, 7, 6, 6, 6, 5, 4, 3, 4, 4, 3, 4, 2, 3, 2, 3]);
        let c = |g: &mut Self, lo, hi| lit(g.coef(lo, hi));
        match form {
            // (a c1 + b c2).sin()
            0 => {
                let s = bin(
                    '+',
                    bin('*', a, c(self, 0.2, 0.9)),
                    bin('*', b, c(self, -0.9, 0.9)),
                );
                method("sin", s, vec![])
            }
            // (a b c).tanh()
            1 => method("tanh", bin('*', bin('*', a, b), c(self, 0.1, 0.9)), vec![]),
            // (a a + c).ln()
            2 => method(
                "ln",
                bin('+', bin('*', a.clone(), a), c(self, 0.5, 2.0)),
                vec![],
            ),
            // (a c).exp() c2
            3 => bin(
                '*',
                method("exp", bin('*', a, c(self, -0.4, 0.4)), vec![]),
                c(self, 0.2, 0.5),
            ),
            // (a a + b b + c).sqrt() 0.5
            4 => {
                let s = bin(
                    '+',
                    bin('+', bin('*', a.clone(), a), bin('*', b.clone(), b)),
                    c(self, 0.1, 2.0),
                );
                bin('*', method("sqrt", s, vec![]), lit(0.5))
            }
            // a / (b b + c)
            5 => bin('/', a, bin('+', bin('*', b.clone(), b), c(self, 1.0, 2.0))),
            // a b c
            6 => bin('*', bin('*', a, b), c(self, 0.1, 0.3)),
            // (a - b) c
            7 => bin('*', bin('-', a, b), c(self, 0.1, 0.5)),
            // a.cos() b
            8 => bin('*', method("cos", a, vec![]), b),
            // (a c).atan() + b c2
            9 => bin(
                '+',
                method("atan", bin('*', a, c(self, 0.2, 1.0)), vec![]),
                bin('*', b, c(self, -0.4, 0.4)),
            ),
            // (a c).sigmoid() - 0.5
            10 => bin(
                '-',
                method("sigmoid", bin('*', a, c(self, 0.5, 2.0)), vec![]),
                lit(0.5),
            ),
            // a.hypot(b) 0.5
            11 => bin('*', method("hypot", a, vec![b]), lit(0.5)),
            // a.mul_add(c, b) 0.5
            12 => {
                let k = c(self, -1.0, 1.0);
                bin('*', method("mul_add", a, vec![k, b]), lit(0.5))
            }
            // (a c).powi(2), a.powi(3) 0.1
            13 => {
                if self.rng.chance(0.5) {
                    Powi(Box::new(bin('*', a, c(self, 0.2, 0.5))), 2)
                } else {
                    bin('*', Powi(Box::new(a), 3), lit(0.1))
                }
            }
            // (a a + c).powf(0.75) 0.5
            14 => {
                let s = bin('+', bin('*', a.clone(), a), c(self, 0.5, 1.0));
                bin('*', method("powf", s, vec![lit(0.75)]), lit(0.5))
            }
            // -(a c)
            15 => Neg(Box::new(bin('*', a, c(self, 0.3, 1.0)))),
            // (a c).cosh() c2
            16 => bin(
                '*',
                method("cosh", bin('*', a, c(self, 0.1, 0.3)), vec![]),
                c(self, 0.5, 1.0),
            ),
            // a.max(b) c, a.min(b) c
            17 => {
                let m = if self.rng.chance(0.5) { "max" } else { "min" };
                bin('*', method(m, a, vec![b]), c(self, 0.5, 1.0))
            }
            // (a c).tan()
            18 => method("tan", bin('*', a, c(self, -0.4, 0.4)), vec![]),
            // (a a + c).cbrt() - b c2
            _ => bin(
                '-',
                method(
                    "cbrt",
                    bin('+', bin('*', a.clone(), a), c(self, 0.5, 1.0)),
                    vec![],
                ),
                bin('*', b, c(self, 0.1, 0.3)),
            ),
        }
    }

    fn cond(&mut self, ctx: &Ctx) -> (E, E) {
        let l = self.leaf(ctx);
        let r = if self.rng.chance(0.5) {
            self.leaf(ctx)
        } else {
            lit(self.coef(-1.0, 1.0))
        };
        (l, r)
    }

    fn cond_src(&self, (l, r): &(E, E)) -> (String, String) {
        let side = |e: &E| {
            let mut s = String::new();
            paren(&mut s, e.loose(), |o| e.tape(o));
            s
        };
        let tape_r = if matches!(r, Lit(_)) {
            r.to_plain()
        } else {
            format!("{}.data()", side(r))
        };
        (
            format!("{} > {}", l.to_plain(), r.to_plain()),
            format!("{}.data() > {tape_r}", side(l)),
        )
    }

    fn room(&self) -> usize {
        self.target - self.count
    }

    /// One statement (several when it is a block) into the current position, at most `room`.
    fn stmt(&mut self, ctx: &Ctx, ind: usize) {
        let room = self.room();
        let top = matches!(ctx, Ctx::Top);
        if top && room >= 2 && self.guards.first().is_some_and(|&g| self.count >= g) {
            self.guards.remove(0);
            self.count += 2;
            let s = self.acc();
            self.twin.line(
                ind,
                &format!("if x0 > 100.0 {{ return {s}; }}"),
                &format!("if x0.data() > 100.0 {{ return {s}.clone(); }}"),
            );
            return;
        }
        let kind = if room < 6 || !top {
            self.rng.weighted(&[55, 20, 12, 0, 0, 0, 0, 0])
        } else {
            self.rng.weighted(&[55, 20, 12, 4, 3, 3, 1, 2])
        };
        self.count += 1;
        match kind {
            // let t = e;
            0 => {
                let e = self.fexpr(ctx, 1);
                let t = self.name("t");
                let annotate = if self.rng.chance(0.2) { ": f64" } else { "" };
                self.twin.line(
                    ind,
                    &format!("let {t}{annotate} = {};", e.to_plain()),
                    &format!("let {t} = {};", e.to_owned_tape()),
                );
                self.lets.push(t);
            }
            // s = s c + e (1 - c)
            1 => {
                let s = self.acc();
                let k = self.coef(0.5, 0.95);
                let e = self.fexpr(ctx, 1);
                let rhs = bin(
                    '+',
                    bin('*', var(&s), lit(k)),
                    bin('*', e, lit(((1.0 - k) * 100.0).round() / 100.0)),
                );
                self.twin.line(
                    ind,
                    &format!("{s} = {};", rhs.to_plain()),
                    &format!("{s} = {};", rhs.to_owned_tape()),
                );
            }
            // s += (e - s) c, or s *= (e c).tanh() 0.1 + 0.9
            2 => {
                let s = self.acc();
                let e = self.fexpr(ctx, 0);
                let (op, rhs) = if self.rng.chance(0.6) {
                    let k = self.coef(0.05, 0.3);
                    ('+', bin('*', bin('-', e, var(&s)), lit(k)))
                } else {
                    let k = self.coef(0.1, 0.3);
                    let t = method("tanh", bin('*', e, lit(k)), vec![]);
                    ('*', bin('+', bin('*', t, lit(0.1)), lit(0.9)))
                };
                self.twin.line(
                    ind,
                    &format!("{s} {op}= {};", rhs.to_plain()),
                    &format!("{s} {op}= {};", rhs.to_operand()),
                );
            }
            // if c { .. } else { .. }
            3 => {
                let c = self.cond(ctx);
                let (cp, ct) = self.cond_src(&c);
                self.twin
                    .line(ind, &format!("if {cp} {{"), &format!("if {ct} {{"));
                self.body(&Ctx::Block, ind + 1, 3);
                if self.rng.chance(0.7) && self.room() > 0 {
                    self.twin.line(ind, "} else {", "} else {");
                    self.body(&Ctx::Block, ind + 1, 3);
                }
                self.twin.line(ind, "}", "}");
            }
            // let t = if c { e } else { e };
            4 => {
                let (l, r) = self.cond(ctx);
                let a = self.fexpr(ctx, 0);
                let b = self.fexpr(ctx, 0);
                let e = If(Box::new((l, r, a, b)));
                let t = self.name("t");
                self.twin.line(
                    ind,
                    &format!("let {t} = {};", e.to_plain()),
                    &format!("let {t} = {};", e.to_owned_tape()),
                );
                self.lets.push(t);
            }
            // for loops
            5 => {
                let i = self.name("i");
                match self.rng.below(3) {
                    0 => {
                        let k = self.rng.range(2, 4);
                        self.twin.line(
                            ind,
                            &format!("for {i} in 0..{k} {{"),
                            &format!("for {i} in 0..{k} {{"),
                        );
                        let ctx = Ctx::Range {
                            i: i.clone(),
                            indexes_w: false,
                        };
                        self.loop_body(&ctx, &i, ind + 1);
                    }
                    1 => {
                        self.twin.line(
                            ind,
                            &format!("for {i} in 0..w.len() {{"),
                            &format!("for {i} in 0..w.len() {{"),
                        );
                        let ctx = Ctx::Range {
                            i: i.clone(),
                            indexes_w: true,
                        };
                        self.loop_body(&ctx, &i, ind + 1);
                    }
                    _ => {
                        let v = self.name("v");
                        self.twin.line(
                            ind,
                            &format!("for &{v} in w {{"),
                            &format!("for {v} in w {{"),
                        );
                        let ctx = Ctx::Over { v };
                        self.body(&ctx, ind + 1, 3);
                    }
                }
                self.twin.line(ind, "}", "}");
            }
            // let mut k = 0; while k < m { ..; k += 1; }
            6 => {
                let k = self.name("k");
                let m = self.rng.range(2, 3);
                self.twin.line(
                    ind,
                    &format!("let mut {k} = 0;"),
                    &format!("let mut {k} = 0;"),
                );
                self.count += 1;
                self.twin.line(
                    ind,
                    &format!("while {k} < {m} {{"),
                    &format!("while {k} < {m} {{"),
                );
                self.body(&Ctx::Block, ind + 1, 2);
                self.count += 1;
                self.twin
                    .line(ind + 1, &format!("{k} += 1;"), &format!("{k} += 1;"));
                self.twin.line(ind, "}", "}");
            }
            // let t = { let u = e; u c + e };
            _ => {
                let u = self.name("u");
                let e = self.fexpr(ctx, 0);
                self.count += 1;
                self.lets.push(u.clone());
                let tail = bin('+', bin('*', var(&u), lit(0.5)), self.fexpr(ctx, 0));
                self.lets.pop();
                let t = self.name("t");
                self.twin.line(
                    ind,
                    &format!(
                        "let {t} = {{ let {u} = {}; {} }};",
                        e.to_plain(),
                        tail.to_plain()
                    ),
                    &format!(
                        "let {t} = {{ let {u} = {}; {} }};",
                        e.to_owned_tape(),
                        tail.to_owned_tape()
                    ),
                );
                self.lets.push(t);
            }
        }
    }

    /// A `for` body over `0..k`: statements that may read `i as f64`.
    fn loop_body(&mut self, ctx: &Ctx, i: &str, ind: usize) {
        // One statement uses the loop variable as a number.
        if self.room() > 0 {
            self.count += 1;
            let s = self.acc();
            let x = self.leaf(ctx);
            let rhs = bin(
                '+',
                bin('*', var(&s), lit(0.8)),
                bin(
                    '*',
                    method(
                        "sin",
                        bin('*', x, bin('+', IntF(i.to_string()), lit(1.0))),
                        vec![],
                    ),
                    lit(0.2),
                ),
            );
            self.twin.line(
                ind,
                &format!("{s} = {};", rhs.to_plain()),
                &format!("{s} = {};", rhs.to_owned_tape()),
            );
        }
        self.body(ctx, ind, 2);
    }

    /// Up to `max` statements of a block (at least one if there is room).
    fn body(&mut self, ctx: &Ctx, ind: usize, max: usize) {
        let scope = self.lets.len();
        let n = self.rng.range(1, max);
        for _ in 0..n {
            if self.room() == 0 {
                break;
            }
            self.stmt(ctx, ind);
        }
        self.lets.truncate(scope);
    }
}

/// `fn {name}(x0: f64, x1: f64, x2: f64, x3: f64, w: &[f64]) -> f64` of exactly `statements`
/// statements (at least 8): lets, reassignments and compound assignments of four accumulators,
/// branches, `for` and `while` loops, block expressions, two early returns never taken at the
/// points, over every smooth primitive family.
pub fn long_function(name: &str, statements: usize, seed: u64) -> Generated {
    let statements = statements.max(8);
    let mut g = Long {
        rng: Rng::for_program(seed, statements as u64),
        twin: Twin {
            plain: String::new(),
            tape: String::new(),
        },
        count: 0,
        target: statements,
        lets: Vec::new(),
        fresh: 0,
        guards: vec![statements / 3, 2 * statements / 3],
    };
    let params: Vec<String> = (0..SCALARS).map(|k| format!("x{k}: f64")).collect();
    let tparams: Vec<String> = (0..SCALARS).map(|k| format!("x{k}: &Value")).collect();
    let _ = writeln!(
        g.twin.plain,
        "pub fn {name}({}, w: &[f64]) -> f64 {{",
        params.join(", ")
    );
    let _ = writeln!(
        g.twin.tape,
        "pub fn {name}_tape({}, w: &[Value]) -> Value {{",
        tparams.join(", ")
    );
    for k in 0..SCALARS {
        let _ = writeln!(g.twin.tape, "    let x{k} = x{k}.clone();");
    }
    for k in 0..ACCS {
        g.count += 1;
        let init = bin('*', var(&format!("x{k}")), lit(0.5));
        g.twin.line(
            1,
            &format!("let mut s{k} = {};", init.to_plain()),
            &format!("let mut s{k} = {};", init.to_owned_tape()),
        );
    }
    while g.room() > 0 {
        g.stmt(&Ctx::Top, 1);
    }
    let last = g.lets.last().cloned().unwrap_or_else(|| "x0".into());
    let tail = bin(
        '+',
        bin(
            '+',
            bin(
                '+',
                bin('+', var("s0"), bin('*', var("s1"), lit(0.5))),
                bin('*', var("s2"), lit(0.25)),
            ),
            bin('*', var("s3"), lit(0.125)),
        ),
        var(&last),
    );
    g.twin.line(1, &tail.to_plain(), &tail.to_owned_tape());
    g.twin.line(0, "}", "}");
    Generated {
        name: name.to_string(),
        plain: g.twin.plain,
        tape: g.twin.tape,
        scalars: SCALARS,
        slice: true,
        statements: g.count,
    }
}

// ----- deep expressions ----------------------------------------------------------------------

/// How a deep expression nests.
#[derive(Clone, Copy, Debug)]
pub enum Nesting {
    /// `(((x * c).sin() + y) * c).tanh() ...`: operators, methods and unary minus mixed, each
    /// level one operation applied to everything inside.
    Mixed,
    /// `x.sin() + 0.9 * (y.cos() - 0.8 * (... ))`: parentheses nested `depth` deep.
    Parens,
    /// `x.sin().mul_add(0.8, y).tanh() ...`: a method chain `depth` long.
    Chain,
    /// `x * 0.1 + y.sin() * 0.02 - ... `: `depth` terms without parentheses (a left spine).
    Sum,
}

/// `fn {name}(x0: f64, x1: f64) -> f64 { <one expression nested depth deep> }`.
pub fn deep_function(name: &str, nesting: Nesting, depth: usize, seed: u64) -> Generated {
    let mut rng = Rng::for_program(seed, depth as u64 * 4 + nesting as u64);
    let x = || var("x0");
    let y = || var("x1");
    let mut coef = |lo: f64, hi: f64| lit(coef(&mut rng, lo, hi));
    let e = match nesting {
        Nesting::Mixed => {
            // `bound`: the magnitude of the expression so far (inputs in [-1.5, 1.5]).
            let (mut e, mut bound) = (x(), 1.5);
            for level in 0..depth {
                let op = if bound > BOUND {
                    1 + 2 * (level % 3)
                } else {
                    level % 9
                };
                (e, bound) = match op {
                    0 => (bin('*', e, coef(0.5, 1.5)), bound * 1.5),
                    1 => (method("sin", e, vec![]), 1.0),
                    2 => (bin('+', e, y()), bound + 1.5),
                    3 => (method("tanh", e, vec![]), 1.0),
                    4 => (bin('-', bin('*', x(), coef(0.2, 0.8)), e), bound + 1.2),
                    5 => (method("atan", e, vec![]), 1.6),
                    6 => (Neg(Box::new(e)), bound),
                    7 => (bin('/', e, bin('+', bin('*', y(), y()), lit(1.0))), bound),
                    _ => (method("mul_add", e, vec![coef(0.5, 1.0), x()]), bound + 1.5),
                };
            }
            e
        }
        Nesting::Parens => {
            // Built from the inside: each level `t op c * (inner)` with |c| < 1.
            let terms = [
                method("sin", x(), vec![]),
                method("cos", y(), vec![]),
                bin('*', bin('*', x(), y()), lit(0.25)),
                method("tanh", bin('-', x(), y()), vec![]),
            ];
            let mut e = method("sin", bin('*', x(), y()), vec![]);
            for level in 0..depth {
                let op = if level % 2 == 0 { '+' } else { '-' };
                let k = coef(0.5, 0.9);
                e = bin(op, terms[level % terms.len()].clone(), bin('*', k, e));
            }
            e
        }
        Nesting::Chain => {
            let mut e = x();
            for level in 0..depth {
                e = match level % 6 {
                    0 => method("sin", e, vec![]),
                    1 => method("mul_add", e, vec![coef(0.5, 0.9), y()]),
                    2 => method("tanh", e, vec![]),
                    3 => method("hypot", e, vec![x()]),
                    4 => method("atan", e, vec![]),
                    _ => method("sigmoid", e, vec![]),
                };
            }
            e
        }
        Nesting::Sum => {
            let mut e = bin('*', x(), lit(0.1));
            for level in 0..depth {
                let term = match level % 4 {
                    0 => bin('*', method("sin", y(), vec![]), coef(0.01, 0.05)),
                    1 => bin('*', bin('*', x(), y()), coef(0.01, 0.05)),
                    2 => bin('*', method("tanh", x(), vec![]), coef(0.01, 0.05)),
                    _ => bin(
                        '/',
                        coef(0.01, 0.05),
                        bin('+', bin('*', x(), x()), lit(1.0)),
                    ),
                };
                e = bin(if level % 3 == 2 { '-' } else { '+' }, e, term);
            }
            e
        }
    };
    let plain = format!(
        "pub fn {name}(x0: f64, x1: f64) -> f64 {{\n    {}\n}}\n",
        e.to_plain()
    );
    let tape = format!(
        "pub fn {name}_tape(x0: &Value, x1: &Value) -> Value {{\n    let x0 = x0.clone();\n    \
         let x1 = x1.clone();\n    {}\n}}\n",
        e.to_owned_tape()
    );
    Generated {
        name: name.to_string(),
        plain,
        tape,
        scalars: 2,
        slice: false,
        statements: 0,
    }
}

// ----- test sources --------------------------------------------------------------------------

/// The source of a test module `generated` holding `functions` under `#[differentiable]`, their
/// tape twins, and `PROGRAMS`, a table for `grad_fuzz::check_all` with three points each.
/// `file` is the name the module is written under in `$OUT_DIR` (failure messages point there).
pub fn test_module(functions: &[Generated], seed: u64, file: &str) -> String {
    let mut out = String::from(
        "// @generated by grad-fuzz/build.rs (generator/large.rs).\n\
         #[allow(warnings, clippy::all, clippy::pedantic, clippy::nursery)]\n\
         pub mod generated {\n\
         use grad::prelude::*;\n\
         use grad::tape::Value;\n\
         use grad_fuzz::{Point, Program};\n",
    );
    let mut entries = Vec::new();
    for (index, f) in functions.iter().enumerate() {
        let name = &f.name;
        let scalars: Vec<String> = (0..f.scalars).map(|k| format!("s[{k}]")).collect();
        let tape_args: Vec<String> = (0..f.scalars).map(|k| format!("&sc[{k}]")).collect();
        let grads: Vec<String> = (0..f.scalars).map(|k| format!("d{k}")).collect();
        let (slice_arg, tape_slice, dslice, extend) = if f.slice {
            (", xs", ", xs", ", dw", " g.extend_from_slice(&dw);")
        } else {
            ("", "", "", "")
        };
        let _ = write!(
            out,
            "\n#[differentiable]\n{plain}\n{tape}\n\
             pub fn {name}_plain(s: &[f64], xs: &[f64], _n: usize) -> f64 {{ \
             {name}({s}{slice_arg}) }}\n\
             pub fn {name}_compiled(s: &[f64], xs: &[f64], _n: usize) -> (f64, Vec<f64>) {{ \
             let (v, {d}{dslice}) = {name}_grad({s}{slice_arg}); let mut g = vec![{d}];{extend} \
             (v, g) }}\n\
             pub fn {name}_on_tape(sc: &[Value], xs: &[Value], _n: usize) -> Value {{ \
             {name}_tape({t}{tape_slice}) }}\n\
             pub fn {name}_graph_packed(s: &[f64], xs: &[f64]) -> Value {{ \
             {name}_graph({s}{slice_arg}) }}\n",
            plain = f.plain,
            tape = f.tape,
            s = scalars.join(", "),
            d = grads.join(", "),
            t = tape_args.join(", "),
        );
        let mut rng = Rng::for_program(seed ^ 0x706f_696e_7473, index as u64);
        let mut value = || (rng.uniform(-1.5, 1.5) * 1000.0).round() / 1000.0;
        let points: Vec<String> = (0..3)
            .map(|_| {
                let s: Vec<String> = (0..f.scalars).map(|_| lit_src(value())).collect();
                let xs: Vec<String> = if f.slice {
                    (0..SLICE_LEN).map(|_| lit_src(value())).collect()
                } else {
                    Vec::new()
                };
                format!(
                    "Point {{ s: &[{}], xs: &[{}], n: 0 }}",
                    s.join(", "),
                    xs.join(", ")
                )
            })
            .collect();
        entries.push(format!(
            "Program {{ name: \"{name}\", index: {index}, source: \"(`{name}` in grad-fuzz's \
             $OUT_DIR/{file})\", scalars: {scalars}, plain: {name}_plain, \
             compiled: {name}_compiled, unoptimized: None, disabled: \"\", \
             tape: {name}_on_tape, points: &[{points}], second: None }}",
            scalars = f.scalars,
            points = points.join(", "),
        ));
    }
    let graphs: Vec<String> = functions
        .iter()
        .map(|f| format!("{}_graph_packed", f.name))
        .collect();
    let _ = write!(
        out,
        "\n/// The functions, for `grad_fuzz::check_all`.\npub static PROGRAMS: &[Program] = \
         &[\n{}\n];\n/// Their `_graph` companions, by index.\npub static GRAPHS: \
         &[fn(&[f64], &[f64]) -> Value] = &[{}];\n}}\n",
        entries.join(",\n"),
        graphs.join(", ")
    );
    out
}
