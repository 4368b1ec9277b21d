//! Stack for deep input. rustc runs a macro on its own thread with an 8 MB stack, and every
//! stage of the expansion recurses over the nesting of the user's function: syn's parser
//! (10 to 14 KB of stack per nested parenthesis when syn is built without optimization, the
//! default for a macro's dependencies in debug *and* release builds of a user crate), the
//! lowering, the walks over nested regions, and the `Drop` and `ToTokens` of deep syn trees.
//! rustc grows its own stack on demand for the same reason (the `stacker` crate); so does the
//! expansion, on the macro's thread (the proc_macro API cannot be used from another one):
//!
//! - [`expand`](crate::expand) runs on a segment of [`ENTRY`] bytes, enough for syn to parse
//!   and drop anything rustc's own parser accepts (measured in grad-fuzz/README.md);
//! - the lowering of an expression, whose operands and receivers nest deeper than the token
//!   tree (method chains, sums), goes through [`deep`], which switches to a fresh segment when
//!   less than [`RED_ZONE`] is left. Nested regions are at most `lower::MAX_NESTING` deep, and
//!   the IR of an expression is flat, so the later stages recurse little.
//!
//! Only the pages used are touched, and a segment is unmapped as soon as its work is done.

/// The stack `expand` runs on: 256 MB reserved, only the pages used are touched. At rustc's
/// own limit (about 1,180 nested parentheses, rustc 1.95) the expansion with unoptimized syn
/// needs between 12 and 16 MB; 5,400 unary minus signs, method chains and sums of 5,300
/// (also rustc's limits) expand within it.
pub(crate) const ENTRY: usize = 256 << 20;

/// Below this much stack left, [`deep`] continues on a new segment.
const RED_ZONE: usize = 1 << 20;

/// The size of a segment [`deep`] adds.
const SEGMENT: usize = 16 << 20;

/// Runs `f`, on a new stack segment if the current one is nearly used up.
pub(crate) fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
