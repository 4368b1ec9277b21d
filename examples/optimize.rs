//! argmin's L-BFGS on compiled gradients and on finite differences, and argmin's Newton-CG on
//! compiled Hessians.
//!
//! Run with `cargo run --release --features argmin --example optimize`.
//!
//! Two problems, each solved twice by argmin's L-BFGS (More-Thuente line search, memory 7,
//! argmin's default tolerances) and once by argmin's Newton-CG (More-Thuente line search,
//! argmin's default tolerances) from the same start:
//!
//! - a logistic regression: 5,000 points with 20 features drawn from a seed, labels drawn from
//!   a known logistic model, fitted by minimizing the mean negative log-likelihood plus a small
//!   L2 penalty over 21 parameters;
//! - the Rosenbrock function in 100 dimensions, from (-1.2, 1, -1.2, 1, ...).
//!
//! The first solve takes its gradient from the `_grad` companion through
//! [`grad::argmin::Objective`]; the second from central finite differences computed by the
//! `finitediff` crate (argmin's own, 2n cost evaluations per gradient; central rather than
//! forward differences so that both solves converge alike). Newton-CG takes the gradient from
//! `_grad` and the exact Hessian from the `_hessian` companion of `#[differentiable(hessian)]`,
//! through the same `Objective` (`.with_hessian(...)`). Each solve is timed as the median of 5
//! runs. The example prints one line per solve,
//! `<solver>: <iterations> iterations, cost <value>, <milliseconds> ms`, and last
//! `speedup vs finite differences: <ratio>x`, the ratio of the two logistic-regression L-BFGS
//! times.
//!
//! Newton-CG takes more iterations than L-BFGS here, on Rosenbrock up to the cap of 10,000:
//! argmin 0.11's Newton-CG stops its inner conjugate gradients once the *squared* residual norm
//! is below min(0.5, √‖g‖)·‖g‖ (the textbook test bounds the norm itself), so once ‖g‖ < 1 one
//! conjugate-gradient step usually passes, a scaled steepest-descent step rather than a Newton
//! step. The Hessians are exact either way (`tests/second_order.rs` checks them).

use std::time::Instant;

use argmin::core::{CostFunction, Error, Executor, Gradient, Hessian, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::newton::NewtonCG;
use argmin::solver::quasinewton::LBFGS;
use grad::argmin::Objective;
use grad::nn::Rng;
use grad::prelude::*;

/// Features per point in the logistic regression.
const D: usize = 20;
/// Points in the logistic regression.
const N: usize = 5_000;
/// Dimensions of the Rosenbrock function.
const ROSENBROCK_N: usize = 100;

/// Mean negative log-likelihood of a logistic regression plus an L2 penalty on the parameters:
/// point `i` has features `xs[i d .. i d + d]` and label `ys[i]` in {0, 1}; `w[0..d]` are the
/// weights and `w[d]` the intercept.
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
        // ln(1 + e^z) - y z, in a form that stays finite for large |z|.
        nll += z.max(0.0) + (-z.abs()).exp().ln_1p() - ys[i] * z;
    }
    let mut penalty = 0.0;
    for &v in w {
        penalty += v * v;
    }
    nll / n as f64 + 1e-3 * penalty
}

/// The Rosenbrock function in `x.len()` dimensions.
#[differentiable(hessian)]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i];
        let b = x[i + 1] - x[i] * x[i];
        s += a * a + 100.0 * b * b;
    }
    s
}

/// `n` points of `d` standard-normal features and labels drawn from a logistic model with
/// weights uniform in [-1, 1] and intercept 0.5.
fn logistic_data(n: usize, d: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let truth: Vec<f64> = (0..d).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let mut xs = Vec::with_capacity(n * d);
    let mut ys = Vec::with_capacity(n);
    for _ in 0..n {
        let mut z = 0.5;
        for w in &truth {
            // Box-Muller
            let (u1, u2) = (rng.uniform(f64::EPSILON, 1.0), rng.uniform(0.0, 1.0));
            let x = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            xs.push(x);
            z += w * x;
        }
        let p = 1.0 / (1.0 + (-z).exp());
        ys.push(if rng.uniform(0.0, 1.0) < p { 1.0 } else { 0.0 });
    }
    (xs, ys)
}

/// A cost function whose gradient is central finite differences (the `finitediff` crate).
struct FiniteDifferences<C>(C);

impl<C: Fn(&[f64]) -> f64> CostFunction for FiniteDifferences<C> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Vec<f64>) -> Result<f64, Error> {
        Ok((self.0)(p))
    }
}

impl<C: Fn(&[f64]) -> f64> Gradient for FiniteDifferences<C> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, Error> {
        finitediff::vec::diff::central_diff_vec(p, &|x: &Vec<f64>| Ok((self.0)(x)))
    }
}

/// Iterations, best cost and the median time in milliseconds of 5 runs of `run`, a solve that
/// returns its iterations and best cost.
fn timed(mut run: impl FnMut() -> Result<(u64, f64), Error>) -> Result<(u64, f64, f64), Error> {
    let mut times = Vec::new();
    let mut outcome = (0, 0.0);
    for _ in 0..5 {
        let t = Instant::now();
        outcome = run()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok((outcome.0, outcome.1, times[times.len() / 2]))
}

/// Iterations, best cost and the median time in milliseconds of 5 L-BFGS solves from `start`.
fn solve<O>(problem: impl Fn() -> O, start: &[f64]) -> Result<(u64, f64, f64), Error>
where
    O: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    timed(|| {
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
        let result = Executor::new(problem(), solver)
            .configure(|s| s.param(start.to_vec()).max_iters(10_000))
            .run()?;
        Ok((result.state().get_iter(), result.state().get_best_cost()))
    })
}

/// Iterations, best cost and the median time in milliseconds of 5 Newton-CG solves from
/// `start`.
fn solve_newton<O>(problem: impl Fn() -> O, start: &[f64]) -> Result<(u64, f64, f64), Error>
where
    O: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>
        + Hessian<Param = Vec<f64>, Hessian = Vec<Vec<f64>>>,
{
    timed(|| {
        let solver = NewtonCG::new(MoreThuenteLineSearch::new());
        let result = Executor::new(problem(), solver)
            .configure(|s| s.param(start.to_vec()).max_iters(10_000))
            .run()?;
        Ok((result.state().get_iter(), result.state().get_best_cost()))
    })
}

fn report(solver: &str, (iters, cost, ms): (u64, f64, f64)) {
    let cost = if cost.abs() >= 1e-3 {
        format!("{cost:.10}")
    } else {
        format!("{cost:.3e}")
    };
    println!("{solver}: {iters} iterations, cost {cost}, {ms:.2} ms");
}

fn main() -> Result<(), Error> {
    let (xs, ys) = logistic_data(N, D, 17);
    println!(
        "logistic regression, {N} points, {D} features, {} parameters",
        D + 1
    );
    let start = vec![0.0; D + 1];
    let compiled = solve(
        || {
            Objective::new(
                |w| logistic_loss(w, &xs, &ys),
                |w| logistic_loss_grad(w, &xs, &ys),
            )
        },
        &start,
    )?;
    report("L-BFGS on logistic_loss_grad", compiled);
    let fd = solve(
        || FiniteDifferences(|w: &[f64]| logistic_loss(w, &xs, &ys)),
        &start,
    )?;
    report("L-BFGS on finite differences", fd);
    report(
        "Newton-CG on logistic_loss_hessian",
        solve_newton(
            || {
                Objective::new(
                    |w| logistic_loss(w, &xs, &ys),
                    |w| logistic_loss_grad(w, &xs, &ys),
                )
                .with_hessian(|w| logistic_loss_hessian(w, &xs, &ys))
            },
            &start,
        )?,
    );

    println!("Rosenbrock, {ROSENBROCK_N} dimensions");
    let start: Vec<f64> = (0..ROSENBROCK_N)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    report(
        "L-BFGS on rosenbrock_grad",
        solve(|| Objective::new(rosenbrock, rosenbrock_grad), &start)?,
    );
    report(
        "L-BFGS on finite differences",
        solve(|| FiniteDifferences(rosenbrock), &start)?,
    );
    report(
        "Newton-CG on rosenbrock_hessian",
        solve_newton(
            || Objective::new(rosenbrock, rosenbrock_grad).with_hessian(rosenbrock_hessian),
            &start,
        )?,
    );

    println!("speedup vs finite differences: {:.1}x", fd.2 / compiled.2);
    Ok(())
}
