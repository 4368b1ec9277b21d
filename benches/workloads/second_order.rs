//! Derivatives beyond the gradient (issue 14), for the second table of `benches/compare.rs`:
//!
//! - `_jvp` (forward mode on `grad::Dual`) against the plain function, on [`seed`] and
//!   [`rosen`] (the attributes in `mod.rs` ask for `jvp`/`hessian`), and on [`rosen`] against
//!   one pass of `num-dual`'s `Dual64` and a hand-written tangent ([`rosen_jvp_hand`]) too;
//! - `_hvp` (forward over reverse) against `_grad`, on [`seed`], [`rosen`], [`mlp`] and
//!   [`gmm::gmm_objective`];
//! - `_hessian` (one `_hvp` sweep per column) against `num_dual::hessian` (second-order
//!   forward mode: one pass carrying the gradient and the Hessian in every number), on
//!   [`seed`] and Rosenbrock with [`HESSIAN_ROSEN_N`] variables;
//! - `_jacobian` (one reverse sweep per output) against `num_dual::jacobian` (one forward pass
//!   carrying a vector of partials), on [`spherical`] (3 outputs) and [`bratu`]
//!   ([`BRATU_N`] outputs).
//!
//! Every variant is checked by [`check_second_order`] against a reference computed
//! independently of the compiled code: `num-dual`'s dual numbers (`Dual64` for `_jvp`, one
//! `HyperDual64` pass per row of `H v` for `_hvp`, `num_dual::hessian` and `num_dual::jacobian`
//! for the dense ones), which are themselves checked against central differences of `_grad`
//! or of the plain function.

use super::*;
use nalgebra::{DVector, SVector};
use num_dual::{hessian, jacobian, Dual2DVec64, Dual2SVec64, Dual64, HyperDual64};

// ------------------------------------------------------------------------------------------
// Inputs
// ------------------------------------------------------------------------------------------

/// The tangent of the seed `_jvp` and the direction of the seed `_hvp`.
pub const SEED_T: (f64, f64, f64) = (0.3, -1.2, 0.7);

/// The number of variables of the Rosenbrock `_jvp` and `_hvp` rows.
pub const JVP_ROSEN_N: usize = 1000;

/// The number of variables of the Rosenbrock `_hessian` row.
pub const HESSIAN_ROSEN_N: usize = 100;

/// The `(d, K)` of the GMM `_hvp` row (on [`GMM_N`] points).
pub const HVP_GMM: (usize, usize) = (2, 5);

/// A direction of `n` entries in `[-1, 1)`, different from the inputs.
pub fn direction(n: usize) -> Vec<f64> {
    let mut rng = Rng(0xd1b5_4a32_d192_ed03 ^ n as u64);
    (0..n).map(|_| rng.uniform()).collect()
}

// ------------------------------------------------------------------------------------------
// _jvp against num-dual's Dual64
// ------------------------------------------------------------------------------------------

/// `num-dual`'s forward mode on [`rosen`] along `t`: one pass of `Dual64` (no strong zeros),
/// the inputs built into a vector as `rosen_jvp` builds its `grad::Dual`s. The dual-number
/// bound for `_jvp`: what forward mode costs on this loop without the compiled code.
pub fn rosen_jvp_num_dual(x: &[f64], t: &[f64]) -> (f64, f64) {
    let xs: Vec<Dual64> = x.iter().zip(t).map(|(&x, &t)| Dual64::new(x, t)).collect();
    let r = rosen_dual(&xs);
    (r.re, r.eps)
}

/// A hand-written tangent of [`rosen`] along `t`: the value and the directional derivative in
/// one loop of plain floats (no dual numbers, no allocation, no strong zeros), each product's
/// tangent written out (`d(a²) = 2 a da`, `d(100 b²) = 200 b db`). What a careful programmer
/// writes for forward mode by hand: the floor for `_jvp` on this loop.
pub fn rosen_jvp_hand(x: &[f64], t: &[f64]) -> (f64, f64) {
    let (mut s, mut ds) = (0.0, 0.0);
    for (xs, ts) in x.windows(2).zip(t.windows(2)) {
        let a = 1.0 - xs[0];
        let da = -ts[0];
        let b = xs[1] - xs[0] * xs[0];
        let db = ts[1] - 2.0 * xs[0] * ts[0];
        s += a * a + 100.0 * b * b;
        ds += 2.0 * a * da + 200.0 * b * db;
    }
    (s, ds)
}

// ------------------------------------------------------------------------------------------
// _hvp of the GMM
// ------------------------------------------------------------------------------------------

/// `gmm_objective_hvp`'s result: the value, the three gradients, the three parts of `H v`.
pub type GmmHvp = (
    f64,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
);

/// The compiled `_hvp` of the GMM objective on `g` in the direction `v` (in
/// [`gmm::GmmData::params`] order).
pub fn gmm_hvp(g: &gmm::GmmData, v: &[f64]) -> GmmHvp {
    let (va, rest) = v.split_at(g.k);
    let (vm, vq) = rest.split_at(g.k * g.d);
    gmm::gmm_objective_hvp(
        &g.alphas,
        &g.means,
        &g.icf,
        &g.x,
        g.gamma,
        g.m,
        g.log_gamma_d,
        g.d,
        g.k,
        va,
        vm,
        vq,
    )
}

// ------------------------------------------------------------------------------------------
// _hessian against num_dual::hessian
// ------------------------------------------------------------------------------------------

/// `num_dual::hessian` on [`seed`]: one pass of `Dual2SVec64<3>` (value, 3 partials, 3 × 3
/// second partials in every number).
pub fn seed_hessian_num_dual(x1: f64, x2: f64, x3: f64) -> (f64, SVector<f64, 3>, Mat3) {
    hessian(
        |x: SVector<Dual2SVec64<3>, 3>| seed_dual(x[0], x[1], x[2]),
        &SVector::from([x1, x2, x3]),
    )
}

/// A 3 × 3 matrix of nalgebra.
pub type Mat3 = nalgebra::Matrix3<f64>;

/// [`rosen`] on dual numbers that are `Clone` but not `Copy` (`num-dual`'s dynamically sized
/// ones), borrowing where the `Copy` version [`rosen_dual`] copies.
pub fn rosen_dual_ref<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
    let mut s = D::from(0.0);
    for i in 0..x.len() - 1 {
        let a = -x[i].clone() + 1.0;
        let b = x[i + 1].clone() - x[i].clone() * &x[i];
        s += a.clone() * &a + b.clone() * 100.0 * &b;
    }
    s
}

/// `num_dual::hessian` on [`rosen`]: one pass of `Dual2DVec64` (the partials and the second
/// partials in heap-allocated vectors and matrices of `x.len()`). The statically sized
/// `Dual2SVec64<100>` is 80 KB a number: the input vector alone would take 8 MB of stack.
pub fn rosen_hessian_num_dual(x: &[f64]) -> (f64, DVector<f64>, nalgebra::DMatrix<f64>) {
    hessian(
        |x: DVector<Dual2DVec64>| rosen_dual_ref(x.as_slice()),
        &DVector::from_column_slice(x),
    )
}

// ------------------------------------------------------------------------------------------
// _jacobian against num_dual::jacobian
// ------------------------------------------------------------------------------------------

/// Spherical to Cartesian coordinates: three outputs of three inputs.
#[differentiable]
pub fn spherical(r: f64, theta: f64, phi: f64) -> [f64; 3] {
    let s = theta.sin();
    [r * s * phi.cos(), r * s * phi.sin(), r * theta.cos()]
}

/// [`spherical`] on dual numbers.
pub fn spherical_dual<D: DualNum<Primitive = f64> + Copy>(r: D, theta: D, phi: D) -> [D; 3] {
    let s = theta.sin();
    [r * s * phi.cos(), r * s * phi.sin(), r * theta.cos()]
}

/// The inputs of the [`spherical`] rows.
pub const SPHERICAL_X: (f64, f64, f64) = (2.0, 0.7, -0.4);

/// `num_dual::jacobian` on [`spherical`]: one pass of `DualSVec64<3>`.
pub fn spherical_jacobian_num_dual(r: f64, theta: f64, phi: f64) -> (SVector<f64, 3>, Mat3) {
    jacobian(
        |x: SVector<DualSVec64<3>, 3>| SVector::from(spherical_dual(x[0], x[1], x[2])),
        &SVector::from([r, theta, phi]),
    )
}

/// The number of unknowns (and outputs) of the [`bratu`] rows.
pub const BRATU_N: usize = 100;

/// The Bratu parameter of the [`bratu`] rows.
pub const BRATU_LAMBDA: f64 = 1.5;

/// The residual of the Bratu problem `u'' + λ e^u = 0` on `(0, 1)`, `u(0) = u(1) = 0`,
/// discretized on `u.len()` interior points: as many outputs as unknowns, the Jacobian
/// tridiagonal (neither side here exploits that).
#[allow(clippy::needless_range_loop)]
#[differentiable(wrt(u))]
pub fn bratu(u: &[f64], lambda: f64) -> Vec<f64> {
    let n = u.len();
    let h = 1.0 / (n + 1) as f64;
    let inv_h2 = 1.0 / (h * h);
    let mut r = vec![0.0; n];
    for i in 0..n {
        r[i] = lambda * u[i].exp() - 2.0 * inv_h2 * u[i];
    }
    for i in 1..n {
        r[i] += inv_h2 * u[i - 1];
        r[i - 1] += inv_h2 * u[i];
    }
    r
}

/// [`bratu`] on dual numbers.
pub fn bratu_dual<D: DualNum<Primitive = f64> + Copy>(u: &[D], lambda: f64) -> Vec<D> {
    let n = u.len();
    let h = 1.0 / (n + 1) as f64;
    let inv_h2 = 1.0 / (h * h);
    let mut r: Vec<D> = u
        .iter()
        .map(|&ui| ui.exp() * lambda - ui * (2.0 * inv_h2))
        .collect();
    for i in 1..n {
        r[i] += u[i - 1] * inv_h2;
        r[i - 1] += u[i] * inv_h2;
    }
    r
}

/// The point of the [`bratu`] rows: a bump `0.5 sin(π t)` plus noise.
pub fn bratu_x() -> Vec<f64> {
    let n = BRATU_N;
    let noise = direction(n);
    (0..n)
        .map(|i| {
            let t = (i + 1) as f64 / (n + 1) as f64;
            0.5 * (std::f64::consts::PI * t).sin() + 0.05 * noise[i]
        })
        .collect()
}

/// A [`BRATU_N`] × [`BRATU_N`] matrix of nalgebra.
pub type BratuMatrix = nalgebra::SMatrix<f64, BRATU_N, BRATU_N>;

/// `num_dual::jacobian` on [`bratu`]: one pass of `DualSVec64<100>` (100 partials in every
/// number, statically sized).
pub fn bratu_jacobian_num_dual(u: &[f64]) -> (SVector<f64, BRATU_N>, BratuMatrix) {
    jacobian(
        |u: SVector<DualSVec64<BRATU_N>, BRATU_N>| {
            SVector::from_iterator(bratu_dual(u.as_slice(), BRATU_LAMBDA))
        },
        &SVector::from_column_slice(u),
    )
}

// ------------------------------------------------------------------------------------------
// References and checks
// ------------------------------------------------------------------------------------------

/// `H v` of `f` at `x` exactly (to rounding) by forward over forward: one pass of
/// `HyperDual64` per entry, pass `i` seeding `eps1 = v` and `eps2 = e_i`, so that its
/// `eps1eps2` is `e_iᵀ H v`. Independent of the compiled code.
pub fn hvp_reference(x: &[f64], v: &[f64], f: impl Fn(&[HyperDual64]) -> HyperDual64) -> Vec<f64> {
    let mut xs: Vec<HyperDual64> = x
        .iter()
        .zip(v)
        .map(|(&x, &v)| HyperDual64::new(x, v, 0.0, 0.0))
        .collect();
    (0..x.len())
        .map(|i| {
            xs[i].eps2 = 1.0;
            let r = f(&xs).eps1eps2;
            xs[i].eps2 = 0.0;
            r
        })
        .collect()
}

/// Central differences of `grad` at `x` in the direction `v`: `H v` to about `1e-7`.
fn fd_hvp(grad: impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    let h = 1e-5;
    let at = |s: f64| -> Vec<f64> { x.iter().zip(v).map(|(x, v)| x + s * h * v).collect() };
    let (gp, gm) = (grad(&at(1.0)), grad(&at(-1.0)));
    gp.iter()
        .zip(&gm)
        .map(|(p, m)| (p - m) / (2.0 * h))
        .collect()
}

/// Panics unless `got` and `want` agree entry by entry to `tol · max(1, |want|∞)`.
fn assert_near(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(1.0f64, |m, w| m.max(w.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * scale,
            "{what}: entry {i} is {g:e}, the reference says {w:e}"
        );
    }
}

/// Every variant of the second table against its reference (see the module's header).
pub fn check_second_order() {
    check_jvp();
    check_hvp();
    check_hessians();
    check_jacobians();
}

/// `_jvp` against one `Dual64` pass of `num-dual`, and the value against the plain function.
pub fn check_jvp() {
    let (x1, x2, x3) = SEED_X;
    let (t1, t2, t3) = SEED_T;
    let (v, d) = seed_jvp(x1, x2, x3, t1, t2, t3);
    assert_eq!(v, seed(x1, x2, x3), "seed jvp: value");
    let r = seed_dual(
        Dual64::new(x1, t1),
        Dual64::new(x2, t2),
        Dual64::new(x3, t3),
    );
    assert_close("seed", "jvp", &[v, d], &[r.re, r.eps]);
    let (_, g1, g2, g3) = seed_hand(x1, x2, x3);
    assert_close(
        "seed",
        "jvp vs hand gradient",
        &[d],
        &[g1 * t1 + g2 * t2 + g3 * t3],
    );

    let x = rosen_x(JVP_ROSEN_N);
    let t = direction(JVP_ROSEN_N);
    let (v, d) = rosen_jvp(&x, &t);
    assert_eq!(v, rosen(&x), "rosen jvp: value");
    let xs: Vec<Dual64> = x.iter().zip(&t).map(|(&x, &t)| Dual64::new(x, t)).collect();
    let r = rosen_dual(&xs);
    assert_close("rosen n = 1000", "jvp", &[v, d], &[r.re, r.eps]);
    let (nv, nd) = rosen_jvp_num_dual(&x, &t);
    assert_eq!((nv, nd), (r.re, r.eps), "rosen n = 1000: num-dual jvp");
    let (hv, hd) = rosen_jvp_hand(&x, &t);
    assert_eq!(hv, v, "rosen n = 1000: hand-written tangent's value");
    assert_close("rosen n = 1000", "hand-written jvp", &[hd], &[r.eps]);
}

/// `_hvp` against [`hvp_reference`] (and that against central differences of `_grad`), its
/// value and gradient against `_grad`'s.
pub fn check_hvp() {
    // seed
    let (x1, x2, x3) = SEED_X;
    let (t1, t2, t3) = SEED_T;
    let (v, g1, g2, g3, h1, h2, h3) = seed_hvp(x1, x2, x3, t1, t2, t3);
    let (gv, gg1, gg2, gg3) = seed_grad(x1, x2, x3);
    assert_close(
        "seed",
        "hvp value, gradient",
        &[v, g1, g2, g3],
        &[gv, gg1, gg2, gg3],
    );
    let want = hvp_reference(&[x1, x2, x3], &[t1, t2, t3], |x| {
        seed_dual(x[0], x[1], x[2])
    });
    assert_close("seed", "hvp", &[h1, h2, h3], &want);
    let grad = |x: &[f64]| {
        let (_, a, b, c) = seed_grad(x[0], x[1], x[2]);
        vec![a, b, c]
    };
    assert_near(
        "seed hvp reference vs differences of _grad",
        &want,
        &fd_hvp(grad, &[x1, x2, x3], &[t1, t2, t3]),
        1e-6,
    );

    // Rosenbrock
    let x = rosen_x(JVP_ROSEN_N);
    let t = direction(JVP_ROSEN_N);
    let (v, g, hv) = rosen_hvp(&x, &t);
    let (gv, gg) = rosen_grad(&x);
    assert_close("rosen n = 1000", "hvp value", &[v], &[gv]);
    assert_close("rosen n = 1000", "hvp gradient", &g, &gg);
    let want = hvp_reference(&x, &t, rosen_dual);
    assert_close("rosen n = 1000", "hvp", &hv, &want);
    assert_near(
        "rosen hvp reference vs differences of _grad",
        &want,
        &fd_hvp(|x| rosen_grad(x).1, &x, &t),
        1e-6,
    );

    // MLP, one sample
    let (p, xm, y) = mlp_data();
    let t = direction(MLP_PARAMS);
    let (v, g, hv) = mlp_hvp(&p, &xm, y, &t);
    let (gv, gg) = mlp_grad(&p, &xm, y);
    assert_close("mlp", "hvp value", &[v], &[gv]);
    assert_close("mlp", "hvp gradient", &g, &gg);
    let want = hvp_reference(&p, &t, |p| mlp_dual(p, &xm, y));
    assert_close("mlp", "hvp", &hv, &want);
    assert!(
        want.iter().filter(|h| **h != 0.0).count() > 100,
        "mlp: H v has too few non-zero entries"
    );
    assert_near(
        "mlp hvp reference vs differences of _grad",
        &want,
        &fd_hvp(|p| mlp_grad(p, &xm, y).1, &p, &t),
        1e-6,
    );

    // GMM
    let (d, k) = HVP_GMM;
    let gm = gmm_data(d, k);
    let params = gm.params();
    let t = direction(params.len());
    let (v, ga, gmu, gq, ha, hm, hq) = gmm_hvp(&gm, &t);
    let (cv, cg) = gmm::flatten(&gm.compiled());
    assert_close("gmm", "hvp value", &[v], &[cv]);
    assert_close("gmm", "hvp gradient", &[ga, gmu, gq].concat(), &cg);
    let hv = [ha, hm, hq].concat();
    let want = hvp_reference(&params, &t, |p| {
        let (alphas, rest) = p.split_at(k);
        let (means, icf) = rest.split_at(k * d);
        gmm_peers::gmm_objective_dual(
            alphas,
            means,
            icf,
            &gm.x,
            gm.gamma,
            gm.m,
            gm.log_gamma_d,
            d,
            k,
        )
    });
    assert_close("gmm", "hvp", &hv, &want);
    let grad = |p: &[f64]| {
        let (a, rest) = p.split_at(k);
        let (mu, q) = rest.split_at(k * d);
        let (_, ga, gm_, gq) =
            gmm::gmm_objective_grad(a, mu, q, &gm.x, gm.gamma, gm.m, gm.log_gamma_d, d, k);
        [ga, gm_, gq].concat()
    };
    assert_near(
        "gmm hvp reference vs differences of _grad",
        &want,
        &fd_hvp(grad, &params, &t),
        1e-6,
    );
}

/// `_hessian` against `num_dual::hessian` (the baseline it is timed against), exactly
/// symmetric, and `num_dual::hessian` against central differences of `_grad`.
pub fn check_hessians() {
    let (x1, x2, x3) = SEED_X;
    let (v, g, h) = seed_hessian(x1, x2, x3);
    assert_eq!(v, seed(x1, x2, x3), "seed hessian: value");
    let (nv, ng, nh) = seed_hessian_num_dual(x1, x2, x3);
    assert_close("seed", "hessian value", &[v], &[nv]);
    assert_close("seed", "hessian gradient", &g, ng.as_slice());
    let grad = |x: &[f64]| {
        let (_, a, b, c) = seed_grad(x[0], x[1], x[2]);
        vec![a, b, c]
    };
    check_dense_hessian("seed", &h, |i, j| nh[(i, j)], grad, &[x1, x2, x3]);

    let x = rosen_x(HESSIAN_ROSEN_N);
    let (v, g, h) = rosen_hessian(&x);
    assert_eq!(v, rosen(&x), "rosen hessian: value");
    let (nv, ng, nh) = rosen_hessian_num_dual(&x);
    assert_close("rosen n = 100", "hessian value", &[v], &[nv]);
    assert_close("rosen n = 100", "hessian gradient", &g, ng.as_slice());
    check_dense_hessian(
        "rosen n = 100",
        &h,
        |i, j| nh[(i, j)],
        |x| rosen_grad(x).1,
        &x,
    );
}

/// `h` exactly symmetric and equal to `want` to `1e-10`; `want`'s columns equal to central
/// differences of `grad` at `x`.
#[allow(clippy::needless_range_loop)]
fn check_dense_hessian(
    what: &str,
    h: &[Vec<f64>],
    want: impl Fn(usize, usize) -> f64,
    grad: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
) {
    let n = x.len();
    assert_eq!(h.len(), n, "{what}: hessian rows");
    for i in 0..n {
        assert_eq!(h[i].len(), n, "{what}: hessian columns");
        for j in 0..n {
            assert_eq!(h[i][j], h[j][i], "{what}: hessian symmetric at {i}, {j}");
        }
        let column: Vec<f64> = (0..n).map(|j| want(j, i)).collect();
        assert_close(what, "hessian", &h[i], &column);
        let mut e = vec![0.0; n];
        e[i] = 1.0;
        assert_near(
            &format!("{what}: num-dual hessian column {i} vs differences of _grad"),
            &column,
            &fd_hvp(&grad, x, &e),
            1e-6,
        );
    }
}

/// `_jacobian` against `num_dual::jacobian` (the baseline it is timed against), the values
/// against the plain function, and `num_dual::jacobian` against central differences of it.
pub fn check_jacobians() {
    let (r, th, ph) = SPHERICAL_X;
    let (v, jac) = spherical_jacobian(r, th, ph);
    assert_eq!(v, spherical(r, th, ph), "spherical jacobian: value");
    let (nv, nj) = spherical_jacobian_num_dual(r, th, ph);
    assert_close("spherical", "jacobian value", &v, nv.as_slice());
    check_dense_jacobian(
        "spherical",
        &jac,
        |i, j| nj[(i, j)],
        |x| spherical(x[0], x[1], x[2]).to_vec(),
        &[r, th, ph],
    );

    let u = bratu_x();
    let (v, jac) = bratu_jacobian(&u, BRATU_LAMBDA);
    assert_eq!(v, bratu(&u, BRATU_LAMBDA), "bratu jacobian: value");
    let (nv, nj) = bratu_jacobian_num_dual(&u);
    assert_close("bratu", "jacobian value", &v, nv.as_slice());
    check_dense_jacobian(
        "bratu",
        &jac,
        |i, j| nj[(i, j)],
        |u| bratu(u, BRATU_LAMBDA),
        &u,
    );
}

/// `jac` (one row per output) equal to `want` to `1e-10`, and `want`'s columns to central
/// differences of `f` at `x`.
fn check_dense_jacobian(
    what: &str,
    jac: &[Vec<f64>],
    want: impl Fn(usize, usize) -> f64,
    f: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
) {
    let m = f(x).len();
    assert_eq!(jac.len(), m, "{what}: jacobian rows");
    for (i, row) in jac.iter().enumerate() {
        let want_row: Vec<f64> = (0..x.len()).map(|j| want(i, j)).collect();
        assert_close(what, "jacobian", row, &want_row);
    }
    for j in 0..x.len() {
        let mut e = vec![0.0; x.len()];
        e[j] = 1.0;
        let column: Vec<f64> = (0..m).map(|i| want(i, j)).collect();
        assert_near(
            &format!("{what}: num-dual jacobian column {j} vs differences"),
            &column,
            &fd_hvp(&f, x, &e),
            1e-6,
        );
    }
}
