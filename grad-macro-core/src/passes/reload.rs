//! Reading an element again from its saved index instead of storing its value.
//!
//! `qx[row] += icf[l] * xcentered[col]` with a running counter `l` (ADBench's GMM walks the
//! packed triangle that way): `l` is no function of the loop variables, so the reverse sweep
//! cannot rebuild it, and the load's index goes on the stack anyway (the gradient of `icf`
//! needs it). The partial of the product with respect to `xcentered[col]` is `icf[l]`, which
//! was stored as well: one float per step, beside the index.
//!
//! When the element comes from an array the reverse sweep reads as the forward sweep did (a
//! parameter that is not written, or an array frozen for the loop, see [`super::freeze`]) and
//! its index is on the stack, the partial reads the element again through that index: the
//! product's reverse pops the index early (`Rev::Restore`, moved up from the load's own
//! reverse) and binds the element's value by name (`Rev::Reload`), and the partial is the
//! rule evaluated on it, as for other operands the reverse sweep can name
//! ([`super::recompute`]). Moving the pop up is allowed when nothing between the load and the
//! product (in the forward sweep) pushes on the index stack, and both are in one block.
//!
//! Part of `recompute` (off with it): the same rule on the same value, so the gradient is the
//! same to the bit.

use crate::adjoint::{Builder, Save, Storage};
use crate::ir::*;

/// A load whose index the forward sweep pushes: the save of the index and the block it is in.
#[derive(Clone, Copy)]
pub(crate) struct SavedLoad {
    /// The index's save.
    pub index: Save,
    /// The block of the load ([`Builder::block`]).
    pub block: usize,
    /// [`Builder::index_pushes`] after the load.
    pub pushes: usize,
}

impl Builder<'_> {
    /// Records the load `v` (of array `a`) whose index is saved by `index`, for later partials.
    pub(crate) fn note_load(&mut self, v: Value, a: Array, index: Save) {
        let readable_again = {
            let param = self.f.array_param[a.0 as usize].is_some()
                && !self.f.array_mut[a.0 as usize]
                && !self.f.scalar_ref[a.0 as usize];
            param || self.frozen(a) || self.restored.contains(&a)
        };
        if readable_again && self.saves[index.0 as usize].storage == Storage::Stack {
            self.saved_loads.insert(
                v,
                SavedLoad {
                    index,
                    block: self.block,
                    pushes: self.index_pushes,
                },
            );
        }
    }

    /// The saved index through which the value `a` can be read again in the reverse sweep
    /// of the node being processed, if it can.
    pub(crate) fn reload_index(&self, a: Value) -> Option<Save> {
        if self.segmented || self.loop_depth == 0 {
            return None;
        }
        let load = self.saved_loads.get(&a).copied()?;
        if load.block != self.block {
            return None;
        }
        // Nothing pushed on the index stack since the load.
        let clear = self.index_pushes == load.pushes;
        clear.then_some(load.index)
    }
}
