//! Finite-difference gradient checking: estimate a gradient numerically with
//! [`central_difference`] and compare an analytic gradient to it with [`check_gradient`].
//!
//! ```
//! use grad_runtime::check::check_gradient;
//!
//! // f(x, y) = x² y has gradient (2xy, x²).
//! let f = |v: &[f64]| v[0] * v[0] * v[1];
//! let (x, y) = (3.0, -2.0);
//! assert!(check_gradient(f, &[x, y], &[2.0 * x * y, x * x], 1e-6).is_ok());
//! assert!(check_gradient(f, &[x, y], &[x * y, x * x], 1e-6).is_err());
//! ```

use std::fmt;

/// Estimates the gradient of `f` at `x` by central differences, one coordinate at a time:
/// `(f(x + h eᵢ) - f(x - h eᵢ)) / 2h` with `h = cbrt(ε) · max(1, |xᵢ|)` (ε = `f64::EPSILON`),
/// the step that balances truncation and rounding error for a smooth `f`.
///
/// The divisor is the distance between the two points actually evaluated (after rounding), not
/// `2h`. The error is about `ε^(2/3)` relative to the size of `f` and its third derivative, so
/// compare with a tolerance near `1e-6`, not `1e-12`. Near a kink or a domain edge closer than
/// `h` the estimate is meaningless.
///
/// ```
/// use grad_runtime::check::central_difference;
///
/// let g = central_difference(|v| v[0].sin() * v[1], &[0.5, 2.0]);
/// assert!((g[0] - 0.5f64.cos() * 2.0).abs() < 1e-8);
/// assert!((g[1] - 0.5f64.sin()).abs() < 1e-8);
/// ```
pub fn central_difference(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    central_difference_scaled(f, x, 1.0)
}

/// [`central_difference`] with its step `h` multiplied by `scale`. Comparing the estimates of
/// two steps (`1.0` and `0.25`, say) tells whether `f` is smooth enough near `x` for either
/// to be trusted.
pub fn central_difference_scaled(f: impl Fn(&[f64]) -> f64, x: &[f64], scale: f64) -> Vec<f64> {
    let mut point = x.to_vec();
    (0..x.len())
        .map(|i| {
            let xi = x[i];
            let h = scale * f64::EPSILON.cbrt() * xi.abs().max(1.0);
            let (above, below) = (xi + h, xi - h);
            point[i] = above;
            let f_above = f(&point);
            point[i] = below;
            let f_below = f(&point);
            point[i] = xi;
            (f_above - f_below) / (above - below)
        })
        .collect()
}

/// Compares an analytic gradient `grad` of `f` at `x` to [`central_difference`], coordinate by
/// coordinate, and reports the first coordinate where they differ.
///
/// Coordinate `i` matches when `|a - n| <= tol · max(1, |a|, |n|)` for the analytic value `a`
/// and the numeric value `n`: an absolute tolerance for small values, a relative one for large
/// values. A NaN on either side never matches.
///
/// # Panics
///
/// If `grad` and `x` have different lengths.
///
/// ```
/// use grad_runtime::check::check_gradient;
///
/// let f = |v: &[f64]| v[0].exp();
/// assert!(check_gradient(f, &[1.0], &[1.0f64.exp()], 1e-6).is_ok());
///
/// let err = check_gradient(f, &[1.0], &[2.0], 1e-6).unwrap_err();
/// assert_eq!((err.index, err.analytic), (0, 2.0));
/// ```
pub fn check_gradient(
    f: impl Fn(&[f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    tol: f64,
) -> Result<(), GradientMismatch> {
    assert_eq!(
        grad.len(),
        x.len(),
        "check_gradient: the gradient has {} coordinates but the point has {}",
        grad.len(),
        x.len()
    );
    let numeric = central_difference(f, x);
    for (index, (&analytic, &numeric)) in grad.iter().zip(&numeric).enumerate() {
        let scale = 1.0f64.max(analytic.abs()).max(numeric.abs());
        // False when anything is NaN, so NaN never matches.
        let within = (analytic - numeric).abs() <= tol * scale;
        if !within {
            return Err(GradientMismatch {
                index,
                analytic,
                numeric,
                tolerance: tol,
            });
        }
    }
    Ok(())
}

/// An analytic gradient coordinate that disagrees with its finite-difference estimate; returned
/// by [`check_gradient`].
///
/// ```
/// use grad_runtime::check::check_gradient;
///
/// let err = check_gradient(|v| v[0] * v[1], &[2.0, 5.0], &[5.0, 3.0], 1e-6).unwrap_err();
/// assert_eq!(err.index, 1);
/// assert!(err.to_string().starts_with("gradient mismatch at index 1"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientMismatch {
    /// The coordinate that disagrees.
    pub index: usize,
    /// The analytic derivative that was checked.
    pub analytic: f64,
    /// The central-difference estimate.
    pub numeric: f64,
    /// The tolerance that was exceeded.
    pub tolerance: f64,
}

impl fmt::Display for GradientMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradient mismatch at index {}: analytic {:e}, numeric {:e} (tolerance {:e})",
            self.index, self.analytic, self.numeric, self.tolerance
        )
    }
}

impl std::error::Error for GradientMismatch {}
