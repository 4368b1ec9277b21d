//! Running an accumulating loop's reverse inside its forward sweep.
//!
//! The commonest loss is a sum over data: `for i in 0..n { s += term(i) }`. Reversed the
//! ordinary way, the loop runs twice (forward for `s`, then backwards to recompute and
//! differentiate each term). But the adjoint of a pure accumulator is the same in every
//! iteration: `s = s + t` passes `d_s` on unchanged. So each iteration's reverse can run right
//! after its forward, with `d_s = 1`, gathering the contributions of the whole loop in
//! scratch adjoints; where the reverse sweep reaches the loop, they are scaled by the real
//! `d_s` and added. One pass over the data instead of two, and whatever an iteration pushes is
//! popped at once, so the stacks stay small.
//!
//! A loop qualifies when it is a `for` loop at the top of the function with no early exit;
//! the only differentiated variable from outside that it assigns is one accumulator, assigned
//! once per iteration as `s = s + t` (or `s += t`) and read nowhere else in the loop; it writes
//! no differentiated array from outside; and the arrays from outside whose adjoints it
//! touches are parameters.
//!
//! Off, the loop is reversed the ordinary way. The gradient is the same up to rounding: the
//! contributions are summed in another order and multiplied by `d_s` once, at the end (so
//! where a product of partials overflows, the order can also decide between a large finite
//! number and an infinity).

use crate::activity::Activity;
use crate::adjoint::{Adj, Rev};
use crate::ir::*;
use std::collections::HashSet;

/// A fused loop: its accumulator, the reverse of its body (run in the forward sweep with a
/// unit adjoint for the accumulator), and the adjoints from outside that the body accumulates
/// into, which gather in scratch space during the loop.
pub struct FusedLoop {
    /// The accumulator.
    pub acc: Var,
    /// The reverse of one iteration.
    pub body: Vec<Rev>,
    /// Scalar adjoints from outside (values and variables) the body accumulates into.
    pub scalars: Vec<Adj>,
    /// Parameter arrays whose adjoints the body accumulates into.
    pub arrays: Vec<Array>,
    /// Struct parameters (by position) whose gradients the body accumulates into: a scratch
    /// gradient each (`zero_like`), added in with `axpy` where the reverse reaches the loop.
    pub structs: Vec<usize>,
    /// The function returns the accumulator as it is after the loop, so where the reverse
    /// reaches the loop its adjoint is exactly the seed (one in a gradient, `d_out` in a
    /// pullback, which runs the loop's reverse with it): the parameter arrays' contributions
    /// go straight into their adjoints, with no scratch copy and no pass to scale it.
    pub direct: bool,
}

/// What a region defines: values, variables and arrays introduced in it (at any depth).
#[derive(Default)]
pub struct Defined {
    values: HashSet<Value>,
    vars: HashSet<Var>,
    arrays: HashSet<Array>,
}

impl Defined {
    fn of(r: &Region) -> Self {
        let mut d = Defined::default();
        d.walk(r);
        d
    }

    fn walk(&mut self, r: &Region) {
        for node in &r.nodes {
            match node {
                Node::Let(v, _) => {
                    self.values.insert(*v);
                }
                Node::Assign {
                    var, decl: true, ..
                }
                | Node::DeclVar(var) => {
                    self.vars.insert(*var);
                }
                Node::DeclArray(a, _) => {
                    self.arrays.insert(*a);
                }
                Node::Call(c) => match c.out {
                    CallOut::Value(v) => {
                        self.values.insert(v);
                    }
                    CallOut::NewArray(a) => {
                        self.arrays.insert(a);
                    }
                    CallOut::Unit | CallOut::Discarded | CallOut::IntoArray(_) => {}
                },
                Node::If { then, els, .. } => {
                    self.walk(then);
                    self.walk(els);
                }
                Node::Loop { head, body, .. } => {
                    if let LoopHead::For { var, .. } = head {
                        self.values.insert(*var);
                    }
                    self.walk(body);
                }
                _ => {}
            }
        }
    }
}

/// Everything the body does to what comes from outside it.
#[derive(Default)]
struct Effects {
    /// Assignments to variables from outside: (variable, assigned value, at the top level).
    assigns: Vec<(Var, Value, bool)>,
    /// Reads of variables from outside: (variable, value read).
    reads: Vec<(Var, Value)>,
    /// Arrays from outside that are written.
    stores: Vec<Array>,
    /// Arrays from outside that are read.
    loads: Vec<Array>,
    /// How many times each value is used.
    uses: std::collections::HashMap<Value, usize>,
    /// Whether the body calls a function through its pullback (not fused).
    calls: bool,
    /// Whether the body writes a field of a `&mut` struct parameter (not fused).
    field_stores: bool,
}

fn effects(r: &Region, inside: &Defined, top: bool, e: &mut Effects) {
    for node in &r.nodes {
        let mut used = Vec::new();
        match node {
            Node::Let(v, op) => {
                used = op.operands();
                match op {
                    Op::Read(s) if !inside.vars.contains(s) => e.reads.push((*s, *v)),
                    Op::Load(a, _) if !inside.arrays.contains(a) => e.loads.push(*a),
                    _ => {}
                }
            }
            Node::Assign { var, value, decl } => {
                used.push(*value);
                if !*decl && !inside.vars.contains(var) {
                    e.assigns.push((*var, *value, top));
                }
            }
            Node::Store {
                array,
                index,
                value,
            } => {
                used.extend([*index, *value]);
                if !inside.arrays.contains(array) {
                    e.stores.push(*array);
                }
            }
            Node::FieldStore { place, value } => {
                used.extend(place.indices());
                used.push(*value);
                e.field_stores = true;
            }
            Node::DeclArray(_, ArrayInit::Repeat { fill, .. }) => used.push(*fill),
            Node::DeclArray(_, ArrayInit::Vec { fill, len }) => used.extend([*fill, *len]),
            Node::If { cond, then, els } => {
                used.push(*cond);
                effects(then, inside, false, e);
                effects(els, inside, false, e);
            }
            Node::Loop { head, body, .. } => {
                if let LoopHead::For { iter, .. } = head {
                    used.push(*iter);
                }
                effects(body, inside, false, e);
            }
            Node::Call(c) => {
                e.calls = true;
                used.extend(c.operands());
            }
            Node::DeclVar(_) => {}
        }
        for u in used {
            *e.uses.entry(u).or_default() += 1;
        }
    }
}

/// Whether the function returns `acc` as the top-level loop at `pos` leaves it: after the loop
/// nothing mentions `acc` but the result's own read, and nothing uses the result.
pub fn returned_as_is(f: &Function, pos: usize, acc: Var) -> bool {
    if !matches!(f.returns, Returns::Float) {
        return false;
    }
    let rest = &f.body.nodes[pos + 1..];
    let read_at_top = rest
        .iter()
        .filter(|n| matches!(n, Node::Let(v, Op::Read(s)) if *v == f.result && *s == acc))
        .count();
    read_at_top == 1 && rest.iter().all(|n| quiet(n, acc, f.result))
}

/// Whether `node` (at any depth) neither mentions `acc` (but as `result = acc`) nor uses
/// `result`.
fn quiet(node: &Node, acc: Var, result: Value) -> bool {
    let region = |r: &Region| r.nodes.iter().all(|n| quiet(n, acc, result));
    match node {
        Node::Let(v, Op::Read(s)) if *s == acc => *v == result,
        Node::Let(_, op) => !op.operands().contains(&result),
        Node::Assign { var, value, .. } => *var != acc && *value != result,
        Node::Store { index, value, .. } => *index != result && *value != result,
        Node::FieldStore { value, .. } => *value != result,
        Node::Call(c) => !c.written_vars().any(|s| s == acc) && !c.operands().contains(&result),
        Node::If { cond, then, els } => *cond != result && region(then) && region(els),
        Node::Loop { head, body, .. } => {
            let head_ok = match head {
                LoopHead::For { iter, .. } => *iter != result,
                LoopHead::Forever => true,
            };
            head_ok && region(body)
        }
        Node::DeclArray(_, ArrayInit::Repeat { fill, .. }) => *fill != result,
        Node::DeclArray(_, ArrayInit::Vec { fill, len }) => *fill != result && *len != result,
        Node::DeclVar(var) => *var != acc,
    }
}

/// The accumulator of a top-level loop that qualifies (see the module's documentation).
pub fn accumulator(f: &Function, node: &Node, act: &Activity) -> Option<Var> {
    let Node::Loop {
        head: LoopHead::For { .. },
        body,
        jump: None,
    } = node
    else {
        return None;
    };
    let inside = Defined::of(body);
    let mut e = Effects::default();
    effects(body, &inside, true, &mut e);
    // Reads of struct fields gather into a scratch gradient; writes (`&mut` structs) and
    // calls are not fused.
    if e.calls || e.field_stores {
        return None;
    }
    if e.stores.iter().any(|a| act.array[a.0 as usize]) {
        return None;
    }
    let loads_ok = e
        .loads
        .iter()
        .all(|a| !act.array[a.0 as usize] || f.array_param[a.0 as usize].is_some());
    if !loads_ok {
        return None;
    }
    let active: Vec<&(Var, Value, bool)> = e
        .assigns
        .iter()
        .filter(|(s, _, _)| act.var[s.0 as usize])
        .collect();
    let [&(acc, value, true)] = active[..] else {
        return None;
    };
    // `value = read(acc) + t`, the read used once, and no other read of `acc`.
    let defs = f.defs();
    let Some(Op::Prim { prim, args, .. }) = defs.get(&value) else {
        return None;
    };
    if prim.rule != "add" || !act.value[value.0 as usize] {
        return None;
    }
    let reads: Vec<Value> = e
        .reads
        .iter()
        .filter(|(s, _)| *s == acc)
        .map(|(_, v)| *v)
        .collect();
    let [read] = reads[..] else {
        return None;
    };
    let once = e.uses.get(&read) == Some(&1) && args.iter().filter(|a| **a == read).count() == 1;
    once.then_some(acc)
}

/// The struct parameters whose places the reverse `rev` accumulates into (`fields`: the
/// plan's places, which [`Adj::Field`] indexes).
pub fn struct_targets(rev: &[Rev], fields: &[(Place, Vec<crate::adjoint::Save>)]) -> Vec<usize> {
    let mut out = Vec::new();
    fn walk(rev: &[Rev], fields: &[(Place, Vec<crate::adjoint::Save>)], out: &mut Vec<usize>) {
        for step in rev {
            match step {
                Rev::Acc {
                    to: Adj::Field(k), ..
                } => {
                    let root = fields[*k as usize].0.root;
                    if !out.contains(&root) {
                        out.push(root);
                    }
                }
                Rev::If { then, els, .. } => {
                    walk(then, fields, out);
                    walk(els, fields, out);
                }
                Rev::Loop { body, .. } => walk(body, fields, out),
                _ => {}
            }
        }
    }
    walk(rev, fields, &mut out);
    out
}

/// The adjoints from outside the body that its reverse accumulates into, except the
/// accumulator's: `(scalars, arrays)`.
pub fn targets(body: &Region, rev: &[Rev], acc: Var) -> (Vec<Adj>, Vec<Array>) {
    let inside = Defined::of(body);
    let mut scalars = Vec::new();
    let mut arrays = Vec::new();
    collect(rev, &inside, acc, &mut scalars, &mut arrays);
    (scalars, arrays)
}

fn collect(
    rev: &[Rev],
    inside: &Defined,
    acc: Var,
    scalars: &mut Vec<Adj>,
    arrays: &mut Vec<Array>,
) {
    let add_scalar = |a: Adj, scalars: &mut Vec<Adj>| {
        let outside = match a {
            Adj::Value(v) => !inside.values.contains(&v),
            Adj::Var(s) => !inside.vars.contains(&s) && s != acc,
            Adj::Elem(..) | Adj::Field(_) => false,
        };
        let known = scalars.iter().any(|b| same(*b, a));
        if outside && !known {
            scalars.push(a);
        }
    };
    for step in rev {
        match step {
            Rev::Acc { to, .. } => match to {
                Adj::Elem(a, _) => {
                    if !inside.arrays.contains(a) && !arrays.contains(a) {
                        arrays.push(*a);
                    }
                }
                _ => add_scalar(*to, scalars),
            },
            Rev::AccSum { to, .. } => add_scalar(Adj::Value(*to), scalars),
            Rev::If { then, els, .. } => {
                collect(then, inside, acc, scalars, arrays);
                collect(els, inside, acc, scalars, arrays);
            }
            Rev::Loop { body, .. } => collect(body, inside, acc, scalars, arrays),
            _ => {}
        }
    }
}

fn same(a: Adj, b: Adj) -> bool {
    match (a, b) {
        (Adj::Value(x), Adj::Value(y)) => x == y,
        (Adj::Var(x), Adj::Var(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::passes::test_util::compiled;
    use quote::quote;

    /// How many loops of `item` are fused.
    fn fused(item: proc_macro2::TokenStream) -> usize {
        let (_, plan) = compiled(item);
        plan.fused_loops.len()
    }

    #[test]
    fn a_loss_summed_over_data_with_local_arrays_is_fused() {
        let n = fused(quote! {
            fn f(p: &[f64], xs: &[f64]) -> f64 {
                let mut loss = 0.0;
                for i in 0..xs.len() {
                    let mut h = [0.0; 4];
                    for j in 0..4 {
                        h[j] = (p[j] * xs[i]).tanh();
                    }
                    let mut z = 0.0;
                    for j in 0..4 {
                        z += p[4 + j] * h[j];
                    }
                    loss += z * z;
                }
                loss / xs.len() as f64
            }
        });
        assert_eq!(n, 1);
    }

    #[test]
    fn loops_that_carry_more_than_a_sum_are_not_fused() {
        let n = fused(quote! {
            fn f(x: &[f64]) -> f64 {
                let mut prod = 1.0;
                for i in 0..x.len() {
                    prod = prod * x[i];
                }
                let mut s = 0.0;
                let mut t = 0.0;
                for i in 0..x.len() {
                    s += x[i];
                    t += s * x[i];
                }
                let mut u = 0.0;
                for i in 0..x.len() {
                    u += x[i] * u;
                }
                let mut w = 0.0;
                for i in 0..x.len() {
                    if x[i] > 2.0 {
                        break;
                    }
                    w += x[i];
                }
                prod + s + t + u + w
            }
        });
        assert_eq!(n, 0);
    }
}
