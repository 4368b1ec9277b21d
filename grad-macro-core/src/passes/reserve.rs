//! Sizing stacks once: for a `for` loop that runs to its end (no `break`, `continue` or
//! `return`) and whose body pushes a known number of floats and indices per iteration (no loop
//! inside it), the forward sweep reserves room for the whole loop
//! before it starts, from the iterator's length, so the stacks grow once instead of doubling
//! along the way. (The stacks' buffers are kept per thread between calls, so this matters for
//! the first call and for calls larger than any before.)
//!
//! Reserving changes no number.

use crate::adjoint::{Plan, SaveKind, SaveSource, Storage};
use crate::ir::*;
use std::collections::HashMap;

/// Per loop (by pre-order position): how many floats and how many indices one iteration
/// pushes at most (branches counted as if both ran).
pub fn per_iteration(f: &Function, plan: &Plan) -> HashMap<usize, (usize, usize)> {
    let mut out = HashMap::new();
    let mut ord = 0;
    region(&f.body, plan, &mut ord, &mut out);
    out
}

/// Walks a region in pre-order; returns the pushes of one run of it, or `None` if it contains
/// a loop (then the count depends on trip counts).
fn region(
    r: &Region,
    plan: &Plan,
    ord: &mut usize,
    out: &mut HashMap<usize, (usize, usize)>,
) -> Option<(usize, usize)> {
    let mut total = Some((0, 0));
    for node in &r.nodes {
        let my = *ord;
        *ord += 1;
        let nested = match node {
            Node::If { then, els, .. } => {
                let t = region(then, plan, ord, out);
                let e = region(els, plan, ord, out);
                t.zip(e).map(|(t, e)| (t.0 + e.0, t.1 + e.1))
            }
            Node::Loop { head, body, jump } => {
                let k = region(body, plan, ord, out);
                // A fused loop pops what an iteration pushes in the same iteration; a loop that
                // may leave early may run far fewer iterations than its range holds.
                let fused = plan.fused_loops.contains_key(&my) || jump.is_some();
                if let (Some(k), LoopHead::For { .. }, false) = (k, head, fused) {
                    if k != (0, 0) {
                        out.insert(my, k);
                    }
                }
                None
            }
            _ => Some((0, 0)),
        };
        let own = pushes(plan, my);
        total = total
            .zip(nested)
            .map(|(t, n)| (t.0 + n.0 + own.0, t.1 + n.1 + own.1));
    }
    total
}

/// The floats and indices a node pushes itself.
fn pushes(plan: &Plan, node: usize) -> (usize, usize) {
    let mut k = (0, 0);
    for sv in plan.node_saves.get(&node).into_iter().flatten() {
        let info = plan.save(*sv);
        if info.storage != Storage::Stack || matches!(info.source, SaveSource::LoopVar(_)) {
            continue;
        }
        match info.kind {
            SaveKind::Float => k.0 += 1,
            SaveKind::Index | SaveKind::Flag => k.1 += 1,
            SaveKind::Int => {}
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use crate::passes::test_util::compiled;
    use quote::quote;

    fn reserved(item: proc_macro2::TokenStream) -> Vec<(usize, usize)> {
        let (f, plan) = compiled(item);
        let mut k: Vec<_> = super::per_iteration(&f, &plan).into_values().collect();
        k.sort();
        k
    }

    #[test]
    fn a_loop_carried_product_reserves_its_partials() {
        // `s * x[i]` reads the loop-carried `s`: its partial with respect to `s` is `x[i]`,
        // recomputed, and with respect to `x[i]` is `s`, pushed: one float per iteration.
        let k = reserved(quote! {
            fn f(x: &[f64]) -> f64 {
                let mut s = 1.0;
                for i in 0..x.len() {
                    s = s * x[i];
                }
                s
            }
        });
        assert_eq!(k, vec![(1, 0)]);
    }

    #[test]
    fn nothing_is_reserved_for_loops_that_push_nothing_or_contain_loops() {
        let k = reserved(quote! {
            fn f(x: &[f64], n: usize) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += x[i].sin();
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
        // The inner loop of the second nest reserves; the outer loop and the first do not.
        assert_eq!(k, vec![(1, 0)]);
    }
}
