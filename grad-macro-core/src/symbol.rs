//! Names the macro recognizes in user code, kept in one place.

/// `#[differentiable(wrt(a, b))]`.
pub const WRT: &str = "wrt";
/// `#[differentiable(disable(cse, ...))]`: optimizing passes to turn off.
pub const DISABLE: &str = "disable";
/// The suffix of a companion function (`loss` → `loss_grad`).
pub const GRAD_SUFFIX: &str = "_grad";
/// The suffix of the graph function (`loss` → `loss_graph`).
pub const GRAPH_SUFFIX: &str = "_graph";
/// The suffix of the pullback (`cell` → `cell_pullback`): what a call that passes arrays is
/// differentiated through.
pub const PULLBACK_SUFFIX: &str = "_pullback";
/// The most arguments a call through `_grad` has (its partials come back in a tuple,
/// `grad_runtime::companion`): calls with more go through `_pullback`.
pub const MAX_PARTIALS: usize = 11;
/// `#[grad(skip)]` on a field of a `#[derive(Differentiable)]` struct: the attribute's name.
pub const GRAD_ATTR: &str = "grad";
/// `#[grad(skip)]`: the field is a constant, cloned into the gradient.
pub const SKIP: &str = "skip";
