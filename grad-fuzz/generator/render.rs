//! Rendering a program twice: the `f64` function under `#[differentiable]`, and the same
//! computation over `grad::tape::Value` (integer control flow identical, float comparisons
//! through `.data()`, local arrays as `Vec<Value>`), plus its entry in the table.
//!
//! Both renderings perform the same floating-point operations in the same order, so the tape's
//! value is the plain function's bit for bit (the test checks it: a difference is a generator
//! bug, and it would make the two take different branches).

use super::ast::*;
use std::fmt::Write;

/// A float literal as Rust source; `suffix` adds `f64` (needed where Rust must know the type
/// of a literal-only expression, e.g. a method receiver).
fn lit(v: f64, suffix: bool) -> String {
    let mut s = format!("{v:?}");
    if !s.contains(['.', 'e']) {
        s.push_str(".0");
    }
    if suffix {
        s.push_str("f64");
    }
    if v < 0.0 || (v == 0.0 && v.is_sign_negative()) {
        format!("({s})")
    } else {
        s
    }
}

impl FExpr {
    /// Whether Rust knows this is an `f64` without falling back on the type of a literal
    /// (a method cannot be called on `{float}`, and `let` needs the type).
    pub fn typed(&self) -> bool {
        match self {
            FExpr::Lit(_) => false,
            FExpr::Bin(_, a, b) => a.typed() || b.typed(),
            FExpr::Div(a, p) => a.typed() || p.typed(),
            FExpr::Un(Un::Neg, a) | FExpr::Square(a) => a.typed(),
            FExpr::Pos(p) => p.typed(),
            FExpr::If(_, a, b) => a.typed() || b.typed(),
            FExpr::IfExit(_, _, e) => e.typed(),
            FExpr::Block(_, t) => t.typed(),
            _ => true,
        }
    }

    /// Whether the expression involves no float variable (on the tape: a plain `f64`).
    fn constant(&self) -> bool {
        match self {
            FExpr::Lit(_)
            | FExpr::Const(_)
            | FExpr::Cast(_)
            | FExpr::UserConstBare(_)
            | FExpr::FromInt(_) => true,
            FExpr::UserConst(_, _, e)
            | FExpr::Un(_, e)
            | FExpr::Lim(_, e)
            | FExpr::Unit(_, e)
            | FExpr::Powi(e, _)
            | FExpr::Square(e)
            | FExpr::Squash(_, _, _, e)
            | FExpr::PowiVar(e, _)
            | FExpr::FCast(e) => e.constant(),
            FExpr::Acosh(p) => p.constant(),
            FExpr::IfExit(..) => false,
            FExpr::Bin(_, a, b) | FExpr::Bi(_, a, b) => a.constant() && b.constant(),
            FExpr::Div(a, p) => a.constant() && p.constant(),
            FExpr::OnPos(_, p) | FExpr::PowiPos(p, _) | FExpr::Pos(p) => p.constant(),
            FExpr::Log(a, b) => a.constant() && b.constant(),
            FExpr::Powf(p, y) => p.constant() && y.constant(),
            FExpr::MulAdd(a, b, c) => a.constant() && b.constant() && c.constant(),
            FExpr::Clamp(x, ClampBounds::Lit(..)) => x.constant(),
            FExpr::Clamp(x, ClampBounds::Sym(c)) => x.constant() && c.constant(),
            FExpr::Var(_) | FExpr::Elem(..) | FExpr::If(..) | FExpr::Block(..) => false,
            FExpr::Call(..) | FExpr::SliceCall(..) => false,
        }
    }
}

impl Pos {
    pub fn typed(&self) -> bool {
        match self {
            Pos::SqPlus(e, _) => e.typed(),
            Pos::Lit(_) => false,
            _ => true,
        }
    }

    fn constant(&self) -> bool {
        match self {
            Pos::SqPlus(e, _)
            | Pos::AbsPlus(e, _)
            | Pos::Exp(e)
            | Pos::Cosh(e)
            | Pos::SigPlus(e, _)
            | Pos::HypotC(e, _) => e.constant(),
            Pos::Lit(_) => true,
        }
    }
}

fn un_name(u: Un) -> &'static str {
    match u {
        Un::Neg => "neg",
        Un::Sin => "sin",
        Un::Cos => "cos",
        Un::Atan => "atan",
        Un::Tanh => "tanh",
        Un::Sigmoid => "sigmoid",
        Un::Asinh => "asinh",
        Un::Relu => "relu",
        Un::Abs => "abs",
        Un::Signum => "signum",
        Un::Floor => "floor",
        Un::Ceil => "ceil",
        Un::Round => "round",
        Un::Trunc => "trunc",
    }
}

struct R<'a> {
    vars: &'a [VarInfo],
    /// The program's name and its generated helpers (named `{prog}_{suffix}`).
    prog: &'a str,
    helpers: &'a [GenHelper],
}

// ===== shared: integers =======================================================================

impl R<'_> {
    fn name(&self, id: Id) -> &str {
        &self.vars[id].name
    }

    fn helper(&self, h: usize) -> String {
        format!("{}_{}", self.prog, self.helpers[h].kind.suffix())
    }

    /// `[lo..hi]` and the like (empty for the whole array).
    fn part(&self, p: &Part) -> String {
        match p {
            Part::Whole => String::new(),
            Part::From(a) => format!("[{}..]", self.int(a)),
            Part::To(b) => format!("[..{}]", self.int(b)),
            Part::ToIncl(b) => format!("[..={}]", self.int(b)),
            Part::Range(a, b) => format!("[{}..{}]", self.int(a), self.int(b)),
            Part::Incl(a, b) => format!("[{}..={}]", self.int(a), self.int(b)),
        }
    }

    /// An array argument: `xs`, `&h`, `&xs[1..]`, `&mut h[..2]` (the same in both renderings:
    /// the tape's arrays are `&[Value]` and `Vec<Value>`).
    fn slice_arg(&self, a: &SliceArg, mutable: bool) -> String {
        let name = self.name(a.arr);
        let param = matches!(self.vars[a.arr].kind, Kind::Array { param: true, .. });
        match (&a.part, mutable) {
            (Part::Whole, false) if param => name.to_string(),
            (Part::Whole, false) => format!("&{name}"),
            (Part::Whole, true) => format!("&mut {name}"),
            (p, false) => format!("&{name}{}", self.part(p)),
            (p, true) => format!("&mut {name}{}", self.part(p)),
        }
    }

    fn int(&self, e: &IExpr) -> String {
        match e {
            IExpr::Lit(c) => c.to_string(),
            IExpr::Var(id) => self.name(*id).to_string(),
            IExpr::Len(a) => format!("{}.len()", self.name(*a)),
            IExpr::Add(a, b) => format!("({} + {})", self.int(a), self.int(b)),
            IExpr::Mul(a, b) => format!("({} * {})", self.int(a), self.int(b)),
            IExpr::Rem(a, b) => format!("({} % {})", self.int(a), self.int(b)),
            IExpr::SubOne(a) => format!("({} - 1)", self.int(a)),
        }
    }
}

// ===== the plain f64 function ===================================================================

impl R<'_> {
    /// `e` as a method receiver: forced to `f64` if Rust could not tell its type.
    fn recv(&self, e: &FExpr) -> String {
        let s = self.fx(e, !e.typed());
        match e {
            FExpr::Block(..) => format!("({s})"),
            _ => s,
        }
    }

    fn pos_recv(&self, p: &Pos) -> String {
        self.pos(p, !p.typed())
    }

    /// User constant `k`: its name.
    fn user_const(&self, k: usize) -> String {
        USER_CONSTS[k].0.to_string()
    }

    fn fx(&self, e: &FExpr, force: bool) -> String {
        match e {
            FExpr::Lit(v) => lit(*v, force),
            FExpr::Const(i) => CONSTS[*i].0.to_string(),
            FExpr::UserConstBare(k) => self.user_const(*k),
            FExpr::FromInt(i) => format!("f64::from({} as u32)", self.int(i)),
            FExpr::UserConst(k, op, e) => {
                format!(
                    "({} {} {})",
                    self.user_const(*k),
                    op.sym(),
                    self.fx(e, false)
                )
            }
            FExpr::Var(id) => match self.vars[*id].kind {
                Kind::Float {
                    elem: Elem::Deref, ..
                } => format!("(*{})", self.name(*id)),
                _ => self.name(*id).to_string(),
            },
            FExpr::Elem(a, i) => format!("{}[{}]", self.name(*a), self.int(i)),
            FExpr::Cast(i) => format!("({} as f64)", self.int(i)),
            FExpr::Bin(op, a, b) => {
                format!("({} {} {})", self.fx(a, force), op.sym(), self.fx(b, force))
            }
            FExpr::Div(a, d) => format!("({} / {})", self.fx(a, force), self.pos(d, force)),
            FExpr::Un(Un::Neg, a) => format!("(-{})", self.fx(a, force)),
            FExpr::Un(u, a) => format!("{}.{}()", self.recv(a), un_name(*u)),
            FExpr::Lim(l, a) => format!("{}.{}()", self.recv(a), l.name()),
            FExpr::OnPos(f, p) => format!("{}.{}()", self.pos_recv(p), f.name()),
            FExpr::Unit(u, a) => format!("({}.tanh() * 0.9).{}()", self.recv(a), u.name()),
            FExpr::Acosh(p) => format!("({} + 1.25).acosh()", self.pos(p, !p.typed())),
            FExpr::FCast(a) => format!("({} as f64)", self.fx(a, false)),
            FExpr::IfExit(c, x, e) => {
                let x = match x {
                    Exit::Return(r) => format!("return {};", self.fx(r, false)),
                    Exit::Break => "break;".to_string(),
                    Exit::Continue => "continue;".to_string(),
                };
                format!(
                    "(if {} {{ {x} }} else {{ {} }})",
                    self.cond(c, true),
                    self.fx(e, force)
                )
            }
            FExpr::Log(x, b) => format!("{}.log({})", self.pos_recv(x), self.pos(b, false)),
            FExpr::Powf(x, y) => format!("{}.powf({})", self.pos_recv(x), self.fx(y, false)),
            FExpr::Powi(a, k) => format!("{}.powi({k})", self.recv(a)),
            FExpr::PowiPos(p, k) => format!("{}.powi({k})", self.pos_recv(p)),
            FExpr::PowiVar(a, k) => format!("{}.powi({} as i32)", self.recv(a), self.int(k)),
            FExpr::Bi(b, x, y) => format!("{}.{}({})", self.recv(x), b.name(), self.fx(y, false)),
            FExpr::MulAdd(a, b, c) => format!(
                "{}.mul_add({}, {})",
                self.recv(a),
                self.fx(b, false),
                self.fx(c, false)
            ),
            FExpr::Clamp(x, ClampBounds::Lit(lo, hi)) => format!(
                "{}.clamp({}, {})",
                self.recv(x),
                lit(*lo, false),
                lit(*hi, false)
            ),
            FExpr::Clamp(x, ClampBounds::Sym(c)) => {
                let c = self.recv(c);
                format!("{}.clamp(-{c}.abs() - 0.5, {c}.abs() + 0.5)", self.recv(x))
            }
            FExpr::Square(a) => {
                let a = self.fx(a, force);
                format!("({a} * {a})")
            }
            FExpr::Pos(p) => self.pos(p, force),
            FExpr::If(c, a, b) => format!(
                "(if {} {{ {} }} else {{ {} }})",
                self.cond(c, true),
                self.fx(a, force),
                self.fx(b, force)
            ),
            FExpr::Block(stmts, tail) => {
                let mut s = String::from("{ ");
                for st in stmts {
                    s.push_str(&self.stmt_line(st));
                    s.push(' ');
                }
                s.push_str(&self.fx(tail, force));
                s.push_str(" }");
                s
            }
            FExpr::Call(h, args, by_path) => {
                let helper = &HELPERS[*h];
                let f = if *by_path { helper.path } else { helper.name };
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::F(e) => self.fx(e, false),
                        Arg::I(i) => self.int(i),
                    })
                    .collect();
                format!("{f}({})", args.join(", "))
            }
            FExpr::SliceCall(h, arrs, x) => {
                let mut args: Vec<String> = arrs.iter().map(|a| self.slice_arg(a, false)).collect();
                args.push(self.fx(x, false));
                format!("{}({})", self.helper(*h), args.join(", "))
            }
            FExpr::Squash(kind, k, c, a) => format!(
                "(({} * {}).{}() * {})",
                self.fx(a, !a.typed()),
                lit(*k, false),
                kind.name(),
                lit(*c, false)
            ),
        }
    }

    fn pos(&self, p: &Pos, force: bool) -> String {
        match p {
            Pos::SqPlus(e, c) => {
                let e = self.fx(e, force);
                format!("({e} * {e} + {})", lit(*c, false))
            }
            Pos::AbsPlus(e, c) => format!("({}.abs() + {})", self.recv(e), lit(*c, false)),
            Pos::Exp(e) => format!("{}.exp()", self.recv(e)),
            Pos::Cosh(e) => format!("{}.cosh()", self.recv(e)),
            Pos::SigPlus(e, c) => format!("({}.sigmoid() + {})", self.recv(e), lit(*c, false)),
            Pos::HypotC(e, c) => format!("{}.hypot({})", self.recv(e), lit(*c, false)),
            Pos::Lit(c) => lit(*c, force),
        }
    }

    /// A condition; `top` drops the outer parentheses.
    fn cond(&self, c: &Cond, top: bool) -> String {
        let s = match c {
            Cond::F(cmp, a, b) => format!(
                "({} {} {})",
                self.fx(a, false),
                cmp.sym(),
                self.fx(b, false)
            ),
            Cond::I(cmp, a, b) => format!("({} {} {})", self.int(a), cmp.sym(), self.int(b)),
            Cond::And(a, b) => format!("({} && {})", self.cond(a, false), self.cond(b, false)),
            Cond::Or(a, b) => format!("({} || {})", self.cond(a, false), self.cond(b, false)),
            Cond::Not(a) => return format!("!{}", self.cond(a, false)),
            Cond::Bool(id) => return self.name(*id).to_string(),
            Cond::SignNeg(e) => return format!("{}.is_sign_negative()", self.recv(e)),
        };
        if top {
            s[1..s.len() - 1].to_string()
        } else {
            s
        }
    }

    /// A one-line statement (inside block expressions).
    fn stmt_line(&self, s: &Stmt) -> String {
        let mut out = String::new();
        self.stmt(s, 0, &mut out);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn line(out: &mut String, indent: usize, s: &str) {
        for _ in 0..indent {
            out.push_str("    ");
        }
        out.push_str(s);
        out.push('\n');
    }

    fn block(&self, stmts: &[Stmt], indent: usize, out: &mut String) {
        for s in stmts {
            self.stmt(s, indent, out);
        }
    }

    fn let_kw(mutable: bool) -> &'static str {
        if mutable {
            "let mut"
        } else {
            "let"
        }
    }

    fn stmt(&self, s: &Stmt, ind: usize, out: &mut String) {
        match s {
            Stmt::Let {
                id,
                mutable,
                annotate,
                init,
            } => {
                // Without the annotation: an initializer Rust knows is an `f64` as it is, a
                // bare literal with the suffix `f64`.
                let (ty, init) = match init {
                    _ if *annotate => (": f64", self.fx(init, false)),
                    _ => ("", self.fx(init, false)),
                };
                let l = format!(
                    "{} {}{ty} = {init};",
                    Self::let_kw(*mutable),
                    self.name(*id)
                );
                Self::line(out, ind, &l);
            }
            Stmt::LetLater {
                id,
                mutable,
                cond,
                then,
                els,
            } => {
                Self::line(
                    out,
                    ind,
                    &format!("{} {}: f64;", Self::let_kw(*mutable), self.name(*id)),
                );
                Self::line(out, ind, &format!("if {} {{", self.cond(cond, true)));
                self.block(then, ind + 1, out);
                Self::line(out, ind, "} else {");
                self.block(els, ind + 1, out);
                Self::line(out, ind, "}");
            }
            Stmt::LetInt { id, mutable, init } => Self::line(
                out,
                ind,
                &format!(
                    "{} {} = {};",
                    Self::let_kw(*mutable),
                    self.name(*id),
                    self.int(init)
                ),
            ),
            Stmt::IntAdd { id, by } => {
                Self::line(out, ind, &format!("{} += {by};", self.name(*id)))
            }
            Stmt::LetWild(e) => Self::line(out, ind, &format!("let _ = {};", self.fx(e, false))),
            Stmt::Block(b) => {
                Self::line(out, ind, "{");
                self.block(b, ind + 1, out);
                Self::line(out, ind, "}");
            }
            Stmt::LetBool { id, cond } => Self::line(
                out,
                ind,
                &format!("let {} = {};", self.name(*id), self.cond(cond, false)),
            ),
            Stmt::Assign { id, e } => Self::line(
                out,
                ind,
                &format!("{} = {};", self.name(*id), self.fx(e, false)),
            ),
            Stmt::Compound { id, op, e } => Self::line(
                out,
                ind,
                &format!("{} {}= {};", self.name(*id), op.sym(), self.fx(e, false)),
            ),
            Stmt::DivAssign { id, den } => Self::line(
                out,
                ind,
                &format!("{} /= {};", self.name(*id), self.pos(den, false)),
            ),
            Stmt::Array {
                id,
                fill,
                len,
                annotate,
            } => {
                let force = !fill.typed() && !*annotate;
                let fill = self.fx(fill, force);
                let name = self.name(*id);
                let l = match (len, annotate) {
                    (ArrLen::Fixed(n), true) => {
                        format!("let mut {name}: [f64; {n}] = [{fill}; {n}];")
                    }
                    (ArrLen::Fixed(n), false) => format!("let mut {name} = [{fill}; {n}];"),
                    (ArrLen::Vec(n), true) => {
                        format!("let mut {name}: Vec<f64> = vec![{fill}; {}];", self.int(n))
                    }
                    (ArrLen::Vec(n), false) => {
                        format!("let mut {name} = vec![{fill}; {}];", self.int(n))
                    }
                };
                Self::line(out, ind, &l);
            }
            Stmt::Store { arr, idx, e } => Self::line(
                out,
                ind,
                &format!(
                    "{}[{}] = {};",
                    self.name(*arr),
                    self.int(idx),
                    self.fx(e, false)
                ),
            ),
            Stmt::CompoundStore { arr, idx, op, e } => Self::line(
                out,
                ind,
                &format!(
                    "{}[{}] {}= {};",
                    self.name(*arr),
                    self.int(idx),
                    op.sym(),
                    self.fx(e, false)
                ),
            ),
            Stmt::If { cond, then, els } => {
                Self::line(out, ind, &format!("if {} {{", self.cond(cond, true)));
                self.els(then, els, ind, out);
            }
            Stmt::For { head, body } => {
                Self::line(out, ind, &format!("for {} {{", self.head(head)));
                self.block(body, ind + 1, out);
                Self::line(out, ind, "}");
            }
            Stmt::While {
                counter,
                limit,
                inclusive,
                extra,
                inc_first,
                body,
            } => {
                let c = self.name(*counter);
                Self::line(out, ind, &format!("let mut {c} = 0;"));
                let cmp = if *inclusive { "<=" } else { "<" };
                let extra = match extra {
                    Some(e) => format!(" && {}", self.cond(e, false)),
                    None => String::new(),
                };
                Self::line(
                    out,
                    ind,
                    &format!("while {c} {cmp} {}{extra} {{", self.int(limit)),
                );
                if *inc_first {
                    Self::line(out, ind + 1, &format!("{c} += 1;"));
                }
                self.block(body, ind + 1, out);
                if !*inc_first {
                    Self::line(out, ind + 1, &format!("{c} += 1;"));
                }
                Self::line(out, ind, "}");
            }
            Stmt::Loop {
                counter,
                limit,
                inc_first,
                body,
            } => {
                let c = self.name(*counter);
                let l = self.int(limit);
                Self::line(out, ind, &format!("let mut {c} = 0;"));
                Self::line(out, ind, "loop {");
                if *inc_first {
                    Self::line(out, ind + 1, &format!("{c} += 1;"));
                    Self::line(out, ind + 1, &format!("if {c} > {l} {{"));
                    Self::line(out, ind + 2, "break;");
                    Self::line(out, ind + 1, "}");
                }
                self.block(body, ind + 1, out);
                if !*inc_first {
                    Self::line(out, ind + 1, &format!("{c} += 1;"));
                    Self::line(out, ind + 1, &format!("if {c} >= {l} {{"));
                    Self::line(out, ind + 2, "break;");
                    Self::line(out, ind + 1, "}");
                }
                Self::line(out, ind, "}");
            }
            Stmt::Break => Self::line(out, ind, "break;"),
            Stmt::Continue => Self::line(out, ind, "continue;"),
            Stmt::Return(e) => Self::line(out, ind, &format!("return {};", self.fx(e, false))),
            Stmt::MutCall { helper, x, w, h } => {
                let l = format!(
                    "{}({}, {}, {});",
                    self.helper(*helper),
                    self.fx(x, false),
                    self.slice_arg(w, false),
                    self.slice_arg(h, true)
                );
                Self::line(out, ind, &l);
            }
            Stmt::StepCall {
                helper,
                id,
                src,
                x,
                assign,
                fold,
            } => {
                let call = format!(
                    "{}({}, {})",
                    self.helper(*helper),
                    self.name(*src),
                    self.fx(x, false)
                );
                let l = if *assign {
                    format!("{} = {call};", self.name(*id))
                } else {
                    format!("let mut {} = {call};", self.name(*id))
                };
                Self::line(out, ind, &l);
                if let Some((s, k)) = fold {
                    let l = format!("{} += {}[{k}];", self.name(*s), self.name(*id));
                    Self::line(out, ind, &l);
                }
            }
            Stmt::AccCall { helper, x, id } => {
                let l = format!(
                    "{}({}, &mut {});",
                    self.helper(*helper),
                    self.fx(x, false),
                    self.name(*id)
                );
                Self::line(out, ind, &l);
            }
        }
    }

    fn els(&self, then: &[Stmt], els: &Else, ind: usize, out: &mut String) {
        self.block(then, ind + 1, out);
        match els {
            Else::None => Self::line(out, ind, "}"),
            Else::Block(b) => {
                Self::line(out, ind, "} else {");
                self.block(b, ind + 1, out);
                Self::line(out, ind, "}");
            }
            Else::If(s) => {
                let Stmt::If { cond, then, els } = &**s else {
                    unreachable!("else-if holds an if")
                };
                Self::line(
                    out,
                    ind,
                    &format!("}} else if {} {{", self.cond(cond, true)),
                );
                self.els(then, els, ind, out);
            }
        }
    }

    fn range(&self, start: &IExpr, end: &IExpr, inclusive: bool, mods: &[RangeMod]) -> String {
        let dots = if inclusive { "..=" } else { ".." };
        let mut s = format!("{}{dots}{}", self.int(start), self.int(end));
        if !mods.is_empty() {
            s = format!("({s})");
            for m in mods {
                match m {
                    RangeMod::Rev => s.push_str(".rev()"),
                    RangeMod::Step(k) => write!(s, ".step_by({k})").expect("string"),
                }
            }
        }
        s
    }

    fn head(&self, h: &Head) -> String {
        match h {
            Head::Range {
                var,
                start,
                end,
                inclusive,
                mods,
            } => {
                let v = var.map_or("_", |id| self.name(id));
                format!("{v} in {}", self.range(start, end, *inclusive, mods))
            }
            Head::Each { arr, elem, style } => {
                let a = self.name(*arr);
                let e = elem.map_or("_", |id| self.name(id));
                let param = matches!(self.vars[*arr].kind, Kind::Array { param: true, .. });
                match style {
                    EachStyle::AmpBare => format!("&{e} in {a}"),
                    EachStyle::AmpIter => format!("&{e} in {a}.iter()"),
                    EachStyle::AmpRef => format!("&{e} in &{a}"),
                    EachStyle::DerefIter => format!("{e} in {a}.iter()"),
                    EachStyle::Wild if param => format!("_ in {a}"),
                    EachStyle::Wild => format!("_ in &{a}"),
                }
            }
            Head::Enumerate {
                arr,
                idx,
                elem,
                by_ref,
            } => {
                let i = idx.map_or("_", |id| self.name(id));
                let amp = if *by_ref { "" } else { "&" };
                format!(
                    "({i}, {amp}{}) in {}.iter().enumerate()",
                    self.name(*elem),
                    self.name(*arr)
                )
            }
        }
    }
}

// ===== the tape version ========================================================================

/// A rendered tape expression: a plain `f64`, a `&Value`, or an owned `Value`.
enum T {
    C(String),
    R(String),
    O(String),
}

impl T {
    /// As an operand of `+ - * /` (all combinations are implemented).
    fn operand(&self) -> String {
        match self {
            T::C(s) | T::R(s) | T::O(s) => s.clone(),
        }
    }

    /// As an owned `Value`.
    fn owned(&self) -> String {
        match self {
            T::C(s) => format!("Value::new({s})"),
            T::R(s) => format!("({s}).clone()"),
            T::O(s) => s.clone(),
        }
    }

    /// As a method receiver.
    fn recv(&self) -> String {
        match self {
            T::C(s) => format!("Value::new({s})"),
            T::R(s) | T::O(s) => format!("({s})"),
        }
    }

    /// As an argument of a `Value` method (`impl Into<Value>`).
    fn arg(&self) -> String {
        self.operand()
    }

    /// As a `&Value` argument of a tape helper.
    fn by_ref(&self) -> String {
        match self {
            T::C(s) => format!("&Value::new({s})"),
            T::R(s) => s.clone(),
            T::O(s) => format!("&{s}"),
        }
    }

    /// The `f64` it holds.
    fn data(&self) -> String {
        match self {
            T::C(s) => s.clone(),
            T::R(s) | T::O(s) => format!("({s}).data()"),
        }
    }
}

impl R<'_> {
    fn tx(&self, e: &FExpr) -> T {
        if e.constant() {
            return T::C(self.fx(e, true));
        }
        let o = |s: String| T::O(s);
        match e {
            FExpr::Lit(_)
            | FExpr::Const(_)
            | FExpr::Cast(_)
            | FExpr::UserConstBare(_)
            | FExpr::FromInt(_) => unreachable!("constant"),
            FExpr::UserConst(k, op, e) => o(format!(
                "({} {} {})",
                USER_CONSTS[*k].0,
                op.sym(),
                self.tx(e).operand()
            )),
            FExpr::Var(id) => match self.vars[*id].kind {
                Kind::Float {
                    elem: Elem::Owned, ..
                } => T::R(format!("&{}", self.name(*id))),
                _ => T::R(self.name(*id).to_string()),
            },
            FExpr::Elem(a, i) => T::R(format!("&{}[{}]", self.name(*a), self.int(i))),
            FExpr::Bin(op, a, b) => o(format!(
                "({} {} {})",
                self.tx(a).operand(),
                op.sym(),
                self.tx(b).operand()
            )),
            FExpr::Div(a, d) => o(format!(
                "({} / {})",
                self.tx(a).operand(),
                self.tpos(d).operand()
            )),
            FExpr::Un(Un::Neg, a) => o(format!("(-{})", self.tx(a).operand())),
            FExpr::Un(u, a) => o(format!("{}.{}()", self.tx(a).recv(), un_name(*u))),
            FExpr::Lim(l, a) => o(format!("{}.{}()", self.tx(a).recv(), l.name())),
            FExpr::OnPos(f, p) => o(format!("{}.{}()", self.tpos(p).recv(), f.name())),
            FExpr::Unit(u, a) => o(format!(
                "({}.tanh() * 0.9).{}()",
                self.tx(a).recv(),
                u.name()
            )),
            FExpr::Acosh(p) => o(format!("({} + 1.25).acosh()", self.tpos(p).operand())),
            FExpr::FCast(a) => self.tx(a),
            FExpr::IfExit(c, x, e) => {
                let x = match x {
                    Exit::Return(r) => format!("return {};", self.tx(r).owned()),
                    Exit::Break => "break;".to_string(),
                    Exit::Continue => "continue;".to_string(),
                };
                o(format!(
                    "(if {} {{ {x} }} else {{ {} }})",
                    self.tcond(c, true),
                    self.tx(e).owned()
                ))
            }
            FExpr::Log(x, b) => o(format!(
                "{}.log({})",
                self.tpos(x).recv(),
                self.tpos(b).arg()
            )),
            FExpr::Powf(x, y) => o(format!(
                "{}.powf({})",
                self.tpos(x).recv(),
                self.tx(y).arg()
            )),
            FExpr::Powi(a, k) => o(format!("{}.powi({k})", self.tx(a).recv())),
            FExpr::PowiPos(p, k) => o(format!("{}.powi({k})", self.tpos(p).recv())),
            FExpr::PowiVar(a, k) => o(format!(
                "{}.powi({} as i32)",
                self.tx(a).recv(),
                self.int(k)
            )),
            FExpr::Bi(b, x, y) => o(format!(
                "{}.{}({})",
                self.tx(x).recv(),
                b.name(),
                self.tx(y).arg()
            )),
            FExpr::MulAdd(a, b, c) => o(format!(
                "{}.mul_add({}, {})",
                self.tx(a).recv(),
                self.tx(b).arg(),
                self.tx(c).arg()
            )),
            FExpr::Clamp(x, ClampBounds::Lit(lo, hi)) => o(format!(
                "{}.clamp({}, {})",
                self.tx(x).recv(),
                lit(*lo, true),
                lit(*hi, true)
            )),
            FExpr::Clamp(x, ClampBounds::Sym(c)) => {
                let (lo, hi) = match self.tx(c) {
                    T::C(s) => (format!("(-{s}.abs() - 0.5)"), format!("({s}.abs() + 0.5)")),
                    t => {
                        let r = t.recv();
                        (format!("(-{r}.abs() - 0.5)"), format!("({r}.abs() + 0.5)"))
                    }
                };
                o(format!("{}.clamp({lo}, {hi})", self.tx(x).recv()))
            }
            FExpr::Square(a) => {
                let a = self.tx(a).operand();
                o(format!("({a} * {a})"))
            }
            FExpr::Pos(p) => self.tpos(p),
            FExpr::If(c, a, b) => o(format!(
                "(if {} {{ {} }} else {{ {} }})",
                self.tcond(c, true),
                self.tx(a).owned(),
                self.tx(b).owned()
            )),
            FExpr::Block(stmts, tail) => {
                let mut s = String::from("{ ");
                for st in stmts {
                    let mut out = String::new();
                    self.tstmt(st, 0, &mut out);
                    s.push_str(&out.split_whitespace().collect::<Vec<_>>().join(" "));
                    s.push(' ');
                }
                s.push_str(&self.tx(tail).owned());
                s.push_str(" }");
                o(s)
            }
            FExpr::Call(h, args, _) => {
                let helper = &HELPERS[*h];
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::F(e) => self.tx(e).by_ref(),
                        Arg::I(i) => self.int(i),
                    })
                    .collect();
                o(format!(
                    "tape_helpers::{}({})",
                    helper.name,
                    args.join(", ")
                ))
            }
            FExpr::SliceCall(h, arrs, x) => {
                let mut args: Vec<String> = arrs.iter().map(|a| self.slice_arg(a, false)).collect();
                args.push(format!("&{}", self.tx(x).owned()));
                o(format!("{}_tape({})", self.helper(*h), args.join(", ")))
            }
            FExpr::Squash(kind, k, c, a) => o(format!(
                "(({} * {}).{}() * {})",
                self.tx(a).operand(),
                lit(*k, false),
                kind.name(),
                lit(*c, false)
            )),
        }
    }

    fn tpos(&self, p: &Pos) -> T {
        if p.constant() {
            return T::C(self.pos(p, true));
        }
        let o = |s: String| T::O(s);
        match p {
            Pos::SqPlus(e, c) => {
                let e = self.tx(e).operand();
                o(format!("({e} * {e} + {})", lit(*c, false)))
            }
            Pos::AbsPlus(e, c) => o(format!(
                "({}.abs() + {})",
                self.tx(e).recv(),
                lit(*c, false)
            )),
            Pos::Exp(e) => o(format!("{}.exp()", self.tx(e).recv())),
            Pos::Cosh(e) => o(format!("{}.cosh()", self.tx(e).recv())),
            Pos::SigPlus(e, c) => o(format!(
                "({}.sigmoid() + {})",
                self.tx(e).recv(),
                lit(*c, false)
            )),
            Pos::HypotC(e, c) => o(format!("{}.hypot({})", self.tx(e).recv(), lit(*c, true))),
            Pos::Lit(_) => unreachable!("constant"),
        }
    }

    fn tcond(&self, c: &Cond, top: bool) -> String {
        let s = match c {
            Cond::F(cmp, a, b) => {
                format!(
                    "({} {} {})",
                    self.tx(a).data(),
                    cmp.sym(),
                    self.tx(b).data()
                )
            }
            Cond::I(cmp, a, b) => format!("({} {} {})", self.int(a), cmp.sym(), self.int(b)),
            Cond::And(a, b) => format!("({} && {})", self.tcond(a, false), self.tcond(b, false)),
            Cond::Or(a, b) => format!("({} || {})", self.tcond(a, false), self.tcond(b, false)),
            Cond::Not(a) => return format!("!{}", self.tcond(a, false)),
            Cond::Bool(id) => return self.name(*id).to_string(),
            Cond::SignNeg(e) => return format!("{}.is_sign_negative()", self.tx(e).data()),
        };
        if top {
            s[1..s.len() - 1].to_string()
        } else {
            s
        }
    }

    fn tblock(&self, stmts: &[Stmt], indent: usize, out: &mut String) {
        for s in stmts {
            self.tstmt(s, indent, out);
        }
    }

    fn tstmt(&self, s: &Stmt, ind: usize, out: &mut String) {
        match s {
            Stmt::Let {
                id, mutable, init, ..
            } => Self::line(
                out,
                ind,
                &format!(
                    "{} {}: Value = {};",
                    Self::let_kw(*mutable),
                    self.name(*id),
                    self.tx(init).owned()
                ),
            ),
            Stmt::LetLater {
                id,
                mutable,
                cond,
                then,
                els,
            } => {
                Self::line(
                    out,
                    ind,
                    &format!("{} {}: Value;", Self::let_kw(*mutable), self.name(*id)),
                );
                Self::line(out, ind, &format!("if {} {{", self.tcond(cond, true)));
                self.tblock(then, ind + 1, out);
                Self::line(out, ind, "} else {");
                self.tblock(els, ind + 1, out);
                Self::line(out, ind, "}");
            }
            Stmt::LetInt { id, mutable, init } => Self::line(
                out,
                ind,
                &format!(
                    "{} {} = {};",
                    Self::let_kw(*mutable),
                    self.name(*id),
                    self.int(init)
                ),
            ),
            Stmt::IntAdd { id, by } => {
                Self::line(out, ind, &format!("{} += {by};", self.name(*id)))
            }
            Stmt::LetWild(e) => Self::line(out, ind, &format!("let _ = {};", self.tx(e).owned())),
            Stmt::Block(b) => {
                Self::line(out, ind, "{");
                self.tblock(b, ind + 1, out);
                Self::line(out, ind, "}");
            }
            Stmt::LetBool { id, cond } => Self::line(
                out,
                ind,
                &format!("let {} = {};", self.name(*id), self.tcond(cond, false)),
            ),
            Stmt::Assign { id, e } => Self::line(
                out,
                ind,
                &format!("{} = {};", self.name(*id), self.tx(e).owned()),
            ),
            Stmt::Compound { id, op, e } => {
                let n = self.name(*id);
                Self::line(
                    out,
                    ind,
                    &format!("{n} = (&{n} {} {});", op.sym(), self.tx(e).operand()),
                );
            }
            Stmt::DivAssign { id, den } => {
                let n = self.name(*id);
                Self::line(
                    out,
                    ind,
                    &format!("{n} = (&{n} / {});", self.tpos(den).operand()),
                );
            }
            Stmt::Array { id, fill, len, .. } => {
                let len = match len {
                    ArrLen::Fixed(n) => n.to_string(),
                    ArrLen::Vec(e) => self.int(e),
                };
                Self::line(
                    out,
                    ind,
                    &format!(
                        "let mut {}: Vec<Value> = vec![{}; {len}];",
                        self.name(*id),
                        self.tx(fill).owned()
                    ),
                );
            }
            Stmt::Store { arr, idx, e } => Self::line(
                out,
                ind,
                &format!(
                    "{}[{}] = {};",
                    self.name(*arr),
                    self.int(idx),
                    self.tx(e).owned()
                ),
            ),
            Stmt::CompoundStore { arr, idx, op, e } => {
                let place = format!("{}[{}]", self.name(*arr), self.int(idx));
                Self::line(
                    out,
                    ind,
                    &format!(
                        "{place} = (&{place} {} {});",
                        op.sym(),
                        self.tx(e).operand()
                    ),
                );
            }
            Stmt::If { cond, then, els } => {
                Self::line(out, ind, &format!("if {} {{", self.tcond(cond, true)));
                self.tels(then, els, ind, out);
            }
            Stmt::For { head, body } => {
                let h = match head {
                    Head::Range {
                        var,
                        start,
                        end,
                        inclusive,
                        mods,
                    } => {
                        let v = var.map_or("_", |id| self.name(id));
                        format!("{v} in {}", self.range(start, end, *inclusive, mods))
                    }
                    Head::Each { arr, elem, .. } => {
                        let e = elem.map_or("_", |id| self.name(id));
                        format!("{e} in {}.iter()", self.name(*arr))
                    }
                    Head::Enumerate { arr, idx, elem, .. } => {
                        let i = idx.map_or("_", |id| self.name(id));
                        format!(
                            "({i}, {}) in {}.iter().enumerate()",
                            self.name(*elem),
                            self.name(*arr)
                        )
                    }
                };
                Self::line(out, ind, &format!("for {h} {{"));
                self.tblock(body, ind + 1, out);
                Self::line(out, ind, "}");
            }
            Stmt::While {
                counter,
                limit,
                inclusive,
                extra,
                inc_first,
                body,
            } => {
                let c = self.name(*counter);
                Self::line(out, ind, &format!("let mut {c} = 0;"));
                let cmp = if *inclusive { "<=" } else { "<" };
                let extra = match extra {
                    Some(e) => format!(" && {}", self.tcond(e, false)),
                    None => String::new(),
                };
                Self::line(
                    out,
                    ind,
                    &format!("while {c} {cmp} {}{extra} {{", self.int(limit)),
                );
                if *inc_first {
                    Self::line(out, ind + 1, &format!("{c} += 1;"));
                }
                self.tblock(body, ind + 1, out);
                if !*inc_first {
                    Self::line(out, ind + 1, &format!("{c} += 1;"));
                }
                Self::line(out, ind, "}");
            }
            Stmt::Loop {
                counter,
                limit,
                inc_first,
                body,
            } => {
                let c = self.name(*counter);
                let l = self.int(limit);
                Self::line(out, ind, &format!("let mut {c} = 0;"));
                Self::line(out, ind, "loop {");
                if *inc_first {
                    Self::line(out, ind + 1, &format!("{c} += 1;"));
                    Self::line(out, ind + 1, &format!("if {c} > {l} {{"));
                    Self::line(out, ind + 2, "break;");
                    Self::line(out, ind + 1, "}");
                }
                self.tblock(body, ind + 1, out);
                if !*inc_first {
                    Self::line(out, ind + 1, &format!("{c} += 1;"));
                    Self::line(out, ind + 1, &format!("if {c} >= {l} {{"));
                    Self::line(out, ind + 2, "break;");
                    Self::line(out, ind + 1, "}");
                }
                Self::line(out, ind, "}");
            }
            Stmt::Break => Self::line(out, ind, "break;"),
            Stmt::Continue => Self::line(out, ind, "continue;"),
            Stmt::Return(e) => Self::line(out, ind, &format!("return {};", self.tx(e).owned())),
            // `&{x}`: the argument is computed before the `&mut` borrow, as in the plain call.
            Stmt::MutCall { helper, x, w, h } => {
                let l = format!(
                    "{}_tape(&{}, {}, {});",
                    self.helper(*helper),
                    self.tx(x).owned(),
                    self.slice_arg(w, false),
                    self.slice_arg(h, true)
                );
                Self::line(out, ind, &l);
            }
            Stmt::StepCall {
                helper,
                id,
                src,
                x,
                assign,
                fold,
            } => {
                let call = format!(
                    "{}_tape(&{}, &{})",
                    self.helper(*helper),
                    self.name(*src),
                    self.tx(x).owned()
                );
                let l = if *assign {
                    format!("{} = {call};", self.name(*id))
                } else {
                    format!("let mut {}: Vec<Value> = {call};", self.name(*id))
                };
                Self::line(out, ind, &l);
                if let Some((s, k)) = fold {
                    let (s, a) = (self.name(*s), self.name(*id));
                    Self::line(out, ind, &format!("{s} = (&{s} + &{a}[{k}]);"));
                }
            }
            Stmt::AccCall { helper, x, id } => {
                let l = format!(
                    "{}_tape(&{}, &mut {});",
                    self.helper(*helper),
                    self.tx(x).owned(),
                    self.name(*id)
                );
                Self::line(out, ind, &l);
            }
        }
    }

    fn tels(&self, then: &[Stmt], els: &Else, ind: usize, out: &mut String) {
        self.tblock(then, ind + 1, out);
        match els {
            Else::None => Self::line(out, ind, "}"),
            Else::Block(b) => {
                Self::line(out, ind, "} else {");
                self.tblock(b, ind + 1, out);
                Self::line(out, ind, "}");
            }
            Else::If(s) => {
                let Stmt::If { cond, then, els } = &**s else {
                    unreachable!("else-if holds an if")
                };
                Self::line(
                    out,
                    ind,
                    &format!("}} else if {} {{", self.tcond(cond, true)),
                );
                self.tels(then, els, ind, out);
            }
        }
    }
}

// ===== the program =============================================================================

/// Whether program `p` can be built with `#[differentiable(jvp, hessian)]`: it calls no
/// function without a twin on dual numbers, that is no `&mut` helper (`upd`, `acc`, whose
/// `&mut` parameters the wrappers do not take) and not `softplus` (a hand-written rule). Every
/// program returns a float and has only float, slice and integer parameters.
pub fn second_order_eligible(p: &Program) -> bool {
    let mut_helper = p
        .helpers
        .iter()
        .any(|g| g.used && matches!(g.kind, HelperKind::Upd | HelperKind::Acc));
    !mut_helper && !plain_source(p, false).contains("softplus")
}

/// The plain function (with its attribute, `jvp, hessian` when `second`), as the failure
/// report shows it.
pub fn plain_source(p: &Program, second: bool) -> String {
    let r = R {
        vars: &p.vars,
        prog: &p.name,
        helpers: &p.helpers,
    };
    let params: Vec<String> = p
        .params
        .iter()
        .map(|q| match q {
            Param::Scalar { id, mutable, .. } => {
                let m = if *mutable { "mut " } else { "" };
                format!("{m}{}: f64", r.name(*id))
            }
            Param::Slice { id } => format!("{}: &[f64]", r.name(*id)),
            Param::N { id } => format!("{}: usize", r.name(*id)),
        })
        .collect();
    let mut out = String::new();
    out.push_str(if second {
        "#[differentiable(jvp, hessian)]\n"
    } else {
        "#[differentiable]\n"
    });
    writeln!(out, "pub fn {}({}) -> f64 {{", p.name, params.join(", ")).expect("string");
    r.block(&p.body, 1, &mut out);
    if let Some(t) = &p.tail {
        R::line(&mut out, 1, &r.fx(t, false));
    }
    out.push_str("}\n");
    out
}

/// The tape twin: `fn name_tape(sc: &[Value], xs: &[Value], n: usize) -> Value`.
pub fn tape_source(p: &Program) -> String {
    let r = R {
        vars: &p.vars,
        prog: &p.name,
        helpers: &p.helpers,
    };
    let mut out = String::new();
    let xs = if p.params.iter().any(|q| matches!(q, Param::Slice { .. })) {
        "xs"
    } else {
        "_xs"
    };
    let n = if p.params.iter().any(|q| matches!(q, Param::N { .. })) {
        "n"
    } else {
        "_n"
    };
    writeln!(
        out,
        "pub fn {}_tape(sc: &[Value], {xs}: &[Value], {n}: usize) -> Value {{",
        p.name
    )
    .expect("string");
    for q in &p.params {
        if let Param::Scalar { id, index, mutable } = q {
            R::line(
                &mut out,
                1,
                &format!(
                    "{} {}: Value = sc[{index}].clone();",
                    R::let_kw(*mutable),
                    r.name(*id)
                ),
            );
        }
    }
    r.tblock(&p.body, 1, &mut out);
    if let Some(t) = &p.tail {
        R::line(&mut out, 1, &r.tx(t).owned());
    }
    out.push_str("}\n");
    out
}

fn f64_list(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|&x| lit(x, false)).collect();
    format!("&[{}]", items.join(", "))
}

/// The wrappers giving the plain function and the companion the table's packed signature
/// (named functions: a table of thousands of closures is slow to type-check), and with `second`
/// those of `_hvp` and `_jvp` (see `grad_fuzz::SecondOrder`).
pub fn wrappers(p: &Program, second: bool) -> String {
    // Arguments in parameter order, from the packed scalars `s`, the slice and `n`.
    let args: Vec<String> = p
        .params
        .iter()
        .map(|q| match q {
            Param::Scalar { index, .. } => format!("s[{index}]"),
            Param::Slice { .. } => "xs".to_string(),
            Param::N { .. } => "n".to_string(),
        })
        .collect();
    let args = args.join(", ");
    // The companion's tuple: the value, then one gradient per float parameter in order.
    let mut names = vec!["v".to_string()];
    let mut scalar_slots = vec![String::new(); p.scalars];
    let mut slice = false;
    for q in &p.params {
        match q {
            Param::Scalar { index, .. } => {
                let name = format!("d{index}");
                scalar_slots[*index] = name.clone();
                names.push(name);
            }
            Param::Slice { .. } => {
                slice = true;
                names.push("dxs".to_string());
            }
            Param::N { .. } => {}
        }
    }
    let extend = if slice {
        " g.extend_from_slice(&dxs);"
    } else {
        ""
    };
    let mut out = format!(
        "fn {name}_plain(s: &[f64], xs: &[f64], n: usize) -> f64 {{ {name}({args}) }}\n\
         fn {name}_compiled(s: &[f64], xs: &[f64], n: usize) -> (f64, Vec<f64>) {{ \
         let ({tuple}) = {name}_grad({args}); let mut g = vec![{slots}];{extend} (v, g) }}\n\
         fn {name}_unoptimized(s: &[f64], xs: &[f64], n: usize) -> (f64, Vec<f64>) {{ \
         let ({tuple}) = {name}_off::{name}_grad({args}); let mut g = vec![{slots}];{extend} \
         (v, g) }}\n",
        name = p.name,
        tuple = names.join(", "),
        slots = scalar_slots.join(", "),
    );
    if second {
        // The direction packed like the gradient: scalars first, then the slice.
        let dirs: Vec<String> = p
            .params
            .iter()
            .filter_map(|q| match q {
                Param::Scalar { index, .. } => Some(format!("v[{index}]")),
                Param::Slice { .. } => Some(format!("&v[{}..]", p.scalars)),
                Param::N { .. } => None,
            })
            .collect();
        let hv: Vec<String> = names[1..].iter().map(|d| format!("h{d}")).collect();
        let hv_slots: Vec<String> = scalar_slots.iter().map(|d| format!("h{d}")).collect();
        let hv_extend = if slice {
            " h.extend_from_slice(&hdxs);"
        } else {
            ""
        };
        writeln!(
            out,
            "fn {name}_hvp_packed(s: &[f64], xs: &[f64], n: usize, v: &[f64]) -> (f64, Vec<f64>, \
             Vec<f64>) {{ let ({tuple}, {hv}) = {name}_hvp({args}, {dirs}); \
             let mut g = vec![{slots}];{extend} let mut h = vec![{hv_slots}];{hv_extend} \
             (v, g, h) }}\n\
             fn {name}_jvp_packed(s: &[f64], xs: &[f64], n: usize, v: &[f64]) -> (f64, f64) {{ \
             {name}_jvp({args}, {dirs}) }}",
            name = p.name,
            tuple = names.join(", "),
            hv = hv.join(", "),
            dirs = dirs.join(", "),
            slots = scalar_slots.join(", "),
            hv_slots = hv_slots.join(", "),
        )
        .expect("string");
    }
    out
}

/// The optimizing passes of `#[differentiable]`, each turned off in turn (program `k` turns off
/// pass `k % 12`, or all of them when that is 11).
const PASSES: [&str; 11] = [
    "fold",
    "cse",
    "prune",
    "recompute",
    "fuse",
    "freeze",
    "skip",
    "sincos",
    "reserve",
    "window",
    "promote",
];

/// The passes program `index` turns off in its second build.
pub fn disabled_passes(index: usize) -> String {
    PASSES
        .get(index % (PASSES.len() + 1))
        .map_or_else(|| PASSES.join(", "), |p| p.to_string())
}

/// The segment size of program `index`'s second build: 1 to 4 IR steps, so its code is cut
/// into as many segments as it can be (large functions are, at the default size).
pub fn segment_size(index: usize) -> usize {
    1 + index % 4
}

/// The same function built with some optimizing passes off and its code in small segments,
/// in a module of its own.
pub fn unoptimized_source(p: &Program, index: usize) -> String {
    let plain = plain_source(p, false);
    let body = plain.strip_prefix("#[differentiable]\n").unwrap_or(&plain);
    format!(
        "mod {name}_off {{\nuse super::*;\n#[differentiable(disable({off}), segment({seg}))]\n{body}}}\n",
        name = p.name,
        off = disabled_passes(index),
        seg = segment_size(index),
    )
}

/// The program's entry in the table.
pub fn table_entry(p: &Program, index: usize, second: bool) -> String {
    let points: Vec<String> = p
        .points
        .iter()
        .map(|pt| {
            format!(
                "Point {{ s: {}, xs: {}, n: {} }}",
                f64_list(&pt.s),
                f64_list(&pt.xs),
                pt.n
            )
        })
        .collect();
    format!(
        "Program {{ name: \"{name}\", index: {index}, source: SOURCE_{name}, \
         scalars: {scalars}, plain: {name}_plain, compiled: {name}_compiled, \
         unoptimized: Some({name}_unoptimized), disabled: \"{off}\", \
         tape: {name}_tape, points: &[{points}], second: {second} }}",
        second = if second {
            format!(
                "Some(grad_fuzz::SecondOrder {{ hvp: {name}_hvp_packed, jvp: {name}_jvp_packed }})",
                name = p.name
            )
        } else {
            "None".to_string()
        },
        off = disabled_passes(index),
        name = p.name,
        scalars = p.scalars,
        points = points.join(", "),
    )
}

// ===== the generated helpers ===================================================================

/// The program's helpers as `#[differentiable]` functions (shown with the program on failure);
/// with `second`, `jvp, hessian` (on a helper returning an array, `hessian` generates the twins
/// callers with `hessian` need, and no wrappers).
pub fn helpers_source(p: &Program, second: bool) -> String {
    let mut out = String::new();
    for g in p.helpers.iter().filter(|g| g.used) {
        let name = format!("{}_{}", p.name, g.kind.suffix());
        let (c0, c1, c2, c3) = (
            lit(g.c0, false),
            lit(g.c1, false),
            lit(g.c2, false),
            lit(g.c3, false),
        );
        let op = g.op.name();
        out.push_str(match (second, g.kind) {
            (false, _) => "#[differentiable]\n",
            (true, _) => "#[differentiable(jvp, hessian)]\n",
        });
        match g.kind {
            HelperKind::Sum => writeln!(
                out,
                "pub fn {name}(a: &[f64], x: f64) -> f64 {{\n    let mut s = x * {c0};\n    \
                 for i in 0..a.len() {{\n        s += (a[i] * {c1} + s * {c2}).{op}() * {c3};\n    \
                 }}\n    s\n}}"
            ),
            HelperKind::Dot => writeln!(
                out,
                "pub fn {name}(a: &[f64], b: &[f64], x: f64) -> f64 {{\n    let mut s = x * {c0};\n    \
                 for i in 0..a.len() {{\n        if i < b.len() {{\n            \
                 s += (a[i] * b[i] * {c1} + x * {c2}).{op}() * {c3};\n        }}\n    }}\n    s\n}}"
            ),
            HelperKind::Upd => writeln!(
                out,
                "pub fn {name}(x: f64, w: &[f64], h: &mut [f64]) {{\n    \
                 for i in 0..h.len() {{\n        \
                 let wi = if i < w.len() {{ w[i] }} else {{ {c0} }};\n        \
                 h[i] = (wi * h[i] * {c1} + x * {c2}).{op}() * {c3};\n    }}\n}}"
            ),
            HelperKind::Step { n, lit: false } => writeln!(
                out,
                "pub fn {name}(s: [f64; {n}], t: f64) -> [f64; {n}] {{\n    \
                 let mut out = [0.0; {n}];\n    for i in 0..{n} {{\n        \
                 out[i] = s[i] * {c0} + (s[(i + 1) % {n}] * {c1} + t * {c2}).{op}() * {c3};\n    \
                 }}\n    out\n}}"
            ),
            HelperKind::Step { n, lit: true } => {
                let items: Vec<String> = (0..n)
                    .map(|i| {
                        format!(
                            "s[{i}] * {c0} + (s[{}] * {c1} + t * {c2}).{op}() * {c3}",
                            (i + 1) % n
                        )
                    })
                    .collect();
                writeln!(
                    out,
                    "pub fn {name}(s: [f64; {n}], t: f64) -> [f64; {n}] {{\n    [\n        {},\n    ]\n}}",
                    items.join(",\n        ")
                )
            }
            HelperKind::Acc => writeln!(
                out,
                "pub fn {name}(x: f64, a: &mut f64) {{\n    *a += (x * {c2}).{op}() * {c3};\n    \
                 *a *= {c0};\n}}"
            ),
        }
        .expect("string");
    }
    out
}

/// The helpers' tape twins (`{name}_tape`), operation for operation.
pub fn helpers_tape_source(p: &Program) -> String {
    let mut out = String::new();
    for g in p.helpers.iter().filter(|g| g.used) {
        let name = format!("{}_{}_tape", p.name, g.kind.suffix());
        let (c0, c1, c2, c3) = (
            lit(g.c0, false),
            lit(g.c1, false),
            lit(g.c2, false),
            lit(g.c3, false),
        );
        let op = g.op.name();
        match g.kind {
            HelperKind::Sum => writeln!(
                out,
                "pub fn {name}(a: &[Value], x: &Value) -> Value {{ let mut s: Value = x * {c0}; \
                 for i in 0..a.len() {{ s = &s + (&a[i] * {c1} + &s * {c2}).{op}() * {c3}; }} s }}"
            ),
            HelperKind::Dot => writeln!(
                out,
                "pub fn {name}(a: &[Value], b: &[Value], x: &Value) -> Value {{ \
                 let mut s: Value = x * {c0}; for i in 0..a.len() {{ if i < b.len() {{ \
                 s = &s + (&a[i] * &b[i] * {c1} + x * {c2}).{op}() * {c3}; }} }} s }}"
            ),
            HelperKind::Upd => writeln!(
                out,
                "pub fn {name}(x: &Value, w: &[Value], h: &mut [Value]) {{ \
                 for i in 0..h.len() {{ \
                 let wi: Value = if i < w.len() {{ w[i].clone() }} else {{ Value::new({c0}) }}; \
                 h[i] = (&wi * &h[i] * {c1} + x * {c2}).{op}() * {c3}; }} }}"
            ),
            HelperKind::Step { n, .. } => writeln!(
                out,
                "pub fn {name}(s: &[Value], t: &Value) -> Vec<Value> {{ \
                 let mut out: Vec<Value> = vec![Value::new(0.0); {n}]; for i in 0..{n} {{ \
                 out[i] = &s[i] * {c0} + (&s[(i + 1) % {n}] * {c1} + t * {c2}).{op}() * {c3}; }} \
                 out }}"
            ),
            HelperKind::Acc => writeln!(
                out,
                "pub fn {name}(x: &Value, a: &mut Value) {{ *a = &*a + (x * {c2}).{op}() * {c3}; \
                 *a = &*a * {c0}; }}"
            ),
        }
        .expect("string");
    }
    out
}
