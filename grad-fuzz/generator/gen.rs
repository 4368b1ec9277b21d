//! Building one random program: scopes, in-bounds indices, loop contexts, exits.
//!
//! Validity is by construction: a name is only used where it is visible (ids, not names, are
//! tracked through shadowing), an array is only indexed with an index known to be in bounds (a
//! loop over its length, a guard `i < a.len()`, a literal or `% len` for arrays that cannot be
//! empty), an array is never written while a loop iterates over it, `continue` never skips the
//! counter of a `while`/`loop`, and every loop has a small static trip bound.

use super::ast::*;
use super::rng::Rng;
use std::collections::{HashMap, HashSet};

#[derive(Default)]
struct Frame {
    names: Vec<(String, Id)>,
    /// `(i, a)`: the integer `i` is a valid index of array `a` here.
    valid: Vec<(Id, Id)>,
    /// Arrays known to be non-empty here.
    nonempty: Vec<Id>,
    /// Arrays a loop iterates over (not writable here).
    borrowed: Vec<Id>,
    /// A statement of this block holds a `return`/`break`/`continue`.
    exited: bool,
}

struct LoopInfo {
    has_continue: bool,
}

pub struct Gen {
    rng: Rng,
    vars: Vec<VarInfo>,
    frames: Vec<Frame>,
    loops: Vec<LoopInfo>,
    budget: i32,
    fresh: HashMap<&'static str, usize>,
    /// Names never shadowed (loop counters, the slice and integer parameters).
    protected: HashSet<String>,
    xs: Option<Id>,
    n: Option<Id>,
    arrays: usize,
    /// Floats and arrays that (probably) depend on the inputs: leaves prefer them, so that
    /// most expressions carry a derivative. Approximate and monotone.
    active: HashSet<Id>,
    /// Mutable integer locals (changed by `k += c`): never loop bounds, never known indices.
    mut_ints: HashSet<Id>,
    /// Which exits an expression generated now may contain (`(if c { return r; } else
    /// { e })`); back to `None` after the first one (one per statement) unless `known_bugs`.
    exits: ExitsOk,
    /// Constructs the macro is known to get wrong, to generate anyway (`GRAD_FUZZ_KNOWN_BUGS`).
    known_bugs: KnownBugs,
    /// The helpers generated with this program (see [`GenHelper`]).
    helpers: Vec<GenHelper>,
    /// Exits generated so far (to tell which statements hold one).
    exit_count: usize,
    /// Depth of `loop` bodies (which start with a conditional `break`).
    plain_loops: usize,
    /// Local arrays declared outside the body's leading region (in a nested block, or after
    /// an exit): never passed to a call unless `known_bugs.nested`.
    nested: HashSet<Id>,
    /// Names of floats bound straight to a call's result (see `call_name`).
    call_names: HashSet<String>,
}

/// Exits allowed inside the expression being generated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExitsOk {
    None,
    /// `return` only (an assignment: the assigned value must not be used after a `break`).
    Return,
    /// `return`, and `break`/`continue` inside a loop.
    All,
}

/// Facts a condition establishes when it is true.
enum Fact {
    Valid(Id, Id),
    NonEmpty(Id),
}

/// Generates program `index` of `seed`.
///
/// An exit inside an expression (`x + if c { return r; } else { e }`) is only generated where the
/// rest of its statement cannot observe it (the initializer of a `let`, the right side of an
/// assignment, one per statement), unless `known_bugs.exits`: the macro lets the rest of the
/// statement run after the exit (see the README).
pub fn program(seed: u64, index: usize, known_bugs: KnownBugs) -> (Program, Rng) {
    let mut g = Gen {
        rng: Rng::for_program(seed, index as u64),
        vars: Vec::new(),
        frames: vec![Frame::default()],
        loops: Vec::new(),
        budget: 0,
        fresh: HashMap::new(),
        protected: ["xs", "n"].iter().map(|s| s.to_string()).collect(),
        xs: None,
        n: None,
        arrays: 0,
        active: HashSet::new(),
        mut_ints: HashSet::new(),
        exits: ExitsOk::None,
        known_bugs,
        helpers: Vec::new(),
        exit_count: 0,
        plain_loops: 0,
        nested: HashSet::new(),
        call_names: HashSet::new(),
    };
    let scalars = g.rng.range(2, 3);
    let mut params = Vec::new();
    for index in 0..scalars {
        let mutable = g.rng.chance(0.12);
        let id = g.bind(
            format!("x{index}"),
            Kind::Float {
                mutable,
                elem: Elem::Owned,
            },
        );
        g.active.insert(id);
        params.push(Param::Scalar { id, index, mutable });
    }
    if g.rng.chance(0.85) {
        let id = g.bind(
            "xs".into(),
            Kind::Array {
                fixed: None,
                min_len: 0,
                max_len: 5,
                param: true,
                len: None,
            },
        );
        g.xs = Some(id);
        g.active.insert(id);
        params.push(Param::Slice { id });
    }
    if g.rng.chance(0.85) {
        let id = g.bind("n".into(), Kind::Int { max: 3 });
        g.n = Some(id);
        params.push(Param::N { id });
    }
    // Shuffle the parameter order (Fisher-Yates).
    for i in (1..params.len()).rev() {
        let j = g.rng.below(i + 1);
        params.swap(i, j);
    }

    g.helpers = g.gen_helpers();

    if known_bugs.exits {
        g.exits = ExitsOk::All;
    }
    g.frames.push(Frame::default());
    g.budget = g.rng.range(8, 22) as i32;
    let mut body = Vec::new();
    // One or two accumulators that the rest of the program folds values into.
    for _ in 0..g.rng.range(1, 2) {
        let init = if g.rng.chance(0.5) {
            FExpr::Lit(g.rng.pick(&[0.0, 1.0, 0.5]))
        } else {
            g.fexpr(1)
        };
        let name = g.call_name(&init, "s", 0.0);
        let id = g.bind(
            name,
            Kind::Float {
                mutable: true,
                elem: Elem::Owned,
            },
        );
        g.flows(id, &init);
        body.push(Stmt::Let {
            id,
            mutable: true,
            annotate: !init.typed() || g.rng.chance(0.3),
            init,
        });
    }
    // A local array in the body's leading region for the helpers that update or return
    // arrays (arrays declared further in are not passed to calls: a known bug).
    if g.has_helper(&[HelperKind::Upd, HelperKind::Step { n: 0, lit: false }]) {
        g.budget -= 1;
        let s = g.array_decl();
        body.push(s);
    }
    // Most programs with a slice run through all of it at least once.
    let slice_loop = g.xs.is_some() && g.rng.chance(0.7);
    let slice_loop_at = g.rng.range(0, 2);
    let mut top = 0;
    while g.budget > 0 || top < 3 {
        if slice_loop && top == slice_loop_at {
            let xs = g.xs.expect("a slice");
            g.budget -= 1;
            let before = g.exit_count;
            let s = g.for_loop_over(Some(xs));
            if g.exit_count > before {
                g.frames.last_mut().expect("a frame").exited = true;
            }
            body.push(s);
        }
        let s = g.stmt();
        body.push(s);
        top += 1;
    }
    let mut tail = Some(g.tail());
    if g.rng.chance(0.12) {
        body.push(Stmt::Return(tail.take().expect("tail")));
    }

    let has_slice = g.xs.is_some();
    let has_n = g.n.is_some();
    let points = (0..3)
        .map(|_| Point {
            s: (0..scalars).map(|_| g.point_value()).collect(),
            xs: if has_slice {
                let len = g.rng.range(0, 5);
                (0..len).map(|_| g.point_value()).collect()
            } else {
                Vec::new()
            },
            n: if has_n { g.rng.range(0, 3) } else { 0 },
        })
        .collect();
    let program = Program {
        name: format!("p{index:05}"),
        helpers: g.helpers,
        params,
        body,
        tail,
        vars: g.vars,
        scalars,
        points,
    };
    (program, g.rng)
}

/// A literal rounded to two decimals.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Gen {
    fn point_value(&mut self) -> f64 {
        self.rng.uniform(-2.0, 2.0)
    }

    // ----- scopes ----------------------------------------------------------------------------

    fn fresh_name(&mut self, prefix: &'static str) -> String {
        let n = self.fresh.entry(prefix).or_insert(0);
        *n += 1;
        format!("{prefix}{}", *n - 1)
    }

    fn bind(&mut self, name: String, kind: Kind) -> Id {
        let id = self.vars.len();
        self.vars.push(VarInfo {
            name: name.clone(),
            kind,
        });
        self.frames
            .last_mut()
            .expect("a frame")
            .names
            .push((name, id));
        id
    }

    /// Every visible binding (innermost first).
    fn visible(&self) -> Vec<Id> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for f in self.frames.iter().rev() {
            for (name, id) in f.names.iter().rev() {
                if seen.insert(name.as_str()) {
                    out.push(*id);
                }
            }
        }
        out
    }

    fn is_visible(&self, id: Id) -> bool {
        self.visible().contains(&id)
    }

    fn floats(&self) -> Vec<Id> {
        self.visible()
            .into_iter()
            .filter(|&id| matches!(self.vars[id].kind, Kind::Float { .. }))
            .collect()
    }

    fn mut_floats(&self) -> Vec<Id> {
        self.visible()
            .into_iter()
            .filter(|&id| {
                matches!(
                    self.vars[id].kind,
                    Kind::Float {
                        mutable: true,
                        elem: Elem::Owned
                    }
                )
            })
            .collect()
    }

    fn ints(&self) -> Vec<Id> {
        self.visible()
            .into_iter()
            .filter(|&id| matches!(self.vars[id].kind, Kind::Int { .. }))
            .collect()
    }

    fn bools(&self) -> Vec<Id> {
        self.visible()
            .into_iter()
            .filter(|&id| matches!(self.vars[id].kind, Kind::Bool))
            .collect()
    }

    fn arrays(&self) -> Vec<Id> {
        self.visible()
            .into_iter()
            .filter(|&id| matches!(self.vars[id].kind, Kind::Array { .. }))
            .collect()
    }

    fn writable_arrays(&self) -> Vec<Id> {
        self.arrays()
            .into_iter()
            .filter(|&a| {
                matches!(self.vars[a].kind, Kind::Array { param: false, .. })
                    && !self.frames.iter().any(|f| f.borrowed.contains(&a))
            })
            .collect()
    }

    fn is_valid(&self, i: Id, a: Id) -> bool {
        self.frames.iter().any(|f| f.valid.contains(&(i, a)))
    }

    fn array_info(&self, a: Id) -> (Option<usize>, usize, usize) {
        match self.vars[a].kind {
            Kind::Array {
                fixed,
                min_len,
                max_len,
                ..
            } => (fixed, min_len, max_len),
            _ => unreachable!("not an array"),
        }
    }

    fn nonempty(&self, a: Id) -> bool {
        self.array_info(a).1 >= 1 || self.frames.iter().any(|f| f.nonempty.contains(&a))
    }

    fn int_max(&self, e: &IExpr) -> usize {
        match e {
            IExpr::Lit(c) => *c,
            IExpr::Var(id) => match self.vars[*id].kind {
                Kind::Int { max } => max,
                _ => unreachable!("not an int"),
            },
            IExpr::Len(a) => self.array_info(*a).2,
            IExpr::Add(a, b) => self.int_max(a) + self.int_max(b),
            IExpr::Mul(a, b) => self.int_max(a) * self.int_max(b),
            IExpr::Rem(a, m) => self.int_max(a).min(self.int_max(m).saturating_sub(1)),
            IExpr::SubOne(a) => self.int_max(a).saturating_sub(1),
        }
    }

    /// A name for a new binding: fresh, or (sometimes) shadowing a visible one.
    fn new_name(&mut self, prefix: &'static str, shadow: f64) -> String {
        if self.rng.chance(shadow) {
            let same_kind_only = !self.rng.chance(0.15);
            let candidates: Vec<Id> = self
                .visible()
                .into_iter()
                .filter(|&id| !self.protected.contains(&self.vars[id].name))
                .filter(|&id| {
                    !same_kind_only
                        || matches!(
                            self.vars[id].kind,
                            Kind::Float {
                                elem: Elem::Owned,
                                ..
                            }
                        )
                })
                .collect();
            if !candidates.is_empty() {
                let id = self.rng.pick(&candidates);
                return self.vars[id].name.clone();
            }
        }
        self.fresh_name(prefix)
    }

    fn push_frame(&mut self) {
        self.frames.push(Frame::default());
    }

    fn pop_frame(&mut self) {
        self.frames.pop();
    }

    fn add_facts(&mut self, facts: Vec<Fact>) {
        let f = self.frames.last_mut().expect("a frame");
        for fact in facts {
            match fact {
                Fact::Valid(i, a) => f.valid.push((i, a)),
                Fact::NonEmpty(a) => f.nonempty.push(a),
            }
        }
    }

    /// A block of `lo..=hi` statements (fewer when the budget runs out) in a new frame, after
    /// `setup` has run in that frame.
    fn block(&mut self, lo: usize, hi: usize, setup: impl FnOnce(&mut Self)) -> Vec<Stmt> {
        self.push_frame();
        setup(self);
        let want = self.rng.range(lo, hi);
        let mut out = Vec::new();
        while out.len() < want && (self.budget > 0 || out.len() < lo) {
            let s = self.stmt();
            out.push(s);
        }
        if let Some(s) = self.sink() {
            out.push(s);
        }
        self.pop_frame();
        out
    }

    /// At the end of a block: often, fold a float bound in this block into a mutable float of
    /// an enclosing block (or an array), so that what the block computed reaches the result.
    fn sink(&mut self) -> Option<Stmt> {
        let frame = self.frames.last().expect("a frame");
        let mut locals: Vec<FExpr> = frame
            .names
            .iter()
            .map(|&(_, id)| id)
            .filter(|&id| matches!(self.vars[id].kind, Kind::Float { .. }) && self.is_visible(id))
            .map(FExpr::Var)
            .collect();
        // Loop elements and elements read through a loop index: always fold one in.
        let loop_read = frame.names.iter().any(|&(_, id)| {
            matches!(
                self.vars[id].kind,
                Kind::Float {
                    elem: Elem::Copy | Elem::Deref,
                    ..
                }
            )
        }) || !frame.valid.is_empty();
        for &(i, a) in &frame.valid {
            if self.is_visible(i) && self.is_visible(a) {
                locals.push(FExpr::Elem(a, IExpr::Var(i)));
            }
        }
        if locals.is_empty() || !(loop_read || self.rng.chance(0.8)) {
            return None;
        }
        let outer: Vec<Id> = self
            .mut_floats()
            .into_iter()
            .filter(|id| !frame.names.iter().any(|(_, l)| l == id))
            .collect();
        let pick = self.rng.below(locals.len());
        let mut e = locals.swap_remove(pick);
        if self.rng.chance(0.4) {
            let u = self.rng.pick(&[Un::Tanh, Un::Sin, Un::Atan, Un::Sigmoid]);
            e = FExpr::Un(u, Box::new(e));
        }
        if self.rng.chance(0.3) {
            e = FExpr::Bin(Op::Mul, Box::new(e), Box::new(self.leaf()));
        }
        let writable = self.writable_arrays();
        if !outer.is_empty() && (writable.is_empty() || self.rng.chance(0.8)) {
            let id = self.rng.pick(&outer);
            let op = self
                .rng
                .pick(&[Op::Add, Op::Add, Op::Add, Op::Sub, Op::Mul]);
            let e = if op == Op::Mul {
                FExpr::Bin(
                    Op::Add,
                    Box::new(FExpr::Lit(0.5)),
                    Box::new(FExpr::Un(Un::Sigmoid, Box::new(e))),
                )
            } else {
                e
            };
            self.flows(id, &e);
            return Some(Stmt::Compound { id, op, e });
        }
        if writable.is_empty() {
            return None;
        }
        let arr = self.rng.pick(&writable);
        let idx = self.index_for(arr, true)?;
        self.flows(arr, &e);
        Some(Stmt::CompoundStore {
            arr,
            idx,
            op: Op::Add,
            e,
        })
    }

    // ----- integers --------------------------------------------------------------------------

    /// An integer expression to index with (reduced modulo a length by the caller) or to cast.
    fn ibase(&mut self) -> IExpr {
        let ints = self.ints();
        if ints.is_empty() || self.rng.chance(0.2) {
            return match (self.n, self.rng.below(3)) {
                (Some(n), 0) if self.is_visible(n) => IExpr::Var(n),
                _ => IExpr::Lit(self.rng.range(0, 6)),
            };
        }
        let v = IExpr::Var(self.rng.pick(&ints));
        match self.rng.below(6) {
            0 => IExpr::Add(Box::new(v), Box::new(IExpr::Lit(self.rng.range(1, 3)))),
            1 => IExpr::Mul(Box::new(v), Box::new(IExpr::Lit(self.rng.range(2, 3)))),
            2 if ints.len() > 1 => {
                let w = IExpr::Var(self.rng.pick(&ints));
                IExpr::Add(Box::new(v), Box::new(w))
            }
            _ => v,
        }
    }

    /// An integer at most `max`, for a helper's integer argument.
    fn ilimited(&mut self, max: usize) -> IExpr {
        for _ in 0..4 {
            let e = self.ibase();
            if self.int_max(&e) <= max {
                return e;
            }
        }
        IExpr::Lit(self.rng.range(0, max.min(4)))
    }

    /// An in-bounds index of array `a` here, if there is one. For a store (`place`), the
    /// index never mentions `a.len()`: the declared length is used instead.
    fn index_for(&mut self, a: Id, place: bool) -> Option<IExpr> {
        let valid: Vec<Id> = self
            .ints()
            .into_iter()
            .filter(|&i| self.is_valid(i, a))
            .collect();
        if !valid.is_empty() && self.rng.chance(0.6) {
            return Some(IExpr::Var(self.rng.pick(&valid)));
        }
        let (fixed, _, _) = self.array_info(a);
        // `a.len()`, or for a store the declared length if its names are still visible.
        let len = if place {
            match &self.vars[a].kind {
                Kind::Array { len: Some(l), .. } if self.names_visible(l) => Some(l.clone()),
                _ => None,
            }
        } else {
            Some(IExpr::Len(a))
        };
        if let Some(l) = fixed {
            return Some(match (self.rng.below(4), len) {
                (0, _) => IExpr::Lit(self.rng.below(l)),
                (1, Some(len)) => IExpr::Rem(Box::new(self.ibase()), Box::new(len)),
                _ => IExpr::Rem(Box::new(self.ibase()), Box::new(IExpr::Lit(l))),
            });
        }
        if self.nonempty(a) {
            if let Some(len) = len {
                return Some(match self.rng.below(5) {
                    0 => IExpr::Lit(0),
                    1 => IExpr::SubOne(Box::new(len)),
                    _ => IExpr::Rem(Box::new(self.ibase()), Box::new(len)),
                });
            }
            if self.array_info(a).1 >= 1 {
                return Some(IExpr::Lit(0));
            }
        }
        if valid.is_empty() {
            None
        } else {
            Some(IExpr::Var(self.rng.pick(&valid)))
        }
    }

    /// Whether every name `e` mentions still refers to the same binding.
    fn names_visible(&self, e: &IExpr) -> bool {
        match e {
            IExpr::Lit(_) => true,
            IExpr::Var(id) | IExpr::Len(id) => self.is_visible(*id),
            IExpr::Add(a, b) | IExpr::Mul(a, b) | IExpr::Rem(a, b) => {
                self.names_visible(a) && self.names_visible(b)
            }
            IExpr::SubOne(a) => self.names_visible(a),
        }
    }

    // ----- float expressions -----------------------------------------------------------------

    fn lit(&mut self) -> f64 {
        match self.rng.below(3) {
            0 => self.rng.pick(&[0.5, 1.0, 2.0, 0.25, 1.5, 3.0, 0.1]),
            _ => round2(self.rng.uniform(0.05, 2.5)).max(0.05),
        }
    }

    fn leaf(&mut self) -> FExpr {
        let floats = self.floats();
        let arrays = self.arrays();
        let ints = self.ints();
        // Arrays that can be indexed here.
        let indexable: Vec<Id> = arrays
            .iter()
            .copied()
            .filter(|&a| {
                self.array_info(a).0.is_some()
                    || self.nonempty(a)
                    || ints.iter().any(|&i| self.is_valid(i, a))
            })
            .collect();
        let w = [
            if floats.is_empty() { 0 } else { 50 },
            if indexable.is_empty() { 0 } else { 30 },
            10,
            if ints.is_empty() { 2 } else { 7 },
            3,
            3,
            // A bare user constant as a value: the macro's expansion does not compile when it
            // flows into a float variable, array or if-expression (a known bug); as a call
            // argument it is fine (see `call`).
            if self.known_bugs.consts { 2 } else { 0 },
            if ints.is_empty() { 0 } else { 2 },
        ];
        let active_floats: Vec<Id> = floats
            .iter()
            .copied()
            .filter(|id| self.active.contains(id))
            .collect();
        let active_arrays: Vec<Id> = indexable
            .iter()
            .copied()
            .filter(|id| self.active.contains(id))
            .collect();
        match self.rng.weighted(&w) {
            0 if !active_floats.is_empty() && self.rng.chance(0.75) => {
                FExpr::Var(self.recent(&active_floats))
            }
            0 => FExpr::Var(self.recent(&floats)),
            1 => {
                let a = if !active_arrays.is_empty() && self.rng.chance(0.75) {
                    self.rng.pick(&active_arrays)
                } else {
                    self.rng.pick(&indexable)
                };
                match self.index_for(a, false) {
                    Some(i) => FExpr::Elem(a, i),
                    None if !floats.is_empty() => FExpr::Var(self.rng.pick(&floats)),
                    None => FExpr::Lit(self.lit()),
                }
            }
            2 => FExpr::Lit(self.lit()),
            3 => FExpr::Cast(self.ibase()),
            4 => FExpr::Const(self.rng.below(CONSTS.len())),
            6 => FExpr::UserConstBare(self.rng.below(USER_CONSTS.len())),
            7 => FExpr::FromInt(self.ibase()),
            _ => {
                let k = self.rng.below(USER_CONSTS.len());
                let op = self.rng.pick(&[Op::Mul, Op::Add, Op::Sub]);
                let inner = if floats.is_empty() {
                    FExpr::Lit(self.lit())
                } else {
                    FExpr::Var(self.rng.pick(&floats))
                };
                FExpr::UserConst(k, op, Box::new(inner))
            }
        }
    }

    /// Whether `e` reads a binding that depends on the inputs.
    fn is_active(&self, e: &FExpr) -> bool {
        let a = |e: &FExpr| self.is_active(e);
        let p = |p: &Pos| self.pos_active(p);
        match e {
            FExpr::Lit(_)
            | FExpr::Const(_)
            | FExpr::Cast(_)
            | FExpr::UserConstBare(_)
            | FExpr::FromInt(_) => false,
            FExpr::Var(id) | FExpr::Elem(id, _) => self.active.contains(id),
            FExpr::UserConst(_, _, e)
            | FExpr::Un(_, e)
            | FExpr::Lim(_, e)
            | FExpr::Unit(_, e)
            | FExpr::Powi(e, _)
            | FExpr::PowiVar(e, _)
            | FExpr::Square(e)
            | FExpr::Squash(_, _, _, e) => a(e),
            FExpr::Bin(_, x, y) | FExpr::Bi(_, x, y) => a(x) || a(y),
            FExpr::Div(x, d) => a(x) || p(d),
            FExpr::OnPos(_, d) | FExpr::PowiPos(d, _) | FExpr::Pos(d) => p(d),
            FExpr::Log(x, b) => p(x) || p(b),
            FExpr::Powf(b, y) => p(b) || a(y),
            FExpr::MulAdd(x, y, z) => a(x) || a(y) || a(z),
            FExpr::Clamp(x, ClampBounds::Lit(..)) => a(x),
            FExpr::Clamp(x, ClampBounds::Sym(c)) => a(x) || a(c),
            FExpr::If(_, x, y) => a(x) || a(y),
            FExpr::IfExit(_, _, y) | FExpr::FCast(y) => a(y),
            FExpr::Acosh(d) => p(d),
            FExpr::Block(_, t) => a(t),
            FExpr::Call(_, args, _) => args.iter().any(|x| matches!(x, Arg::F(e) if a(e))),
            FExpr::SliceCall(_, arrs, x) => {
                a(x) || arrs.iter().any(|s| self.active.contains(&s.arr))
            }
        }
    }

    fn pos_active(&self, p: &Pos) -> bool {
        match p {
            Pos::SqPlus(e, _)
            | Pos::AbsPlus(e, _)
            | Pos::Exp(e)
            | Pos::Cosh(e)
            | Pos::SigPlus(e, _)
            | Pos::HypotC(e, _) => self.is_active(e),
            Pos::Lit(_) => false,
        }
    }

    /// Marks `id` active if `e` is.
    fn flows(&mut self, id: Id, e: &FExpr) {
        if self.is_active(e) {
            self.active.insert(id);
        }
    }

    /// One of `ids`, biased towards the most recently bound (so values flow on).
    fn recent(&mut self, ids: &[Id]) -> Id {
        if self.rng.chance(0.5) {
            let mut sorted = ids.to_vec();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            sorted.truncate(3);
            self.rng.pick(&sorted)
        } else {
            self.rng.pick(ids)
        }
    }

    fn op(&mut self) -> Op {
        [Op::Add, Op::Add, Op::Sub, Op::Mul, Op::Mul][self.rng.below(5)]
    }

    fn pos(&mut self, depth: u32) -> Pos {
        let e = |g: &mut Gen| Box::new(g.fexpr(depth));
        match self.rng.weighted(&[7, 2, 2, 1, 1, 1, 1]) {
            0 => Pos::SqPlus(e(self), self.rng.pick(&[1.0, 0.5, 2.0, 0.25])),
            1 => Pos::AbsPlus(e(self), self.rng.pick(&[0.5, 1.0])),
            2 => Pos::Exp(e(self)),
            3 => Pos::Cosh(e(self)),
            4 => Pos::SigPlus(e(self), self.rng.pick(&[0.5, 1.0])),
            5 => Pos::HypotC(e(self), self.rng.pick(&[1.0, 0.5])),
            _ => Pos::Lit(self.rng.pick(&[0.5, 2.0, 3.0])),
        }
    }

    /// A logarithm base: a literal other than 1, or a positive form at least 1.5.
    fn log_base(&mut self, depth: u32) -> Pos {
        match self.rng.below(3) {
            0 => Pos::Lit(self.rng.pick(&[2.0, 3.0, 10.0, 0.5])),
            1 => Pos::SqPlus(Box::new(self.fexpr(depth)), self.rng.pick(&[1.5, 2.0])),
            _ => Pos::AbsPlus(Box::new(self.fexpr(depth)), 1.5),
        }
    }

    pub fn fexpr(&mut self, depth: u32) -> FExpr {
        if depth == 0 {
            return self.leaf();
        }
        let d = depth - 1;
        let sub = |g: &mut Gen| Box::new(g.fexpr(d));
        let w = [
            14,                                              // 0 leaf
            26,                                              // 1 bin
            12,                                              // 2 un
            5,                                               // 3 lim
            7,                                               // 4 on pos
            2,                                               // 5 unit
            2,                                               // 6 log
            3,                                               // 7 powf
            4,                                               // 8 powi
            1,                                               // 9 powi negative
            6,                                               // 10 bi
            2,                                               // 11 mul_add
            3,                                               // 12 clamp
            2,                                               // 13 square
            5,                                               // 14 div
            if depth >= 2 { 4 } else { 1 },                  // 15 if
            if depth >= 2 { 2 } else { 0 },                  // 16 block
            4,                                               // 17 call
            1,                                               // 18 squash
            1,                                               // 19 pos
            1,                                               // 20 acosh
            1,                                               // 21 float cast
            if self.exits == ExitsOk::None { 0 } else { 2 }, // 22 if with an exit
            if self.has_helper(&[HelperKind::Sum, HelperKind::Dot]) {
                4
            } else {
                0
            }, // 23
        ];
        match self.rng.weighted(&w) {
            0 => self.leaf(),
            1 => {
                let op = self.op();
                FExpr::Bin(op, sub(self), sub(self))
            }
            2 => {
                let u = [
                    Un::Neg,
                    Un::Sin,
                    Un::Cos,
                    Un::Atan,
                    Un::Tanh,
                    Un::Sigmoid,
                    Un::Asinh,
                    Un::Relu,
                    Un::Abs,
                    Un::Signum,
                    Un::Floor,
                    Un::Ceil,
                    Un::Round,
                    Un::Trunc,
                ][self
                    .rng
                    .weighted(&[6, 6, 6, 4, 6, 4, 2, 4, 4, 1, 1, 1, 1, 1])];
                FExpr::Un(u, sub(self))
            }
            3 => {
                let l = [
                    Lim::Exp,
                    Lim::Exp2,
                    Lim::ExpM1,
                    Lim::Sinh,
                    Lim::Cosh,
                    Lim::Tan,
                ][self.rng.weighted(&[4, 1, 1, 1, 1, 2])];
                FExpr::Lim(l, sub(self))
            }
            4 => {
                let f = [
                    OnPos::Ln,
                    OnPos::Sqrt,
                    OnPos::Log2,
                    OnPos::Log10,
                    OnPos::Ln1p,
                    OnPos::Recip,
                    OnPos::Cbrt,
                ][self.rng.weighted(&[4, 4, 1, 1, 1, 2, 1])];
                FExpr::OnPos(f, self.pos(d))
            }
            5 => {
                let u = self.rng.pick(&[Unit::Asin, Unit::Acos, Unit::Atanh]);
                FExpr::Unit(u, sub(self))
            }
            6 => {
                let x = self.pos(d);
                let b = self.log_base(d.saturating_sub(1));
                FExpr::Log(x, b)
            }
            7 => {
                let base = self.pos(d);
                let y = if self.rng.chance(0.5) {
                    FExpr::Lit(self.rng.pick(&[1.5, 0.5, 2.5, 0.75]))
                } else {
                    self.fexpr(d)
                };
                FExpr::Powf(base, Box::new(y))
            }
            8 if self.rng.chance(0.25) => {
                let k = self.ilimited(4);
                FExpr::PowiVar(sub(self), k)
            }
            8 => {
                let k = self.rng.pick(&[0, 1, 1, 2, 2, 2, 3, 3, 3, 4]);
                FExpr::Powi(sub(self), k)
            }
            9 => {
                let k = self.rng.pick(&[-1, -2, -3]);
                FExpr::PowiPos(self.pos(d), k)
            }
            10 => {
                let b = self
                    .rng
                    .pick(&[Bi::Hypot, Bi::Atan2, Bi::Max, Bi::Min, Bi::Max, Bi::Min]);
                FExpr::Bi(b, sub(self), sub(self))
            }
            11 => FExpr::MulAdd(sub(self), sub(self), sub(self)),
            12 => {
                let x = sub(self);
                let b = if self.rng.chance(0.6) {
                    let (lo, hi) =
                        self.rng
                            .pick(&[(-1.0, 1.0), (-0.5, 2.0), (0.0, 1.5), (-2.0, 0.5)]);
                    ClampBounds::Lit(lo, hi)
                } else {
                    ClampBounds::Sym(Box::new(self.fexpr(d.saturating_sub(1))))
                };
                FExpr::Clamp(x, b)
            }
            13 => FExpr::Square(Box::new(self.fexpr(d.saturating_sub(1)))),
            14 => {
                let num = sub(self);
                let den = if self.rng.chance(0.25) {
                    Pos::Lit(self.rng.pick(&[2.0, 3.0, 0.5, 4.0]))
                } else {
                    self.pos(d.saturating_sub(1))
                };
                FExpr::Div(num, den)
            }
            15 => {
                let c = self.cond(1);
                FExpr::If(Box::new(c), sub(self), sub(self))
            }
            16 => {
                self.push_frame();
                let mut lets = Vec::new();
                for _ in 0..self.rng.range(1, 2) {
                    let init = self.fexpr(d);
                    let annotate = !init.typed() || self.rng.chance(0.2);
                    let name = self.call_name(&init, "u", 0.2);
                    let id = self.bind(
                        name,
                        Kind::Float {
                            mutable: false,
                            elem: Elem::Owned,
                        },
                    );
                    self.flows(id, &init);
                    lets.push(Stmt::Let {
                        id,
                        mutable: false,
                        annotate,
                        init,
                    });
                }
                let tail = sub(self);
                self.pop_frame();
                FExpr::Block(lets, tail)
            }
            17 => self.call(d),
            18 => {
                let kind =
                    self.rng
                        .pick(&[Squash::Tanh, Squash::Sin, Squash::Atan, Squash::Sigmoid]);
                let k = self.rng.pick(&[0.5, 1.0, 0.3]);
                let c = self.rng.pick(&[1.0, 2.0]);
                FExpr::Squash(kind, k, c, sub(self))
            }
            19 => FExpr::Pos(self.pos(d)),
            20 => FExpr::Acosh(self.pos(d)),
            21 => FExpr::FCast(sub(self)),
            23 => self.slice_call(d),
            _ => {
                let allowed = self.exits;
                if !self.known_bugs.exits {
                    self.exits = ExitsOk::None;
                }
                let c = self.cond(0);
                let in_loop = !self.loops.is_empty() && allowed == ExitsOk::All;
                let x = match self.rng.below(4) {
                    0 if in_loop => Exit::Break,
                    1 if in_loop => {
                        if let Some(l) = self.loops.last_mut() {
                            l.has_continue = true;
                        }
                        Exit::Continue
                    }
                    _ => {
                        let saved = std::mem::replace(&mut self.exits, ExitsOk::None);
                        let r = self.result(false);
                        self.exits = saved;
                        Exit::Return(Box::new(r))
                    }
                };
                self.exit_count += 1;
                FExpr::IfExit(Box::new(c), x, sub(self))
            }
        }
    }

    /// An expression for a statement where exits inside it are fine (`how`), or anywhere with
    /// `known_bugs`.
    fn fexpr_allowing(&mut self, depth: u32, how: ExitsOk) -> FExpr {
        let saved = self.exits;
        // The macro refuses exits inside expressions (they would let the rest of the
        // statement run); only `GRAD_FUZZ_KNOWN_BUGS=exits` still generates them.
        self.exits = if self.known_bugs.exits {
            how
        } else {
            ExitsOk::None
        };
        let e = self.fexpr(depth);
        self.exits = saved;
        e
    }

    fn call(&mut self, depth: u32) -> FExpr {
        let h = self.rng.below(HELPERS.len());
        let helper = &HELPERS[h];
        let args = helper
            .args
            .iter()
            .map(|a| match *a {
                // Sometimes a bare constant: `mix(x, K0)`, `mix(x, std::f64::consts::PI)`.
                HelperArg::F(_) if self.rng.chance(0.15) => Arg::F(if self.rng.chance(0.5) {
                    FExpr::UserConstBare(self.rng.below(USER_CONSTS.len()))
                } else {
                    FExpr::Const(self.rng.below(CONSTS.len()))
                }),
                HelperArg::F(_) => Arg::F(self.fexpr(depth)),
                HelperArg::I(max) => Arg::I(self.ilimited(max)),
            })
            .collect();
        let by_path = !helper.by_name || self.rng.chance(0.4);
        FExpr::Call(h, args, by_path)
    }

    // ----- conditions ------------------------------------------------------------------------

    fn fcmp(&mut self) -> Cond {
        let cmp = self.rng.pick(&[Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge]);
        let depth = self.rng.range(0, 2) as u32;
        let a = self.fexpr(depth);
        let b = if self.rng.chance(0.6) {
            FExpr::Lit(round2(self.rng.uniform(-1.5, 1.5)))
        } else {
            self.fexpr(1)
        };
        Cond::F(cmp, a, b)
    }

    fn icmp(&mut self) -> Cond {
        let ints = self.ints();
        let base = if !ints.is_empty() && self.rng.chance(0.8) {
            IExpr::Var(self.rng.pick(&ints))
        } else {
            self.ibase()
        };
        match self.rng.below(6) {
            0 => Cond::I(
                Cmp::Eq,
                IExpr::Rem(Box::new(base), Box::new(IExpr::Lit(2))),
                IExpr::Lit(0),
            ),
            1 => Cond::I(Cmp::Lt, base, IExpr::Lit(self.rng.range(1, 4))),
            2 => Cond::I(Cmp::Eq, base, IExpr::Lit(self.rng.range(0, 3))),
            3 => Cond::I(Cmp::Ne, base, IExpr::Lit(self.rng.range(0, 3))),
            4 => Cond::I(Cmp::Ge, base, IExpr::Lit(self.rng.range(1, 3))),
            _ => {
                let other = self.ibase();
                Cond::I(self.rng.pick(&[Cmp::Lt, Cmp::Gt, Cmp::Le]), base, other)
            }
        }
    }

    /// `i < a.len() && a[i] > t`: the right side is only in bounds thanks to the
    /// short-circuit. `None` if no array can be guarded this way here.
    fn guarded_read(&mut self) -> Option<Cond> {
        let arrays = self.arrays();
        let ints = self.ints();
        let mut pairs = Vec::new();
        for &a in &arrays {
            for &i in &ints {
                if !self.is_valid(i, a) {
                    pairs.push((i, a));
                }
            }
        }
        if pairs.is_empty() {
            return None;
        }
        let (i, a) = self.rng.pick(&pairs);
        let guard = Cond::I(Cmp::Lt, IExpr::Var(i), IExpr::Len(a));
        self.push_frame();
        self.add_facts(vec![Fact::Valid(i, a)]);
        let elem = FExpr::Elem(a, IExpr::Var(i));
        let lhs = if self.rng.chance(0.5) {
            elem
        } else {
            let op = self.op();
            FExpr::Bin(op, Box::new(elem), Box::new(self.fexpr(0)))
        };
        let cmp = self.rng.pick(&[Cmp::Lt, Cmp::Gt]);
        let rhs = FExpr::Lit(round2(self.rng.uniform(-1.0, 1.0)));
        self.pop_frame();
        Some(Cond::And(Box::new(guard), Box::new(Cond::F(cmp, lhs, rhs))))
    }

    fn cond(&mut self, depth: u32) -> Cond {
        let has_ints = !self.ints().is_empty() || self.n.is_some();
        let bools = self.bools();
        let w = [
            40,
            if has_ints { 22 } else { 0 },
            if depth > 0 { 10 } else { 0 },
            if depth > 0 { 8 } else { 0 },
            if depth > 0 { 4 } else { 0 },
            if bools.is_empty() { 0 } else { 6 },
            3,
            6,
        ];
        match self.rng.weighted(&w) {
            0 => self.fcmp(),
            1 => self.icmp(),
            2 => Cond::And(
                Box::new(self.cond(depth - 1)),
                Box::new(self.cond(depth - 1)),
            ),
            3 => Cond::Or(
                Box::new(self.cond(depth - 1)),
                Box::new(self.cond(depth - 1)),
            ),
            4 => Cond::Not(Box::new(self.cond(depth - 1))),
            5 => Cond::Bool(self.rng.pick(&bools)),
            6 => Cond::SignNeg(self.fexpr(1)),
            _ => self.guarded_read().unwrap_or_else(|| self.fcmp()),
        }
    }

    /// What `c` being true guarantees about indices (nothing about mutable integers, which
    /// may change before they are used).
    fn facts(&self, c: &Cond) -> Vec<Fact> {
        let mut f = self.facts_of(c);
        f.retain(|x| !matches!(x, Fact::Valid(i, _) if self.mut_ints.contains(i)));
        f
    }

    fn facts_of(&self, c: &Cond) -> Vec<Fact> {
        match c {
            Cond::And(a, b) => {
                let mut f = self.facts_of(a);
                f.extend(self.facts_of(b));
                f
            }
            Cond::I(Cmp::Lt, IExpr::Var(i), IExpr::Len(a)) => vec![Fact::Valid(*i, *a)],
            Cond::I(Cmp::Gt, IExpr::Len(a), IExpr::Var(i)) => vec![Fact::Valid(*i, *a)],
            Cond::I(Cmp::Gt, IExpr::Len(a), IExpr::Lit(_)) => vec![Fact::NonEmpty(*a)],
            Cond::I(Cmp::Ne, IExpr::Len(a), IExpr::Lit(0)) => vec![Fact::NonEmpty(*a)],
            _ => Vec::new(),
        }
    }

    /// A condition for an `if` statement; sometimes a guard that makes an array indexable in
    /// the `then` branch.
    fn if_cond(&mut self) -> Cond {
        let guardable: Vec<Id> = self
            .arrays()
            .into_iter()
            .filter(|&a| !self.nonempty(a))
            .collect();
        if !guardable.is_empty() && self.rng.chance(0.25) {
            let a = self.rng.pick(&guardable);
            let ints = self.ints();
            let guard = if !ints.is_empty() && self.rng.chance(0.6) {
                let i = self.rng.pick(&ints);
                if self.rng.chance(0.5) {
                    Cond::I(Cmp::Lt, IExpr::Var(i), IExpr::Len(a))
                } else {
                    Cond::I(Cmp::Gt, IExpr::Len(a), IExpr::Var(i))
                }
            } else if self.rng.chance(0.5) {
                Cond::I(Cmp::Gt, IExpr::Len(a), IExpr::Lit(self.rng.range(0, 2)))
            } else {
                Cond::I(Cmp::Ne, IExpr::Len(a), IExpr::Lit(0))
            };
            if self.rng.chance(0.3) {
                let more = self.cond(0);
                return Cond::And(Box::new(guard), Box::new(more));
            }
            return guard;
        }
        let depth = self.rng.range(0, 2) as u32;
        self.cond(depth)
    }

    // ----- statements ------------------------------------------------------------------------

    /// The name of a `let` of `init`: a float bound straight to a call's result shares its
    /// name with no other binding, before or after, and is never passed as `&mut` (a known
    /// bug, `callinit`).
    fn call_name(&mut self, init: &FExpr, prefix: &'static str, shadow: f64) -> String {
        if self.known_bugs.callinit || !matches!(init, FExpr::Call(..) | FExpr::SliceCall(..)) {
            return self.new_name(prefix, shadow);
        }
        let name = self.fresh_name(prefix);
        self.protected.insert(name.clone());
        self.call_names.insert(name.clone());
        name
    }

    /// A statement; marks the block if it holds an exit.
    fn stmt(&mut self) -> Stmt {
        let before = self.exit_count;
        let s = self.stmt_inner();
        if self.exit_count > before {
            self.frames.last_mut().expect("a frame").exited = true;
        }
        s
    }

    /// Whether a local array declared here is outside the body's leading region (see
    /// `nested`): in a block inside the body, or after an exit.
    fn nested_region(&self) -> bool {
        self.frames.len() > 2 || self.plain_loops > 0 || self.frames.iter().any(|f| f.exited)
    }

    /// Arrays that may be passed to a call.
    fn passable(&self, arrays: Vec<Id>) -> Vec<Id> {
        if self.known_bugs.nested {
            return arrays;
        }
        arrays
            .into_iter()
            .filter(|a| !self.nested.contains(a))
            .collect()
    }

    fn stmt_inner(&mut self) -> Stmt {
        self.budget -= 1;
        let in_loop = !self.loops.is_empty();
        let can_loop = self.loops.len() < 2 && self.frames.len() < 7;
        let can_nest = self.frames.len() < 7;
        let mut_floats = !self.mut_floats().is_empty();
        let writable = !self.writable_arrays().is_empty();
        let has_ints = !self.ints().is_empty();
        let mut_int_list: Vec<Id> = self
            .ints()
            .into_iter()
            .filter(|i| self.mut_ints.contains(i))
            .collect();
        let mut_ints = !mut_int_list.is_empty();
        let w = [
            18,                                  // 0 let
            10,                                  // 1 let mut
            2,                                   // 2 let later
            if has_ints { 3 } else { 0 },        // 3 let int
            2,                                   // 4 let bool
            if mut_floats { 7 } else { 0 },      // 5 assign
            if mut_floats { 14 } else { 0 },     // 6 compound
            if mut_floats { 2 } else { 0 },      // 7 /=
            if self.arrays < 3 { 5 } else { 0 }, // 8 array
            if writable { 8 } else { 0 },        // 9 store
            if writable { 7 } else { 0 },        // 10 compound store
            if can_nest { 10 } else { 0 },       // 11 if
            if can_loop { 11 } else { 0 },       // 12 for
            if can_loop { 4 } else { 0 },        // 13 while
            if can_loop { 2 } else { 0 },        // 14 loop
            if in_loop { 5 } else { 2 },         // 15 exit
            if mut_ints { 4 } else { 0 },        // 16 k += c
            1,                                   // 17 let _ = e
            if can_nest { 2 } else { 0 },        // 18 { block }
            if self.has_helper(&[HelperKind::Upd]) && writable {
                8
            } else {
                0
            }, // 19 upd(..)
            if self.step_sources(false).is_empty() {
                0
            } else {
                7
            }, // 20 step(..)
            if self.has_helper(&[HelperKind::Acc]) && mut_floats {
                6
            } else {
                0
            }, // 21 acc(..)
        ];
        match self.rng.weighted(&w) {
            0 | 1 => {
                let mutable = self.rng.chance(0.4);
                let depth = self.rng.range(1, 3) as u32;
                let init = self.fexpr_allowing(depth, ExitsOk::All);
                let annotate = !init.typed() || self.rng.chance(0.2);
                let name = self.call_name(&init, "v", 0.2);
                let id = self.bind(
                    name,
                    Kind::Float {
                        mutable,
                        elem: Elem::Owned,
                    },
                );
                self.flows(id, &init);
                Stmt::Let {
                    id,
                    mutable,
                    annotate,
                    init,
                }
            }
            2 => self.let_later(),
            3 => {
                let init = self.ibase();
                let mutable = self.rng.chance(0.4);
                // A mutable integer grows in loops (by at most 2 per `+=`, and no statement runs
                // more than about 100 times): a generous bound, which also keeps it out of loop
                // bounds and small integer arguments.
                let max = self.int_max(&init) + if mutable { 256 } else { 0 };
                let name = self.new_name("k", 0.1);
                let id = self.bind(name, Kind::Int { max });
                if mutable {
                    self.mut_ints.insert(id);
                }
                Stmt::LetInt { id, mutable, init }
            }
            4 => {
                let cond = self.cond(1);
                let name = self.new_name("f", 0.05);
                let id = self.bind(name, Kind::Bool);
                Stmt::LetBool { id, cond }
            }
            5 => {
                let id = self.rng.pick(&self.mut_floats());
                let depth = self.rng.range(1, 3) as u32;
                let mut e = self.fexpr_allowing(depth, ExitsOk::Return);
                // Rarely overwrite an input-dependent value with a constant.
                if self.active.contains(&id) && !self.is_active(&e) && self.rng.chance(0.85) {
                    let op = self.op();
                    let leaf = self.leaf();
                    e = FExpr::Bin(op, Box::new(e), Box::new(leaf));
                }
                self.flows(id, &e);
                Stmt::Assign { id, e }
            }
            6 => {
                let id = self.rng.pick(&self.mut_floats());
                let op = self.op();
                let e = self.compound_rhs(op);
                self.flows(id, &e);
                Stmt::Compound { id, op, e }
            }
            7 => {
                let id = self.rng.pick(&self.mut_floats());
                Stmt::DivAssign {
                    id,
                    den: self.pos(1),
                }
            }
            8 => self.array_decl(),
            9 | 10 => {
                let arr = self.rng.pick(&self.writable_arrays());
                let Some(idx) = self.index_for(arr, true) else {
                    let e = self.fexpr(1);
                    let name = self.call_name(&e, "v", 0.0);
                    let id = self.bind(
                        name,
                        Kind::Float {
                            mutable: false,
                            elem: Elem::Owned,
                        },
                    );
                    return Stmt::Let {
                        id,
                        mutable: false,
                        annotate: !e.typed(),
                        init: e,
                    };
                };
                if self.rng.chance(0.5) {
                    let depth = self.rng.range(1, 2) as u32;
                    let e = self.fexpr(depth);
                    self.flows(arr, &e);
                    Stmt::Store { arr, idx, e }
                } else {
                    let op = self.op();
                    let e = self.compound_rhs(op);
                    self.flows(arr, &e);
                    Stmt::CompoundStore { arr, idx, op, e }
                }
            }
            11 => self.if_stmt(2),
            12 => self.for_loop(),
            13 => self.while_loop(),
            14 => self.plain_loop(),
            15 => self.exit(in_loop),
            16 => Stmt::IntAdd {
                id: self.rng.pick(&mut_int_list),
                by: self.rng.range(1, 2),
            },
            17 => Stmt::LetWild(self.fexpr_allowing(1, ExitsOk::All)),
            19 => self.mut_call(),
            20 => self.step_call(),
            21 => {
                let helper = self.helper_of(&[HelperKind::Acc]);
                let depth = self.rng.range(0, 2) as u32;
                let x = self.fexpr(depth);
                let targets: Vec<Id> = self
                    .mut_floats()
                    .into_iter()
                    .filter(|&id| !self.call_names.contains(&self.vars[id].name))
                    .collect();
                if targets.is_empty() {
                    return Stmt::LetWild(x);
                }
                let id = self.rng.pick(&targets);
                self.flows(id, &x);
                Stmt::AccCall { helper, x, id }
            }
            _ => Stmt::Block(self.block(1, 3, |_| {})),
        }
    }

    /// The right side of `x op= e`: for `*=`, usually a factor near 1.
    fn compound_rhs(&mut self, op: Op) -> FExpr {
        if op == Op::Mul && self.rng.chance(0.6) {
            let inner = self.fexpr_allowing(1, ExitsOk::Return);
            FExpr::Bin(
                Op::Add,
                Box::new(FExpr::Lit(0.5)),
                Box::new(FExpr::Un(Un::Sigmoid, Box::new(inner))),
            )
        } else {
            let depth = self.rng.range(1, 2) as u32;
            self.fexpr_allowing(depth, ExitsOk::Return)
        }
    }

    fn let_later(&mut self) -> Stmt {
        let cond = self.cond(1);
        let branch = |g: &mut Gen| {
            g.push_frame();
            let mut stmts = Vec::new();
            if g.rng.chance(0.4) {
                let init = g.fexpr(1);
                let name = g.call_name(&init, "v", 0.0);
                let id = g.bind(
                    name,
                    Kind::Float {
                        mutable: false,
                        elem: Elem::Owned,
                    },
                );
                stmts.push(Stmt::Let {
                    id,
                    mutable: false,
                    annotate: !init.typed(),
                    init,
                });
            }
            let e = g.fexpr(2);
            g.pop_frame();
            (stmts, e)
        };
        let (mut then, a) = branch(self);
        let (mut els, b) = branch(self);
        let mutable = self.rng.chance(0.3);
        // Fresh: the binding is in scope in the branches, which must not see a shadowed name.
        let name = self.fresh_name("v");
        let id = self.bind(
            name,
            Kind::Float {
                mutable,
                elem: Elem::Owned,
            },
        );
        self.flows(id, &a);
        self.flows(id, &b);
        then.push(Stmt::Assign { id, e: a });
        els.push(Stmt::Assign { id, e: b });
        Stmt::LetLater {
            id,
            mutable,
            cond,
            then,
            els,
        }
    }

    fn array_decl(&mut self) -> Stmt {
        self.arrays += 1;
        let fill = if self.rng.chance(0.7) {
            FExpr::Lit(self.rng.pick(&[0.0, 0.0, 1.0, 0.5]))
        } else {
            self.fexpr(0)
        };
        let annotate = !fill.typed() && self.rng.chance(0.5);
        let step_n = self.helpers.iter().find_map(|h| match h.kind {
            HelperKind::Step { n, .. } => Some(n),
            _ => None,
        });
        // The first array of a program with a step helper has the step's length.
        let first_for_step = step_n.is_some() && self.arrays == 1;
        let (len, fixed, min_len, max_len, prefix) = if first_for_step || self.rng.chance(0.55) {
            let l = match step_n {
                Some(n) if first_for_step || self.rng.chance(0.6) => n,
                _ => self.rng.pick(&[2, 3, 4, 4, 5, 8]),
            };
            (ArrLen::Fixed(l), Some(l), l, l, "h")
        } else {
            let mut opts: Vec<(IExpr, usize, usize)> = vec![(IExpr::Lit(3), 3, 3)];
            if let Some(n) = self.n.filter(|&n| self.is_visible(n)) {
                opts.push((
                    IExpr::Add(Box::new(IExpr::Var(n)), Box::new(IExpr::Lit(1))),
                    1,
                    4,
                ));
                opts.push((IExpr::Var(n), 0, 3));
            }
            if let Some(xs) = self.xs.filter(|&xs| self.is_visible(xs)) {
                opts.push((IExpr::Len(xs), 0, 5));
                opts.push((
                    IExpr::Add(Box::new(IExpr::Len(xs)), Box::new(IExpr::Lit(1))),
                    1,
                    6,
                ));
            }
            let (e, lo, hi) = opts.swap_remove(self.rng.below(opts.len()));
            (ArrLen::Vec(e), None, lo, hi, "w")
        };
        let declared = match &len {
            ArrLen::Fixed(l) => Some(IExpr::Lit(*l)),
            ArrLen::Vec(e) if min_len >= 1 => Some(e.clone()),
            ArrLen::Vec(_) => None,
        };
        let name = self.new_name(prefix, 0.05);
        let id = self.bind(
            name,
            Kind::Array {
                fixed,
                min_len,
                max_len,
                param: false,
                len: declared,
            },
        );
        self.flows(id, &fill);
        if self.nested_region() {
            self.nested.insert(id);
        }
        Stmt::Array {
            id,
            fill,
            len,
            annotate,
        }
    }

    fn if_stmt(&mut self, chain: u32) -> Stmt {
        let cond = self.if_cond();
        let facts = self.facts(&cond);
        let then = self.block(1, 3, |g| g.add_facts(facts));
        let els = match self.rng.below(20) {
            0..=8 => Else::Block(self.block(1, 2, |_| {})),
            9..=11 if chain > 0 => Else::If(Box::new(self.if_stmt(chain - 1))),
            _ => Else::None,
        };
        Stmt::If { cond, then, els }
    }

    fn exit(&mut self, in_loop: bool) -> Stmt {
        self.exit_count += 1;
        let cond = self.if_cond();
        let facts = self.facts(&cond);
        self.push_frame();
        self.add_facts(facts);
        let mut then = Vec::new();
        if self.rng.chance(0.3) && !self.mut_floats().is_empty() {
            let id = self.rng.pick(&self.mut_floats());
            let op = self.op();
            let e = self.compound_rhs(op);
            self.flows(id, &e);
            then.push(Stmt::Compound { id, op, e });
        }
        let last = match (in_loop, self.rng.below(10)) {
            (true, 0..=3) => Stmt::Break,
            (true, 4..=6) => {
                if let Some(l) = self.loops.last_mut() {
                    l.has_continue = true;
                }
                Stmt::Continue
            }
            _ => Stmt::Return(self.result(false)),
        };
        then.push(last);
        self.pop_frame();
        Stmt::If {
            cond,
            then,
            els: Else::None,
        }
    }

    /// A loop body: the loop is pushed, `setup` binds the head's names in the body frame.
    fn loop_body(&mut self, setup: impl FnOnce(&mut Self)) -> (Vec<Stmt>, bool) {
        self.loops.push(LoopInfo {
            has_continue: false,
        });
        let body = self.block(1, 4, setup);
        let info = self.loops.pop().expect("loop");
        (body, info.has_continue)
    }

    fn range_end(&mut self) -> (IExpr, Vec<Id>) {
        let mut opts: Vec<(IExpr, Vec<Id>)> = Vec::new();
        if let Some(n) = self.n.filter(|&n| self.is_visible(n)) {
            opts.push((IExpr::Var(n), Vec::new()));
            opts.push((
                IExpr::Add(Box::new(IExpr::Var(n)), Box::new(IExpr::Lit(1))),
                Vec::new(),
            ));
        }
        for a in self.arrays() {
            let (fixed, _, _) = self.array_info(a);
            opts.push((IExpr::Len(a), vec![a]));
            if let Some(l) = fixed {
                opts.push((IExpr::Lit(l), vec![a]));
            }
        }
        for i in self.ints() {
            let max = match self.vars[i].kind {
                Kind::Int { max } => max,
                _ => unreachable!(),
            };
            if max <= 5 {
                opts.push((
                    IExpr::Add(Box::new(IExpr::Var(i)), Box::new(IExpr::Lit(1))),
                    Vec::new(),
                ));
            }
        }
        let lit = self.rng.range(2, 5);
        opts.push((IExpr::Lit(lit), Vec::new()));
        let (e, arrays) = opts.swap_remove(self.rng.below(opts.len()));
        // A literal end is a valid index of every fixed array at least that long.
        let arrays = if let IExpr::Lit(l) = e {
            self.arrays()
                .into_iter()
                .filter(|&a| matches!(self.array_info(a).0, Some(fl) if fl >= l))
                .collect()
        } else {
            arrays
        };
        (e, arrays)
    }

    fn for_loop(&mut self) -> Stmt {
        self.for_loop_over(None)
    }

    /// A `for` loop; over the whole of array `over` if given.
    fn for_loop_over(&mut self, over: Option<Id>) -> Stmt {
        let mut iterable = self.arrays();
        if let Some(xs) = self.xs.filter(|&xs| self.is_visible(xs)) {
            // The slice is the input most worth iterating over.
            iterable.push(xs);
            iterable.push(xs);
        }
        let kind = if iterable.is_empty() {
            0
        } else {
            self.rng.weighted(&[50, 25, 20])
        };
        if let Some(a) = over {
            iterable = vec![a];
        }
        match kind {
            0 => {
                let (end, valid_for) = match over {
                    Some(a) => (IExpr::Len(a), vec![a]),
                    None => self.range_end(),
                };
                let start = match self.rng.below(10) {
                    _ if over.is_some() => IExpr::Lit(0),
                    0..=6 => IExpr::Lit(0),
                    7 | 8 => IExpr::Lit(1),
                    _ => self.ibase(),
                };
                let inclusive = over.is_none() && self.rng.chance(0.15);
                let mods = match self.rng.below(20) {
                    0..=10 => vec![],
                    11..=14 => vec![RangeMod::Rev],
                    15..=16 => vec![RangeMod::Step(self.rng.range(2, 3))],
                    17..=18 => vec![RangeMod::Rev, RangeMod::Step(2)],
                    // `StepBy<RangeInclusive<usize>>` is not double-ended: only `a..b` here.
                    _ if inclusive => vec![RangeMod::Rev],
                    _ => vec![RangeMod::Step(2), RangeMod::Rev],
                };
                let max = self.int_max(&end) + usize::from(inclusive);
                let named = over.is_some() || self.rng.chance(0.9);
                let mut var = None;
                let (body, _) = self.loop_body(|g| {
                    if named {
                        let name = g.new_name("i", 0.05);
                        let id = g.bind(name, Kind::Int { max });
                        if !inclusive {
                            let facts = valid_for.iter().map(|&a| Fact::Valid(id, a)).collect();
                            g.add_facts(facts);
                        }
                        var = Some(id);
                    }
                });
                Stmt::For {
                    head: Head::Range {
                        var,
                        start,
                        end,
                        inclusive,
                        mods,
                    },
                    body,
                }
            }
            1 => {
                let arr = self.rng.pick(&iterable);
                let is_param = matches!(self.vars[arr].kind, Kind::Array { param: true, .. });
                let style = if is_param {
                    [
                        EachStyle::AmpBare,
                        EachStyle::AmpIter,
                        EachStyle::DerefIter,
                        EachStyle::Wild,
                    ][self.rng.weighted(&[4, 2, 2, 1])]
                } else {
                    [
                        EachStyle::AmpIter,
                        EachStyle::AmpRef,
                        EachStyle::DerefIter,
                        EachStyle::Wild,
                    ][self.rng.weighted(&[3, 3, 2, 1])]
                };
                let mut elem = None;
                let (body, _) = self.loop_body(|g| {
                    g.frames.last_mut().expect("frame").borrowed.push(arr);
                    if style != EachStyle::Wild {
                        let name = g.new_name("e", 0.05);
                        let e = if style == EachStyle::DerefIter {
                            Elem::Deref
                        } else {
                            Elem::Copy
                        };
                        let id = g.bind(
                            name,
                            Kind::Float {
                                mutable: false,
                                elem: e,
                            },
                        );
                        if g.active.contains(&arr) {
                            g.active.insert(id);
                        }
                        elem = Some(id);
                    }
                });
                Stmt::For {
                    head: Head::Each { arr, elem, style },
                    body,
                }
            }
            _ => {
                let arr = self.rng.pick(&iterable);
                let by_ref = self.rng.chance(0.3);
                let named = self.rng.chance(0.9);
                let max = self.array_info(arr).2;
                let mut idx = None;
                let mut elem = 0;
                let (body, _) = self.loop_body(|g| {
                    g.frames.last_mut().expect("frame").borrowed.push(arr);
                    if named {
                        let name = g.new_name("i", 0.05);
                        let id = g.bind(name, Kind::Int { max });
                        g.add_facts(vec![Fact::Valid(id, arr)]);
                        idx = Some(id);
                    }
                    // Fresh: `(i, &i)` binds a name twice in one pattern.
                    let name = g.fresh_name("e");
                    elem = g.bind(
                        name,
                        Kind::Float {
                            mutable: false,
                            elem: if by_ref { Elem::Deref } else { Elem::Copy },
                        },
                    );
                    if g.active.contains(&arr) {
                        g.active.insert(elem);
                    }
                });
                Stmt::For {
                    head: Head::Enumerate {
                        arr,
                        idx,
                        elem,
                        by_ref,
                    },
                    body,
                }
            }
        }
    }

    fn counter_limit(&mut self) -> IExpr {
        let mut opts = vec![IExpr::Lit(self.rng.range(1, 4))];
        if let Some(n) = self.n.filter(|&n| self.is_visible(n)) {
            opts.push(IExpr::Var(n));
            opts.push(IExpr::Add(Box::new(IExpr::Var(n)), Box::new(IExpr::Lit(1))));
        }
        if let Some(xs) = self.xs.filter(|&xs| self.is_visible(xs)) {
            opts.push(IExpr::Len(xs));
        }
        opts.swap_remove(self.rng.below(opts.len()))
    }

    fn counter(&mut self, max: usize) -> Id {
        let name = self.fresh_name("c");
        self.protected.insert(name.clone());
        self.bind(name, Kind::Int { max })
    }

    fn while_loop(&mut self) -> Stmt {
        let limit = self.counter_limit();
        let inclusive = self.rng.chance(0.2);
        let max = self.int_max(&limit) + 1;
        let counter = self.counter(max);
        let extra = if self.rng.chance(0.3) {
            // No `break`/`continue` in a `while` condition (Rust refuses them there).
            let saved = std::mem::replace(&mut self.exits, ExitsOk::None);
            let c = self.fcmp();
            self.exits = saved;
            Some(c)
        } else {
            None
        };
        let (body, has_continue) = self.loop_body(|_| {});
        let inc_first = has_continue || self.rng.chance(0.5);
        Stmt::While {
            counter,
            limit,
            inclusive,
            extra,
            inc_first,
            body,
        }
    }

    fn plain_loop(&mut self) -> Stmt {
        let limit = self.counter_limit();
        let max = self.int_max(&limit) + 1;
        let counter = self.counter(max);
        self.plain_loops += 1;
        let (body, has_continue) = self.loop_body(|_| {});
        self.plain_loops -= 1;
        let inc_first = has_continue || self.rng.chance(0.5);
        Stmt::Loop {
            counter,
            limit,
            inc_first,
            body,
        }
    }

    /// The function's result: every visible mutable float, an element of every visible local
    /// array and a few other values, combined, so that most of the computation reaches it.
    fn tail(&mut self) -> FExpr {
        self.result(true)
    }

    /// A result: the mutable floats in scope (all of them for the tail, a few for a `return`),
    /// array elements and other values, combined.
    fn result(&mut self, all: bool) -> FExpr {
        let mut terms: Vec<FExpr> = self.mut_floats().into_iter().map(FExpr::Var).collect();
        if !all {
            for i in (1..terms.len()).rev() {
                let j = self.rng.below(i + 1);
                terms.swap(i, j);
            }
            terms.truncate(self.rng.range(1, 2));
        }
        for a in self.arrays() {
            if matches!(self.vars[a].kind, Kind::Array { param: false, .. }) {
                if let Some(i) = self.index_for(a, false) {
                    terms.push(FExpr::Elem(a, i));
                }
            }
        }
        let others: Vec<Id> = self
            .floats()
            .into_iter()
            .filter(|&id| matches!(self.vars[id].kind, Kind::Float { mutable: false, .. }))
            .collect();
        for _ in 0..self.rng.range(0, 2) {
            if !others.is_empty() {
                let id = self.recent(&others);
                terms.push(FExpr::Var(id));
            }
        }
        if terms.is_empty() || self.rng.chance(0.3) {
            terms.push(self.fexpr(1));
        }
        terms.truncate(7);
        let mut acc: Option<FExpr> = None;
        for t in terms {
            acc = Some(match acc {
                None => t,
                Some(a) => {
                    let op = self
                        .rng
                        .pick(&[Op::Add, Op::Add, Op::Add, Op::Sub, Op::Mul]);
                    FExpr::Bin(op, Box::new(a), Box::new(t))
                }
            });
        }
        acc.expect("at least one term")
    }

    // ----- generated helpers over slices and arrays ----------------------------------------

    /// The program's helpers: none for some programs, else a random subset of the kinds.
    fn gen_helpers(&mut self) -> Vec<GenHelper> {
        let mut out = Vec::new();
        if !self.rng.chance(0.6) {
            return out;
        }
        let kinds = [
            HelperKind::Sum,
            HelperKind::Dot,
            HelperKind::Upd,
            HelperKind::Step {
                n: self.rng.pick(&[3, 4]),
                lit: self.rng.chance(0.5),
            },
            HelperKind::Acc,
        ];
        while out.is_empty() {
            for &kind in &kinds {
                if self.rng.chance(0.35) {
                    let sign = |g: &mut Gen| if g.rng.chance(0.3) { -1.0 } else { 1.0 };
                    let c1 = sign(self) * round2(self.rng.uniform(0.3, 1.5));
                    let c2 = sign(self) * round2(self.rng.uniform(0.3, 1.5));
                    out.push(GenHelper {
                        kind,
                        used: false,
                        op: self
                            .rng
                            .pick(&[Squash::Tanh, Squash::Atan, Squash::Sigmoid]),
                        c0: round2(self.rng.uniform(0.3, 0.9)),
                        c1,
                        c2,
                        c3: round2(self.rng.uniform(0.5, 2.0)),
                    });
                }
            }
        }
        out
    }

    fn has_helper(&self, kinds: &[HelperKind]) -> bool {
        self.helpers
            .iter()
            .any(|h| kinds.iter().any(|k| k.suffix() == h.kind.suffix()))
    }

    /// The index of one of the program's helpers of these kinds (there must be one).
    fn helper_of(&mut self, kinds: &[HelperKind]) -> usize {
        let ids: Vec<usize> = (0..self.helpers.len())
            .filter(|&i| {
                kinds
                    .iter()
                    .any(|k| k.suffix() == self.helpers[i].kind.suffix())
            })
            .collect();
        let h = self.rng.pick(&ids);
        self.helpers[h].used = true;
        h
    }

    /// A part of array `a` that is in range here: the whole array, or a sub-slice with bounds
    /// at most its known minimum length, or given by an integer known to index it.
    fn slice_arg(&mut self, arr: Id, place: bool) -> SliceArg {
        let (fixed, min_len, _) = self.array_info(arr);
        let m = fixed.unwrap_or(if self.nonempty(arr) {
            min_len.max(1)
        } else {
            min_len
        });
        let valid: Vec<Id> = self
            .ints()
            .into_iter()
            .filter(|&i| self.is_valid(i, arr))
            .collect();
        let lit = |g: &mut Gen, hi: usize| IExpr::Lit(g.rng.range(0, hi));
        let var = !valid.is_empty() && self.rng.chance(0.5);
        let part = match self.rng.below(7) {
            0 | 1 => Part::Whole,
            2 if var => Part::From(IExpr::Var(self.rng.pick(&valid))),
            2 => Part::From(lit(self, m)),
            3 if var => Part::To(IExpr::Var(self.rng.pick(&valid))),
            3 => Part::To(lit(self, m)),
            4 if var => Part::ToIncl(IExpr::Var(self.rng.pick(&valid))),
            4 if m >= 1 => Part::ToIncl(lit(self, m - 1)),
            5 if var && !place => Part::Range(IExpr::Var(self.rng.pick(&valid)), IExpr::Len(arr)),
            5 if var => {
                let i = self.rng.pick(&valid);
                Part::Range(IExpr::Lit(0), IExpr::Var(i))
            }
            5 => {
                let hi = self.rng.range(0, m);
                let lo = self.rng.range(0, hi);
                Part::Range(IExpr::Lit(lo), IExpr::Lit(hi))
            }
            6 if var => {
                let i = self.rng.pick(&valid);
                Part::Incl(IExpr::Var(i), IExpr::Var(i))
            }
            6 if m >= 1 => {
                let hi = self.rng.range(0, m - 1);
                let lo = self.rng.range(0, hi + 1);
                Part::Incl(IExpr::Lit(lo), IExpr::Lit(hi))
            }
            _ => Part::Whole,
        };
        SliceArg { arr, part }
    }

    /// An array to pass, preferring those that carry a derivative.
    fn pick_array(&mut self, among: &[Id]) -> Id {
        let active: Vec<Id> = among
            .iter()
            .copied()
            .filter(|a| self.active.contains(a))
            .collect();
        if !active.is_empty() && self.rng.chance(0.7) {
            self.rng.pick(&active)
        } else {
            self.rng.pick(among)
        }
    }

    /// `sum(&a[..], x)` or `dot(&a[..], &b[..], x)`; a plain call when no array is visible.
    fn slice_call(&mut self, d: u32) -> FExpr {
        let arrays = self.passable(self.arrays());
        if arrays.is_empty() {
            return self.call(d);
        }
        let h = self.helper_of(&[HelperKind::Sum, HelperKind::Dot]);
        let n = if self.helpers[h].kind == HelperKind::Dot {
            2
        } else {
            1
        };
        let args = (0..n)
            .map(|_| {
                let a = self.pick_array(&arrays);
                self.slice_arg(a, false)
            })
            .collect();
        let x = self.fexpr(d);
        FExpr::SliceCall(h, args, Box::new(x))
    }

    /// `upd(x, &w[..], &mut h[..]);` with `h` a writable local array, `w` another array.
    fn mut_call(&mut self) -> Stmt {
        let helper = self.helper_of(&[HelperKind::Upd]);
        let depth = self.rng.range(0, 2) as u32;
        let x = self.fexpr(depth);
        let writable = self.passable(self.writable_arrays());
        if writable.is_empty() {
            return Stmt::LetWild(x);
        }
        let h_arr = self.pick_array(&writable);
        let others: Vec<Id> = self
            .passable(self.arrays())
            .into_iter()
            .filter(|&a| a != h_arr)
            .collect();
        let w = if others.is_empty() {
            // No other array: the parameter slice's empty part would do, but there may be none.
            return Stmt::LetWild(x);
        } else {
            let a = self.pick_array(&others);
            self.slice_arg(a, false)
        };
        let h = self.slice_arg(h_arr, true);
        if self.is_active(&x) || self.active.contains(&w.arr) {
            self.active.insert(h_arr);
        }
        Stmt::MutCall { helper, x, w, h }
    }

    /// Local arrays of the step helper's length (writable ones only for `assign`).
    fn step_sources(&self, assign: bool) -> Vec<Id> {
        let Some(n) = self.helpers.iter().find_map(|h| match h.kind {
            HelperKind::Step { n, .. } => Some(n),
            _ => None,
        }) else {
            return Vec::new();
        };
        let pool = if assign {
            self.writable_arrays()
        } else {
            self.arrays()
        };
        self.passable(pool)
            .into_iter()
            .filter(|&a| {
                matches!(self.vars[a].kind, Kind::Array { fixed: Some(l), param: false, .. } if l == n)
            })
            .collect()
    }

    /// `let mut next = step(s, x);` or `s = step(s, x);`.
    fn step_call(&mut self) -> Stmt {
        let helper = self.helper_of(&[HelperKind::Step { n: 0, lit: false }]);
        let HelperKind::Step { n, .. } = self.helpers[helper].kind else {
            unreachable!("a step helper")
        };
        let depth = self.rng.range(0, 2) as u32;
        let x = self.fexpr(depth);
        let writable = self.step_sources(true);
        let can_bind = !self.nested_region() || self.known_bugs.nested;
        if !writable.is_empty() && (self.rng.chance(0.5) || !can_bind) {
            let src = self.pick_array(&writable);
            if self.is_active(&x) {
                self.active.insert(src);
            }
            return Stmt::StepCall {
                helper,
                id: src,
                src,
                x,
                assign: true,
                fold: None,
            };
        }
        if !can_bind {
            return Stmt::LetWild(x);
        }
        // Read the result at once: an unread result does not compile (a known bug).
        let fold = match self.mut_floats() {
            _ if self.known_bugs.unused && self.rng.chance(0.5) => None,
            targets if !targets.is_empty() => Some((self.rng.pick(&targets), self.rng.below(n))),
            _ => return Stmt::LetWild(x),
        };
        let sources = self.step_sources(false);
        let src = self.pick_array(&sources);
        let active = self.is_active(&x) || self.active.contains(&src);
        self.arrays += 1;
        let mut name = self.new_name("h", 0.1);
        if fold.is_some_and(|(s, _)| self.vars[s].name == name) {
            // `s += next[k]` must still name the float.
            name = self.fresh_name("h");
        }
        let id = self.bind(
            name,
            Kind::Array {
                fixed: Some(n),
                min_len: n,
                max_len: n,
                param: false,
                len: Some(IExpr::Lit(n)),
            },
        );
        if active {
            self.active.insert(id);
            if let Some((s, _)) = fold {
                self.active.insert(s);
            }
        }
        if self.nested_region() {
            self.nested.insert(id);
        }
        Stmt::StepCall {
            helper,
            id,
            src,
            x,
            assign: false,
            fold,
        }
    }
}
