//! Skipping a loop's reverse when every adjoint flowing into it is zero.
//!
//! A dead ReLU passes back a zero adjoint, and the reverse of the loop behind it (a neuron's
//! weighted sum) then adds `0 · w` to every gradient entry it touches. Hand-written
//! backpropagation skips such a neuron (`if z <= 0 { continue; }`); so does the generated
//! code: where a loop's reverse reads no adjoint from outside itself except scalars, and pops
//! nothing from the stacks, it runs only if one of those scalars is non-zero
//! (`Float::is_zero_adjoint`; for a dual number, both parts).
//!
//! Skipping changes no finite gradient: every contribution skipped is a product with a zero
//! factor, and adding a zero changes no sum but the sign of a zero sum, which the returned
//! gradients do not show. Where a partial inside the loop is infinite or NaN, the
//! unoptimized code gives `0 · ∞ = NaN` and the skipping code gives the zero a hand-written
//! gradient gives. Off (`disable(skip)`), every loop's reverse runs.

use crate::adjoint::{Adj, Plan, Rev, Storage, VarReplay};
use std::collections::HashSet;

/// The scalar adjoints from outside that the reverse of a loop (`body`, its variable got back
/// by `var`) reads, if it can be skipped when they are all zero; `None` if it cannot (it pops
/// from a stack, reads an adjoint array, calls a pullback, or reads nothing from outside).
/// The loop's trip count and the arrays it restores are popped before, outside the test.
pub fn incoming(plan: &Plan, var: Option<&VarReplay>, body: &[Rev]) -> Option<Vec<Adj>> {
    if !plan.skip {
        return None;
    }
    if matches!(var, Some(VarReplay::PerIteration(_))) {
        return None;
    }
    let mut w = Walk {
        plan,
        declared: HashSet::new(),
        reads: Vec::new(),
        resets: Vec::new(),
    };
    w.walk(body)?;
    let declared = w.declared;
    let read: HashSet<(u8, u32)> = w.reads.iter().map(key).collect();
    if w.resets
        .iter()
        .any(|a| !declared.contains(&key(a)) && !read.contains(&key(a)))
    {
        // A skipped loop would leave an adjoint from outside that it resets as it was.
        return None;
    }
    let mut out: Vec<Adj> = Vec::new();
    for a in w.reads {
        if !declared.contains(&key(&a)) && !out.iter().any(|b| key(b) == key(&a)) {
            out.push(a);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Scalars adjoints are keyed by kind and number.
fn key(a: &Adj) -> (u8, u32) {
    match a {
        Adj::Value(v) => (0, v.0),
        Adj::Var(s) => (1, s.0),
        Adj::Elem(..) | Adj::Field(_) => (2, u32::MAX),
    }
}

struct Walk<'a> {
    plan: &'a Plan,
    /// Adjoints declared inside the loop (zero at each iteration's start).
    declared: HashSet<(u8, u32)>,
    /// Scalar adjoints read.
    reads: Vec<Adj>,
    /// Scalar adjoints reset.
    resets: Vec<Adj>,
}

impl Walk<'_> {
    /// `None` if the list does something a skipped loop must still do.
    fn walk(&mut self, list: &[Rev]) -> Option<()> {
        for step in list {
            match step {
                Rev::Zero(a) => {
                    self.declared.insert(key(a));
                }
                Rev::Restore(s) => {
                    if self.plan.save(*s).storage == Storage::Stack {
                        return None;
                    }
                }
                Rev::Acc { from, .. } => match from {
                    Adj::Value(_) | Adj::Var(_) => self.reads.push(*from),
                    Adj::Elem(..) | Adj::Field(_) => return None,
                },
                // Resetting an adjoint from outside is harmless only if the gate reads it (then
                // it is zero already); checked at the end, when every read is known.
                Rev::Reset(a @ (Adj::Value(_) | Adj::Var(_))) => self.resets.push(*a),
                Rev::Reset(Adj::Elem(..) | Adj::Field(_)) => return None,
                Rev::Reload { .. } => {}
                Rev::Loop {
                    var, restore, body, ..
                } => {
                    // Its trip count and last variable value are restores of this list.
                    if !restore.is_empty() || matches!(var, Some((_, VarReplay::PerIteration(_)))) {
                        return None;
                    }
                    self.walk(body)?;
                }
                Rev::Seed(_)
                | Rev::AccSum { .. }
                | Rev::ResetArray(_)
                | Rev::If { .. }
                | Rev::Fused(_)
                | Rev::Call { .. } => return None,
            }
        }
        Some(())
    }
}
