//! Forward mode with the `num-dual` crate: helpers for the workloads written generically over
//! its dual numbers.
//!
//! A gradient in forward mode costs one pass per input (or one pass carrying a vector of as
//! many partials). With a few inputs the workloads call `num_dual::gradient` over a static
//! vector (`DualSVec64<N>`: one pass, `N` partials per number); with hundreds they call
//! [`dual_passes`], one pass of `Dual64` (one partial per number) per input.

use num_dual::{Dual64, DualNum};

/// `max(x, 0)` on any dual number, with the compiled code's convention `relu'(0) = 0`.
#[inline(always)]
pub fn relu<D: DualNum<Primitive = f64> + Copy>(x: D) -> D {
    if x.re() > 0.0 {
        x
    } else {
        D::from(0.0)
    }
}

/// The value and gradient of `f` at `x` by forward mode: `x.len()` passes of [`Dual64`], pass
/// `i` seeding `dx_i = 1`. The inputs live in one buffer reused by every pass.
pub fn dual_passes(x: &[f64], f: impl Fn(&[Dual64]) -> Dual64) -> (f64, Vec<f64>) {
    let mut xs: Vec<Dual64> = x.iter().map(|&v| Dual64::from_re(v)).collect();
    let mut g = vec![0.0; x.len()];
    let mut value = f64::NAN;
    for i in 0..x.len() {
        xs[i].eps = 1.0;
        let r = f(&xs);
        xs[i].eps = 0.0;
        value = r.re;
        g[i] = r.eps;
    }
    (value, g)
}
