//! Compiled gradients as [argmin](https://docs.rs/argmin/0.11) problems (feature `argmin`).
//!
//! argmin's solvers ask a problem for its cost ([`CostFunction`]), its gradient ([`Gradient`])
//! and, for Newton methods, its Hessian ([`Hessian`]). [`Objective`] answers them from a
//! `#[differentiable]` function over one `&[F]` parameter: give it the function and its
//! `_grad` companion as closures that take the parameters and pass on the data the function
//! also reads. One line:
//!
//! ```
//! use argmin::core::{Executor, State};
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::quasinewton::LBFGS;
//! use grad::prelude::*;
//!
//! /// Squared error of the model y = a·exp(b·t) on the data (ts, ys); p = [a, b].
//! #[differentiable(wrt(p))]
//! fn sse(p: &[f64], ts: &[f64], ys: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     for i in 0..ts.len() {
//!         let r = p[0] * (p[1] * ts[i]).exp() - ys[i];
//!         s += r * r;
//!     }
//!     s
//! }
//!
//! let ts: Vec<f64> = (0..20).map(|i| f64::from(i) / 10.0).collect();
//! let ys: Vec<f64> = ts.iter().map(|t| 2.0 * (-1.5 * t).exp()).collect();
//!
//! let problem = grad::argmin::Objective::new(|p| sse(p, &ts, &ys), |p| sse_grad(p, &ts, &ys));
//!
//! let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
//! let result = Executor::new(problem, solver)
//!     .configure(|state| state.param(vec![1.0, 0.0]).max_iters(100))
//!     .run()?;
//! let best = result.state().get_best_param().unwrap();
//! assert!((best[0] - 2.0).abs() < 1e-6 && (best[1] + 1.5).abs() < 1e-6);
//! # Ok::<(), argmin::core::Error>(())
//! ```
//!
//! The closures may borrow the data (as here) or own it (`move`); any `Fn(&[F])` works, a
//! hand-written gradient included. The cost is the plain function (cheaper than the
//! companion, and line searches ask for many costs); the gradient is the companion's, and its
//! value is ignored.
//!
//! # Hessians
//!
//! [`Objective::with_hessian`] adds a function returning `(value, gradient, Hessian)` (or the
//! Hessian alone, as `Vec<Vec<F>>`), and the problem then implements [`Hessian`] too, for
//! argmin's `NewtonCG` (its `Newton` needs a matrix inverse, which argmin-math has for
//! ndarray and nalgebra but not for `Vec`). That is the shape of the `<name>_hessian` companion
//! of `#[differentiable(hessian)]`: the dense, exactly symmetric Hessian over the
//! differentiable inputs, so with `wrt(p)` over `p` alone:
//!
//! ```
//! use argmin::core::{Executor, State};
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::newton::NewtonCG;
//! use grad::prelude::*;
//!
//! /// Squared error of the model y = a·exp(b·t) on the data (ts, ys); p = [a, b].
//! #[differentiable(hessian, wrt(p))]
//! fn sse(p: &[f64], ts: &[f64], ys: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     for i in 0..ts.len() {
//!         let r = p[0] * (p[1] * ts[i]).exp() - ys[i];
//!         s += r * r;
//!     }
//!     s
//! }
//!
//! let ts: Vec<f64> = (0..20).map(|i| f64::from(i) / 10.0).collect();
//! let ys: Vec<f64> = ts.iter().map(|t| 2.0 * (-1.5 * t).exp()).collect();
//!
//! let problem = grad::argmin::Objective::new(|p| sse(p, &ts, &ys), |p| sse_grad(p, &ts, &ys))
//!     .with_hessian(|p| sse_hessian(p, &ts, &ys));
//!
//! let solver = NewtonCG::new(MoreThuenteLineSearch::new());
//! let result = Executor::new(problem, solver)
//!     .configure(|state| state.param(vec![1.0, -1.0]).max_iters(50))
//!     .run()?;
//! let best = result.state().get_best_param().unwrap();
//! assert!((best[0] - 2.0).abs() < 1e-6 && (best[1] + 1.5).abs() < 1e-6);
//! # Ok::<(), argmin::core::Error>(())
//! ```
//!
//! Any other function of that shape works too, a hand-written Hessian included.
//!
//! # Why these names
//!
//! `Objective`, not `Problem`: argmin already has a `Problem` (`argmin::core::Problem`, the
//! wrapper its `Executor` puts around the user's problem and that counts function calls), and
//! code that uses argmin usually imports from `argmin::core`. The module is `grad::argmin`, after
//! the crate it connects to and the feature that turns it on, as `serde` modules are named in
//! crates with a `serde` feature.

use std::marker::PhantomData;

use ::argmin::core::{CostFunction, Error, Gradient, Hessian};

/// A function over `&[F]` with its gradient (and optionally its Hessian), as an argmin problem
/// with `Param = Vec<F>`: it implements [`CostFunction`] and [`Gradient`], and [`Hessian`] once
/// a Hessian is given with [`Objective::with_hessian`]. See the [module docs](self).
#[derive(Clone, Copy)]
pub struct Objective<F, C, G, H = NoHessian> {
    cost: C,
    gradient: G,
    hessian: H,
    float: PhantomData<fn() -> F>,
}

/// The Hessian slot of an [`Objective`] that has none: such a problem does not implement
/// [`Hessian`], so solvers that need one do not compile with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHessian;

impl<F, C, G> Objective<F, C, G> {
    /// A problem whose cost is `cost(p)` and whose gradient is taken from `gradient(p)`: a
    /// `_grad` companion's `(value, gradient)`, or the gradient alone (see [`IntoGradient`]).
    ///
    /// ```
    /// use grad::prelude::*;
    /// use argmin::core::{CostFunction, Gradient};
    ///
    /// #[differentiable]
    /// fn norm2(p: &[f64]) -> f64 {
    ///     let mut s = 0.0;
    ///     for &v in p {
    ///         s += v * v;
    ///     }
    ///     s
    /// }
    ///
    /// let problem = grad::argmin::Objective::new(norm2, norm2_grad);
    /// assert_eq!(problem.cost(&vec![1.0, 2.0])?, 5.0);
    /// assert_eq!(problem.gradient(&vec![1.0, 2.0])?, vec![2.0, 4.0]);
    /// # Ok::<(), argmin::core::Error>(())
    /// ```
    pub fn new<R>(cost: C, gradient: G) -> Self
    where
        C: Fn(&[F]) -> F,
        G: Fn(&[F]) -> R,
        R: IntoGradient<F>,
    {
        Objective {
            cost,
            gradient,
            hessian: NoHessian,
            float: PhantomData,
        }
    }

    /// The same problem, with a Hessian taken from `hessian(p)`: a function returning
    /// `(value, gradient, Hessian)` like `#[differentiable(hessian)]`'s `<name>_hessian`, or
    /// the Hessian alone (see [`IntoHessian`]). The Hessian is a `Vec` of rows, the form
    /// argmin's Newton solvers take for `Param = Vec<F>`.
    pub fn with_hessian<H, R>(self, hessian: H) -> Objective<F, C, G, H>
    where
        H: Fn(&[F]) -> R,
        R: IntoHessian<F>,
    {
        Objective {
            cost: self.cost,
            gradient: self.gradient,
            hessian,
            float: PhantomData,
        }
    }
}

impl<F, C, G, H> std::fmt::Debug for Objective<F, C, G, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objective").finish_non_exhaustive()
    }
}

/// What a gradient function may return for [`Objective::new`]: a `_grad` companion's
/// `(value, gradient)`, or the gradient alone.
pub trait IntoGradient<F> {
    /// The gradient.
    fn into_gradient(self) -> Vec<F>;
}

impl<F> IntoGradient<F> for (F, Vec<F>) {
    #[inline]
    fn into_gradient(self) -> Vec<F> {
        self.1
    }
}

impl<F> IntoGradient<F> for Vec<F> {
    #[inline]
    fn into_gradient(self) -> Vec<F> {
        self
    }
}

/// What a Hessian function may return for [`Objective::with_hessian`]: a `_hessian`
/// companion's `(value, gradient, Hessian)`, or the Hessian alone (rows).
pub trait IntoHessian<F> {
    /// The Hessian, a `Vec` of rows.
    fn into_hessian(self) -> Vec<Vec<F>>;
}

impl<F> IntoHessian<F> for (F, Vec<F>, Vec<Vec<F>>) {
    #[inline]
    fn into_hessian(self) -> Vec<Vec<F>> {
        self.2
    }
}

impl<F> IntoHessian<F> for Vec<Vec<F>> {
    #[inline]
    fn into_hessian(self) -> Vec<Vec<F>> {
        self
    }
}

impl<F, C, G, H> CostFunction for Objective<F, C, G, H>
where
    C: Fn(&[F]) -> F,
{
    type Param = Vec<F>;
    type Output = F;

    #[inline]
    fn cost(&self, param: &Vec<F>) -> Result<F, Error> {
        Ok((self.cost)(param))
    }
}

impl<F, C, G, H, R> Gradient for Objective<F, C, G, H>
where
    G: Fn(&[F]) -> R,
    R: IntoGradient<F>,
{
    type Param = Vec<F>;
    type Gradient = Vec<F>;

    #[inline]
    fn gradient(&self, param: &Vec<F>) -> Result<Vec<F>, Error> {
        Ok((self.gradient)(param).into_gradient())
    }
}

impl<F, C, G, H, R> Hessian for Objective<F, C, G, H>
where
    H: Fn(&[F]) -> R,
    R: IntoHessian<F>,
{
    type Param = Vec<F>;
    type Hessian = Vec<Vec<F>>;

    #[inline]
    fn hessian(&self, param: &Vec<F>) -> Result<Vec<Vec<F>>, Error> {
        Ok((self.hessian)(param).into_hessian())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use ::argmin::core::{Executor, State};
    use ::argmin::solver::linesearch::MoreThuenteLineSearch;
    use ::argmin::solver::newton::NewtonCG;
    use ::argmin::solver::quasinewton::LBFGS;

    /// Logistic regression's mean negative log-likelihood, labels in {0, 1}, 2 features + bias.
    #[differentiable(hessian, wrt(w))]
    fn nll(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
        let n = ys.len();
        let mut s = 0.0;
        for i in 0..n {
            let z = w[0] * xs[2 * i] + w[1] * xs[2 * i + 1] + w[2];
            // log(1 + e^z) - y z, written to stay finite for large |z|
            let softplus = z.max(0.0) + (-z.abs()).exp().ln_1p();
            s += softplus - ys[i] * z;
        }
        s / n as f64 + 1e-3 * (w[0] * w[0] + w[1] * w[1])
    }

    fn data() -> (Vec<f64>, Vec<f64>) {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for i in 0..40 {
            let (a, b) = (f64::from(i % 7) - 3.0, f64::from(i % 5) - 2.0);
            xs.extend([a, b]);
            ys.push(if a + 0.5 * b + f64::from(i % 3) - 1.0 > 0.0 {
                1.0
            } else {
                0.0
            });
        }
        (xs, ys)
    }

    #[test]
    fn cost_and_gradient_are_the_function_and_its_companion() {
        let (xs, ys) = data();
        let p = Objective::new(|w| nll(w, &xs, &ys), |w| nll_grad(w, &xs, &ys));
        let w = vec![0.3, -0.2, 0.1];
        assert_eq!(p.cost(&w).unwrap(), nll(&w, &xs, &ys));
        assert_eq!(p.gradient(&w).unwrap(), nll_grad(&w, &xs, &ys).1);
    }

    #[test]
    fn lbfgs_on_the_compiled_gradient_reaches_a_stationary_point() {
        let (xs, ys) = data();
        let problem = Objective::new(|w| nll(w, &xs, &ys), |w| nll_grad(w, &xs, &ys));
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
        let result = Executor::new(problem, solver)
            .configure(|s| s.param(vec![0.0; 3]).max_iters(200))
            .run()
            .unwrap();
        let best = result.state().get_best_param().unwrap();
        let (_, g) = nll_grad(best, &xs, &ys);
        assert!(
            g.iter().all(|d| d.abs() < 1e-6),
            "gradient at the optimum: {g:?}"
        );
    }

    #[test]
    fn newton_cg_on_the_compiled_hessian_reaches_a_stationary_point() {
        let (xs, ys) = data();
        let problem = Objective::new(|w| nll(w, &xs, &ys), |w| nll_grad(w, &xs, &ys))
            .with_hessian(|w| nll_hessian(w, &xs, &ys));
        let w = vec![0.3, -0.2, 0.1];
        assert_eq!(problem.hessian(&w).unwrap(), nll_hessian(&w, &xs, &ys).2);
        let result = Executor::new(problem, NewtonCG::new(MoreThuenteLineSearch::new()))
            .configure(|s| s.param(vec![0.0; 3]).max_iters(50))
            .run()
            .unwrap();
        let best = result.state().get_best_param().unwrap();
        let (_, g) = nll_grad(best, &xs, &ys);
        assert!(
            g.iter().all(|d| d.abs() < 1e-6),
            "gradient at the optimum: {g:?}"
        );
    }

    /// The shape of `#[differentiable(hessian)]`'s companion, written by hand for a quadratic
    /// form: `(value, gradient, Hessian)`.
    fn quadratic_hessian(p: &[f64]) -> (f64, Vec<f64>, Vec<Vec<f64>>) {
        let h = vec![vec![4.0, 1.0], vec![1.0, 3.0]];
        let g = vec![
            h[0][0] * p[0] + h[0][1] * p[1] - 1.0,
            h[1][0] * p[0] + h[1][1] * p[1] - 2.0,
        ];
        let value = 0.5 * (p[0] * g[0] + p[1] * g[1]) - 0.5 * (p[0] + 2.0 * p[1]);
        (value, g, h)
    }

    #[test]
    fn newton_cg_runs_on_a_hessian_companion() {
        let problem = Objective::new(|p| quadratic_hessian(p).0, |p| quadratic_hessian(p).1)
            .with_hessian(quadratic_hessian);
        assert_eq!(
            problem.hessian(&vec![0.0, 0.0]).unwrap(),
            vec![vec![4.0, 1.0], vec![1.0, 3.0]]
        );
        let result = Executor::new(problem, NewtonCG::new(MoreThuenteLineSearch::new()))
            .configure(|s| s.param(vec![0.0, 0.0]).max_iters(20))
            .run()
            .unwrap();
        let best = result.state().get_best_param().unwrap();
        // 4x + y = 1, x + 3y = 2: x = 1/11, y = 7/11.
        assert!((best[0] - 1.0 / 11.0).abs() < 1e-6 && (best[1] - 7.0 / 11.0).abs() < 1e-6);
    }

    #[test]
    fn a_hessian_alone_and_a_gradient_alone_are_accepted() {
        let problem = Objective::new(|p: &[f64]| p[0] * p[0], |p: &[f64]| vec![2.0 * p[0]])
            .with_hessian(|_: &[f64]| vec![vec![2.0]]);
        assert_eq!(problem.gradient(&vec![3.0]).unwrap(), vec![6.0]);
        assert_eq!(problem.hessian(&vec![3.0]).unwrap(), vec![vec![2.0]]);
    }
}
