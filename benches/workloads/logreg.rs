//! Logistic regression with an L2 penalty, written as users write it: a loop over the rows
//! of a data matrix calling two small helpers, `dot` (a slice helper whose pullback is a fused
//! accumulating loop) and `log1p_exp` (a scalar helper, through its `_grad`). The compare
//! table times [`logreg_loss_grad`] against [`logreg_inlined_grad`] (the helpers inlined by
//! hand) and [`logreg_hand`] (a hand-written gradient).

use grad::prelude::*;

/// Points in the data set.
pub const LOGREG_N: usize = 1000;
/// Features per point.
pub const LOGREG_D: usize = 10;
/// The L2 penalty's weight.
pub const LOGREG_LAMBDA: f64 = 0.1;

/// `a · b`.
#[differentiable]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `ln(1 + e^z)`, stable for large `|z|`.
#[differentiable]
pub fn log1p_exp(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// `mean_i [ln(1 + e^{z_i}) - y_i z_i] + λ/2 |w|²` with `z_i = w · x_i + b`.
#[differentiable(wrt(w, b))]
pub fn logreg_loss(w: &[f64], b: f64, x: &[f64], y: &[f64], lambda: f64) -> f64 {
    let d = w.len();
    let mut loss = 0.0;
    for (row, &yi) in x.chunks_exact(d).zip(y) {
        let z = dot(w, row) + b;
        loss += log1p_exp(z) - yi * z;
    }
    loss / y.len() as f64 + 0.5 * lambda * dot(w, w)
}

/// [`logreg_loss`] with the helpers inlined by hand.
#[allow(clippy::needless_range_loop)]
#[differentiable(wrt(w, b))]
pub fn logreg_inlined(w: &[f64], b: f64, x: &[f64], y: &[f64], lambda: f64) -> f64 {
    let d = w.len();
    let mut loss = 0.0;
    for i in 0..y.len() {
        let mut z = b;
        for k in 0..d {
            z += w[k] * x[i * d + k];
        }
        let sp = if z > 0.0 {
            z + (-z).exp().ln_1p()
        } else {
            z.exp().ln_1p()
        };
        loss += sp - y[i] * z;
    }
    let mut reg = 0.0;
    for k in 0..d {
        reg += w[k] * w[k];
    }
    loss / y.len() as f64 + 0.5 * lambda * reg
}

/// The hand-written gradient of [`logreg_loss`]: one pass over the rows, the residual
/// `σ(z) - y` of each added into the gradient at once. Returns `(loss, d_w, d_b)`.
pub fn logreg_hand(w: &[f64], b: f64, x: &[f64], y: &[f64], lambda: f64) -> (f64, Vec<f64>, f64) {
    let d = w.len();
    let inv_n = 1.0 / y.len() as f64;
    let mut gw = vec![0.0; d];
    let (mut gb, mut loss) = (0.0, 0.0);
    for (row, &yi) in x.chunks_exact(d).zip(y) {
        let z = row.iter().zip(w).fold(b, |s, (a, c)| s + a * c);
        let e = (-z.abs()).exp();
        loss += z.max(0.0) + e.ln_1p() - yi * z;
        // σ(z) from the same exponential.
        let sigma = if z > 0.0 {
            1.0 / (1.0 + e)
        } else {
            e / (1.0 + e)
        };
        let r = (sigma - yi) * inv_n;
        for (g, a) in gw.iter_mut().zip(row) {
            *g += r * a;
        }
        gb += r;
    }
    let reg: f64 = w.iter().map(|c| c * c).sum();
    for (g, c) in gw.iter_mut().zip(w) {
        *g += lambda * c;
    }
    (loss * inv_n + 0.5 * lambda * reg, gw, gb)
}

/// A seeded data set: `(w, b, x, y)` with `n` points of `d` features and labels in `{0, 1}`.
pub fn logreg_data(n: usize, d: usize) -> (Vec<f64>, f64, Vec<f64>, Vec<f64>) {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut uniform = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let w: Vec<f64> = (0..d).map(|_| 0.5 * uniform()).collect();
    let x: Vec<f64> = (0..n * d).map(|_| 2.0 * uniform()).collect();
    let y: Vec<f64> = (0..n)
        .map(|_| if uniform() > 0.0 { 1.0 } else { 0.0 })
        .collect();
    (w, 0.1, x, y)
}
