//! Stack for deep input. rustc runs a macro on its own thread with an 8 MB stack, and every
//! stage of the expansion recurses over the nesting of the user's function: syn's parser
//! (about 24 KB of stack per nested parenthesis when syn is built without optimization, the
//! default for a macro's dependencies in debug *and* release builds of a user crate), the
//! lowering, the walks over nested regions, and the `Drop` and `ToTokens` of deep syn trees.
//! rustc grows its own stack on demand for the same reason (the `stacker` crate); so does the
//! expansion, on the macro's thread (the proc_macro API cannot be used from another one):
//!
//! - [`expand`](crate::expand) runs on a segment of [`ENTRY`] bytes, enough for syn to parse
//!   and drop anything rustc's own parser accepts (measured in grad-fuzz/README.md);
//! - the recursions that can go deeper than the token tree's nesting (an expression's operands
//!   and method receivers, nested regions of `else if` chains) go through [`deep`], which
//!   switches to a fresh segment when less than [`RED_ZONE`] is left.
//!
//! Only the pages used are touched, and a segment is unmapped as soon as its work is done.

/// The stack `expand` runs on: 512 MB reserved (syn unoptimized needs 24 KB per nested
/// parenthesis, and rustc's parser accepts about 1,200 nested parentheses).
pub(crate) const ENTRY: usize = 256 << 20;

/// Below this much stack left, [`deep`] continues on a new segment.
const RED_ZONE: usize = 1 << 20;

/// The size of a segment [`deep`] adds.
const SEGMENT: usize = 16 << 20;

/// Runs `f`, on a new stack segment if the current one is nearly used up.
pub(crate) fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
