//! [`Companion`]: the shape of what a `_grad` companion returns, checked where a
//! `#[differentiable]` function calls another function.

use crate::float::Float;

/// Implemented by `(value, d_0, ..., d_{N-1})`: what a companion `f_grad` returns for a call
/// with `N` float arguments. The generated code passes every call's result through
/// [`companion`], so a companion of the wrong shape (for instance one restricted by
/// `wrt(...)`) is reported with this explanation rather than as a bare tuple mismatch.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `(value, one partial per float argument)` for this call",
    label = "this call is differentiated through its `_grad` companion",
    note = "a function called from a `#[differentiable]` function needs a companion that \
            returns the value and one partial for every float argument: remove `wrt(...)` \
            from the callee, or call a wrapper without it"
)]
pub trait Companion<const N: usize> {}

/// Checks at compile time that a call's companion returned `N` partials; returns the result.
#[doc(hidden)]
#[inline(always)]
pub fn companion<const N: usize, T: Companion<N>>(result: T) -> T {
    result
}

macro_rules! companions {
    ($($n:literal => ($($t:ident),*);)*) => {
        $(impl<F: Float> Companion<$n> for (F, $($t),*) {})*
    };
}

companions! {
    0 => ();
    1 => (F);
    2 => (F, F);
    3 => (F, F, F);
    4 => (F, F, F, F);
    5 => (F, F, F, F, F);
    6 => (F, F, F, F, F, F);
    7 => (F, F, F, F, F, F, F);
    8 => (F, F, F, F, F, F, F, F);
    9 => (F, F, F, F, F, F, F, F, F);
    10 => (F, F, F, F, F, F, F, F, F, F);
    11 => (F, F, F, F, F, F, F, F, F, F, F);
}

/// What a companion returns, as an array `[value, d_0, ...]` (for calls whose arguments
/// include constants of types the macro cannot see).
#[doc(hidden)]
pub trait IntoPartials {
    /// `[F; 1 + number of partials]`.
    type Array;
    /// The tuple's elements, in order.
    fn into_partials(self) -> Self::Array;
}

macro_rules! into_partials {
    ($($n:literal => ($($x:ident),*);)*) => {
        $(
            impl<F: Float> IntoPartials for ($(into_partials!(@ty $x)),*,) {
                type Array = [F; $n];
                #[inline(always)]
                fn into_partials(self) -> [F; $n] {
                    let ($($x),*,) = self;
                    [$($x),*]
                }
            }
        )*
    };
    (@ty $x:ident) => { F };
}

into_partials! {
    1 => (a);
    2 => (a, b);
    3 => (a, b, c);
    4 => (a, b, c, d);
    5 => (a, b, c, d, e);
    6 => (a, b, c, d, e, f);
    7 => (a, b, c, d, e, f, g);
    8 => (a, b, c, d, e, f, g, h);
    9 => (a, b, c, d, e, f, g, h, i);
    10 => (a, b, c, d, e, f, g, h, i, j);
    11 => (a, b, c, d, e, f, g, h, i, j, k);
    12 => (a, b, c, d, e, f, g, h, i, j, k, l);
}

/// Whether a constant argument is a float (its companion then returns a partial for it).
#[doc(hidden)]
#[inline(always)]
pub fn is_float<T: 'static>(_: &T) -> bool {
    let t = core::any::TypeId::of::<T>();
    t == core::any::TypeId::of::<f64>() || t == core::any::TypeId::of::<f32>()
}

/// Bounds on the stand-ins for `_jvp`, `_hvp` and `_hessian` where `#[differentiable(jvp,
/// hessian)]` generates only the twins that callers with `jvp` / `hessian` use: a call of one
/// is this error, saying why, instead of rustc's "cannot find function". Never implemented.
pub mod not_generated {
    #[diagnostic::on_unimplemented(
        message = "`_jvp`, `_hvp` and `_hessian` are not generated for a function with a `&mut` \
                   parameter",
        label = "this function's arguments",
        note = "`jvp` / `hessian` on it generate the twins that callers with `jvp` / `hessian` \
                use; write a function without `&mut` parameters that calls it (the buffer a \
                local array there) and take that function's `_jvp` / `_hvp` / `_hessian`"
    )]
    pub trait MutParameter {}

    #[diagnostic::on_unimplemented(
        message = "`_jvp`, `_hvp` and `_hessian` are not generated for a function returning `()`",
        label = "this function's arguments",
        note = "`jvp` / `hessian` on it generate the twins that callers with `jvp` / `hessian` \
                use; take the companions of a function returning a float that calls it"
    )]
    pub trait UnitResult {}

    #[diagnostic::on_unimplemented(
        message = "`_hvp` and `_hessian` are not generated for a function returning an array",
        label = "this function's arguments",
        note = "second order needs a float result: take `_hessian` of a function returning \
                one component (or a weighted sum), or `_jacobian` / `_vjp` of this one"
    )]
    pub trait ArrayResult {}
}
