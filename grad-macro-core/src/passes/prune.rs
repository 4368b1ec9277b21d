//! Dropping adjoints nobody reads: of the varied values (those that depend on a parameter),
//! only those the result depends on get an adjoint. A backward fixpoint over the function,
//! since loops carry dependencies backwards.
//!
//! Off, every varied value gets an adjoint; those the result does not depend on stay zero, so
//! the gradient is the same, computed with more code.

use crate::activity::{float_args, Activity, Sets};
use crate::ir::*;

/// The activity: varied values (and variables, arrays) that the result depends on.
pub fn run(f: &Function, varied: &Sets) -> Activity {
    let mut useful = Sets::new(f);
    useful.value[f.result.0 as usize] = varied.value(f.result);
    // Arrays the caller sees: the array returned and `&mut` parameters.
    if let Returns::Array(a) = f.returns {
        useful.array[a.0 as usize] = varied.array[a.0 as usize];
    }
    for (i, m) in f.array_mut.iter().enumerate() {
        if *m {
            useful.array[i] = varied.array[i];
        }
    }
    loop {
        useful.changed = false;
        useful_pass(&f.body, &mut useful, varied);
        if !useful.changed {
            break;
        }
    }
    Activity {
        value: useful.value,
        var: useful.var,
        array: useful.array,
        // The caller sees every struct parameter's gradient.
        structs: varied.structs.clone(),
    }
}

fn useful_pass(region: &Region, s: &mut Sets, varied: &Sets) {
    for node in region.nodes.iter().rev() {
        match node {
            Node::Let(v, op) => {
                if !s.value(*v) {
                    continue;
                }
                match op {
                    Op::Read(var) => {
                        if varied.var[var.0 as usize] {
                            s.set_var(*var)
                        }
                    }
                    Op::Load(a, _) => {
                        if varied.array[a.0 as usize] {
                            s.set_array(*a)
                        }
                    }
                    _ => {
                        for a in float_args(op) {
                            if varied.value(a) {
                                s.set_value(a);
                            }
                        }
                    }
                }
            }
            Node::Assign { var, value, .. } => {
                if s.var[var.0 as usize] && varied.value(*value) {
                    s.set_value(*value);
                }
            }
            Node::Store { array, value, .. } => {
                if s.array[array.0 as usize] && varied.value(*value) {
                    s.set_value(*value);
                }
            }
            Node::FieldStore { place, value } => {
                if varied.structs[place.root] && varied.value(*value) {
                    s.set_value(*value);
                }
            }
            Node::DeclArray(a, ArrayInit::Repeat { fill, .. } | ArrayInit::Vec { fill, .. }) => {
                if s.array[a.0 as usize] && varied.value(*fill) {
                    s.set_value(*fill);
                }
            }
            Node::Call(c) => {
                let useful = match c.out {
                    CallOut::Value(v) => s.value(v),
                    _ => false,
                } || c.written_arrays().iter().any(|a| s.array[a.0 as usize])
                    || c.args
                        .iter()
                        .any(|a| matches!(a, CallArg::Place(p, true) if varied.structs[p.root]))
                    || c.written_vars().any(|v| s.var[v.0 as usize]);
                if useful {
                    for a in &c.args {
                        match a {
                            CallArg::Value(v, ArgKind::Float) | CallArg::Var { pre: v, .. }
                                if varied.value(*v) =>
                            {
                                s.set_value(*v)
                            }
                            CallArg::Array(a) if varied.array[a.array.0 as usize] => {
                                s.set_array(a.array)
                            }
                            _ => {}
                        }
                    }
                }
            }
            Node::DeclVar(_) => {}
            Node::If { then, els, .. } => {
                useful_pass(then, s, varied);
                useful_pass(els, s, varied);
            }
            Node::Loop { body, .. } => useful_pass(body, s, varied),
        }
    }
}
