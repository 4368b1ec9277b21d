//! The reverse sweep: from the IR and its activity, decide what the forward sweep must save
//! and build the reverse program.
//!
//! Saved quantities are local partials (floats) and control data (branch decisions, trip
//! counts, indices). Where a quantity lives depends on where it is computed: at the top level
//! of the body it is an ordinary local; inside a branch that is not in a loop it is a local
//! declared at the top of the function; inside a loop it is pushed on a stack and popped by
//! the reverse sweep in the opposite order. A node's saves are pushed after everything its
//! nested regions push, and restored before them, so pushes and pops balance by construction.

use crate::activity::{float_args, Activity};
use crate::ir::*;
use std::collections::{HashMap, HashSet};

/// A saved quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Save(pub u32);

/// What a saved quantity holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveKind {
    /// A float (a local partial).
    Float,
    /// A `usize` (index, trip count).
    Index,
    /// A `bool` (branch decision).
    Flag,
    /// An integer of the user's type (a loop variable); on a stack of its own in loops.
    Int,
}

/// Where a saved quantity lives between the sweeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// A local of the forward sweep that is still in scope in the reverse sweep.
    Local,
    /// A local declared at the top of the function, assigned by the forward sweep.
    Hoisted,
    /// Pushed on a stack by the forward sweep, popped by the reverse sweep.
    Stack,
    /// Not stored: recomputed at the start of the loop body's reverse (a pure function of the
    /// loop variable, parameters and values in scope), then used by name.
    Replayed,
    /// Not stored: a partial that does not depend on the operands (`add`, `sub`, `neg`); the
    /// reverse sweep evaluates the rule again.
    Constant,
}

/// What the forward sweep saves at one node.
#[derive(Clone)]
pub enum SaveSource {
    /// Partial number `k` (among the float operands) of the value defined by a `Let`.
    Partial(Value, usize),
    /// An integer value (an index).
    IndexOf(Value),
    /// The condition value of an `If`.
    Cond(Value),
    /// The trip counter of the loop at this position.
    TripCount(usize),
    /// The loop variable, once per iteration (on a stack of its own).
    LoopVar(Value),
    /// The last value the variable of the loop at this position took (once per loop run).
    LastVar(usize),
}

/// How the reverse sweep knows how many iterations a loop ran.
#[derive(Clone, Debug)]
pub enum Trips {
    /// The saved trip count.
    Count(Save),
    /// The loop ran over its whole range: rebuild the range from these values (the range,
    /// then any `.rev()`, in order) and run over it backwards.
    Rerun(Vec<Value>),
}

/// How the reverse sweep gets a loop's variable back, iteration by iteration.
#[derive(Clone, Copy, Debug)]
pub enum VarReplay {
    /// Popped from the loop variable's stack at each reverse iteration.
    PerIteration(Save),
    /// The loop runs over consecutive integers (`a..b`, `a..=b`, or one of them reversed), so
    /// the reverse sweep starts from the last value and steps back by one (`up`: the forward
    /// values increased).
    Stepped {
        /// The saved last value.
        last: Save,
        /// Whether the forward values increased.
        up: bool,
    },
    /// Bound by the reverse loop over the rebuilt range ([`Trips::Rerun`]).
    Bound,
}

/// One saved quantity.
#[derive(Clone)]
pub struct SaveInfo {
    /// What it holds.
    pub kind: SaveKind,
    /// Where it lives.
    pub storage: Storage,
    /// What the forward sweep saves.
    pub source: SaveSource,
}

/// The adjoint of something.
#[derive(Clone, Copy, Debug)]
pub enum Adj {
    /// Of a value.
    Value(Value),
    /// Of a variable.
    Var(Var),
    /// Of an array element, at a saved index.
    Elem(Array, Save),
}

/// One step of the reverse sweep.
#[derive(Clone)]
pub enum Rev {
    /// Declares a zero adjoint for a value or variable.
    Zero(Adj),
    /// Seeds the result's adjoint with one: where the reverse sweep starts.
    Seed(Value),
    /// Makes a saved quantity available (pops it when it is on a stack).
    Restore(Save),
    /// `to += from * by` (`by` absent: `to += from`).
    Acc {
        /// Accumulated into.
        to: Adj,
        /// Adjoint read.
        from: Adj,
        /// Saved partial.
        by: Option<Save>,
    },
    /// `to = 0`.
    Reset(Adj),
    /// `to += sum(adjoint of array)`, for an array filled with one value.
    AccSum {
        /// The fill value's adjoint.
        to: Value,
        /// The array.
        array: Array,
    },
    /// Sets an array's adjoint to zero.
    ResetArray(Array),
    /// Replays a branch.
    If {
        /// The saved decision.
        flag: Save,
        /// Reverse of the `then` region.
        then: Vec<Rev>,
        /// Reverse of the `else` region.
        els: Vec<Rev>,
    },
    /// Replays a loop backwards.
    Loop {
        /// How many reverse iterations to run.
        trips: Trips,
        /// The loop variable and how to get it back, when the replay needs it.
        var: Option<(Value, VarReplay)>,
        /// Values of the body recomputed at the start of each reverse iteration, in order.
        replay: Vec<Value>,
        /// Reverse of the body.
        body: Vec<Rev>,
    },
}

/// The plan for the generated gradient.
pub struct Plan {
    /// Activity of values, variables and arrays.
    pub act: Activity,
    /// All saved quantities.
    pub saves: Vec<SaveInfo>,
    /// Saves per node, keyed by the node's pre-order position in the IR.
    pub node_saves: HashMap<usize, Vec<Save>>,
    /// Per loop (by position): the save of its variable, pushed at each iteration.
    pub loop_var_saves: HashMap<usize, Save>,
    /// The reverse sweep.
    pub reverse: Vec<Rev>,
}

impl Plan {
    /// The saved quantity's description.
    pub fn save(&self, s: Save) -> &SaveInfo {
        &self.saves[s.0 as usize]
    }

    /// Whether any save uses the given stack.
    pub fn uses_stack(&self, kind_is_float: bool) -> bool {
        self.saves.iter().any(|s| {
            s.storage == Storage::Stack
                && !matches!(s.source, SaveSource::LoopVar(_))
                && ((s.kind == SaveKind::Float) == kind_is_float)
        })
    }
}

struct Builder<'a> {
    f: &'a Function,
    defs: HashMap<Value, &'a Op>,
    act: &'a Activity,
    saves: Vec<SaveInfo>,
    node_saves: HashMap<usize, Vec<Save>>,
    loop_var_saves: HashMap<usize, Save>,
    /// Values whose names are in scope in the reverse sweep at this point: the top region's,
    /// and those replayed by the enclosing loop bodies.
    avail: HashSet<Value>,
    /// Replayed values (in `avail` but defined in a loop body) that the reverse sweep uses.
    needed: HashSet<Value>,
    /// For each local array declared in the top region: the position of the last top-level
    /// node that declares or writes it.
    last_write: HashMap<Array, usize>,
    /// The position of the top-level node being processed.
    top_pos: usize,
    /// How many regions enclose the current one (0 for the top region).
    region_depth: usize,
    ordinal: usize,
    loop_depth: usize,
    branch_depth: usize,
}

impl Builder<'_> {
    fn storage(&self) -> Storage {
        if self.loop_depth > 0 {
            Storage::Stack
        } else if self.branch_depth > 0 {
            Storage::Hoisted
        } else {
            Storage::Local
        }
    }

    /// Whether the reverse sweep can name `x` without storing it.
    fn replayable_value(&mut self, x: Value) -> bool {
        if self.avail.contains(&x) {
            self.needed.insert(x);
            true
        } else {
            false
        }
    }

    fn storage_for(&mut self, source: &SaveSource) -> Storage {
        if let SaveSource::Partial(v, _) = source {
            if let Some(Op::Prim { prim, .. }) = self.defs.get(v) {
                if prim.const_partials {
                    return Storage::Constant;
                }
            }
        }
        if self.loop_depth == 0 {
            return self.storage();
        }
        let replayable = match source {
            SaveSource::Partial(v, _) => self.replayable_value(*v),
            SaveSource::IndexOf(x) | SaveSource::Cond(x) => self.replayable_value(*x),
            SaveSource::TripCount(_) | SaveSource::LoopVar(_) | SaveSource::LastVar(_) => false,
        };
        if replayable {
            Storage::Replayed
        } else {
            Storage::Stack
        }
    }

    /// For a loop over a range (`a..b`, `a..=b`, possibly `.rev()`) whose bounds the reverse
    /// sweep can name: the values that rebuild the iterator, in order. Such a loop (when it
    /// has no early exit) runs over the whole range, so the reverse sweep runs over the rebuilt
    /// range backwards and stores nothing per run.
    fn rerunnable(&mut self, iter: Value) -> Option<Vec<Value>> {
        let mut chain = Vec::new();
        let mut cur = iter;
        loop {
            match self.defs.get(&cur) {
                Some(Op::Plain(Plain::Method(m), args)) if m == "rev" && args.len() == 1 => {
                    chain.push(cur);
                    cur = args[0];
                }
                Some(Op::Plain(Plain::Range { .. }, args))
                    if args.iter().all(|a| self.avail.contains(a)) =>
                {
                    for a in args.clone() {
                        self.replayable_value(a);
                    }
                    chain.push(cur);
                    chain.reverse();
                    return Some(chain);
                }
                _ => return None,
            }
        }
    }

    /// How the reverse sweep gets the variable `v` of the loop at `ord` over `iter` back.
    fn var_replay(
        &mut self,
        v: Value,
        iter: Value,
        ord: usize,
        saved: &mut Vec<Save>,
    ) -> VarReplay {
        let range = |x: &Value| matches!(self.defs.get(x), Some(Op::Plain(Plain::Range { .. }, _)));
        let up = match self.defs.get(&iter) {
            Some(Op::Plain(Plain::Range { .. }, _)) => Some(true),
            Some(Op::Plain(Plain::Method(m), args)) if m == "rev" && args.len() == 1 => {
                range(&args[0]).then_some(false)
            }
            _ => None,
        };
        match up {
            Some(up) => {
                let last = self.save(ord, SaveKind::Int, SaveSource::LastVar(ord));
                saved.push(last);
                VarReplay::Stepped { last, up }
            }
            None => {
                let sv = Save(self.saves.len() as u32);
                self.saves.push(SaveInfo {
                    kind: SaveKind::Int,
                    storage: Storage::Stack,
                    source: SaveSource::LoopVar(v),
                });
                self.loop_var_saves.insert(ord, sv);
                VarReplay::PerIteration(sv)
            }
        }
    }

    /// Whether a local array declared at the top level is no longer written from the current
    /// top-level node on: then the reverse sweep, which runs after the whole forward sweep,
    /// reads the same elements the forward sweep read here.
    fn frozen(&self, a: Array) -> bool {
        self.last_write
            .get(&a)
            .is_some_and(|&last| last < self.top_pos)
    }

    /// Whether `op` can be recomputed in the reverse sweep from values in `avail`.
    fn can_replay(&self, op: &Op, avail: &HashSet<Value>) -> bool {
        let is_param_array = |a: &Array| self.f.array_param[a.0 as usize].is_some();
        match op {
            Op::Const(_) => true,
            // A method call on a value of unknown type may have side effects (`c.set(..)`),
            // so it is never run a second time; ranges, operators and casts are pure.
            Op::Plain(Plain::Method(m), _)
                if !matches!(m.to_string().as_str(), "rev" | "step_by") =>
            {
                false
            }
            Op::Prim { .. } | Op::Plain(..) | Op::Copy(_) => {
                op.operands().iter().all(|x| avail.contains(x))
            }
            Op::Load(a, i) => (is_param_array(a) || self.frozen(*a)) && avail.contains(i),
            Op::Len(a) => is_param_array(a) || self.frozen(*a),
            Op::Param(_) | Op::Read(_) | Op::Call { .. } => false,
        }
    }

    fn save(&mut self, node: usize, kind: SaveKind, source: SaveSource) -> Save {
        let s = Save(self.saves.len() as u32);
        let storage = self.storage_for(&source);
        self.saves.push(SaveInfo {
            kind,
            storage,
            source,
        });
        self.node_saves.entry(node).or_default().push(s);
        s
    }

    fn active(&self, v: Value) -> bool {
        self.act.value[v.0 as usize]
    }

    /// The reverse of a region: zero adjoints for what it defines, then its nodes backwards.
    fn region(&mut self, region: &Region) -> Vec<Rev> {
        let mut head = Vec::new();
        let mut per_node = Vec::new();
        let top = self.region_depth == 0;
        self.region_depth += 1;
        for (pos, node) in region.nodes.iter().enumerate() {
            if top {
                self.top_pos = pos;
            }
            let ord = self.ordinal;
            self.ordinal += 1;
            match node {
                Node::Let(v, _) if self.active(*v) => head.push(Rev::Zero(Adj::Value(*v))),
                Node::Assign {
                    var, decl: true, ..
                }
                | Node::DeclVar(var)
                    if self.act.var[var.0 as usize] =>
                {
                    head.push(Rev::Zero(Adj::Var(*var)))
                }
                _ => {}
            }
            per_node.push(self.node(node, ord));
        }
        self.region_depth -= 1;
        let mut out = head;
        for steps in per_node.into_iter().rev() {
            out.extend(steps);
        }
        out
    }

    /// The reverse of one node, with its restores first (last saved, first restored).
    fn node(&mut self, node: &Node, ord: usize) -> Vec<Rev> {
        let mut body = Vec::new();
        let mut saved = Vec::new();
        match node {
            Node::Let(v, op) if self.active(*v) => match op {
                Op::Prim { .. } | Op::Call { .. } => {
                    for (k, a) in float_args(op).into_iter().enumerate() {
                        if self.active(a) {
                            let s = self.save(ord, SaveKind::Float, SaveSource::Partial(*v, k));
                            saved.push(s);
                            body.push(Rev::Acc {
                                to: Adj::Value(a),
                                from: Adj::Value(*v),
                                by: Some(s),
                            });
                        }
                    }
                }
                Op::Copy(a) => body.push(Rev::Acc {
                    to: Adj::Value(*a),
                    from: Adj::Value(*v),
                    by: None,
                }),
                Op::Read(var) => body.push(Rev::Acc {
                    to: Adj::Var(*var),
                    from: Adj::Value(*v),
                    by: None,
                }),
                Op::Load(a, i) => {
                    let s = self.save(ord, SaveKind::Index, SaveSource::IndexOf(*i));
                    saved.push(s);
                    body.push(Rev::Acc {
                        to: Adj::Elem(*a, s),
                        from: Adj::Value(*v),
                        by: None,
                    });
                }
                Op::Param(_) | Op::Const(_) | Op::Plain(..) | Op::Len(_) => {}
            },
            Node::Let(..) | Node::DeclVar(_) => {}
            Node::Assign { var, value, .. } => {
                if self.act.var[var.0 as usize] {
                    if self.active(*value) {
                        body.push(Rev::Acc {
                            to: Adj::Value(*value),
                            from: Adj::Var(*var),
                            by: None,
                        });
                    }
                    body.push(Rev::Reset(Adj::Var(*var)));
                }
            }
            Node::Store {
                array,
                index,
                value,
            } => {
                if self.act.array[array.0 as usize] {
                    let s = self.save(ord, SaveKind::Index, SaveSource::IndexOf(*index));
                    saved.push(s);
                    if self.active(*value) {
                        body.push(Rev::Acc {
                            to: Adj::Value(*value),
                            from: Adj::Elem(*array, s),
                            by: None,
                        });
                    }
                    body.push(Rev::Reset(Adj::Elem(*array, s)));
                }
            }
            Node::DeclArray(a, ArrayInit::Repeat { fill, .. } | ArrayInit::Vec { fill, .. }) => {
                if self.act.array[a.0 as usize] {
                    if self.active(*fill) {
                        body.push(Rev::AccSum {
                            to: *fill,
                            array: *a,
                        });
                    }
                    body.push(Rev::ResetArray(*a));
                }
            }
            Node::If { cond, then, els } => {
                self.branch_depth += 1;
                let then = self.region(then);
                let els = self.region(els);
                self.branch_depth -= 1;
                if !then.is_empty() || !els.is_empty() {
                    let s = self.save(ord, SaveKind::Flag, SaveSource::Cond(*cond));
                    saved.push(s);
                    body.push(Rev::If { flag: s, then, els });
                }
            }
            Node::Loop {
                head,
                body: b,
                jump,
            } => {
                let var = match head {
                    LoopHead::For { var, .. } => Some(*var),
                    LoopHead::Forever => None,
                };
                // What the body's reverse can recompute instead of storing. Added to `avail`
                // and taken out again after the body (not a copy of `avail`, which holds every
                // top-level value: a copy per loop is quadratic in the function's size).
                let mut added: Vec<Value> =
                    var.filter(|v| self.avail.insert(*v)).into_iter().collect();
                let mut candidates = Vec::new();
                for n in &b.nodes {
                    if let Node::Let(x, op) = n {
                        if self.can_replay(op, &self.avail) {
                            if self.avail.insert(*x) {
                                added.push(*x);
                            }
                            candidates.push(*x);
                        }
                    }
                }
                let outer_needed = std::mem::take(&mut self.needed);
                self.loop_depth += 1;
                let rb = self.region(b);
                self.loop_depth -= 1;
                let mut needed = std::mem::replace(&mut self.needed, outer_needed);
                for x in &added {
                    self.avail.remove(x);
                }
                // Close over operands: a replayed value needs its operands replayed too.
                let cand: HashSet<Value> = candidates.iter().copied().collect();
                let mut work: Vec<Value> = needed.iter().copied().collect();
                while let Some(x) = work.pop() {
                    if !cand.contains(&x) {
                        continue;
                    }
                    if let Some(op) = self.defs.get(&x) {
                        for o in op.operands() {
                            if needed.insert(o) {
                                work.push(o);
                            }
                        }
                    }
                }
                let replay: Vec<Value> = candidates
                    .into_iter()
                    .filter(|x| needed.contains(x))
                    .collect();
                let uses_var = var.is_some_and(|v| needed.contains(&v));
                // Values replayed by enclosing loops are needed there.
                for x in needed {
                    if !cand.contains(&x) && Some(x) != var && self.avail.contains(&x) {
                        self.needed.insert(x);
                    }
                }
                if !rb.is_empty() {
                    let rerun = match (var, head) {
                        (Some(v), LoopHead::For { iter, .. }) if jump.is_none() => {
                            self.rerunnable(*iter).map(|chain| (v, chain))
                        }
                        _ => None,
                    };
                    let (trips, var_save) = match rerun {
                        Some((v, chain)) => (Trips::Rerun(chain), Some((v, VarReplay::Bound))),
                        None => {
                            let var_save = match (var, head) {
                                (Some(v), LoopHead::For { iter, .. }) if uses_var => {
                                    Some((v, self.var_replay(v, *iter, ord, &mut saved)))
                                }
                                _ => None,
                            };
                            let s = self.save(ord, SaveKind::Index, SaveSource::TripCount(ord));
                            saved.push(s);
                            (Trips::Count(s), var_save)
                        }
                    };
                    body.push(Rev::Loop {
                        trips,
                        var: var_save,
                        replay,
                        body: rb,
                    });
                }
            }
        }
        let mut out: Vec<Rev> = saved.iter().rev().map(|s| Rev::Restore(*s)).collect();
        out.extend(body);
        out
    }
}

/// Arrays written inside `node` (at any depth).
fn writes(node: &Node, out: &mut Vec<Array>) {
    match node {
        Node::Store { array, .. } | Node::DeclArray(array, _) => out.push(*array),
        Node::If { then, els, .. } => {
            then.nodes.iter().for_each(|n| writes(n, out));
            els.nodes.iter().for_each(|n| writes(n, out));
        }
        Node::Loop { body, .. } => body.nodes.iter().for_each(|n| writes(n, out)),
        _ => {}
    }
}

/// For every local array declared in the top region, the position of its last writer there.
fn last_writes(f: &Function) -> HashMap<Array, usize> {
    let declared: HashSet<Array> = f
        .body
        .nodes
        .iter()
        .filter_map(|n| match n {
            Node::DeclArray(a, _) => Some(*a),
            _ => None,
        })
        .collect();
    let mut last = HashMap::new();
    for (pos, node) in f.body.nodes.iter().enumerate() {
        let mut w = Vec::new();
        writes(node, &mut w);
        for a in w {
            if declared.contains(&a) {
                last.insert(a, pos);
            }
        }
    }
    last
}

/// Builds the plan. The reverse sweep starts by seeding the result's adjoint with one.
pub fn plan(f: &Function, act: Activity) -> Plan {
    let avail = f
        .body
        .nodes
        .iter()
        .filter_map(|n| match n {
            Node::Let(v, _) => Some(*v),
            _ => None,
        })
        .collect();
    let mut b = Builder {
        f,
        defs: f.defs(),
        act: &act,
        saves: Vec::new(),
        node_saves: HashMap::new(),
        loop_var_saves: HashMap::new(),
        avail,
        needed: HashSet::new(),
        last_write: last_writes(f),
        top_pos: 0,
        region_depth: 0,
        ordinal: 0,
        loop_depth: 0,
        branch_depth: 0,
    };
    let mut reverse = b.region(&f.body);
    let declared = reverse
        .iter()
        .position(|r| matches!(r, Rev::Zero(Adj::Value(v)) if *v == f.result));
    if let Some(i) = declared {
        reverse.insert(i + 1, Rev::Seed(f.result));
    }
    let (saves, node_saves, loop_var_saves) = (b.saves, b.node_saves, b.loop_var_saves);
    Plan {
        act,
        saves,
        node_saves,
        loop_var_saves,
        reverse,
    }
}
