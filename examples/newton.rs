//! Newton's method on the exact Hessian (`_hessian`) against gradient descent (`_grad`).
//!
//! Run with `cargo run --release --example newton`.
//!
//! A logistic regression: 2,000 points with 5 features of different scales (normal, standard
//! deviations 0.3 to 2.5, as unnormalized data have) drawn from a seed, labels drawn from a
//! known logistic model, fitted by minimizing the mean negative log-likelihood plus a small L2
//! penalty over 6 parameters (5 weights and an intercept).
//! `#[differentiable(hessian, wrt(w))]` gives `logistic_loss_grad` and
//! `logistic_loss_hessian`, the dense 6 x 6 Hessian with respect to `w` only.
//!
//! - Newton's method solves `(H + damping I) step = -g` by a Cholesky factorization (the loss
//!   is convex, so `H` is positive definite; the tiny damping only guards against round-off)
//!   and takes the full step.
//! - Gradient descent takes steps `-RATE g` of a fixed rate: the widest feature bounds the
//!   rate, the narrowest sets how many steps it takes.
//!
//! Both start from zero and stop once the gradient's norm is below `TOL`. The example prints
//! `<method>: <iterations> iterations, loss <value>` for each, then checks that both reached
//! the same loss.

use grad::nn::Rng;
use grad::prelude::*;

/// Features per point.
const D: usize = 5;
/// Points.
const N: usize = 2_000;
/// Both methods stop when `|g| < TOL`.
const TOL: f64 = 1e-9;
/// The features' standard deviations.
const SCALES: [f64; D] = [0.3, 0.6, 1.0, 1.5, 2.5];
/// Gradient descent's rate: stable below 2 / (the Hessian's largest eigenvalue), which is
/// between 1.5 and 1.8 here (1.5 converges, 1.8 does not).
const RATE: f64 = 1.0;
/// Added to the Hessian's diagonal before it is factorized.
const DAMPING: f64 = 1e-12;

/// Mean negative log-likelihood of a logistic regression plus an L2 penalty: point `i` has
/// features `xs[i d .. i d + d]` and label `ys[i]` in {0, 1}; `w[0..d]` are the weights and
/// `w[d]` the intercept.
#[differentiable(hessian, wrt(w))]
fn logistic_loss(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len() - 1;
    let n = ys.len();
    let mut nll = 0.0;
    for i in 0..n {
        let mut z = w[d];
        for j in 0..d {
            z += w[j] * xs[i * d + j];
        }
        // ln(1 + e^z) - y z. Not the overflow-safe `z.max(0.0) + (-z.abs()).exp().ln_1p()`:
        // second derivatives through `max` and `abs` vanish at their kink, and at the start
        // (w = 0) every z is exactly 0. |z| stays far below 709 here.
        nll += z.exp().ln_1p() - ys[i] * z;
    }
    let mut penalty = 0.0;
    for &v in w {
        penalty += v * v;
    }
    nll / n as f64 + 1e-3 * penalty
}

/// `n` points of normal features with standard deviations [`SCALES`] and labels drawn from a
/// logistic model with weights uniform in [-1, 1] (divided by the scales) and intercept 0.5.
fn logistic_data(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let truth: Vec<f64> = SCALES.iter().map(|s| rng.uniform(-1.0, 1.0) / s).collect();
    let mut xs = Vec::with_capacity(n * D);
    let mut ys = Vec::with_capacity(n);
    for _ in 0..n {
        let mut z = 0.5;
        for (w, scale) in truth.iter().zip(SCALES) {
            // Box-Muller
            let (u1, u2) = (rng.uniform(f64::EPSILON, 1.0), rng.uniform(0.0, 1.0));
            let x = scale * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            xs.push(x);
            z += w * x;
        }
        let p = 1.0 / (1.0 + (-z).exp());
        ys.push(if rng.uniform(0.0, 1.0) < p { 1.0 } else { 0.0 });
    }
    (xs, ys)
}

/// Solves `a x = b` for a symmetric positive definite `a` by Cholesky (`a = L Lᵀ`), then
/// forward and back substitution.
fn cholesky_solve(a: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                assert!(d > 0.0, "the Hessian is not positive definite");
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    // L y = b, then Lᵀ x = y.
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k][i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i][i];
    }
    x
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Newton's method from zero: iterations and final loss.
fn newton(xs: &[f64], ys: &[f64]) -> (usize, f64) {
    let mut w = vec![0.0; D + 1];
    for iteration in 0..50 {
        let (loss, g, mut h) = logistic_loss_hessian(&w, xs, ys);
        if norm(&g) < TOL {
            return (iteration, loss);
        }
        for (i, row) in h.iter_mut().enumerate() {
            row[i] += DAMPING;
        }
        let minus_g: Vec<f64> = g.iter().map(|v| -v).collect();
        let step = cholesky_solve(&h, &minus_g);
        for (wi, si) in w.iter_mut().zip(&step) {
            *wi += si;
        }
    }
    panic!("Newton's method did not converge in 50 iterations");
}

/// Gradient descent from zero: iterations and final loss.
fn gradient_descent(xs: &[f64], ys: &[f64]) -> (usize, f64) {
    let mut w = vec![0.0; D + 1];
    for iteration in 0..100_000 {
        let (loss, g) = logistic_loss_grad(&w, xs, ys);
        if norm(&g) < TOL {
            return (iteration, loss);
        }
        for (wi, gi) in w.iter_mut().zip(&g) {
            *wi -= RATE * gi;
        }
    }
    panic!("gradient descent did not converge in 100,000 iterations");
}

fn main() {
    let (xs, ys) = logistic_data(N, 7);
    let (newton_iterations, newton_loss) = newton(&xs, &ys);
    println!("newton: {newton_iterations} iterations, loss {newton_loss:.12}");
    let (gd_iterations, gd_loss) = gradient_descent(&xs, &ys);
    println!("gradient descent: {gd_iterations} iterations, loss {gd_loss:.12}");
    let gap = (newton_loss - gd_loss).abs();
    assert!(
        gap < 1e-12,
        "the methods disagree: losses differ by {gap:e}"
    );
    println!("same minimum: the losses differ by {gap:.1e}");
}
