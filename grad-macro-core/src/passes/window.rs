//! Saving by index: a `for` loop over a range that runs to its end (no `break`, `continue` or
//! `return` in it) and whose body saves the same items at every iteration (its saves at the
//! body's top level, none in its branches or inner loops, and no call in it) opens slots for
//! all its iterations on the stack before it starts, from the range's length, and each
//! iteration writes its saves into its own slots by index instead of pushing them one by one.
//! (A loop that may leave early keeps pushing: `for it in 0..max_iter { ..; if done { break; }
//! }` must not open `max_iter` slots.) The stack then holds the same items in the same order as the pushes would have left.
//! The loop's reverse reads them back by index too, from its last iteration to its first
//! (it knows how many iterations ran: the trip count, or the length of the rebuilt range),
//! and drops them all after it.
//!
//! A push checks the capacity, may call the allocator, and stores the length back at every
//! item (a pop checks for underflow and stores the length back), which keeps LLVM from
//! vectorizing the loop around it; a store or a load by index does not.
//! The MLP's layers save one ReLU partial per neuron: with slots, LLVM interleaves two
//! neurons' dot products in one vector register, as it does for the hand-written forward pass
//! (the one-sample MLP gradient went from 1.73x to 1.34x its hand-written gradient).
//!
//! Saving by index changes no number.

use crate::adjoint::{Plan, SaveKind, SaveSource, Storage};
use crate::ir::*;
use std::collections::HashMap;

/// How many slots one iteration of a loop fills on each stack (0: that stack is pushed as
/// before).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slots {
    /// On the float stack.
    pub floats: usize,
    /// On the index stack (indices and branch decisions).
    pub indices: usize,
}

/// The loops that save by index, and where each of their saves goes.
#[derive(Clone, Debug, Default)]
pub struct Windows {
    /// Per loop (by pre-order position): its slots per iteration.
    pub loops: HashMap<usize, Slots>,
    /// Per save (by number): its loop and its slot within an iteration.
    pub slots: HashMap<u32, (usize, usize)>,
}

/// Which stack a save goes to, if it goes to one of the two shared stacks.
fn stack_of(plan: &Plan, sv: crate::adjoint::Save) -> Option<bool> {
    let info = plan.save(sv);
    if info.storage != Storage::Stack || matches!(info.source, SaveSource::LoopVar(_)) {
        return None;
    }
    match info.kind {
        SaveKind::Float => Some(true),
        SaveKind::Index | SaveKind::Flag => Some(false),
        SaveKind::Int => None,
    }
}

/// The loops of `f` that save by index.
pub fn windows(f: &Function, plan: &Plan) -> Windows {
    let defs = f.defs();
    let mut out = Windows::default();
    let mut ord = 0;
    walk(&f.body, plan, &defs, &mut ord, &mut out);
    out
}

/// Whether `it` is a range, possibly reversed or stepped: its `size_hint` is its length.
fn is_range(it: Value, defs: &HashMap<Value, &Op>) -> bool {
    let mut it = it;
    // Each step goes to an operand defined earlier, so this ends; the bound is a guard.
    for _ in 0..8 {
        match defs.get(&it) {
            Some(Op::Plain(Plain::Range { .. }, _)) => return true,
            Some(Op::Plain(Plain::Method(m), args))
                if (m == "rev" || m == "step_by") && !args.is_empty() =>
            {
                it = args[0];
            }
            _ => return false,
        }
    }
    false
}

fn walk(r: &Region, plan: &Plan, defs: &HashMap<Value, &Op>, ord: &mut usize, out: &mut Windows) {
    for node in &r.nodes {
        let my = *ord;
        *ord += 1;
        match node {
            Node::If { then, els, .. } => {
                walk(then, plan, defs, ord, out);
                walk(els, plan, defs, ord, out);
            }
            Node::Loop { head, body, jump } => {
                let start = *ord;
                walk(body, plan, defs, ord, out);
                let ranged = matches!(head, LoopHead::For { iter, .. } if is_range(*iter, defs));
                // A loop that may leave early (`break`, `return`, `continue`) keeps pushing:
                // "at most a million iterations" must not cost a million slots.
                if ranged && jump.is_none() && !plan.fused_loops.contains_key(&my) {
                    body_slots(body, start, plan, out, my);
                }
            }
            _ => {}
        }
    }
}

/// What one iteration of the loop at `my` (whose body's first node is at `start`) saves:
/// the slots of the stacks only its top-level nodes push to.
fn body_slots(body: &Region, start: usize, plan: &Plan, out: &mut Windows, my: usize) {
    // Per stack (floats, indices): the top-level saves in order, and whether anything else
    // in the body pushes to it.
    let mut top: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
    let mut other = [false; 2];
    let mut ord = start;
    for node in &body.nodes {
        let at = ord;
        ord += 1;
        for sv in plan.node_saves.get(&at).into_iter().flatten() {
            if let Some(float) = stack_of(plan, *sv) {
                top[usize::from(!float)].push(sv.0);
            }
        }
        inside(node, at, &mut ord, plan, &mut other);
    }
    let mut slots = Slots::default();
    for (k, saves) in top.iter().enumerate() {
        if other[k] || saves.is_empty() {
            continue;
        }
        for (m, sv) in saves.iter().enumerate() {
            out.slots.insert(*sv, (my, m));
        }
        if k == 0 {
            slots.floats = saves.len();
        } else {
            slots.indices = saves.len();
        }
    }
    if slots != Slots::default() {
        out.loops.insert(my, slots);
    }
}

/// Marks the stacks a nested region pushes to (or pops from).
fn nested(r: &Region, ord: &mut usize, plan: &Plan, other: &mut [bool; 2]) {
    for node in &r.nodes {
        let at = *ord;
        *ord += 1;
        for sv in plan.node_saves.get(&at).into_iter().flatten() {
            if let Some(float) = stack_of(plan, *sv) {
                other[usize::from(!float)] = true;
            }
        }
        inside(node, at, ord, plan, other);
    }
}

/// Marks the stacks the node at `at` uses other than through its own saves: the arrays a
/// loop pushes whole (`freeze`), calls (snapshots, lengths), the reverse of a fused loop run
/// inside it, and the saves of its nested regions.
fn inside(node: &Node, at: usize, ord: &mut usize, plan: &Plan, other: &mut [bool; 2]) {
    if plan.frozen_loops.contains_key(&at) {
        other[0] = true;
    }
    match node {
        Node::Call(_) => *other = [true, true],
        Node::If { then, els, .. } => {
            nested(then, ord, plan, other);
            nested(els, ord, plan, other);
        }
        Node::Loop { body, .. } => {
            if plan.fused_loops.contains_key(&at) {
                *other = [true, true];
            }
            nested(body, ord, plan, other);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::passes::test_util::compiled;
    use quote::quote;

    fn slots(item: proc_macro2::TokenStream) -> Vec<(usize, usize)> {
        let (f, plan) = compiled(item);
        let mut k: Vec<_> = super::windows(&f, &plan)
            .loops
            .into_values()
            .map(|s| (s.floats, s.indices))
            .collect();
        k.sort();
        k
    }

    #[test]
    fn a_layer_saves_its_relu_partials_by_index() {
        // The inner loop pushes nothing (its partials are rebuilt); the outer loop saves one
        // ReLU partial per neuron.
        let k = slots(quote! {
            fn f(p: &[f64], h: &[f64; 4]) -> f64 {
                let mut out = [0.0; 4];
                for j in 0..4 {
                    let mut act = p[16 + j];
                    for k in 0..4 {
                        act += p[j * 4 + k] * h[k];
                    }
                    out[j] = act.relu();
                }
                out[0] * out[1] + out[2] * out[3]
            }
        });
        assert_eq!(k, vec![(1, 0)]);
    }

    #[test]
    fn the_listing_says_which_saves_go_to_slots() {
        let (f, plan) = compiled(quote! {
            fn f(x: &[f64], a: f64) -> f64 {
                let mut s = a;
                for i in 0..x.len() {
                    s = (s * x[i]).sin();
                }
                s
            }
        });
        let listing = crate::listing::listing(&f, &plan);
        assert!(listing.contains("in slot 0"), "{listing}");
        assert!(!listing.contains("push"), "{listing}");
    }

    #[test]
    fn saves_in_branches_or_inner_loops_keep_their_stack_pushed() {
        let k = slots(quote! {
            fn f(x: &[f64], n: usize) -> f64 {
                let mut s = 1.0;
                for i in 0..x.len() {
                    if x[i] > 0.0 {
                        s = s * x[i];
                    }
                }
                let mut t = 1.0;
                for _ in 0..n {
                    for j in 0..x.len() {
                        t = t * x[j];
                    }
                }
                s + t
            }
        });
        // The first loop's partial is in a branch, pushed (its decision is rebuilt from
        // `x[i]`, not saved); the outer loop of the nest has its inner loop's pushes; the
        // inner loop saves one float per iteration by index.
        assert_eq!(k, vec![(1, 0)]);
    }

    #[test]
    fn a_decision_on_a_carried_value_goes_to_the_index_stack_by_index() {
        // The outer loop saves its decision (an index slot) and leaves its floats to the inner
        // loop, which pushes them into its own float slots.
        let k = slots(quote! {
            fn f(x: &[f64], a: f64) -> f64 {
                let mut s = a;
                for _ in 0..4 {
                    if s > 0.5 {
                        s = s * 0.9 + a;
                    } else {
                        s = s.exp();
                    }
                    for i in 0..x.len() {
                        s = s * x[i];
                    }
                }
                s
            }
        });
        assert_eq!(k, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn loops_that_call_or_run_their_reverse_inside_keep_pushing() {
        let k = slots(quote! {
            fn f(x: &[f64], a: f64) -> f64 {
                let mut s = a;
                for i in 0..x.len() {
                    s = s * x[i];
                    s = helper(&x[..i], s);
                }
                let mut loss = 0.0;
                for i in 0..x.len() {
                    loss += (x[i] * s).sin();
                }
                s + loss
            }
        });
        assert_eq!(k, Vec::<(usize, usize)>::new());
    }
}
