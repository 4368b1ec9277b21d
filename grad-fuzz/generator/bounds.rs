//! Keeping values in range: an abstract interpretation over magnitudes.
//!
//! Every float binding gets an upper bound on its magnitude, flow-sensitively (an assignment
//! replaces the bound, a branch joins both sides, a loop is iterated as many times as its static
//! trip bound, with `break`/`continue` states joined where they go). Where a bound would exceed a
//! limit, the subexpression is wrapped in a [`Squash`] `((e * k).f() * c)`, whose magnitude is
//! at most `c` whatever `e` is; compound assignments that would grow too much become
//! `x = squash(x op e)`. Arguments with a narrow safe range (`exp`, `tan`, `powi`, ...) are
//! limited the same way. Since a squash's bound does not depend on its operand, rewriting
//! converges; a loop is re-analysed until no rewrite happens inside it.
//!
//! The result: every value stays below [`VAR_LIMIT`] (intermediates below [`EXPR_LIMIT`]), so
//! nothing overflows and finite differences stay meaningful.

use super::ast::*;
use super::rng::Rng;
use std::collections::HashMap;

/// The largest magnitude a variable, array element, argument of a call or result may have.
pub const VAR_LIMIT: f64 = 1e3;
/// The largest magnitude an intermediate value may have.
pub const EXPR_LIMIT: f64 = 1e4;
/// Magnitude of the inputs (points are drawn from `[-2, 2]`).
pub const INPUT: f64 = 2.0;

#[derive(Clone)]
struct Env {
    live: bool,
    b: HashMap<Id, f64>,
}

impl Env {
    fn dead() -> Env {
        Env {
            live: false,
            b: HashMap::new(),
        }
    }

    fn get(&self, id: Id) -> f64 {
        self.b.get(&id).copied().unwrap_or(INPUT)
    }

    fn join(&self, other: &Env) -> Env {
        if !self.live {
            return other.clone();
        }
        if !other.live {
            return self.clone();
        }
        let mut b = self.b.clone();
        for (&k, &v) in &other.b {
            let e = b.entry(k).or_insert(v);
            *e = e.max(v);
        }
        Env { live: true, b }
    }
}

struct LoopAcc {
    brk: Env,
    cont: Env,
}

pub struct Fixer<'a> {
    rng: &'a mut Rng,
    vars: &'a [VarInfo],
    helpers: &'a [GenHelper],
    loops: Vec<LoopAcc>,
    rewrites: usize,
}

/// Rewrites `p` so that every value stays in range.
pub fn fix(p: &mut Program, rng: &mut Rng) {
    let mut env = Env {
        live: true,
        b: HashMap::new(),
    };
    let vars = p.vars.clone();
    let helpers = p.helpers.clone();
    let mut f = Fixer {
        rng,
        vars: &vars,
        helpers: &helpers,
        loops: Vec::new(),
        rewrites: 0,
    };
    f.stmts(&mut p.body, &mut env);
    if let Some(t) = &mut p.tail {
        if env.live {
            f.expr(t, &env, VAR_LIMIT);
        }
    }
}

/// `x` rounded to two significant digits (for readable constants).
fn nice(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.abs().log10().floor();
    let scale = 10f64.powf(e - 1.0);
    let r = (x / scale).round() * scale;
    // Printing through `{:?}` gives the shortest round-trip form; re-parse to drop noise.
    format!("{r:.*}", (1.0 - e).max(0.0) as usize)
        .parse()
        .unwrap_or(r)
}

/// `x > 0` rounded down to two significant digits (so a squash stays under its limit).
fn nice_down(x: f64) -> f64 {
    let mut r = nice(x);
    while r > x {
        r = nice(r - 10f64.powf(x.log10().floor() - 1.0));
    }
    r
}

fn combine(op: Op, a: f64, b: f64) -> f64 {
    match op {
        Op::Add | Op::Sub => a + b,
        Op::Mul => a * b,
    }
}

impl Fixer<'_> {
    fn int_max(&self, e: &IExpr) -> usize {
        match e {
            IExpr::Lit(c) => *c,
            IExpr::Var(id) => match self.vars[*id].kind {
                Kind::Int { max } => max,
                _ => unreachable!("not an int"),
            },
            IExpr::Len(a) => match self.vars[*a].kind {
                Kind::Array { max_len, .. } => max_len,
                _ => unreachable!("not an array"),
            },
            IExpr::Add(a, b) => self.int_max(a) + self.int_max(b),
            IExpr::Mul(a, b) => self.int_max(a) * self.int_max(b),
            IExpr::Rem(a, m) => self.int_max(a).min(self.int_max(m).saturating_sub(1)),
            IExpr::SubOne(a) => self.int_max(a).saturating_sub(1),
        }
    }

    /// Wraps `e` (whose bound `est` exceeds `limit`) in a squash; returns the new bound.
    fn squash(&mut self, e: &mut FExpr, est: f64, limit: f64) -> f64 {
        self.rewrites += 1;
        let kind = [Squash::Tanh, Squash::Sin, Squash::Atan, Squash::Sigmoid]
            [self.rng.weighted(&[5, 3, 2, 1])];
        let est = if est.is_finite() { est.min(1e12) } else { 1e12 };
        // The bound is pessimistic (actual values are usually far smaller), so scaling by its
        // inverse would flatten the value and its gradient: mostly an O(1) scale instead (the
        // output is bounded whatever the input).
        let k = if self.rng.chance(0.05) {
            nice(1.0 / est)
        } else {
            self.rng.pick(&[1.0, 0.5, 0.3, 0.2])
        };
        let c = nice_down(
            self.rng
                .pick(&[1.0f64, 2.0, 3.0, 0.5])
                .min(limit / kind.max()),
        );
        let inner = std::mem::replace(e, FExpr::Lit(0.0));
        *e = FExpr::Squash(kind, k, c, Box::new(inner));
        c * kind.max()
    }

    /// Fixes `e` in place so that its magnitude is at most `limit`; returns its bound.
    fn expr(&mut self, e: &mut FExpr, env: &Env, limit: f64) -> f64 {
        let b = match e {
            FExpr::Lit(v) => v.abs(),
            FExpr::Const(i) => CONSTS[*i].1.abs(),
            FExpr::UserConstBare(k) => USER_CONSTS[*k].1.abs(),
            FExpr::FromInt(i) => self.int_max(i) as f64,
            FExpr::UserConst(k, op, inner) => {
                let bi = self.expr(inner, env, EXPR_LIMIT);
                combine(*op, USER_CONSTS[*k].1.abs(), bi)
            }
            FExpr::Var(id) => env.get(*id),
            FExpr::Elem(a, _) => env.get(*a),
            FExpr::Cast(i) => self.int_max(i) as f64,
            FExpr::Bin(op, a, b) => {
                let ba = self.expr(a, env, EXPR_LIMIT);
                let bb = self.expr(b, env, EXPR_LIMIT);
                combine(*op, ba, bb)
            }
            FExpr::Div(a, d) => {
                let ba = self.expr(a, env, EXPR_LIMIT);
                let (lo, _) = self.pos(d, env, EXPR_LIMIT);
                ba / lo
            }
            FExpr::Un(u, a) => {
                let ba = self.expr(a, env, EXPR_LIMIT);
                match u {
                    Un::Sin | Un::Cos | Un::Tanh | Un::Sigmoid | Un::Signum => 1.0,
                    Un::Atan => std::f64::consts::FRAC_PI_2,
                    Un::Asinh => ba.asinh(),
                    Un::Neg | Un::Relu | Un::Abs => ba,
                    Un::Floor | Un::Ceil | Un::Round | Un::Trunc => ba + 1.0,
                }
            }
            FExpr::Lim(l, a) => {
                let ba = self.expr(a, env, l.limit());
                match l {
                    Lim::Exp | Lim::ExpM1 => ba.exp(),
                    Lim::Exp2 => ba.exp2(),
                    Lim::Sinh | Lim::Cosh => ba.cosh(),
                    Lim::Tan => ba.tan(),
                }
            }
            FExpr::OnPos(f, p) => {
                let (lo, hi) = self.pos(p, env, EXPR_LIMIT);
                match f {
                    OnPos::Ln => lo.ln().abs().max(hi.ln().abs()),
                    OnPos::Log2 => lo.log2().abs().max(hi.log2().abs()),
                    OnPos::Log10 => lo.log10().abs().max(hi.log10().abs()),
                    OnPos::Sqrt => hi.sqrt(),
                    OnPos::Ln1p => hi.ln_1p(),
                    OnPos::Recip => 1.0 / lo,
                    OnPos::Cbrt => hi.cbrt(),
                }
            }
            FExpr::Unit(u, a) => {
                self.expr(a, env, EXPR_LIMIT);
                match u {
                    Unit::Asin => 0.9f64.asin(),
                    Unit::Acos => std::f64::consts::PI,
                    Unit::Atanh => 0.9f64.atanh(),
                }
            }
            FExpr::Acosh(p) => {
                let (_, hi) = self.pos(p, env, EXPR_LIMIT);
                (hi + 1.25).acosh()
            }
            FExpr::FCast(a) => self.expr(a, env, limit),
            FExpr::IfExit(c, x, a) => {
                self.cond(c, env);
                match x {
                    Exit::Return(r) => {
                        self.expr(r, env, VAR_LIMIT);
                    }
                    Exit::Break => {
                        let acc = self.loops.last_mut().expect("break in a loop");
                        acc.brk = acc.brk.join(env);
                    }
                    Exit::Continue => {
                        let acc = self.loops.last_mut().expect("continue in a loop");
                        acc.cont = acc.cont.join(env);
                    }
                }
                self.expr(a, env, limit)
            }
            FExpr::Log(x, base) => {
                let (xlo, xhi) = self.pos(x, env, EXPR_LIMIT);
                let (blo, bhi) = self.pos(base, env, EXPR_LIMIT);
                let lnx = xlo.ln().abs().max(xhi.ln().abs());
                let lnb = blo.ln().abs().min(bhi.ln().abs());
                lnx / lnb
            }
            FExpr::Powf(base, y) => {
                let (lo, hi) = self.pos(base, env, 10.0);
                let by = self.expr(y, env, 2.0);
                hi.max(1.0 / lo).max(1.0).powf(by)
            }
            FExpr::Powi(a, k) => {
                let lim = if *k <= 1 {
                    EXPR_LIMIT
                } else {
                    VAR_LIMIT.powf(1.0 / f64::from(*k))
                };
                let ba = self.expr(a, env, lim);
                if *k == 0 {
                    1.0
                } else {
                    ba.powi(*k)
                }
            }
            FExpr::PowiVar(a, k) => {
                let max = self.int_max(k).max(1) as i32;
                let ba = self.expr(a, env, VAR_LIMIT.powf(1.0 / f64::from(max)));
                ba.max(1.0).powi(max)
            }
            FExpr::PowiPos(p, k) => {
                let (lo, _) = self.pos(p, env, EXPR_LIMIT);
                (1.0 / lo).max(1.0).powi(-*k)
            }
            FExpr::Bi(bi, x, y) => {
                let bx = self.expr(x, env, EXPR_LIMIT);
                let by = self.expr(y, env, EXPR_LIMIT);
                match bi {
                    Bi::Hypot => bx + by,
                    Bi::Atan2 => std::f64::consts::PI,
                    Bi::Max | Bi::Min => bx.max(by),
                }
            }
            FExpr::MulAdd(a, b, c) => {
                let ba = self.expr(a, env, EXPR_LIMIT);
                let bb = self.expr(b, env, EXPR_LIMIT);
                let bc = self.expr(c, env, EXPR_LIMIT);
                ba * bb + bc
            }
            FExpr::Clamp(x, bounds) => {
                self.expr(x, env, EXPR_LIMIT);
                match bounds {
                    ClampBounds::Lit(lo, hi) => lo.abs().max(hi.abs()),
                    ClampBounds::Sym(c) => self.expr(c, env, EXPR_LIMIT) + 0.5,
                }
            }
            FExpr::Square(a) => {
                let ba = self.expr(a, env, EXPR_LIMIT.sqrt());
                ba * ba
            }
            FExpr::Pos(p) => self.pos(p, env, EXPR_LIMIT).1,
            FExpr::If(c, a, b) => {
                self.cond(c, env);
                let ba = self.expr(a, env, limit);
                let bb = self.expr(b, env, limit);
                ba.max(bb)
            }
            FExpr::Block(stmts, tail) => {
                let mut inner = env.clone();
                self.stmts(stmts, &mut inner);
                self.expr(tail, &inner, limit)
            }
            FExpr::Call(h, args, _) => {
                let helper = &HELPERS[*h];
                let mut bounds = Vec::new();
                for (a, spec) in args.iter_mut().zip(helper.args) {
                    if let (Arg::F(e), HelperArg::F(lim)) = (a, *spec) {
                        bounds.push(self.expr(e, env, lim.min(VAR_LIMIT)));
                    }
                }
                (helper.bound)(&bounds)
            }
            FExpr::SliceCall(h, arrs, x) => {
                // `x * c0` plus at most one bounded term per element of the first array.
                let g = &self.helpers[*h];
                let bx = self.expr(x, env, VAR_LIMIT);
                let len = match self.vars[arrs[0].arr].kind {
                    Kind::Array { max_len, .. } => max_len,
                    _ => unreachable!("not an array"),
                };
                bx * g.c0 + len as f64 * g.c3 * g.op.max()
            }
            FExpr::Squash(kind, _, c, a) => {
                // Bounded whatever `a` is; limiting `a` itself would wrap it again and again.
                self.expr(a, env, f64::INFINITY);
                *c * kind.max()
            }
        };
        if b > limit || !b.is_finite() {
            self.squash(e, b, limit)
        } else {
            b
        }
    }

    /// Fixes a positive form so that it is at most about `limit`; returns `(lower, upper)`.
    fn pos(&mut self, p: &mut Pos, env: &Env, limit: f64) -> (f64, f64) {
        match p {
            Pos::SqPlus(e, c) => {
                let b = self.expr(e, env, limit.sqrt());
                (*c, b * b + *c)
            }
            Pos::AbsPlus(e, c) => {
                let b = self.expr(e, env, limit);
                (*c, b + *c)
            }
            Pos::Exp(e) => {
                let b = self.expr(e, env, 3.0f64.min(limit.ln()));
                ((-b).exp(), b.exp())
            }
            Pos::Cosh(e) => {
                let b = self.expr(e, env, 3.0);
                (1.0, b.cosh())
            }
            Pos::SigPlus(e, c) => {
                self.expr(e, env, EXPR_LIMIT);
                (*c, 1.0 + *c)
            }
            Pos::HypotC(e, c) => {
                let b = self.expr(e, env, limit);
                (*c, b + *c)
            }
            Pos::Lit(c) => (*c, *c),
        }
    }

    fn cond(&mut self, c: &mut Cond, env: &Env) {
        match c {
            Cond::F(_, a, b) => {
                self.expr(a, env, EXPR_LIMIT);
                self.expr(b, env, EXPR_LIMIT);
            }
            Cond::I(..) | Cond::Bool(_) => {}
            Cond::And(a, b) | Cond::Or(a, b) => {
                self.cond(a, env);
                self.cond(b, env);
            }
            Cond::Not(a) => self.cond(a, env),
            Cond::SignNeg(e) => {
                self.expr(e, env, EXPR_LIMIT);
            }
        }
    }

    fn stmts(&mut self, stmts: &mut [Stmt], env: &mut Env) {
        for s in stmts {
            if !env.live {
                return;
            }
            self.stmt(s, env);
        }
    }

    fn stmt(&mut self, s: &mut Stmt, env: &mut Env) {
        match s {
            Stmt::Let { id, init, .. } => {
                let b = self.expr(init, env, VAR_LIMIT);
                env.b.insert(*id, b);
            }
            Stmt::LetLater {
                cond, then, els, ..
            } => {
                self.cond(cond, env);
                let mut t = env.clone();
                self.stmts(then, &mut t);
                let mut e = env.clone();
                self.stmts(els, &mut e);
                *env = t.join(&e);
            }
            Stmt::LetInt { .. } | Stmt::IntAdd { .. } => {}
            Stmt::LetWild(e) => {
                self.expr(e, env, VAR_LIMIT);
            }
            Stmt::Block(b) => self.stmts(b, env),
            Stmt::LetBool { cond, .. } => self.cond(cond, env),
            Stmt::Assign { id, e } => {
                let b = self.expr(e, env, VAR_LIMIT);
                env.b.insert(*id, b);
            }
            Stmt::Compound { id, op, e } => {
                let be = self.expr(e, env, EXPR_LIMIT);
                let new = combine(*op, env.get(*id), be);
                if new > VAR_LIMIT {
                    let rhs = std::mem::replace(e, FExpr::Lit(0.0));
                    let mut whole = FExpr::Bin(*op, Box::new(FExpr::Var(*id)), Box::new(rhs));
                    let b = self.squash(&mut whole, new, VAR_LIMIT);
                    *s = Stmt::Assign { id: *id, e: whole };
                    if let Stmt::Assign { id, .. } = s {
                        env.b.insert(*id, b);
                    }
                } else {
                    env.b.insert(*id, new);
                }
            }
            Stmt::DivAssign { id, den } => {
                let (lo, _) = self.pos(den, env, EXPR_LIMIT);
                let new = env.get(*id) / lo;
                if new > VAR_LIMIT {
                    let den = std::mem::replace(den, Pos::Lit(1.0));
                    let mut whole = FExpr::Div(Box::new(FExpr::Var(*id)), den);
                    let b = self.squash(&mut whole, new, VAR_LIMIT);
                    let id = *id;
                    *s = Stmt::Assign { id, e: whole };
                    env.b.insert(id, b);
                } else {
                    env.b.insert(*id, new);
                }
            }
            Stmt::Array { id, fill, .. } => {
                let b = self.expr(fill, env, VAR_LIMIT);
                env.b.insert(*id, b);
            }
            Stmt::Store { arr, e, .. } => {
                let b = self.expr(e, env, VAR_LIMIT);
                let old = env.get(*arr);
                env.b.insert(*arr, old.max(b));
            }
            Stmt::CompoundStore { arr, idx, op, e } => {
                let be = self.expr(e, env, EXPR_LIMIT);
                let old = env.get(*arr);
                let new = combine(*op, old, be);
                if new > VAR_LIMIT {
                    let rhs = std::mem::replace(e, FExpr::Lit(0.0));
                    let mut whole =
                        FExpr::Bin(*op, Box::new(FExpr::Elem(*arr, idx.clone())), Box::new(rhs));
                    let b = self.squash(&mut whole, new, VAR_LIMIT);
                    let (arr, idx) = (*arr, idx.clone());
                    *s = Stmt::Store { arr, idx, e: whole };
                    env.b.insert(arr, old.max(b));
                } else {
                    env.b.insert(*arr, old.max(new));
                }
            }
            Stmt::If { cond, then, els } => {
                self.cond(cond, env);
                let mut t = env.clone();
                self.stmts(then, &mut t);
                let mut e = env.clone();
                match els {
                    Else::None => {}
                    Else::Block(b) => self.stmts(b, &mut e),
                    Else::If(s) => self.stmt(s, &mut e),
                }
                *env = t.join(&e);
            }
            Stmt::For { head, body } => {
                let trips = match head {
                    Head::Range {
                        end,
                        inclusive,
                        mods,
                        ..
                    } => {
                        let len = self.int_max(end) + usize::from(*inclusive);
                        match mods.iter().find_map(|m| match m {
                            RangeMod::Step(k) => Some(*k),
                            RangeMod::Rev => None,
                        }) {
                            Some(k) => len.div_ceil(k),
                            None => len,
                        }
                    }
                    Head::Each { arr, .. } | Head::Enumerate { arr, .. } => {
                        match self.vars[*arr].kind {
                            Kind::Array { max_len, .. } => max_len,
                            _ => unreachable!(),
                        }
                    }
                };
                // Loop elements of arrays: the array's bound.
                let elem = match head {
                    Head::Each {
                        arr, elem: Some(e), ..
                    }
                    | Head::Enumerate { arr, elem: e, .. } => Some((*e, *arr)),
                    _ => None,
                };
                self.run_loop(body, env, trips, None, elem);
            }
            Stmt::While {
                limit,
                inclusive,
                extra,
                body,
                ..
            } => {
                let trips = self.int_max(limit) + usize::from(*inclusive);
                self.run_loop(body, env, trips, extra.as_mut(), None);
            }
            Stmt::Loop {
                limit,
                inc_first,
                body,
                ..
            } => {
                let l = self.int_max(limit);
                let trips = if *inc_first { l } else { l.max(1) };
                self.run_loop(body, env, trips, None, None);
            }
            Stmt::Break => {
                let acc = self.loops.last_mut().expect("break in a loop");
                acc.brk = acc.brk.join(env);
                env.live = false;
            }
            Stmt::Continue => {
                let acc = self.loops.last_mut().expect("continue in a loop");
                acc.cont = acc.cont.join(env);
                env.live = false;
            }
            Stmt::Return(e) => {
                self.expr(e, env, VAR_LIMIT);
                env.live = false;
            }
            Stmt::MutCall { helper, x, h, .. } => {
                // Every element written is `op(..) * c3`; the others keep their bound.
                self.expr(x, env, VAR_LIMIT);
                let g = &self.helpers[*helper];
                let new = env.get(h.arr).max(g.c3 * g.op.max());
                env.b.insert(h.arr, new);
            }
            Stmt::StepCall {
                helper, id, src, x, ..
            } => {
                self.expr(x, env, VAR_LIMIT);
                let g = &self.helpers[*helper];
                let new = env.get(*src) * g.c0 + g.c3 * g.op.max();
                env.b.insert(*id, new);
            }
            Stmt::AccCall { helper, x, id } => {
                self.expr(x, env, VAR_LIMIT);
                let g = &self.helpers[*helper];
                let new = (env.get(*id) + g.c3 * g.op.max()) * g.c0;
                env.b.insert(*id, new);
            }
        }
    }

    /// Iterates the body `trips` times (at least once, so that everything is fixed), joining the
    /// states where the loop can exit; repeats until no rewrite happens.
    fn run_loop(
        &mut self,
        body: &mut [Stmt],
        env: &mut Env,
        trips: usize,
        mut cond: Option<&mut Cond>,
        elem: Option<(Id, Id)>,
    ) {
        for _round in 0..8 {
            let before = self.rewrites;
            self.loops.push(LoopAcc {
                brk: Env::dead(),
                cont: Env::dead(),
            });
            let mut exit = env.clone();
            let mut cur = env.clone();
            for _ in 0..trips.max(1) {
                if let Some(c) = cond.as_deref_mut() {
                    self.cond(c, &cur);
                }
                if let Some((e, arr)) = elem {
                    let b = cur.get(arr);
                    cur.b.insert(e, b);
                }
                self.stmts(body, &mut cur);
                let acc = self.loops.last_mut().expect("loop");
                cur = cur.join(&acc.cont);
                acc.cont = Env::dead();
                exit = exit.join(&cur);
                if !cur.live {
                    break;
                }
            }
            let acc = self.loops.pop().expect("loop");
            exit = exit.join(&acc.brk);
            if self.rewrites == before {
                *env = exit;
                return;
            }
        }
        panic!("bounds: a loop did not settle after 8 rounds");
    }
}
