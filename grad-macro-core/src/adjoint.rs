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
use crate::passes::fuse::{self, FusedLoop};
use crate::passes::Passes;
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
    /// Not stored: a partial that reads only operands the reverse sweep can name (the partial
    /// of `a * b` with respect to `a` is `b`); the reverse sweep evaluates the rule again with
    /// those operands and zeros for the others.
    Operands,
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
    /// A scalar argument of a [`Node::Call`] (or a bound of an array argument): the reverse
    /// sweep calls the callee's pullback with it.
    Arg(Value),
    /// An integer read from a variable before the loop at this position, which values of the
    /// loop's body are rebuilt from (a running index's value where the loop starts, see
    /// `lower/running_index.rs`): saved once per run of the loop, restored, under its own
    /// name, before the loop's reverse.
    Entry(Value),
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
    /// Of a float inside a struct parameter: [`Plan::fields`]`[k]`.
    Field(u32),
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
    /// Binds the value of a load again, from the array and the load's saved index (restored
    /// just before): [`crate::passes::reload`].
    Reload {
        /// The loaded value.
        value: Value,
        /// The save of its index.
        index: Save,
    },
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
    /// Adds the contributions a fused loop gathered in the forward sweep, scaled by its
    /// accumulator's adjoint ([`crate::passes::fuse`]); the loop at this position.
    Fused(usize),
    /// Calls the callee's pullback ([`Node::Call`]): re-runs the callee from its inputs (the
    /// array arguments as they were, from snapshots) with the adjoint of its result, adding
    /// into the adjoints of its arguments.
    Call {
        /// The call.
        call: Box<Call>,
        /// Per argument, for scalar arguments and array bounds in order: the save that holds
        /// each value the call reads ([`Call::operands`] order; `None` for constants, which
        /// are written again).
        operands: Vec<Option<Save>>,
        /// Per argument: whether the array passed was snapshotted before the call.
        snapshot: Vec<bool>,
        /// The call's position in the IR.
        ord: usize,
    },
    /// Replays a loop backwards.
    Loop {
        /// How many reverse iterations to run.
        trips: Trips,
        /// The loop variable and how to get it back, when the replay needs it.
        var: Option<(Value, VarReplay)>,
        /// Values of the body recomputed at the start of each reverse iteration, in order.
        replay: Vec<Value>,
        /// Arrays popped back to what the forward loop read, before the reverse loop
        /// ([`crate::passes::freeze`]).
        restore: Vec<Array>,
        /// Reverse of the body.
        body: Vec<Rev>,
    },
}

impl Rev {
    /// Steps in this one, nested ones included (calls count four), as [`Node::weight`].
    pub fn weight(&self) -> usize {
        match self {
            Rev::If { then, els, .. } => 1 + Rev::weight_of(then) + Rev::weight_of(els),
            Rev::Loop { body, .. } => 1 + Rev::weight_of(body),
            Rev::Call { .. } => 4,
            _ => 1,
        }
    }

    /// Steps in `list`, nested ones included.
    pub fn weight_of(list: &[Rev]) -> usize {
        list.iter().map(Rev::weight).sum()
    }
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
    /// `sin`/`cos` pairs the forward sweep evaluates together ([`crate::passes::sincos`]).
    pub sincos_pairs: crate::passes::sincos::Pairs,
    /// Per loop (by position): the floats and indices to reserve per iteration
    /// ([`crate::passes::reserve`]).
    pub reserve: HashMap<usize, (usize, usize)>,
    /// Loops whose reverse runs inside the forward sweep, by position.
    pub fused_loops: HashMap<usize, FusedLoop>,
    /// Per [`Node::Call`] (by position): which arguments the forward sweep snapshots (pushes
    /// on the float stack, and their lengths on the index stack) before the call.
    pub snapshots: HashMap<usize, Vec<bool>>,
    /// [`Node::Call`]s (by position) that return an array, whose length the forward sweep
    /// pushes on the index stack after the call.
    pub out_lens: HashSet<usize>,
    /// The places inside struct parameters that [`Adj::Field`] accumulates into, each with
    /// the saves of its index values (in path order).
    pub fields: Vec<(Place, Vec<Save>)>,
    /// `(call position, argument)` of each place a callee may change: the forward sweep
    /// pushes a copy of it on a stack of its own before the call.
    pub place_snaps: Vec<(usize, usize)>,
    /// The segment size of the generated code ([`crate::passes::Passes::segment`]).
    pub segment: usize,
    /// Per loop (by position): the arrays the forward sweep pushes whole after it, for its
    /// reverse to read them again ([`crate::passes::freeze`]).
    pub frozen_loops: HashMap<usize, Vec<Array>>,
    /// Whether loops' reverses are skipped when what flows into them is zero
    /// ([`crate::passes::skip`]).
    pub skip: bool,
    /// The loops whose forward sweep saves by index ([`crate::passes::window`]).
    pub windows: crate::passes::window::Windows,
    /// Whether array-adjoint elements are kept in locals across reverse loops
    /// (`codegen/promote.rs`).
    pub promote: bool,
}

impl Plan {
    /// The saved quantity's description.
    pub fn save(&self, s: Save) -> &SaveInfo {
        &self.saves[s.0 as usize]
    }

    /// Whether any save uses the given stack.
    pub fn uses_stack(&self, kind_is_float: bool) -> bool {
        // Calls push snapshots (floats) and their lengths (indices), and the length of an
        // array they return.
        if self.snapshots.values().any(|s| s.contains(&true)) || !self.out_lens.is_empty() {
            return true;
        }
        if kind_is_float && !self.frozen_loops.is_empty() {
            return true;
        }
        self.saves.iter().any(|s| {
            s.storage == Storage::Stack
                && !matches!(s.source, SaveSource::LoopVar(_))
                && ((s.kind == SaveKind::Float) == kind_is_float)
        })
    }
}

pub(crate) struct Builder<'a> {
    pub(crate) f: &'a Function,
    pub(crate) defs: HashMap<Value, &'a Op>,
    pub(crate) act: &'a Activity,
    pub(crate) saves: Vec<SaveInfo>,
    pub(crate) node_saves: HashMap<usize, Vec<Save>>,
    pub(crate) loop_var_saves: HashMap<usize, Save>,
    /// Values whose names are in scope in the reverse sweep at this point: the top region's,
    /// and those replayed by the enclosing loop bodies.
    pub(crate) avail: HashSet<Value>,
    /// Replayed values (in `avail` but defined in a loop body) that the reverse sweep uses.
    pub(crate) needed: HashSet<Value>,
    /// For each local array declared in the top region: the position of the last top-level
    /// node that declares or writes it.
    pub(crate) last_write: HashMap<Array, usize>,
    /// The position of the top-level node being processed.
    pub(crate) top_pos: usize,
    /// Inside the body of a fused loop: the last writer, in the body, of each array the body
    /// declares, and the position of the body node being processed. The reverse of an
    /// iteration runs right after its forward, so such an array no longer written from here on
    /// holds what the forward read.
    pub(crate) fused_frame: Option<(HashMap<Array, usize>, usize)>,
    /// See [`Plan::fields`].
    pub(crate) fields: Vec<(Place, Vec<Save>)>,
    /// See [`Plan::place_snaps`].
    pub(crate) place_snaps: Vec<(usize, usize)>,
    /// How many regions enclose the current one (0 for the top region).
    pub(crate) region_depth: usize,
    pub(crate) ordinal: usize,
    pub(crate) loop_depth: usize,
    pub(crate) branch_depth: usize,
    pub(crate) passes: Passes,
    /// The function is split into segments ([`crate::passes::Passes::segment`]): what the
    /// reverse sweep needs goes on the stacks outside loops too, so it does not cross the
    /// segments as locals of the enclosing function.
    pub(crate) segmented: bool,
    pub(crate) fused_loops: HashMap<usize, FusedLoop>,
    pub(crate) snapshots: HashMap<usize, Vec<bool>>,
    pub(crate) out_lens: HashSet<usize>,
    /// Arrays an enclosing loop's reverse restores ([`crate::passes::freeze`]): their reads
    /// inside it are replayed.
    pub(crate) restored: HashSet<Array>,
    /// See [`Plan::frozen_loops`].
    pub(crate) frozen_loops: HashMap<usize, Vec<Array>>,
    /// Loads whose index the forward sweep pushes ([`crate::passes::reload`]).
    pub(crate) saved_loads: HashMap<Value, crate::passes::reload::SavedLoad>,
    /// Values the node being processed reads again from their saved indices.
    pub(crate) reloads: Vec<(Value, Save)>,
    /// Index saves popped early by a reload (their loads' own restores are dropped).
    pub(crate) hoisted: HashSet<Save>,
    /// The block (region) being processed, numbered from one.
    pub(crate) block: usize,
    /// How many blocks were entered.
    pub(crate) blocks: usize,
    /// How many saves so far go on a stack other than the float stack.
    pub(crate) index_pushes: usize,
}

impl Builder<'_> {
    fn storage(&self) -> Storage {
        if self.loop_depth > 0 || self.segmented {
            Storage::Stack
        } else if self.branch_depth > 0 {
            Storage::Hoisted
        } else {
            Storage::Local
        }
    }

    fn storage_for(&mut self, source: &SaveSource) -> Storage {
        if self.passes.recompute {
            if let Some(storage) = self.recomputed(source) {
                return storage;
            }
        }
        self.storage()
    }

    /// How the reverse sweep gets the variable `v` of the loop at `ord` over `iter` back.
    fn var_replay(
        &mut self,
        v: Value,
        iter: Value,
        ord: usize,
        saved: &mut Vec<Save>,
    ) -> VarReplay {
        let up = if self.passes.recompute {
            self.stepped(iter)
        } else {
            None
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

    pub(crate) fn save(&mut self, node: usize, kind: SaveKind, source: SaveSource) -> Save {
        let s = Save(self.saves.len() as u32);
        let storage = self.storage_for(&source);
        if storage == Storage::Stack && kind != SaveKind::Float {
            self.index_pushes += 1;
        }
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
        let fused_body =
            self.fused_frame.is_some() && self.region_depth == 1 && self.loop_depth == 1;
        self.region_depth += 1;
        let outer_block = self.block;
        self.blocks += 1;
        self.block = self.blocks;
        for (pos, node) in region.nodes.iter().enumerate() {
            if top {
                self.top_pos = pos;
            }
            if let (true, Some((_, at))) = (fused_body, &mut self.fused_frame) {
                *at = pos;
            }
            let ord = self.ordinal;
            self.ordinal += 1;
            match node {
                Node::Let(v, _) if self.active(*v) => head.push(Rev::Zero(Adj::Value(*v))),
                Node::Call(c) => {
                    if let CallOut::Value(v) = c.out {
                        if self.active(v) {
                            head.push(Rev::Zero(Adj::Value(v)));
                        }
                    }
                }
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
        self.block = outer_block;
        let mut out = head;
        // An index popped early for a reload is not popped again where its load is reversed.
        let (mut popped, mut bound) = (HashSet::new(), HashSet::new());
        for steps in per_node.into_iter().rev() {
            for step in steps {
                let again = match &step {
                    Rev::Restore(s) if self.hoisted.contains(s) => !popped.insert(*s),
                    Rev::Reload { value, .. } => !bound.insert(*value),
                    _ => false,
                };
                if !again {
                    out.push(step);
                }
            }
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
                    // `a * a`: its two partials are the same value (`a`), saved once
                    // (`recompute`'s: stored less, the same bits).
                    let square = self.passes.recompute
                        && matches!(op, Op::Prim { prim, args, .. }
                            if prim.rule == "mul" && args.len() == 2 && args[0] == args[1]);
                    let mut first = None;
                    for (k, a) in float_args(op).into_iter().enumerate() {
                        if self.active(a) {
                            let s = match first {
                                Some(s) if square => s,
                                _ => {
                                    let s =
                                        self.save(ord, SaveKind::Float, SaveSource::Partial(*v, k));
                                    saved.push(s);
                                    first = Some(s);
                                    s
                                }
                            };
                            body.push(Rev::Acc {
                                to: Adj::Value(a),
                                from: Adj::Value(*v),
                                by: Some(s),
                            });
                        }
                    }
                    let mut reload = Vec::new();
                    for (x, index) in std::mem::take(&mut self.reloads) {
                        if reload
                            .iter()
                            .any(|r| matches!(r, Rev::Reload { value, .. } if *value == x))
                        {
                            continue;
                        }
                        self.hoisted.insert(index);
                        reload.push(Rev::Restore(index));
                        reload.push(Rev::Reload { value: x, index });
                    }
                    if !reload.is_empty() {
                        let mut out = reload;
                        out.extend(saved.iter().rev().map(|s| Rev::Restore(*s)));
                        out.extend(body);
                        return out;
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
                    self.note_load(*v, *a, s);
                    saved.push(s);
                    body.push(Rev::Acc {
                        to: Adj::Elem(*a, s),
                        from: Adj::Value(*v),
                        by: None,
                    });
                }
                Op::Field(p) => {
                    let mut idx = Vec::new();
                    for i in p.indices() {
                        let s = self.save(ord, SaveKind::Index, SaveSource::IndexOf(i));
                        saved.push(s);
                        idx.push(s);
                    }
                    self.fields.push((p.clone(), idx));
                    body.push(Rev::Acc {
                        to: Adj::Field(self.fields.len() as u32 - 1),
                        from: Adj::Value(*v),
                        by: None,
                    });
                }
                Op::Param(_) | Op::Const(_) | Op::Plain(..) | Op::Len(_) | Op::FieldLen(_) => {}
            },
            Node::Let(..) | Node::DeclVar(_) => {}
            Node::Call(c) => return self.call(c, ord),
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
            Node::FieldStore { place, value } => {
                // Integers stored (`self.steps += 1`) have no adjoint.
                if self.act.structs[place.root] && self.f.value_ty[value.0 as usize] == Ty::Float {
                    let mut idx = Vec::new();
                    for i in place.indices() {
                        let s = self.save(ord, SaveKind::Index, SaveSource::IndexOf(i));
                        saved.push(s);
                        idx.push(s);
                    }
                    self.fields.push((place.clone(), idx));
                    let at = Adj::Field(self.fields.len() as u32 - 1);
                    if self.active(*value) {
                        body.push(Rev::Acc {
                            to: Adj::Value(*value),
                            from: at,
                            by: None,
                        });
                    }
                    body.push(Rev::Reset(at));
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
                let top = self.region_depth == 1 && self.loop_depth == 0 && self.branch_depth == 0;
                let acc = (top && self.passes.fuse)
                    .then(|| fuse::accumulator(self.f, node, self.act))
                    .flatten();
                if let Some(acc) = acc {
                    // Run in the same iteration as the forward body, the reverse can name
                    // every value of the body's top level (added to `avail` for the body).
                    let body_values =
                        var.into_iter()
                            .chain(b.nodes.iter().filter_map(|n| match n {
                                Node::Let(x, _) => Some(*x),
                                _ => None,
                            }));
                    let added: Vec<Value> = body_values.filter(|x| self.avail.insert(*x)).collect();
                    let outer_needed = std::mem::take(&mut self.needed);
                    self.fused_frame = Some((last_writes(b), 0));
                    self.loop_depth += 1;
                    let rb = self.region(b);
                    self.loop_depth -= 1;
                    self.fused_frame = None;
                    self.needed = outer_needed;
                    for x in &added {
                        self.avail.remove(x);
                    }
                    let (scalars, arrays) = fuse::targets(b, &rb, acc);
                    let structs = fuse::struct_targets(&rb, &self.fields);
                    // Straight into read-only parameters' adjoints only: what comes after the
                    // loop can then only add to them (a store into a `&mut` slice, or a callee
                    // changing it, would move or clear what the loop already added).
                    let read_only = arrays.iter().all(|a| {
                        let i = a.0 as usize;
                        self.f.array_param[i].is_some()
                            && !self.f.array_mut[i]
                            && !self.f.scalar_ref[i]
                    });
                    let direct = read_only && fuse::returned_as_is(self.f, self.top_pos, acc);
                    self.fused_loops.insert(
                        ord,
                        FusedLoop {
                            acc,
                            body: rb,
                            scalars,
                            arrays,
                            structs,
                            direct,
                        },
                    );
                    body.push(Rev::Fused(ord));
                    let mut out: Vec<Rev> = saved.iter().rev().map(|s| Rev::Restore(*s)).collect();
                    out.extend(body);
                    return out;
                }
                // What the body's reverse can recompute instead of storing. Added to `avail`
                // and taken out again after the body (not a copy of `avail`, which holds every
                // top-level value: a copy per loop is quadratic in the function's size).
                let frozen = self.frozen_by_loop(b);
                self.restored.extend(frozen.iter().copied());
                let mut added: Vec<Value> =
                    var.filter(|v| self.avail.insert(*v)).into_iter().collect();
                if self.passes.recompute && self.passes.index {
                    for x in self.entry_reads(b) {
                        let s = self.save(ord, SaveKind::Index, SaveSource::Entry(x));
                        saved.push(s);
                        self.avail.insert(x);
                        added.push(x);
                    }
                }
                let mut candidates = Vec::new();
                for n in &b.nodes {
                    if let Node::Let(x, op) = n {
                        if self.passes.recompute && self.can_replay(op, &self.avail) {
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
                for a in &frozen {
                    self.restored.remove(a);
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
                        (Some(v), LoopHead::For { iter, .. })
                            if jump.is_none() && self.passes.recompute =>
                        {
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
                    if !frozen.is_empty() {
                        self.frozen_loops.insert(ord, frozen.clone());
                    }
                    body.push(Rev::Loop {
                        trips,
                        var: var_save,
                        replay,
                        restore: frozen,
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

impl Builder<'_> {
    /// Running indices (`usize`) the top level of loop body `b` computes from that were read
    /// before the loop and are not otherwise available to the reverse sweep (`l.0 = l` before
    /// `for row in a..b { let l = l.0 + (row - a); .. }`).
    fn entry_reads(&self, b: &Region) -> Vec<Value> {
        let defined: HashSet<Value> = b
            .nodes
            .iter()
            .filter_map(|n| match n {
                Node::Let(x, _) => Some(*x),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for n in &b.nodes {
            let Node::Let(_, op) = n else {
                continue;
            };
            for o in op.operands() {
                let index =
                    matches!(self.defs.get(&o), Some(Op::Read(v)) if self.f.index_vars.contains(v));
                if index && !defined.contains(&o) && !self.avail.contains(&o) && !out.contains(&o) {
                    out.push(o);
                }
            }
        }
        out
    }

    /// The reverse of a [`Node::Call`]: its operands saved (or recomputed), the arrays it reads
    /// snapshotted where they may change, and a call of the callee's pullback.
    fn call(&mut self, c: &Call, ord: usize) -> Vec<Rev> {
        let useful = match c.out {
            CallOut::Value(v) => self.active(v),
            _ => false,
        } || c
            .written_arrays()
            .iter()
            .any(|a| self.act.array[a.0 as usize])
            || c.args
                .iter()
                .any(|a| matches!(a, CallArg::Place(p, true) if self.act.structs[p.root]))
            || c.written_vars().any(|s| self.act.var[s.0 as usize]);
        if !useful {
            return Vec::new();
        }
        let mut saved = Vec::new();
        let mut operands = Vec::new();
        for x in c.operands() {
            let constant = matches!(self.defs.get(&x), Some(Op::Const(_)));
            if constant {
                operands.push(None);
                continue;
            }
            let kind = match self.f.value_ty[x.0 as usize] {
                Ty::Float => SaveKind::Float,
                Ty::Bool => SaveKind::Flag,
                _ => SaveKind::Int,
            };
            let s = self.save(ord, kind, SaveSource::Arg(x));
            saved.push(s);
            operands.push(Some(s));
        }
        let snapshot: Vec<bool> = c
            .args
            .iter()
            .map(|a| match a {
                CallArg::Array(a) => {
                    let param = self.f.array_param[a.array.0 as usize].is_some();
                    a.mutable || !param || self.f.array_mut[a.array.0 as usize]
                }
                // A place the callee may change, or the body may (a place of a `&mut`
                // parameter the body writes): a copy of it (not on the float stack).
                CallArg::Place(p, mutable) => *mutable || self.f.written_roots[p.root],
                CallArg::Value(..) | CallArg::Var { .. } => false,
            })
            .collect();
        self.snapshots.insert(ord, snapshot.clone());
        if matches!(c.out, CallOut::NewArray(_) | CallOut::IntoArray(_)) {
            self.out_lens.insert(ord);
        }
        // Snapshots' lengths and a returned array's length go on the index stack.
        self.index_pushes += 1;
        let mut out: Vec<Rev> = saved.iter().rev().map(|s| Rev::Restore(*s)).collect();
        for (k, a) in c.args.iter().enumerate() {
            if matches!(a, CallArg::Place(..)) && snapshot[k] {
                self.place_snaps.push((ord, k));
            }
        }
        out.push(Rev::Call {
            call: Box::new(c.clone()),
            operands,
            snapshot,
            ord,
        });
        out
    }
}

/// For every local array declared in `region` (at its top level), the position of its last
/// writer there.
fn last_writes(region: &Region) -> HashMap<Array, usize> {
    let declared: HashSet<Array> = region
        .nodes
        .iter()
        .filter_map(|n| match n {
            Node::DeclArray(a, _) => Some(*a),
            _ => None,
        })
        .collect();
    let mut last = HashMap::new();
    for (pos, node) in region.nodes.iter().enumerate() {
        let mut w = Vec::new();
        node.writes(&mut w);
        for a in w {
            if declared.contains(&a) {
                last.insert(a, pos);
            }
        }
    }
    last
}

/// Builds the plan. The reverse sweep starts by seeding the result's adjoint with one.
pub fn plan(f: &Function, act: Activity, passes: Passes) -> Plan {
    let avail = f
        .body
        .nodes
        .iter()
        .filter_map(|n| match n {
            Node::Let(v, _) => Some(*v),
            Node::Call(c) => match c.out {
                CallOut::Value(v) => Some(v),
                _ => None,
            },
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
        last_write: last_writes(&f.body),
        top_pos: 0,
        fused_frame: None,
        fields: Vec::new(),
        place_snaps: Vec::new(),
        region_depth: 0,
        ordinal: 0,
        loop_depth: 0,
        branch_depth: 0,
        passes,
        segmented: crate::codegen::is_split(f.body.weight(), passes.segment),
        fused_loops: HashMap::new(),
        snapshots: HashMap::new(),
        out_lens: HashSet::new(),
        restored: HashSet::new(),
        frozen_loops: HashMap::new(),
        saved_loads: HashMap::new(),
        reloads: Vec::new(),
        hoisted: HashSet::new(),
        block: 0,
        blocks: 0,
        index_pushes: 0,
    };
    let mut reverse = b.region(&f.body);
    let declared = reverse
        .iter()
        .position(|r| matches!(r, Rev::Zero(Adj::Value(v)) if *v == f.result));
    if let Some(i) = declared {
        reverse.insert(i + 1, Rev::Seed(f.result));
    }
    let (saves, node_saves, loop_var_saves) = (b.saves, b.node_saves, b.loop_var_saves);
    let fused_loops = b.fused_loops;
    let (snapshots, out_lens, fields) = (b.snapshots, b.out_lens, b.fields);
    let (place_snaps, frozen_loops) = (b.place_snaps, b.frozen_loops);
    let sincos_pairs = if passes.sincos {
        crate::passes::sincos::pairs(f, &act)
    } else {
        Default::default()
    };
    let mut plan = Plan {
        sincos_pairs,
        reserve: HashMap::new(),
        fused_loops,
        snapshots,
        out_lens,
        fields,
        place_snaps,
        act,
        saves,
        node_saves,
        loop_var_saves,
        reverse,
        segment: passes.segment,
        frozen_loops,
        skip: passes.skip,
        windows: Default::default(),
        promote: passes.promote,
    };
    if passes.reserve {
        plan.reserve = crate::passes::reserve::per_iteration(f, &plan);
    }
    // A segment runs out of line and reaches the stacks through its own borrow.
    if passes.window && !crate::codegen::is_split(f.body.weight(), passes.segment) {
        plan.windows = crate::passes::window::windows(f, &plan);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::test_util::compiled;
    use quote::quote;

    #[test]
    fn a_square_saves_its_operand_once() {
        // `q[j] * q[j]` (one load after `cse`) of an array rewritten later: both partials are
        // `q[j]`, saved once per iteration.
        let (_, plan) = compiled(quote! {
            fn f(x: &[f64], a: f64) -> f64 {
                let mut q = vec![0.0; x.len()];
                let mut s = 0.0;
                for k in 0..3 {
                    for j in 0..x.len() {
                        q[j] = x[j] * a + k as f64;
                    }
                    for j in 0..x.len() {
                        s += q[j] * q[j];
                    }
                }
                s
            }
        });
        let partials: Vec<Value> = plan
            .saves
            .iter()
            .filter_map(|s| match s.source {
                SaveSource::Partial(v, _) if s.storage == Storage::Stack => Some(v),
                _ => None,
            })
            .collect();
        assert_eq!(
            partials.len(),
            1,
            "one push per iteration of the squares' loop"
        );
    }
}
