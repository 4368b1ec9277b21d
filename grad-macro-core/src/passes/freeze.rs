//! Saving an array once per loop instead of once per read.
//!
//! A loop nested in another often reads a work array the enclosing body rewrites each time
//! (ADBench's GMM: `xcentered`, filled for every point and component, then read `d (d - 1) / 2`
//! times by the triangular product). The array changes later, so the reverse sweep cannot read
//! it again, and every partial that is an element of it goes on the stack: `d²` floats where
//! the array holds `d`.
//!
//! When a loop only reads such an array (no store, no call passing it), the forward sweep
//! pushes the whole array once, right after the loop (it is what the loop read), and the
//! reverse sweep pops it back into the array just before the loop's reverse. During that
//! reverse the array holds what the forward loop read, so its reads are replayed like reads of
//! a parameter, and the partials that are its elements are no longer stored.
//!
//! A loop qualifies for an array declared at the top of the function (its name is in scope in
//! the whole reverse sweep), with no elements of another type read, read inside a loop nested
//! in this one (there the reads outnumber the elements: a loop reading each element once
//! gains nothing), and not already readable in the reverse sweep (frozen, or restored by an
//! enclosing loop). Functions cut into segments, and loops inside a fused loop (whose reverse
//! runs in the forward sweep), are left as they are.
//!
//! Off, the elements read are stored one by one. The reverse sweep reads the same values
//! either way, so the gradient is the same to the bit.

use crate::adjoint::Builder;
use crate::ir::*;

impl Builder<'_> {
    /// The arrays the reverse sweep of the loop with body `body` restores before it runs.
    pub(crate) fn frozen_by_loop(&self, body: &Region) -> Vec<Array> {
        // In a fused loop's body the reverse runs at the end of each forward iteration, where
        // restoring the array would undo what the rest of the iteration wrote to it.
        if !self.passes.freeze || self.segmented || self.fused_frame.is_some() {
            return Vec::new();
        }
        let mut uses = Uses::default();
        uses.walk(body, 0, self.f);
        let mut out: Vec<Array> = uses
            .nested_reads
            .into_iter()
            .filter(|a| {
                self.last_write.contains_key(a)
                    && self.f.array_param[a.0 as usize].is_none()
                    && !uses.written.contains(a)
                    && !uses.other_reads.contains(a)
                    && !self.frozen(*a)
                    && !self.restored.contains(a)
            })
            .collect();
        out.sort_by_key(|a| a.0);
        out.dedup();
        out
    }
}

/// How a loop body uses arrays.
#[derive(Default)]
struct Uses {
    /// Arrays with a float read inside a loop nested in the body.
    nested_reads: Vec<Array>,
    /// Arrays stored to, declared or passed to a call.
    written: Vec<Array>,
    /// Arrays read as something else than a float.
    other_reads: Vec<Array>,
}

impl Uses {
    fn walk(&mut self, r: &Region, depth: usize, f: &Function) {
        for node in &r.nodes {
            match node {
                Node::Let(v, Op::Load(a, _)) => {
                    if f.value_ty[v.0 as usize] != Ty::Float {
                        self.other_reads.push(*a);
                    } else if depth > 0 {
                        self.nested_reads.push(*a);
                    }
                }
                Node::Call(c) => {
                    self.written.extend(c.read_arrays().map(|x| x.array));
                    self.written.extend(c.written_arrays());
                }
                Node::If { then, els, .. } => {
                    self.walk(then, depth, f);
                    self.walk(els, depth, f);
                }
                Node::Loop { body, .. } => self.walk(body, depth + 1, f),
                other => other.writes(&mut self.written),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::passes::test_util::compiled;
    use quote::quote;

    fn frozen(item: proc_macro2::TokenStream) -> usize {
        let (_, plan) = compiled(item);
        plan.frozen_loops.values().map(Vec::len).sum()
    }

    #[test]
    fn a_work_array_read_by_a_nested_loop_is_saved_once_per_loop() {
        let n = frozen(quote! {
            fn f(x: &[f64]) -> f64 {
                let mut c = vec![0.0; x.len()];
                let mut s = 0.0;
                for i in 0..x.len() {
                    for j in 0..x.len() {
                        c[j] = x[j] * x[i];
                    }
                    for p in 0..x.len() {
                        for q in p..x.len() {
                            s += c[p] * c[q];
                        }
                    }
                }
                s
            }
        });
        assert_eq!(n, 1);
    }

    #[test]
    fn a_loop_that_writes_the_array_or_reads_it_once_is_left_alone() {
        // The inner loop writes `c`; the read of `c` is not in a nested loop; `x` is a
        // parameter (read again anyway).
        let n = frozen(quote! {
            fn f(x: &[f64]) -> f64 {
                let mut c = vec![0.0; x.len()];
                let mut s = 0.0;
                for i in 0..x.len() {
                    for p in 0..x.len() {
                        for q in p..x.len() {
                            c[q] = c[p] * x[q] * x[i];
                        }
                    }
                    for p in 0..x.len() {
                        s += c[p] * c[p];
                    }
                }
                s
            }
        });
        assert_eq!(n, 0);
    }
}
