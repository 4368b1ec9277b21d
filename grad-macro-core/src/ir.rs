//! The intermediate representation: structured SSA.
//!
//! A function body is a [`Region`]: a list of [`Node`]s. Inside a region every [`Value`] is
//! defined once (`v7 = mul v3, v5`). Branches and loops are nodes that own nested regions, so
//! the reverse sweep is a plain recursion. User variables that change (`let mut s`, loop
//! accumulators) are [`Var`]s; arrays and slices are [`Array`]s. Source spans and user names
//! live in side tables keyed by id, not in the instructions.

use proc_macro2::{Span, TokenStream};
use std::fmt;

/// An SSA value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub u32);

/// A mutable scalar variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(pub u32);

/// An array: a slice or array parameter, a local array or a local `Vec`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Array(pub u32);

/// What the macro knows of a value's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// The function's float type (`f32` or `f64`).
    Float,
    /// An integer.
    Int,
    /// A `bool`.
    Bool,
    /// Something else or not known (a user constant, an iterator): never differentiated.
    Unknown,
}

/// A differentiable primitive: one rule in `grad_runtime::rules` each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prim {
    /// The rule's name in `grad_runtime::rules` (also the method's name for methods).
    pub rule: &'static str,
    /// How the plain code spells it.
    pub syntax: Syntax,
    /// Number of float operands (the receiver counts as one).
    pub arity: usize,
    /// Whether the partials are constants (`add`, `sub`, `neg`): the reverse sweep then calls
    /// the rule again instead of storing them.
    pub const_partials: bool,
}

/// How a primitive is written in plain Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// An infix operator such as `+`.
    Infix(&'static str),
    /// Prefix `-`.
    Neg,
    /// A method `recv.name(args)`.
    Method,
    /// `recv.powi(n)`: one float operand and one integer.
    PowI,
}

impl Op {
    /// Every value the operation reads.
    pub fn operands(&self) -> Vec<Value> {
        match self {
            Op::Prim { args, int, .. } => args.iter().copied().chain(*int).collect(),
            Op::Call { args, .. } | Op::Plain(_, args) => args.clone(),
            Op::Copy(a) => vec![*a],
            Op::Load(_, i) => vec![*i],
            Op::Field(p) | Op::FieldLen(p) => p.indices(),
            Op::Param(_) | Op::Const(_) | Op::Read(_) | Op::Len(_) => Vec::new(),
        }
    }
}

/// A non-differentiated operation (integers, booleans, comparisons, iterators).
#[derive(Clone)]
pub enum Plain {
    /// `a op b` for any binary operator (arithmetic on integers, comparisons).
    Binary(syn::BinOp),
    /// `op a` for `!` and integer `-`.
    Unary(syn::UnOp),
    /// `a as T`.
    Cast(syn::Type),
    /// `recv.method(args)` on a value that is not a float (e.g. `i.min(n)`, `(a..b).rev()`).
    Method(syn::Ident),
    /// `a.total_cmp(&b).is_ge()` (or `is_le`, `is_gt`, `is_lt`, the identifier): the
    /// comparison of `max_by` / `min_by` with `total_cmp`.
    TotalCmp(syn::Ident),
    /// `a..b` or `a..=b`.
    Range {
        /// `true` for `a..=b`.
        inclusive: bool,
    },
    /// `path(args)` where no argument carries a derivative (integers, booleans, constants): a
    /// plain helper such as `at(i, j, n)`, whatever it returns.
    Call(syn::Path),
    /// `path(args)` whose result is a `bool` (the condition `if inside(x, y)`): piecewise
    /// constant, so floats that carry derivatives may flow in (its derivative is zero).
    Test(syn::Path),
    /// `a.0`: an element of a tuple of constant data (`let (i, j) = edges[k];`).
    Field(syn::Member),
    /// `matches!(a, P)`, or `matches!((a, b, ..), P)` if the flag is set: an arm of a `match`
    /// (see `lower/matching.rs`).
    Matches(Box<syn::Pat>, bool),
}

impl Plain {
    /// Whether a varied (differentiable) operand may flow in: comparisons and casts to integers
    /// are piecewise constant, so their zero derivative is exact; arithmetic is not.
    pub fn accepts_varied(&self) -> bool {
        match self {
            Plain::Binary(op) => matches!(
                op,
                syn::BinOp::Lt(_)
                    | syn::BinOp::Le(_)
                    | syn::BinOp::Gt(_)
                    | syn::BinOp::Ge(_)
                    | syn::BinOp::Eq(_)
                    | syn::BinOp::Ne(_)
            ),
            Plain::Cast(_) | Plain::TotalCmp(_) | Plain::Test(_) => true,
            Plain::Method(m) => crate::prims::is_float_test(&m.to_string()),
            _ => false,
        }
    }
}

/// The operation that defines a value.
#[derive(Clone)]
pub enum Op {
    /// A scalar parameter, by position in the signature.
    Param(usize),
    /// Constant tokens: a literal, a constant path (`PI`, `f64::EPSILON`).
    Const(TokenStream),
    /// A differentiable primitive; `int` is the integer operand of `powi`.
    Prim {
        /// Which primitive.
        prim: Prim,
        /// Float operands.
        args: Vec<Value>,
        /// The integer operand of `powi`.
        int: Option<Value>,
    },
    /// A call `path(args)` differentiated through the companion `path_grad`. `float[i]` says
    /// whether argument `i` is a float (and so has a partial in the companion's result).
    Call {
        /// The callee as written.
        path: syn::Path,
        /// All arguments.
        args: Vec<Value>,
        /// Which arguments are floats.
        float: Vec<ArgKind>,
    },
    /// A cast between float values of the function's type: the identity.
    Copy(Value),
    /// A non-differentiated operation.
    Plain(Plain, Vec<Value>),
    /// The current value of a variable.
    Read(Var),
    /// `array[index]`.
    Load(Array, Value),
    /// `array.len()`.
    Len(Array),
    /// The value at a place inside a struct parameter: `p.b`, `self.layers[l].w[k]`.
    Field(Place),
    /// `place.len()` for a place inside a struct parameter.
    FieldLen(Place),
}

/// A place inside a struct parameter (or `self`): the parameter, then fields and indices.
#[derive(Clone)]
pub struct Place {
    /// The parameter's position in the signature.
    pub root: usize,
    /// The path from it.
    pub segs: Vec<Seg>,
}

/// One step of a [`Place`]'s path.
#[derive(Clone)]
pub enum Seg {
    /// `.name` or `.0`.
    Field(syn::Member),
    /// `[i]` with an integer value.
    Index(Value),
    /// `as F` at the end of a read (`self.n as f64` of a field the body uses nowhere else):
    /// the macro cannot tell an integer field from a float one, so the adjoint is added
    /// through `grad::__private::add_adjoint`, which adds into a float and ignores an integer.
    Cast(Box<syn::Type>),
    /// `matches!(place, P)` (or `matches!(&place, P)` if the flag is set) at the end of a
    /// read: a `bool`, the test of a `match` arm on the place (see `lower/matching.rs`).
    Matches(Box<syn::Pat>, bool),
    /// `[lo..hi]`, a sub-slice (`&self.w[a..b]` passed to a call or bound to a name): the last
    /// step of a place or followed by an index (`row[j]` of `let row = &self.w[a..b];`).
    Range(Value, Value),
    /// `place == C` or `place != C` (`C op place` if the flag is set) with a constant path `C`
    /// at the end of a read: a `bool`, compared where the place stands (`self.act ==
    /// Act::Relu` neither moves the field nor needs its type).
    Compare(syn::BinOp, Box<syn::ExprPath>, bool),
}

impl Seg {
    /// A test of the place's value (a `bool` read, not a step into it).
    pub fn is_test(&self) -> bool {
        matches!(self, Seg::Matches(..) | Seg::Compare(..))
    }
}

impl Place {
    /// The index values the path reads, in order.
    pub fn indices(&self) -> Vec<Value> {
        self.segs
            .iter()
            .flat_map(|s| match s {
                Seg::Index(v) => vec![*v],
                Seg::Range(lo, hi) => vec![*lo, *hi],
                Seg::Field(_) | Seg::Cast(_) | Seg::Matches(..) | Seg::Compare(..) => vec![],
            })
            .collect()
    }

    /// The path with its index values renamed.
    pub fn map_indices(&self, mut f: impl FnMut(Value) -> Value) -> Place {
        Place {
            root: self.root,
            segs: self
                .segs
                .iter()
                .map(|s| match s {
                    Seg::Index(v) => Seg::Index(f(*v)),
                    Seg::Range(lo, hi) => Seg::Range(f(*lo), f(*hi)),
                    Seg::Field(m) => Seg::Field(m.clone()),
                    Seg::Cast(t) => Seg::Cast(t.clone()),
                    Seg::Matches(pat, r) => Seg::Matches(pat.clone(), *r),
                    Seg::Compare(op, c, r) => Seg::Compare(*op, c.clone(), *r),
                })
                .collect(),
        }
    }

    /// Its shape, without the index values: `p.layers[_].w[_]`. Places of one shape have one
    /// type.
    pub fn shape(&self) -> String {
        let mut s = format!("#{}", self.root);
        for seg in &self.segs {
            match seg {
                Seg::Field(m) => s.push_str(&format!(".{}", quote::ToTokens::to_token_stream(m))),
                Seg::Cast(_) => s.push_str(" as"),
                Seg::Matches(..) => s.push_str(" matches"),
                Seg::Compare(..) => s.push_str(" compared"),
                Seg::Index(_) => s.push_str("[_]"),
                Seg::Range(..) => s.push_str("[..]"),
            }
        }
        s
    }
}

/// What the macro knows of a call argument's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// A float: its partial is in the companion's result, and a derivative flows through it.
    Float,
    /// An integer or a `bool`: no partial.
    NotFloat,
    /// A constant of a type the macro cannot see (`PI`, a user `const`): no derivative flows
    /// through it, and whether the companion returns a partial for it is decided by its type
    /// when the generated code is compiled.
    Constant,
}

/// How a local array is created.
#[derive(Clone)]
pub enum ArrayInit {
    /// `[fill; len]` with a constant length.
    Repeat {
        /// The element every slot starts with.
        fill: Value,
        /// The length tokens as written.
        len: TokenStream,
    },
    /// `vec![fill; len]` with a run-time length.
    Vec {
        /// The element every slot starts with.
        fill: Value,
        /// The length.
        len: Value,
    },
}

/// One step of a region.
#[derive(Clone)]
pub enum Node {
    /// `value = op`.
    Let(Value, Op),
    /// `var = value`; `decl` is true where the variable is introduced.
    Assign {
        /// The variable written.
        var: Var,
        /// The new value.
        value: Value,
        /// Whether this is the declaration (`let mut`).
        decl: bool,
    },
    /// A variable declared without a value (the result slot of an `if` expression).
    DeclVar(Var),
    /// `array[index] = value`.
    Store {
        /// The array written.
        array: Array,
        /// The position.
        index: Value,
        /// The new element.
        value: Value,
    },
    /// `place = value` inside a `&mut` struct parameter.
    FieldStore {
        /// The place written.
        place: Place,
        /// The new value.
        value: Value,
    },
    /// A local array comes into existence.
    DeclArray(Array, ArrayInit),
    /// A call that passes arrays, writes through `&mut` or returns an array or nothing: run
    /// as written in the forward sweep, and through the callee's `_pullback` in the reverse
    /// sweep (re-running the callee from its inputs, as Tapenade checkpoints a call).
    Call(Box<Call>),
    /// `if cond { then } else { els }`.
    If {
        /// A `bool` value.
        cond: Value,
        /// Taken when `cond` holds.
        then: Region,
        /// Taken otherwise.
        els: Region,
    },
    /// A loop. Early exits (`break`, `continue`, `return`) have been turned into assignments
    /// to the jump variable `jump` and guarded regions; the loop checks `jump` after its body.
    Loop {
        /// What drives the loop.
        head: LoopHead,
        /// The body, run once per iteration.
        body: Region,
        /// The jump variable, if the body can exit early.
        jump: Option<Var>,
    },
}

/// A call through the callee's pullback ([`Node::Call`]).
#[derive(Clone)]
pub struct Call {
    /// The callee as written.
    pub path: syn::Path,
    /// The arguments, in order.
    pub args: Vec<CallArg>,
    /// Where the result goes.
    pub out: CallOut,
    /// Where the call is written.
    pub span: Span,
    /// A method call: the first argument is the receiver (a [`CallArg::Place`]).
    pub method: bool,
    /// The positions of the places passed by value: a part of a struct parameter taken by
    /// value, passed without `&` (`pot(b)` for `b: Pt`), or the receiver of a method call on
    /// one. The callee may take it by value, so generated code passes a clone (the forward
    /// and reverse sweeps both read the parameter after the call).
    pub owned: Vec<usize>,
}

/// One argument of a [`Call`].
#[derive(Clone)]
pub enum CallArg {
    /// A scalar: a float, an integer, a `bool` or a constant.
    Value(Value, ArgKind),
    /// An array or a part of one.
    Array(ArrayArg),
    /// A place inside a struct parameter passed by reference: `&p.w`, `&self.layers[l]`,
    /// `p` for a `p: &S` parameter, or the receiver of a method call. `true`: the callee may
    /// change it (`&mut p.w`, or a method call on a `&mut` parameter's place), so the forward
    /// sweep keeps a copy of it for the reverse sweep.
    Place(Place, bool),
    /// `&mut v` for a float variable `v`: the callee may change it. `pre` is its value before
    /// the call.
    Var {
        /// The variable.
        var: Var,
        /// Its value before the call.
        pre: Value,
    },
}

/// An array argument: `xs`, `&xs`, `&mut xs`, `&xs[a..b]` (any range form).
#[derive(Clone)]
pub struct ArrayArg {
    /// The array.
    pub array: Array,
    /// The first element passed (0 when absent).
    pub lo: Option<Value>,
    /// One past the last element passed (the array's length when absent).
    pub hi: Option<Value>,
    /// `&mut`: the callee may write the elements.
    pub mutable: bool,
    /// Passed by reference (`&xs`), as opposed to by value (`xs` for a `[f64; N]`).
    pub by_ref: bool,
}

/// Where a [`Call`]'s result goes.
#[derive(Clone, Copy)]
pub enum CallOut {
    /// Nowhere: a call in statement position (a function returning `()`).
    Unit,
    /// A result nobody reads (`let _ = step(s, h);`), of a type the macro cannot tell: its
    /// adjoint is zero (`Default::default()`: `0.0`, or an empty slice the pullback reads as
    /// zeros).
    Discarded,
    /// A scalar value.
    Value(Value),
    /// A new local array (`let next = step(s, h);`).
    NewArray(Array),
    /// Overwrites a local array (`s = step(s, h);`).
    IntoArray(Array),
}

impl Call {
    /// The values the call reads.
    pub fn operands(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for a in &self.args {
            match a {
                CallArg::Value(v, _) | CallArg::Var { pre: v, .. } => out.push(*v),
                CallArg::Array(a) => out.extend(a.lo.iter().chain(&a.hi)),
                CallArg::Place(p, _) => out.extend(p.indices()),
            }
        }
        out
    }

    /// The arrays the call reads (every array argument).
    pub fn read_arrays(&self) -> impl Iterator<Item = &ArrayArg> {
        self.args.iter().filter_map(|a| match a {
            CallArg::Array(a) => Some(a),
            CallArg::Value(..) | CallArg::Var { .. } | CallArg::Place(..) => None,
        })
    }

    /// The variables the call writes (`&mut v`).
    pub fn written_vars(&self) -> impl Iterator<Item = Var> + '_ {
        self.args.iter().filter_map(|a| match a {
            CallArg::Var { var, .. } => Some(*var),
            _ => None,
        })
    }

    /// The arrays the call writes: `&mut` arguments and the result array.
    pub fn written_arrays(&self) -> Vec<Array> {
        let mut out: Vec<Array> = self
            .read_arrays()
            .filter(|a| a.mutable)
            .map(|a| a.array)
            .collect();
        if let CallOut::NewArray(a) | CallOut::IntoArray(a) = self.out {
            out.push(a);
        }
        out
    }
}

/// What drives a loop.
#[derive(Clone)]
pub enum LoopHead {
    /// `for var in iter`: `var` is an integer value bound at each iteration, `iter` is an
    /// iterator value (a range, possibly with `.rev()` or `.step_by(k)`).
    For {
        /// The loop variable (a value defined by the loop at each iteration).
        var: Value,
        /// The iterator.
        iter: Value,
    },
    /// `loop { .. }`: runs until the jump variable says `break`.
    Forever,
}

/// A list of nodes.
#[derive(Clone, Default)]
pub struct Region {
    /// The nodes, in execution order.
    pub nodes: Vec<Node>,
}

impl Region {
    /// Nodes in the region, nested ones included (calls count four: their code is larger).
    pub fn weight(&self) -> usize {
        self.nodes.iter().map(Node::weight).sum()
    }
}

impl Node {
    /// Nodes in this one, nested ones included (see [`Region::weight`]).
    pub fn weight(&self) -> usize {
        match self {
            Node::If { then, els, .. } => 1 + then.weight() + els.weight(),
            Node::Loop { body, .. } => 1 + body.weight(),
            Node::Call(_) => 4,
            _ => 1,
        }
    }
}

/// What a parameter is.
#[derive(Clone)]
pub enum ParamKind {
    /// A float scalar (`x: f64`), defined in the body by `Op::Param`.
    Scalar(Value),
    /// A float slice or array (`&[f64]`, `&[f64; N]`, `[f64; N]`).
    FloatArray {
        /// The array id.
        array: Array,
    },
    /// A struct (or `self`): read through [`Op::Field`]; its gradient is a value of its own
    /// type (`grad::Differentiable`).
    Struct {
        /// The struct's type (`Self` for the receiver).
        ty: Box<syn::Type>,
        /// Whether the parameter is a reference to it (`&S`, `&self`).
        by_ref: bool,
        /// Whether it is `&mut S` (`&mut self`): the body may write its fields.
        mutable: bool,
        /// In a twin, whether it carries a tangent: its float fields read as dual numbers
        /// (`grad::__private::TwinField`). The gradient twin takes the tangent as extra
        /// parameters; the forward and pullback twins take the struct as
        /// `impl grad::__private::TwinStruct<S>` (see `grad::__private::twin_place`).
        tangent: bool,
    },
    /// Anything else: a constant in the body.
    Constant,
}

/// A parameter of the user's function.
#[derive(Clone)]
pub struct Param {
    /// The name as written.
    pub ident: syn::Ident,
    /// Scalar, array or constant.
    pub kind: ParamKind,
    /// Whether the gradient is taken with respect to it.
    pub wrt: bool,
}

/// Side information about a value, variable or array.
#[derive(Clone)]
pub struct Info {
    /// Where it comes from in the source.
    pub span: Span,
    /// The user's name, where there is one.
    pub name: Option<String>,
}

/// A lowered function.
#[derive(Clone)]
pub struct Function {
    /// The parameters, in order.
    pub params: Vec<Param>,
    /// The body.
    pub body: Region,
    /// The value returned (defined in the body's top region).
    pub result: Value,
    /// The float type tokens (`f64` or `f32`).
    pub float: syn::Type,
    /// Per value: span and name.
    pub values: Vec<Info>,
    /// Per value: what the macro knows of its type.
    pub value_ty: Vec<Ty>,
    /// Per variable: span and name.
    pub vars: Vec<Info>,
    /// Per array: span, name, and what kind of array it is.
    pub arrays: Vec<(Info, ArrayKind)>,
    /// Per array: the parameter it is, if it is one.
    pub array_param: Vec<Option<syn::Ident>>,
    /// Per array: whether it is a `&mut` parameter (written by the body, so never "frozen").
    pub array_mut: Vec<bool>,
    /// Per array: whether it is a `&mut f64` parameter, an array of one element written `*x`.
    pub scalar_ref: Vec<bool>,
    /// Per parameter: whether it is a `&mut` struct parameter the body writes (a field, or
    /// through a call), so that a place of it a call reads may change before the reverse
    /// sweep runs the call again: such a call keeps a copy of the place.
    pub written_roots: Vec<bool>,
    /// What the function returns.
    pub returns: Returns,
    /// `const` and `static` items declared in the body, emitted in the companions too.
    pub items: Vec<TokenStream>,
    /// Variables that are running indices (`lower/running_index.rs`): `usize`, since they
    /// index arrays.
    pub index_vars: std::collections::HashSet<Var>,
}

/// What a function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returns {
    /// A float: [`Function::result`].
    Float,
    /// An array (`[F; N]` or `Vec<F>`): this local array's contents.
    Array(Array),
    /// Nothing (`()`): the function works through `&mut` parameters.
    Unit,
}

/// What kind of storage an array has (decides how its adjoint is allocated).
#[derive(Clone)]
pub enum ArrayKind {
    /// A float slice parameter `&[f64]`: its adjoint is a `Vec` of the same length.
    Slice,
    /// A fixed-size array `[f64; N]` (parameter or local): its adjoint is `[f64; N]`.
    Fixed(TokenStream),
    /// A local `vec![x; n]`: its adjoint is a `Vec` sized at run time.
    Vec,
    /// A parameter slice or array of something other than floats: never differentiated.
    Constant,
}

impl Node {
    /// Marks `out[root]` for each parameter a place of which this node writes, at any depth:
    /// a field store, or a call that may change a place (`&mut self.w`, a `&mut self` method
    /// of a field).
    pub fn writes_places(&self, out: &mut [bool]) {
        match self {
            Node::FieldStore { place, .. } => out[place.root] = true,
            Node::Call(c) => {
                for a in &c.args {
                    if let CallArg::Place(p, true) = a {
                        out[p.root] = true;
                    }
                }
            }
            Node::If { then, els, .. } => {
                then.nodes.iter().for_each(|n| n.writes_places(out));
                els.nodes.iter().for_each(|n| n.writes_places(out));
            }
            Node::Loop { body, .. } => body.nodes.iter().for_each(|n| n.writes_places(out)),
            _ => {}
        }
    }

    /// The arrays this node writes or declares, at any depth (with repeats).
    pub fn writes(&self, out: &mut Vec<Array>) {
        match self {
            Node::Store { array, .. } | Node::DeclArray(array, _) => out.push(*array),
            Node::FieldStore { .. } => {}
            Node::Call(c) => out.extend(c.written_arrays()),
            Node::If { then, els, .. } => {
                then.nodes.iter().for_each(|n| n.writes(out));
                els.nodes.iter().for_each(|n| n.writes(out));
            }
            Node::Loop { body, .. } => body.nodes.iter().for_each(|n| n.writes(out)),
            _ => {}
        }
    }
}

impl Function {
    /// The defining operation of every value defined by a `Let`.
    pub fn defs(&self) -> std::collections::HashMap<Value, &Op> {
        fn walk<'a>(r: &'a Region, out: &mut std::collections::HashMap<Value, &'a Op>) {
            for n in &r.nodes {
                match n {
                    Node::Let(v, op) => {
                        out.insert(*v, op);
                    }
                    Node::If { then, els, .. } => {
                        walk(then, out);
                        walk(els, out);
                    }
                    Node::Loop { body, .. } => walk(body, out),
                    _ => {}
                }
            }
        }
        let mut out = std::collections::HashMap::new();
        walk(&self.body, &mut out);
        out
    }

    /// The span of a value.
    pub fn span(&self, v: Value) -> Span {
        self.values[v.0 as usize].span
    }
}

// ----- Display: one instruction a line -------------------------------------------------------

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.0)
    }
}

impl fmt::Display for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a{}", self.0)
    }
}

fn list(vs: &[Value]) -> String {
    vs.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn tokens(t: &impl quote::ToTokens) -> String {
    t.to_token_stream().to_string()
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Param(i) => write!(f, "param {i}"),
            Op::Const(t) => write!(f, "const {t}"),
            Op::Prim { prim, args, int } => {
                write!(f, "{} {}", prim.rule, list(args))?;
                if let Some(n) = int {
                    write!(f, ", {n}")?;
                }
                Ok(())
            }
            Op::Call { path, args, .. } => write!(f, "call {} {}", tokens(path), list(args)),
            Op::Copy(v) => write!(f, "copy {v}"),
            Op::Plain(p, args) => {
                let name = match p {
                    Plain::Binary(op) => tokens(op),
                    Plain::Unary(op) => tokens(op),
                    Plain::Cast(t) => format!("as {}", tokens(t)),
                    Plain::Method(m) => format!(".{m}"),
                    Plain::TotalCmp(m) => format!("total_cmp.{m}"),
                    Plain::Range { inclusive: false } => "..".into(),
                    Plain::Range { inclusive: true } => "..=".into(),
                    Plain::Call(p) => format!("call {}", tokens(p)),
                    Plain::Test(p) => format!("test {}", tokens(p)),
                    Plain::Matches(pat, _) => format!("matches {}", tokens(pat)),
                    Plain::Field(m) => format!(".{}", tokens(m)),
                };
                write!(f, "plain {name} {}", list(args))
            }
            Op::Read(s) => write!(f, "read {s}"),
            Op::Load(a, i) => write!(f, "load {a}[{i}]"),
            Op::Len(a) => write!(f, "len {a}"),
            Op::Field(p) => write!(f, "field {p}"),
            Op::FieldLen(p) => write!(f, "len {p}"),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{}", self.root)?;
        for seg in &self.segs {
            match seg {
                Seg::Field(m) => write!(f, ".{}", tokens(m))?,
                Seg::Cast(t) => write!(f, " as {}", tokens(t))?,
                Seg::Matches(pat, _) => write!(f, " matches {}", tokens(pat))?,
                Seg::Compare(op, c, _) => write!(f, " {} {}", tokens(op), tokens(c))?,
                Seg::Index(v) => write!(f, "[{v}]")?,
                Seg::Range(lo, hi) => write!(f, "[{lo}..{hi}]")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.out {
            CallOut::Unit => {}
            CallOut::Discarded => write!(f, "_ = ")?,
            CallOut::Value(v) => write!(f, "{v} = ")?,
            CallOut::NewArray(a) => write!(f, "let {a} = ")?,
            CallOut::IntoArray(a) => write!(f, "{a} = ")?,
        }
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                CallArg::Value(v, _) => v.to_string(),
                CallArg::Var { var, .. } => format!("&mut {var}"),
                CallArg::Place(p, false) => format!("&{p}"),
                CallArg::Place(p, true) => format!("&mut {p}"),
                CallArg::Array(a) => {
                    let r = if a.mutable {
                        "&mut "
                    } else if a.by_ref {
                        "&"
                    } else {
                        ""
                    };
                    let lo = a.lo.map(|v| v.to_string()).unwrap_or_default();
                    let hi = a.hi.map(|v| v.to_string()).unwrap_or_default();
                    if a.lo.is_none() && a.hi.is_none() {
                        format!("{r}{}", a.array)
                    } else {
                        format!("{r}{}[{lo}..{hi}]", a.array)
                    }
                }
            })
            .collect();
        write!(
            f,
            "pullback-call {} {}",
            tokens(&self.path),
            args.join(", ")
        )
    }
}

impl Region {
    fn fmt_indented(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        let pad = "    ".repeat(depth);
        for node in &self.nodes {
            match node {
                Node::Let(v, op) => writeln!(f, "{pad}{v} = {op}")?,
                Node::Assign { var, value, decl } => {
                    let kw = if *decl { "let " } else { "" };
                    writeln!(f, "{pad}{kw}{var} = {value}")?
                }
                Node::DeclVar(s) => writeln!(f, "{pad}let {s}")?,
                Node::FieldStore { place, value } => writeln!(f, "{pad}{place} = {value}")?,
                Node::Store {
                    array,
                    index,
                    value,
                } => writeln!(f, "{pad}{array}[{index}] = {value}")?,
                Node::DeclArray(a, ArrayInit::Repeat { fill, len }) => {
                    writeln!(f, "{pad}let {a} = [{fill}; {len}]")?
                }
                Node::DeclArray(a, ArrayInit::Vec { fill, len }) => {
                    writeln!(f, "{pad}let {a} = vec[{fill}; {len}]")?
                }
                Node::Call(c) => writeln!(f, "{pad}{c}")?,
                Node::If { cond, then, els } => {
                    writeln!(f, "{pad}if {cond} {{")?;
                    then.fmt_indented(f, depth + 1)?;
                    writeln!(f, "{pad}}} else {{")?;
                    els.fmt_indented(f, depth + 1)?;
                    writeln!(f, "{pad}}}")?;
                }
                Node::Loop { head, body, jump } => {
                    match head {
                        LoopHead::For { var, iter } => write!(f, "{pad}for {var} in {iter}")?,
                        LoopHead::Forever => write!(f, "{pad}loop")?,
                    }
                    if let Some(j) = jump {
                        write!(f, " exit on {j}")?;
                    }
                    writeln!(f, " {{")?;
                    body.fmt_indented(f, depth + 1)?;
                    writeln!(f, "{pad}}}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.body.fmt_indented(f, 0)?;
        writeln!(f, "return {}", self.result)
    }
}
