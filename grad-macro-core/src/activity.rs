//! Activity analysis: which values, variables and arrays carry a derivative.
//!
//! A value is *varied* if it depends on a parameter we differentiate with respect to (a
//! fixpoint over the whole function, since loops carry dependencies backwards). Varied values
//! get adjoints; the [`crate::passes::prune`] pass then keeps only those the result depends on.
//! The analysis also refuses, under its tokens, any non-differentiable operation that a varied
//! value flows into (integer arithmetic on a float of unknown type, for instance).

use crate::error::Errors;
use crate::ir::*;

/// The result of the analysis: `true` where a derivative is carried.
pub struct Activity {
    /// Per value.
    pub value: Vec<bool>,
    /// Per variable.
    pub var: Vec<bool>,
    /// Per array.
    pub array: Vec<bool>,
    /// Per parameter: a struct parameter whose fields carry a derivative.
    pub structs: Vec<bool>,
}

pub(crate) struct Sets {
    pub(crate) value: Vec<bool>,
    pub(crate) var: Vec<bool>,
    pub(crate) array: Vec<bool>,
    /// Per parameter: a struct parameter the gradient is taken for.
    pub(crate) structs: Vec<bool>,
    /// Per value: typed as a float (only floats read from structs carry a derivative).
    pub(crate) float: Vec<bool>,
    pub(crate) changed: bool,
}

impl Sets {
    pub(crate) fn new(f: &Function) -> Self {
        Sets {
            value: vec![false; f.values.len()],
            var: vec![false; f.vars.len()],
            array: vec![false; f.arrays.len()],
            structs: vec![false; f.params.len()],
            float: f.value_ty.iter().map(|t| *t == Ty::Float).collect(),
            changed: false,
        }
    }
    pub(crate) fn set_value(&mut self, v: Value) {
        if !self.value[v.0 as usize] {
            self.value[v.0 as usize] = true;
            self.changed = true;
        }
    }
    pub(crate) fn set_var(&mut self, s: Var) {
        if !self.var[s.0 as usize] {
            self.var[s.0 as usize] = true;
            self.changed = true;
        }
    }
    pub(crate) fn set_struct(&mut self, root: usize) {
        if !self.structs[root] {
            self.structs[root] = true;
            self.changed = true;
        }
    }
    pub(crate) fn set_array(&mut self, a: Array) {
        if !self.array[a.0 as usize] {
            self.array[a.0 as usize] = true;
            self.changed = true;
        }
    }
    pub(crate) fn value(&self, v: Value) -> bool {
        self.value[v.0 as usize]
    }
}

/// The float operands of an operation (those a derivative flows through).
pub fn float_args(op: &Op) -> Vec<Value> {
    match op {
        Op::Prim { args, .. } => args.clone(),
        Op::Call { args, float, .. } => args
            .iter()
            .zip(float)
            .filter(|(_, f)| **f == ArgKind::Float)
            .map(|(a, _)| *a)
            .collect(),
        Op::Copy(a) => vec![*a],
        _ => Vec::new(),
    }
}

fn varied_pass(region: &Region, s: &mut Sets) {
    for node in &region.nodes {
        match node {
            Node::Let(v, op) => {
                let varied = match op {
                    Op::Prim { .. } | Op::Call { .. } | Op::Copy(_) => {
                        float_args(op).iter().any(|a| s.value(*a))
                    }
                    Op::Read(var) => s.var[var.0 as usize],
                    Op::Load(a, _) => s.array[a.0 as usize],
                    // A float read from a struct parameter the gradient is taken for.
                    Op::Field(p) => s.structs[p.root] && s.float[v.0 as usize],
                    Op::FieldLen(_) | Op::Param(_) | Op::Const(_) | Op::Plain(..) | Op::Len(_) => {
                        false
                    }
                };
                if varied {
                    s.set_value(*v);
                }
            }
            Node::Assign { var, value, .. } => {
                if s.value(*value) {
                    s.set_var(*var);
                }
            }
            Node::Store { array, value, .. } => {
                if s.value(*value) {
                    s.set_array(*array);
                }
            }
            Node::FieldStore { place, value } => {
                if s.value(*value) {
                    s.set_struct(place.root);
                }
            }
            Node::DeclArray(a, ArrayInit::Repeat { fill, .. } | ArrayInit::Vec { fill, .. }) => {
                if s.value(*fill) {
                    s.set_array(*a);
                }
            }
            Node::Call(c) => {
                let varied = c.args.iter().any(|a| match a {
                    CallArg::Value(v, ArgKind::Float) | CallArg::Var { pre: v, .. } => s.value(*v),
                    CallArg::Array(a) => s.array[a.array.0 as usize],
                    CallArg::Place(p, _) => s.structs[p.root],
                    CallArg::Value(..) => false,
                });
                if varied {
                    for a in &c.args {
                        if let CallArg::Place(p, true) = a {
                            s.set_struct(p.root);
                        }
                    }
                    c.written_arrays().into_iter().for_each(|a| s.set_array(a));
                    c.written_vars().for_each(|v| s.set_var(v));
                    if let CallOut::Value(v) = c.out {
                        s.set_value(v);
                    }
                }
            }
            Node::DeclVar(_) => {}
            Node::If { then, els, .. } => {
                varied_pass(then, s);
                varied_pass(els, s);
            }
            Node::Loop { body, .. } => varied_pass(body, s),
        }
    }
}

fn check_plain(region: &Region, varied: &Sets, f: &Function, errors: &mut Errors) {
    for node in &region.nodes {
        match node {
            Node::Let(v, Op::Plain(p @ Plain::Method(m), args))
                if !p.accepts_varied() && args.iter().any(|a| varied.value(*a)) =>
            {
                errors.at(
                    f.span(*v),
                    format!(
                        "`.{m}(...)` is computed as a constant here (a method of a struct left \
                         out by `wrt(...)`, or of a value of a type the macro cannot see), but \
                         a differentiated value flows into it: compute it in this function \
                         from the struct's fields, or make `{m}` `#[differentiable]` and list \
                         the struct in `wrt(...)`"
                    ),
                );
            }
            Node::Let(v, Op::Plain(p, args))
                if !p.accepts_varied() && args.iter().any(|a| varied.value(*a)) =>
            {
                errors.at(
                    f.span(*v),
                    "cannot differentiate through this operation: a differentiable value \
                     flows into it but the macro cannot tell it is float arithmetic; give \
                     the variables involved a float type (`let mut s: f64 = ...`)",
                );
            }
            Node::If { then, els, .. } => {
                check_plain(then, varied, f, errors);
                check_plain(els, varied, f, errors);
            }
            Node::Loop { body, .. } => check_plain(body, varied, f, errors),
            _ => {}
        }
    }
}

/// Runs the analysis. With `prune` (the [`crate::passes::prune`] pass), values the result does
/// not depend on get no adjoint; without it, every varied value gets one.
pub fn analyze(f: &Function, prune: bool, errors: &mut Errors) -> Activity {
    let mut varied = Sets::new(f);
    for (i, p) in f.params.iter().enumerate() {
        if !p.wrt {
            continue;
        }
        match &p.kind {
            ParamKind::Scalar(v) => varied.set_value(*v),
            ParamKind::FloatArray { array, .. } => varied.set_array(*array),
            ParamKind::Struct { .. } => varied.structs[i] = true,
            ParamKind::Constant => {}
        }
    }
    loop {
        varied.changed = false;
        varied_pass(&f.body, &mut varied);
        if !varied.changed {
            break;
        }
    }
    check_plain(&f.body, &varied, f, errors);
    // A struct left out by `wrt(...)` has no adjoint: a derivative must not flow through it.
    for (i, p) in f.params.iter().enumerate() {
        if let (ParamKind::Struct { .. }, false, true) = (&p.kind, p.wrt, varied.structs[i]) {
            errors.at(
                p.ident.span(),
                format!(
                    "a value that depends on the differentiated inputs is written into `{0}`, \
                     which `wrt(...)` leaves out, so its derivative would be lost: list `{0}` \
                     in `wrt(...)` (its gradient is then returned too)",
                    p.ident
                ),
            );
        }
    }

    if prune {
        crate::passes::prune::run(f, &varied)
    } else {
        Activity {
            value: varied.value,
            var: varied.var,
            array: varied.array,
            structs: varied.structs,
        }
    }
}
