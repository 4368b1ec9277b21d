//! Recomputing instead of storing, in the reverse sweep of loops.
//!
//! A loop's reverse runs after the whole forward sweep, so whatever an iteration computed is
//! gone unless it was pushed on a stack. This pass finds what the reverse can rebuild instead:
//! - values of the body that are pure functions of the loop variable, the parameters, values
//!   in scope and arrays no longer written (replayed at the start of each reverse iteration);
//! - partials that do not depend on the operands (`+`, `-`): the rule is evaluated again;
//! - partials that read only operands the reverse can rebuild (`b` for `a * b` with respect
//!   to `a`, when `a` is loop-carried): the rule is evaluated again on those;
//! - a loop over a whole range (`a..b`, `a..=b`, `.rev()`): the reverse runs over the rebuilt
//!   range backwards, so neither the trip count nor the loop variable is stored;
//! - a loop over consecutive integers with an early exit: only the last value of the loop
//!   variable is stored, and the reverse steps back from it.
//!
//! Off, every partial, index and decision inside a loop is pushed on a stack, and every loop
//! stores its trip count and its variable per iteration. Recomputing evaluates the same
//! operations on the same operands, so the gradient is the same to the bit.

use crate::adjoint::{Builder, SaveSource, Storage};
use crate::ir::*;
use std::collections::HashSet;

impl Builder<'_> {
    /// The storage that avoids storing `source`, if there is one.
    pub(crate) fn recomputed(&mut self, source: &SaveSource) -> Option<Storage> {
        if let SaveSource::Partial(v, _) = source {
            if let Some(Op::Prim { prim, .. }) = self.defs.get(v) {
                if prim.const_partials {
                    return Some(Storage::Constant);
                }
            }
        }
        if self.loop_depth == 0 {
            return None;
        }
        let replayable = match source {
            SaveSource::Partial(v, k) => {
                if self.replayable_value(*v) {
                    return Some(Storage::Replayed);
                }
                return self.operands_available(*v, *k).then_some(Storage::Operands);
            }
            SaveSource::IndexOf(x) | SaveSource::Cond(x) | SaveSource::Arg(x) => {
                self.replayable_value(*x)
            }
            SaveSource::TripCount(_)
            | SaveSource::LoopVar(_)
            | SaveSource::LastVar(_)
            | SaveSource::Entry(_) => false,
        };
        replayable.then_some(Storage::Replayed)
    }

    /// Whether partial `k` of `v` reads only operands the reverse sweep can name (they are then
    /// replayed).
    fn operands_available(&mut self, v: Value, k: usize) -> bool {
        let Some(Op::Prim { prim, args, .. }) = self.defs.get(&v) else {
            return false;
        };
        let Some(reads) = crate::prims::partial_reads(prim.rule, k) else {
            return false;
        };
        let needed: Vec<Value> = reads.iter().map(|&i| args[i]).collect();
        // Operands the reverse sweep cannot name may be read again from a saved index
        // ([`crate::passes::reload`]).
        let mut reloads = Vec::new();
        for a in &needed {
            if self.avail.contains(a) {
                continue;
            }
            match self.reload_index(*a) {
                Some(s) => reloads.push((*a, s)),
                None => return false,
            }
        }
        for a in needed {
            if !reloads.iter().any(|(x, _)| *x == a) {
                self.replayable_value(a);
            }
        }
        self.reloads.extend(reloads);
        true
    }

    /// For a loop over consecutive integers (`a..b`, `a..=b`, or one of them reversed):
    /// whether the values go up.
    pub(crate) fn stepped(&self, iter: Value) -> Option<bool> {
        let range = |x: &Value| matches!(self.defs.get(x), Some(Op::Plain(Plain::Range { .. }, _)));
        match self.defs.get(&iter) {
            Some(Op::Plain(Plain::Range { .. }, _)) => Some(true),
            Some(Op::Plain(Plain::Method(m), args)) if m == "rev" && args.len() == 1 => {
                range(&args[0]).then_some(false)
            }
            _ => None,
        }
    }

    /// Whether the reverse sweep can name `x` without storing it.
    pub(crate) fn replayable_value(&mut self, x: Value) -> bool {
        if self.avail.contains(&x) {
            self.needed.insert(x);
            true
        } else {
            false
        }
    }

    /// For a loop over a range (`a..b`, `a..=b`, possibly `.rev()`) whose bounds the reverse
    /// sweep can name: the values that rebuild the iterator, in order. Such a loop (when it
    /// has no early exit) runs over the whole range, so the reverse sweep runs over the rebuilt
    /// range backwards and stores nothing per run.
    pub(crate) fn rerunnable(&mut self, iter: Value) -> Option<Vec<Value>> {
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

    /// Whether a local array declared at the top level is no longer written from the current
    /// top-level node on: then the reverse sweep, which runs after the whole forward sweep,
    /// reads the same elements the forward sweep read here.
    pub(crate) fn frozen(&self, a: Array) -> bool {
        let in_fused_body = self
            .fused_frame
            .as_ref()
            .is_some_and(|(last, at)| last.get(&a).is_some_and(|&l| l < *at));
        in_fused_body
            || self
                .last_write
                .get(&a)
                .is_some_and(|&last| last < self.top_pos)
    }

    /// Whether `op` can be recomputed in the reverse sweep from values in `avail`.
    pub(crate) fn can_replay(&self, op: &Op, avail: &HashSet<Value>) -> bool {
        let is_param_array = |a: &Array| {
            self.f.array_param[a.0 as usize].is_some() && !self.f.array_mut[a.0 as usize]
        };
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
            Op::Load(a, i) => {
                (is_param_array(a) || self.frozen(*a) || self.restored.contains(a))
                    && avail.contains(i)
            }
            Op::Len(a) => is_param_array(a) || self.frozen(*a),
            // Struct parameters are never written: their fields read the same again.
            Op::Field(p) | Op::FieldLen(p) => {
                let constant = matches!(
                    self.f.params[p.root].kind,
                    ParamKind::Struct { mutable: false, .. }
                );
                constant && p.indices().iter().all(|x| avail.contains(x))
            }
            Op::Param(_) | Op::Read(_) | Op::Call { .. } => false,
        }
    }
}
