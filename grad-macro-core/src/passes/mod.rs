//! The optimizing passes, one module each, in the order the pipeline runs them.
//!
//! While lowering: `index` (a running index `l += 1` in a loop is rebuilt from the loop
//! variable, `lower/running_index.rs`).
//! IR → IR, after lowering: [`fold`] (constant folding), [`cse`] (common subexpressions).
//! Activity: [`prune`] (no adjoints for values the result does not depend on).
//! Plan, while the reverse sweep is built: [`recompute`] (recompute loop values and rerun
//! ranges instead of storing them), [`freeze`] (an array a nested loop reads is saved once
//! per loop, not once per read), [`fuse`] (an accumulating loop's reverse runs inside its
//! forward sweep),
//! [`skip`] (a loop's reverse runs only if an adjoint flowing into it is non-zero), [`sincos`] (a `sin`'s partial is the `cos` computed
//! beside it, and the other way round), [`reserve`] (size each loop's stacks once from its
//! trip count), [`window`] (a loop that saves the same items at every iteration writes them
//! into slots opened before it, by index, instead of pushing them).
//! Code generation: `promote` (an array adjoint's element that a loop's reverse touches at one
//! index is kept in a local while it runs, `codegen/promote.rs`).
//!
//! Every pass can be turned off with `#[differentiable(disable(name, ...))]`; turning one off
//! never changes a value, and changes a gradient at most by the rounding of a sum of adjoints
//! taken in another order (`cse`, `fuse` and `index` only; the others change no bit, except that
//! `skip` gives zero where a zero adjoint meets an infinite partial, as hand-written code
//! does, and the code without it NaN). `tests/passes.rs` and `grad-fuzz` check both.

pub mod cse;
pub mod fold;
pub mod freeze;
pub mod fuse;
pub mod prune;
pub mod recompute;
pub mod reload;
pub mod reserve;
pub mod sincos;
pub mod skip;
pub mod window;

use crate::error::Errors;

/// Which passes run. All of them by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Passes {
    /// [`fold`].
    pub fold: bool,
    /// [`cse`].
    pub cse: bool,
    /// [`prune`].
    pub prune: bool,
    /// [`recompute`].
    pub recompute: bool,
    /// [`sincos`].
    pub sincos: bool,
    /// [`reserve`].
    pub reserve: bool,
    /// [`fuse`].
    pub fuse: bool,
    /// [`freeze`].
    pub freeze: bool,
    /// [`skip`].
    pub skip: bool,
    /// [`window`].
    pub window: bool,
    /// An array adjoint's element touched at one index by a loop's reverse is kept in a local
    /// while it runs (`codegen/promote.rs`).
    pub promote: bool,
    /// Running indices (`lower/running_index.rs`, while lowering): in `for v in a..b { ..;
    /// l += 1; }`, `l` inside the loop is rebuilt from `v` instead of stored per iteration.
    pub index: bool,
    /// Blocks of more than three times this many IR steps are split into segments of about
    /// this many, each optimized as a function of its own ([`crate::codegen`]'s `segment`):
    /// `segment(N)` sets it, `disable(segment)` never splits.
    pub segment: usize,
}

impl Default for Passes {
    fn default() -> Self {
        Passes {
            fold: true,
            cse: true,
            prune: true,
            recompute: true,
            sincos: true,
            reserve: true,
            fuse: true,
            freeze: true,
            skip: true,
            window: true,
            promote: true,
            index: true,
            segment: crate::codegen::DEFAULT_SEGMENT,
        }
    }
}

/// The names accepted by `disable(...)`, for messages.
pub const NAMES: &str =
    "`fold`, `cse`, `prune`, `recompute`, `fuse`, `freeze`, `skip`, `sincos`, `reserve`, \
     `window`, `promote`, `index`, `segment`";

impl Passes {
    /// Turns off the pass called `name`; reports an unknown name under its tokens.
    pub fn disable(&mut self, name: &syn::Ident, errors: &mut Errors) {
        if name == "segment" {
            self.segment = usize::MAX;
            return;
        }
        let flag = match name.to_string().as_str() {
            "fold" => &mut self.fold,
            "cse" => &mut self.cse,
            "prune" => &mut self.prune,
            "recompute" => &mut self.recompute,
            "sincos" => &mut self.sincos,
            "reserve" => &mut self.reserve,
            "fuse" => &mut self.fuse,
            "freeze" => &mut self.freeze,
            "skip" => &mut self.skip,
            "window" => &mut self.window,
            "promote" => &mut self.promote,
            "index" => &mut self.index,
            _ => {
                errors.on(
                    name,
                    format!("unknown pass; the passes that can be disabled are {NAMES}"),
                );
                return;
            }
        };
        *flag = false;
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use crate::adjoint::Plan;
    use crate::error::Errors;
    use crate::ir::Function;
    use crate::{lower, parse, pipeline};
    use proc_macro2::TokenStream;

    /// `item` through the whole pipeline with every pass on: its IR and its plan.
    pub fn compiled(item: TokenStream) -> (Function, Plan) {
        let mut errors = Errors::default();
        let item: syn::ItemFn = syn::parse2(item).expect("test input is a function");
        let parsed = parse::signature(item, None, &mut errors);
        let out = pipeline::compile(&parsed, super::Passes::default(), &mut errors);
        assert!(errors.is_empty(), "unexpected errors");
        out.expect("compiled")
    }

    /// The IR of `item` before and after `pass`.
    pub fn ir_after(pass: fn(Function) -> Function, item: TokenStream) -> (String, String) {
        let mut errors = Errors::default();
        let item: syn::ItemFn = syn::parse2(item).expect("test input is a function");
        let parsed = parse::signature(item, None, &mut errors);
        let f = lower::lower(&parsed, &mut errors).expect("lowered");
        assert!(errors.is_empty(), "unexpected errors");
        let before = f.to_string();
        (before, pass(f).to_string())
    }
}
