//! Names the macro recognizes in user code, kept in one place.

/// `#[differentiable(wrt(a, b))]`.
pub const WRT: &str = "wrt";
/// `#[differentiable(disable(cse, ...))]`: optimizing passes to turn off.
pub const DISABLE: &str = "disable";
/// `#[differentiable(jvp)]`: also generate `<name>_jvp` (forward mode).
pub const JVP: &str = "jvp";
/// `#[differentiable(hessian)]`: also generate `<name>_hvp` and `<name>_hessian`.
pub const HESSIAN: &str = "hessian";
/// The suffix of the directional derivative (`f` → `f_jvp`).
pub const JVP_SUFFIX: &str = "_jvp";
/// The suffix of the Hessian-vector product (`f` → `f_hvp`).
pub const HVP_SUFFIX: &str = "_hvp";
/// The suffix of the dense Hessian (`f` → `f_hessian`).
pub const HESSIAN_SUFFIX: &str = "_hessian";
/// The suffix of the vector-Jacobian product of an array-valued function (`f` → `f_vjp`).
pub const VJP_SUFFIX: &str = "_vjp";
/// The suffix of the Jacobian of an array-valued function (`f` → `f_jacobian`).
pub const JACOBIAN_SUFFIX: &str = "_jacobian";
/// The suffix of a function's twin over a generic float type, which `jvp` and `hessian` run
/// on dual numbers; a twin calls the twins of callees it passes arrays to (and the `_jvp` /
/// `_hvp` of the others). Named so that rustc's error for a callee without one (`cannot find
/// function `g__needs_jvp_or_hessian``) says what to add.
pub const TWIN_SUFFIX: &str = "__needs_jvp_or_hessian";
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
/// `#[grad(skip)]`: the field is a constant (see `derive`).
pub const SKIP: &str = "skip";
