//! Adjoints of array elements kept in a local across a reverse loop: where a loop's reverse
//! touches an array's adjoint only at one index that does not change from one iteration to
//! the next (GMM's `d_xcentered[col]` in the reverse of the inner `row` loop, added into at
//! every row), the element is read into a local before the loop, updated there, and written
//! back after it. The same additions happen in the same order, so the result is the same to
//! the bit; but the running sum stays in a register instead of going through memory at every
//! iteration (LLVM cannot keep it there itself: it cannot tell the other arrays the loop
//! writes from this one).
//!
//! `disable(promote)` turns it off. Only where the loop's reverse calls no pullback and touches the array as a whole nowhere
//! (no `AccSum`, no reset of the whole array), and not in segmented code.

use super::*;
use crate::adjoint::{Rev, Save, SaveSource, Trips, VarReplay};
use std::collections::{HashMap, HashSet};

/// What a loop's reverse binds anew at each iteration, and the array-adjoint elements it
/// touches.
#[derive(Default)]
struct Scan {
    /// Values bound in the loop (its variable, replays, reloads, restored entry values).
    bound: HashSet<Value>,
    /// Saves restored in the loop.
    restored: HashSet<Save>,
    /// Per array: the saves of the indices its adjoint is touched at.
    touched: HashMap<Array, Vec<Save>>,
    /// Arrays touched as a whole.
    whole: HashSet<Array>,
    /// The loop calls a pullback or adds a fused loop's contributions: nothing is promoted.
    opaque: bool,
}

impl Scan {
    fn list(&mut self, g: &Gen, list: &[Rev]) {
        for step in list {
            match step {
                Rev::Restore(sv) => {
                    self.restored.insert(*sv);
                    if let SaveSource::Entry(x) = g.plan.save(*sv).source {
                        self.bound.insert(x);
                    }
                }
                Rev::Reload { value, index } => {
                    self.bound.insert(*value);
                    self.restored.insert(*index);
                }
                Rev::Acc { to, from, .. } => {
                    for a in [to, from] {
                        if let Adj::Elem(arr, i) = a {
                            self.touched.entry(*arr).or_default().push(*i);
                        }
                    }
                }
                Rev::Reset(Adj::Elem(arr, i)) => self.touched.entry(*arr).or_default().push(*i),
                Rev::AccSum { array, .. } | Rev::ResetArray(array) => {
                    self.whole.insert(*array);
                }
                Rev::If { flag, then, els } => {
                    self.restored.insert(*flag);
                    self.list(g, then);
                    self.list(g, els);
                }
                Rev::Loop {
                    var, replay, body, ..
                } => self.looped(g, var.as_ref(), replay, body),
                Rev::Call { .. } | Rev::Fused(_) => self.opaque = true,
                Rev::Zero(_) | Rev::Seed(_) | Rev::Reset(_) => {}
            }
        }
    }

    fn looped(
        &mut self,
        g: &Gen,
        var: Option<&(Value, VarReplay)>,
        replay: &[Value],
        body: &[Rev],
    ) {
        if let Some((x, _)) = var {
            self.bound.insert(*x);
        }
        self.bound.extend(replay.iter().copied());
        self.list(g, body);
    }

    /// Whether the index saved in `sv` is the same at every iteration.
    fn invariant(&self, g: &Gen, sv: Save) -> bool {
        let info = g.plan.save(sv);
        match info.storage {
            Storage::Stack => !self.restored.contains(&sv),
            Storage::Hoisted => true,
            Storage::Local | Storage::Replayed => match info.source {
                SaveSource::IndexOf(i) => !self.bound.contains(&i),
                _ => false,
            },
            Storage::Constant | Storage::Operands => false,
        }
    }
}

impl Gen<'_> {
    /// For the reverse of a loop: the elements to keep in locals while it runs, as the code
    /// before it (read into the locals) and after it (written back). While the loop's code
    /// is generated, [`Gen::adj`] names the locals; call [`Gen::unpromote`] after.
    pub(crate) fn promote(
        &self,
        var: Option<&(Value, VarReplay)>,
        replay: &[Value],
        trips: &Trips,
        body: &[Rev],
    ) -> (TokenStream, TokenStream, Vec<(Array, Save)>) {
        let (mut before, mut after, mut keys) = Default::default();
        if !self.plan.promote
            || self.graph
            || crate::codegen::is_split(self.f.body.weight(), self.plan.segment)
        {
            return (before, after, keys);
        }
        let mut scan = Scan::default();
        if let Trips::Count(c) = trips {
            scan.restored.insert(*c);
        }
        scan.looped(self, var, replay, body);
        if scan.opaque {
            return (before, after, keys);
        }
        let (float, rt) = (&self.f.float, rt());
        let mut arrays: Vec<_> = scan.touched.iter().collect();
        arrays.sort_by_key(|(a, _)| a.0);
        for (arr, saves) in arrays {
            let sv = saves[0];
            let one_index = saves
                .iter()
                .all(|s| *s == sv || self.saved(*s).to_string() == self.saved(sv).to_string());
            if !one_index
                || scan.whole.contains(arr)
                || self.f.scalar_ref[arr.0 as usize]
                || self.promoted.borrow().keys().any(|(a, _)| a == arr)
                || !saves.iter().all(|s| scan.invariant(self, *s))
            {
                continue;
            }
            let n = self.promotions.get();
            self.promotions.set(n + 1);
            let (local, ok) = (id("pm", n), id("pmok", n));
            let (name, i) = (da(*arr), self.saved(sv));
            // The index is in bounds wherever the loop ran once (the forward sweep read or
            // wrote the element there); a loop that ran zero times may carry any index.
            before.extend(quote! {
                let #ok = #i < #name.len();
                let mut #local: #float = if #ok { #name[#i] } else { <#float as #rt::Float>::ZERO };
            });
            after.extend(quote! {
                if #ok {
                    #name[#i] = #local;
                }
            });
            for s in saves {
                self.promoted.borrow_mut().insert((*arr, *s), local.clone());
            }
            keys.extend(saves.iter().map(|s| (*arr, *s)));
        }
        (before, after, keys)
    }

    /// Ends the promotions [`Gen::promote`] started.
    pub(crate) fn unpromote(&self, keys: &[(Array, Save)]) {
        let mut p = self.promoted.borrow_mut();
        for k in keys {
            p.remove(k);
        }
    }
}
