//! The program AST. One tree per program, rendered twice: as an `f64` function under
//! `#[differentiable]` and as the same computation over `grad::tape::Value`.
//!
//! Domain safety is structural: arguments that must be positive are a [`Pos`] (a form that is
//! positive whatever its operands, e.g. `e * e + c`), arguments of `asin`/`acos`/`atanh` are
//! squashed into `(-0.9, 0.9)`, and denominators are a [`Pos`] or a non-zero literal. Magnitudes
//! are kept in range afterwards by [`crate::generator::bounds`], which may wrap subexpressions
//! in a [`Squash`].

/// Identifies one binding (a parameter, a local, a loop variable, an array). Shadowing creates
/// a new binding with the same name, so ids, not names, are what the passes reason about.
pub type Id = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
}

impl Op {
    pub fn sym(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
        }
    }
}

/// One-argument operations defined everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Un {
    Neg,
    Sin,
    Cos,
    Atan,
    Tanh,
    Sigmoid,
    Asinh,
    Relu,
    Abs,
    Signum,
    Floor,
    Ceil,
    Round,
    Trunc,
}

/// One-argument operations whose argument the bounds pass keeps small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lim {
    Exp,
    Exp2,
    ExpM1,
    Sinh,
    Cosh,
    Tan,
}

impl Lim {
    pub fn name(self) -> &'static str {
        match self {
            Lim::Exp => "exp",
            Lim::Exp2 => "exp2",
            Lim::ExpM1 => "exp_m1",
            Lim::Sinh => "sinh",
            Lim::Cosh => "cosh",
            Lim::Tan => "tan",
        }
    }

    /// The largest magnitude the argument may have.
    pub fn limit(self) -> f64 {
        match self {
            Lim::Exp | Lim::ExpM1 | Lim::Sinh | Lim::Cosh => 3.0,
            Lim::Exp2 => 4.0,
            Lim::Tan => 1.2,
        }
    }
}

/// One-argument operations that need a positive argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnPos {
    Ln,
    Sqrt,
    Log2,
    Log10,
    Ln1p,
    Recip,
    Cbrt,
}

impl OnPos {
    pub fn name(self) -> &'static str {
        match self {
            OnPos::Ln => "ln",
            OnPos::Sqrt => "sqrt",
            OnPos::Log2 => "log2",
            OnPos::Log10 => "log10",
            OnPos::Ln1p => "ln_1p",
            OnPos::Recip => "recip",
            OnPos::Cbrt => "cbrt",
        }
    }
}

/// `asin`, `acos`, `atanh` of `(e.tanh() * 0.9)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Asin,
    Acos,
    Atanh,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Asin => "asin",
            Unit::Acos => "acos",
            Unit::Atanh => "atanh",
        }
    }
}

/// Two-argument methods defined everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bi {
    Hypot,
    Atan2,
    Max,
    Min,
}

impl Bi {
    pub fn name(self) -> &'static str {
        match self {
            Bi::Hypot => "hypot",
            Bi::Atan2 => "atan2",
            Bi::Max => "max",
            Bi::Min => "min",
        }
    }
}

/// A bounded, smooth, odd-or-monotone function used to keep a value in range:
/// `(e * k).f() * c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Squash {
    Tanh,
    Sin,
    Atan,
    Sigmoid,
}

impl Squash {
    pub fn name(self) -> &'static str {
        match self {
            Squash::Tanh => "tanh",
            Squash::Sin => "sin",
            Squash::Atan => "atan",
            Squash::Sigmoid => "sigmoid",
        }
    }

    /// The largest magnitude of `f(t)`.
    pub fn max(self) -> f64 {
        match self {
            Squash::Tanh | Squash::Sin | Squash::Sigmoid => 1.0,
            Squash::Atan => std::f64::consts::FRAC_PI_2,
        }
    }
}

/// An expression that is positive whatever its operands.
#[derive(Clone, Debug)]
pub enum Pos {
    /// `(e * e + c)`, `c > 0`.
    SqPlus(Box<FExpr>, f64),
    /// `(e.abs() + c)`, `c > 0`.
    AbsPlus(Box<FExpr>, f64),
    /// `e.exp()` (the bounds pass keeps `e` small).
    Exp(Box<FExpr>),
    /// `e.cosh()`, at least 1.
    Cosh(Box<FExpr>),
    /// `(e.sigmoid() + c)`, `c > 0`.
    SigPlus(Box<FExpr>, f64),
    /// `e.hypot(c)`, `c > 0`.
    HypotC(Box<FExpr>, f64),
    /// A positive literal.
    Lit(f64),
}

/// The bounds of `clamp`.
#[derive(Clone, Debug)]
pub enum ClampBounds {
    /// Literal bounds `lo < hi`.
    Lit(f64, f64),
    /// `(-(e.abs()) - 0.5, e.abs() + 0.5)`: differentiable bounds, never crossed.
    Sym(Box<FExpr>),
}

/// A float expression.
#[derive(Clone, Debug)]
pub enum FExpr {
    Lit(f64),
    /// A constant of `std::f64::consts` (index into [`CONSTS`]).
    Const(usize),
    /// `(K op e)` with a user constant `K` (index into [`USER_CONSTS`]).
    UserConst(usize, Op, Box<FExpr>),
    /// A user constant alone (also as a call argument: `mix(x, K0)`).
    UserConstBare(usize),
    /// `f64::from(k as u32)`.
    FromInt(IExpr),
    Var(Id),
    /// `a[i]` for a parameter slice or local array `a`; the index is in bounds by construction.
    Elem(Id, IExpr),
    /// `(i as f64)`.
    Cast(IExpr),
    Bin(Op, Box<FExpr>, Box<FExpr>),
    /// `(e / d)`.
    Div(Box<FExpr>, Pos),
    Un(Un, Box<FExpr>),
    Lim(Lim, Box<FExpr>),
    OnPos(OnPos, Pos),
    /// `((e).tanh() * 0.9).f()`.
    Unit(Unit, Box<FExpr>),
    /// `(p + 1.25).acosh()`.
    Acosh(Pos),
    /// `(e as f64)`: a cast between floats, the identity.
    FCast(Box<FExpr>),
    /// `(if c { return r; } else { e })` (or `break;` / `continue;`): an exit from inside an
    /// expression.
    IfExit(Box<Cond>, Exit, Box<FExpr>),
    /// `x.log(base)`; the base stays away from 1 (at least 1.5, or a literal).
    Log(Pos, Pos),
    /// `x.powf(y)` with a positive base.
    Powf(Pos, Box<FExpr>),
    /// `e.powi(k)`, `0 <= k <= 4`.
    Powi(Box<FExpr>, i32),
    /// `x.powi(k)`, `k < 0`, with a positive base.
    PowiPos(Pos, i32),
    /// `e.powi(k as i32)` with a run-time integer `0 <= k <= 4`.
    PowiVar(Box<FExpr>, IExpr),
    Bi(Bi, Box<FExpr>, Box<FExpr>),
    MulAdd(Box<FExpr>, Box<FExpr>, Box<FExpr>),
    Clamp(Box<FExpr>, ClampBounds),
    /// `(e * e)`, rendered with `e` twice.
    Square(Box<FExpr>),
    Pos(Pos),
    /// `if c { a } else { b }` as an expression.
    If(Box<Cond>, Box<FExpr>, Box<FExpr>),
    /// `{ let ...; tail }`: only `let`s inside.
    Block(Vec<Stmt>, Box<FExpr>),
    /// A call of helper `HELPERS[h]`; `true` to call it by path.
    Call(usize, Vec<Arg>, bool),
    /// A call of the program's slice helper `p.helpers[h]` (a [`HelperKind::Sum`] or
    /// [`HelperKind::Dot`]): `name(a, [b,] x)` with (sub-)slice arguments.
    SliceCall(usize, Vec<SliceArg>, Box<FExpr>),
    /// `((e * k).f() * c)`.
    Squash(Squash, f64, f64, Box<FExpr>),
}

/// An exit taken from inside an expression.
#[derive(Clone, Debug)]
pub enum Exit {
    Return(Box<FExpr>),
    Break,
    Continue,
}

/// Which part of an array a call passes.
#[derive(Clone, Debug)]
pub enum Part {
    /// `xs` (a parameter slice) or `&h` (a local array or `Vec`).
    Whole,
    /// `&a[lo..]`.
    From(IExpr),
    /// `&a[..hi]`.
    To(IExpr),
    /// `&a[..=hi]`.
    ToIncl(IExpr),
    /// `&a[lo..hi]`.
    Range(IExpr, IExpr),
    /// `&a[lo..=hi]`.
    Incl(IExpr, IExpr),
}

/// An array argument: array `arr`, or the part of it that `part` says (always in range).
#[derive(Clone, Debug)]
pub struct SliceArg {
    pub arr: Id,
    pub part: Part,
}

/// A helper generated with the program (rendered before it, with a tape twin). Every helper
/// computes `(.. * c1 + .. * c2).op() * c3` per element, so its results are bounded.
#[derive(Clone, Debug)]
pub struct GenHelper {
    pub kind: HelperKind,
    /// Whether the program calls it (unused helpers are not rendered).
    pub used: bool,
    pub op: Squash,
    pub c0: f64,
    pub c1: f64,
    pub c2: f64,
    pub c3: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelperKind {
    /// `fn sum(a: &[f64], x: f64) -> f64`: a loop over `a` with an accumulator.
    Sum,
    /// `fn dot(a: &[f64], b: &[f64], x: f64) -> f64`: over `a`, reading `b[i]` where
    /// `i < b.len()`.
    Dot,
    /// `fn upd(x: f64, w: &[f64], h: &mut [f64])`: updates `h` in place, reading `w[i]` where
    /// `i < w.len()`.
    Upd,
    /// `fn step(s: [f64; N], t: f64) -> [f64; N]`: tail a local array (`lit` false) or an
    /// array literal `[a, b, ..]`.
    Step { n: usize, lit: bool },
    /// `fn acc(x: f64, a: &mut f64)`: `*a += ..; *a *= c1;`.
    Acc,
}

impl HelperKind {
    pub fn suffix(self) -> &'static str {
        match self {
            HelperKind::Sum => "sum",
            HelperKind::Dot => "dot",
            HelperKind::Upd => "upd",
            HelperKind::Step { .. } => "step",
            HelperKind::Acc => "acc",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Arg {
    F(FExpr),
    I(IExpr),
}

/// An integer (`usize`) expression. Never underflows, never divides by zero.
#[derive(Clone, Debug)]
pub enum IExpr {
    Lit(usize),
    Var(Id),
    /// `a.len()`.
    Len(Id),
    Add(Box<IExpr>, Box<IExpr>),
    Mul(Box<IExpr>, Box<IExpr>),
    /// `a % m`, `m` at least 1.
    Rem(Box<IExpr>, Box<IExpr>),
    /// `e - 1`, `e` at least 1.
    SubOne(Box<IExpr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    pub fn sym(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Cond {
    /// Float comparison (never `==`/`!=`).
    F(Cmp, FExpr, FExpr),
    I(Cmp, IExpr, IExpr),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Bool(Id),
    /// `e.is_sign_negative()`.
    SignNeg(FExpr),
}

#[derive(Clone, Debug)]
pub enum Else {
    None,
    Block(Vec<Stmt>),
    /// `else if ...`: the statement is a [`Stmt::If`].
    If(Box<Stmt>),
}

#[derive(Clone, Debug)]
pub enum ArrLen {
    /// `[fill; N]`.
    Fixed(usize),
    /// `vec![fill; len]`.
    Vec(IExpr),
}

/// How a `for` loop over an array binds the element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EachStyle {
    /// `for &v in xs` (parameter slices only).
    AmpBare,
    /// `for &v in xs.iter()`.
    AmpIter,
    /// `for &v in &h` (local arrays only).
    AmpRef,
    /// `for v in xs.iter()`, the element read as `*v`.
    DerefIter,
    /// `for _ in xs` / `for _ in &h`.
    Wild,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeMod {
    Rev,
    Step(usize),
}

#[derive(Clone, Debug)]
pub enum Head {
    /// `for i in start..end` (or `..=`), with `.rev()` / `.step_by(k)` in the given order.
    Range {
        var: Option<Id>,
        start: IExpr,
        end: IExpr,
        inclusive: bool,
        mods: Vec<RangeMod>,
    },
    Each {
        arr: Id,
        elem: Option<Id>,
        style: EachStyle,
    },
    /// `for (i, &v) in a.iter().enumerate()` (`by_ref`: `(i, v)` and `*v`).
    Enumerate {
        arr: Id,
        idx: Option<Id>,
        elem: Id,
        by_ref: bool,
    },
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        id: Id,
        mutable: bool,
        annotate: bool,
        init: FExpr,
    },
    /// `let v: f64; if c { ..; v = a; } else { ..; v = b; }`: the branches end by assigning `id`.
    LetLater {
        id: Id,
        mutable: bool,
        cond: Cond,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    LetInt {
        id: Id,
        mutable: bool,
        init: IExpr,
    },
    /// `k += by;` on a mutable integer local (never a loop counter).
    IntAdd {
        id: Id,
        by: usize,
    },
    /// `let _ = e;`
    LetWild(FExpr),
    /// A bare block `{ ... }`.
    Block(Vec<Stmt>),
    LetBool {
        id: Id,
        cond: Cond,
    },
    Assign {
        id: Id,
        e: FExpr,
    },
    Compound {
        id: Id,
        op: Op,
        e: FExpr,
    },
    DivAssign {
        id: Id,
        den: Pos,
    },
    Array {
        id: Id,
        fill: FExpr,
        len: ArrLen,
        annotate: bool,
    },
    Store {
        arr: Id,
        idx: IExpr,
        e: FExpr,
    },
    CompoundStore {
        arr: Id,
        idx: IExpr,
        op: Op,
        e: FExpr,
    },
    If {
        cond: Cond,
        then: Vec<Stmt>,
        els: Else,
    },
    For {
        head: Head,
        body: Vec<Stmt>,
    },
    /// `let mut c = 0; while c < limit [&& extra] { c += 1; body }` (or the increment last
    /// when the body has no `continue`).
    While {
        counter: Id,
        limit: IExpr,
        inclusive: bool,
        extra: Option<Cond>,
        inc_first: bool,
        body: Vec<Stmt>,
    },
    /// `let mut c = 0; loop { c += 1; if c > limit { break; } body }` (or the body first, then
    /// `c += 1; if c >= limit { break; }`, when it has no `continue`).
    Loop {
        counter: Id,
        limit: IExpr,
        inc_first: bool,
        body: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(FExpr),
    /// `upd(x, w, &mut h[..])`: the program's [`HelperKind::Upd`] helper `helper`.
    MutCall {
        helper: usize,
        x: FExpr,
        w: SliceArg,
        h: SliceArg,
    },
    /// `let mut id = step(src, x);` (`assign`: `src = step(src, x);`, `id == src`), followed
    /// by `s += id[k];` when `fold` is `Some((s, k))`.
    StepCall {
        helper: usize,
        id: Id,
        src: Id,
        x: FExpr,
        assign: bool,
        fold: Option<(Id, usize)>,
    },
    /// `acc(x, &mut id);`: the program's [`HelperKind::Acc`] helper.
    AccCall {
        helper: usize,
        x: FExpr,
        id: Id,
    },
}

/// What a binding is.
#[derive(Clone, Debug)]
pub enum Kind {
    Float {
        mutable: bool,
        elem: Elem,
    },
    Int {
        max: usize,
    },
    Bool,
    Array {
        fixed: Option<usize>,
        min_len: usize,
        max_len: usize,
        param: bool,
        /// The length as declared (`n + 1`), when it is at least 1: a store's index uses it
        /// instead of `a.len()` (`w[w.len() - 1] = ..` does not borrow-check for a `Vec`).
        len: Option<IExpr>,
    },
}

/// How a float binding is spelled in each rendering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    /// A `let` or a parameter: an `f64` / an owned `Value`.
    Owned,
    /// `for &v in ..`: an `f64` / a `&Value`.
    Copy,
    /// `for v in ...iter()`: read as `*v` / a `&Value`.
    Deref,
}

#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub enum Param {
    Scalar { id: Id, index: usize, mutable: bool },
    Slice { id: Id },
    N { id: Id },
}

#[derive(Clone, Debug)]
pub struct Point {
    pub s: Vec<f64>,
    pub xs: Vec<f64>,
    pub n: usize,
}

#[derive(Clone, Debug)]
pub struct Program {
    pub name: String,
    /// Helpers generated with the program, named `{name}_{suffix}`.
    pub helpers: Vec<GenHelper>,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
    /// `None` when the body ends with `return`.
    pub tail: Option<FExpr>,
    pub vars: Vec<VarInfo>,
    pub scalars: usize,
    pub points: Vec<Point>,
}

/// Constructs the macro is known to get wrong, generated only on request
/// (`GRAD_FUZZ_KNOWN_BUGS`).
#[derive(Clone, Copy, Debug, Default)]
pub struct KnownBugs {
    /// `return`/`break`/`continue` inside an expression anywhere: the rest of the statement
    /// still runs in the companion.
    pub exits: bool,
    /// A local array declared anywhere but the body's leading region (inside an `if` branch
    /// or a loop body, or after a conditional `return`/`break`/`continue`) passed to a call,
    /// or bound there to an array-returning call: the expansion does not compile (`cannot find
    /// value __grad_a0`).
    pub nested: bool,
    /// A float `let` bound straight to a call's result (`let v = mix(a, b);`) sharing its name
    /// with an array or a `for` pattern (shadowing it or shadowed by it), or passed on as
    /// `&mut v`: the macro takes it for an array (`` `v` is an array ``).
    pub callinit: bool,
    /// The result of an array-returning call that is never read (`let h1 = step(h0, x);`):
    /// the expansion does not compile (`expected f64, found [f64; 3]`).
    pub unused: bool,
    /// A user constant as a value flowing into a float variable, array or if-expression: the
    /// expansion does not compile.
    pub consts: bool,
    /// Constructs whose twins on dual numbers (`jvp`, `hessian`) did not compile (typed
    /// float `let`s, user constants, `is_sign_negative`, constant float arguments): fixed,
    /// always generated.
    pub twins: bool,
}

impl KnownBugs {
    /// From `GRAD_FUZZ_KNOWN_BUGS`: `1` or `all`, or a comma-separated list of `exits`,
    /// `consts`, `twins`, `nested`, `unused`, `callinit`.
    pub fn parse(v: &str) -> KnownBugs {
        // `nested`, `unused`, `callinit` and `twins` were fixed in the macro when found:
        // always generated.
        let mut k = KnownBugs {
            nested: true,
            unused: true,
            callinit: true,
            twins: true,
            ..KnownBugs::default()
        };
        for part in v.split(',').map(str::trim) {
            match part {
                "" | "0" => {}
                "1" | "all" => {
                    k.exits = true;
                    k.consts = true;
                    k.twins = true;
                    k.nested = true;
                    k.unused = true;
                    k.callinit = true;
                }
                "exits" => k.exits = true,
                "consts" => k.consts = true,
                "twins" => k.twins = true,
                "nested" => k.nested = true,
                "unused" => k.unused = true,
                "callinit" => k.callinit = true,
                other => panic!(
                    "GRAD_FUZZ_KNOWN_BUGS: unknown `{other}` (expected `all`, `exits`, `consts`, \
                     `twins`, `nested`, `unused`, `callinit`)"
                ),
            }
        }
        k
    }

    pub fn any(self) -> bool {
        self.exits || self.consts
    }
}

/// Constants of `std::f64::consts` (the macro sees `f64` in the path: a float).
pub const CONSTS: &[(&str, f64)] = &[
    ("std::f64::consts::PI", std::f64::consts::PI),
    ("std::f64::consts::E", std::f64::consts::E),
    ("std::f64::consts::LN_2", std::f64::consts::LN_2),
    (
        "std::f64::consts::FRAC_1_SQRT_2",
        std::f64::consts::FRAC_1_SQRT_2,
    ),
    ("f64::EPSILON", f64::EPSILON),
];

/// User constants defined at the top of the generated module (`const K0: f64 = ...;`).
pub const USER_CONSTS: &[(&str, f64)] = &[("K0", 0.75), ("K1", -1.25), ("K2", 0.3)];

/// An argument of a helper.
#[derive(Clone, Copy, Debug)]
pub enum HelperArg {
    /// A float, at most this large in magnitude.
    F(f64),
    /// A `usize`, at most this large.
    I(usize),
}

/// A `#[differentiable]` helper defined in `grad_fuzz::helpers` (tape twin in
/// `grad_fuzz::tape_helpers`).
pub struct Helper {
    pub name: &'static str,
    /// The path to call it by.
    pub path: &'static str,
    /// Whether it can also be called by its bare name (through the glob import).
    pub by_name: bool,
    pub args: &'static [HelperArg],
    /// A bound on the magnitude of the result, given bounds on the float arguments.
    pub bound: fn(&[f64]) -> f64,
}

const BIG: f64 = 1e4;

/// Must match `grad-fuzz/src/lib.rs`.
pub const HELPERS: &[Helper] = &[
    Helper {
        name: "mix",
        path: "grad_fuzz::helpers::mix",
        by_name: true,
        args: &[HelperArg::F(BIG), HelperArg::F(BIG)],
        bound: |b| 1.5 + b[1],
    },
    Helper {
        name: "horner",
        path: "grad_fuzz::helpers::horner",
        by_name: true,
        args: &[HelperArg::F(BIG), HelperArg::I(8)],
        bound: |_| 3.5,
    },
    Helper {
        name: "kink",
        path: "grad_fuzz::helpers::kink",
        by_name: true,
        args: &[HelperArg::F(30.0), HelperArg::F(30.0)],
        bound: |b| 1.0 + (b[0] + b[1]) * (b[0] + b[1]) * 0.25,
    },
    Helper {
        name: "lse3",
        path: "grad_fuzz::helpers::lse3",
        by_name: true,
        args: &[HelperArg::F(BIG), HelperArg::F(BIG), HelperArg::F(BIG)],
        bound: |b| b[0].max(b[1]).max(b[2]) + 1.1,
    },
    Helper {
        name: "softplus",
        path: "grad_fuzz::helpers::softplus",
        by_name: true,
        args: &[HelperArg::F(BIG)],
        bound: |b| b[0] + 0.7,
    },
    Helper {
        name: "chain",
        path: "grad_fuzz::helpers::chain",
        by_name: true,
        args: &[HelperArg::F(BIG)],
        bound: |_| 2.0,
    },
    Helper {
        name: "bump",
        path: "grad_fuzz::helpers::nested::bump",
        by_name: false,
        args: &[HelperArg::F(BIG), HelperArg::F(BIG), HelperArg::I(8)],
        bound: |b| 1.6 + 0.1 * b[1],
    },
];
