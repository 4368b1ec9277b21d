//! ADBench's GMM workload: the log-likelihood of `n` points under a mixture of `k` Gaussians
//! in `d` dimensions, with a Wishart prior term on the inverse covariances, as ADBench defines
//! its objective (`src/cpp/shared/gmm.h`, `docs/FileFormat.md`).
//!
//! Parameters, all flat:
//!
//! - `alphas[k]`: unnormalized log mixture weights (the weights are `softmax(alphas)`);
//! - `means[k * d]`: component `c`'s mean is `means[c * d..(c + 1) * d]`;
//! - `icf[k * d (d + 1) / 2]`: component `c`'s inverse covariance factor `Q_c`, lower
//!   triangular: first the logs of its `d` diagonal entries, then its strictly lower entries
//!   column by column. The inverse covariance is `Q_c^T Q_c`.
//!
//! Data: `x[n * d]`, point `i` is `x[i * d..(i + 1) * d]`; the Wishart prior's `gamma` and `m`.
//!
//! The objective, with `q_c` the diagonal logs and `Q_c` as above:
//!
//! ```text
//! -n d/2 ln 2π + Σ_i logsumexp_c(α_c + Σ q_c - ½ |Q_c (x_i - μ_c)|²) - n logsumexp(α)
//!   + Σ_c (½ γ² ‖Q_c‖²_F - m Σ q_c) - k C(d, γ, m)
//! ```
//!
//! where `C = n_w d (ln γ - ½ ln 2) - ln Γ_d(n_w / 2)` with `n_w = d + m + 1` (the part of the
//! Wishart log density that does not depend on the parameters).
//!
//! Four functions: [`gmm_objective`] written as a user would write it, with
//! `#[differentiable]` generating `gmm_objective_grad`; [`gmm_hand`], a hand-written gradient;
//! [`wishart_log_gamma`], the constant `ln Γ_d` (not differentiated, passed in); and
//! [`GmmData`], seeded random instances for the benchmarks.

use grad::prelude::*;

/// The GMM objective (ADBench's `gmm_objective`), for `d` dimensions and `k` components; the
/// number of points is `x.len() / d`. `log_gamma_d` must be [`wishart_log_gamma`]`(d, m)`, the
/// multivariate log-gamma term of the Wishart normalizing constant (std has no `lgamma`).
///
/// Written as a user would write it: the helpers of ADBench's C++ (`preprocess_qs`,
/// `Qtimesx`, `logsumexp`, `log_wishart_prior`) are inlined, because a differentiable function
/// cannot pass a slice on to another one yet.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
#[differentiable(hessian, wrt(alphas, means, icf))]
pub fn gmm_objective(
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    wishart_gamma: f64,
    wishart_m: usize,
    log_gamma_d: f64,
    d: usize,
    k: usize,
) -> f64 {
    let n = x.len() / d;
    let icf_sz = d * (d + 1) / 2;

    // The diagonal of each Q (exp of the stored logs) and the sum of the logs.
    let mut qdiags = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for c in 0..k {
        let mut s = 0.0;
        for j in 0..d {
            let q = icf[c * icf_sz + j];
            s += q;
            qdiags[c * d + j] = q.exp();
        }
        sum_qs[c] = s;
    }

    // Σ over the points of logsumexp over the components.
    let mut xcentered = vec![0.0; d];
    let mut qx = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    let mut slse = 0.0;
    for i in 0..n {
        for c in 0..k {
            // Q (x_i - μ_c): the diagonal, then the strictly lower part column by column.
            for j in 0..d {
                xcentered[j] = x[i * d + j] - means[c * d + j];
                qx[j] = qdiags[c * d + j] * xcentered[j];
            }
            let mut l = c * icf_sz + d;
            for col in 0..d {
                for row in col + 1..d {
                    qx[row] += icf[l] * xcentered[col];
                    l += 1;
                }
            }
            let mut sq = 0.0;
            for j in 0..d {
                sq += qx[j] * qx[j];
            }
            main_term[c] = alphas[c] + sum_qs[c] - 0.5 * sq;
        }
        // logsumexp, shifted by the maximum.
        let mut mx = main_term[0];
        for c in 1..k {
            mx = mx.max(main_term[c]);
        }
        let mut se = 0.0;
        for c in 0..k {
            se += (main_term[c] - mx).exp();
        }
        slse += se.ln() + mx;
    }

    // logsumexp of the alphas.
    let mut amax = alphas[0];
    for c in 1..k {
        amax = amax.max(alphas[c]);
    }
    let mut asum = 0.0;
    for c in 0..k {
        asum += (alphas[c] - amax).exp();
    }
    let lse_alphas = asum.ln() + amax;

    // The Wishart prior: ½ γ² ‖Q‖²_F - m Σ q for each component, minus its constant part.
    let nw = d + wishart_m + 1;
    let wishart_c =
        (nw * d) as f64 * (wishart_gamma.ln() - 0.5 * std::f64::consts::LN_2) - log_gamma_d;
    let mut prior = 0.0;
    for c in 0..k {
        let mut frobenius = 0.0;
        for j in 0..d {
            frobenius += qdiags[c * d + j] * qdiags[c * d + j];
        }
        for l in c * icf_sz + d..(c + 1) * icf_sz {
            frobenius += icf[l] * icf[l];
        }
        prior += 0.5 * wishart_gamma * wishart_gamma * frobenius - wishart_m as f64 * sum_qs[c];
    }

    let constant = -(n as f64) * d as f64 * 0.5 * (2.0 * std::f64::consts::PI).ln();
    constant + slse - n as f64 * lse_alphas + prior - k as f64 * wishart_c
}

/// `ln Γ(h / 2)` for a positive integer `h`, by the recurrence `Γ(a + 1) = a Γ(a)` from
/// `Γ(1) = 1` or `Γ(1/2) = √π` (the Wishart constant only needs half-integers).
fn ln_gamma_half(h: usize) -> f64 {
    assert!(h > 0, "ln_gamma_half: Γ(0) is a pole");
    let (mut a, mut out) = if h % 2 == 0 {
        (1.0, 0.0)
    } else {
        (0.5, 0.5 * std::f64::consts::PI.ln())
    };
    let target = h as f64 / 2.0;
    while a < target {
        out += a.ln();
        a += 1.0;
    }
    out
}

/// The multivariate log-gamma `ln Γ_d(a) = d (d - 1)/4 ln π + Σ_{j=1..d} ln Γ(a + (1 - j)/2)` at
/// `a = (d + m + 1) / 2`: the parameter-free part of the Wishart normalizing constant that
/// [`gmm_objective`] takes as `log_gamma_d`.
pub fn wishart_log_gamma(d: usize, m: usize) -> f64 {
    let nw = d + m + 1;
    let mut out = 0.25 * (d * (d - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..=d {
        // a + (1 - j)/2 = (nw + 1 - j) / 2.
        out += ln_gamma_half(nw + 1 - j);
    }
    out
}

/// The value and gradient of [`gmm_objective`]: `(value, d_alphas, d_means, d_icf)`.
pub type GmmGrad = (f64, Vec<f64>, Vec<f64>, Vec<f64>);

/// Hand-written gradient of [`gmm_objective`], from the math: with `y = x_i - μ_c`,
/// `z = Q_c y` and `w_c` the softmax of the main terms over the components at point `i`,
///
/// - `∂/∂α_c = Σ_i w_c - n softmax(α)_c`,
/// - `∂/∂μ_c = Σ_i w_c Q_cᵀ z`,
/// - `∂/∂q_cj = Σ_i w_c (1 - z_j e^{q_cj} y_j) + γ² e^{2 q_cj} - m`,
/// - `∂/∂L_c[row, col] = -Σ_i w_c z_row y_col + γ² L_c[row, col]`.
///
/// One pass over the points: the main terms of all components, then their softmax, then the
/// accumulation; the centered points and `Q y` of the `k` components are kept for the pass.
#[allow(clippy::too_many_arguments)]
pub fn gmm_hand(
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    wishart_gamma: f64,
    wishart_m: usize,
    log_gamma_d: f64,
    d: usize,
    k: usize,
) -> GmmGrad {
    let n = x.len() / d;
    let icf_sz = d * (d + 1) / 2;
    assert_eq!(alphas.len(), k, "gmm_hand: alphas");
    assert_eq!(means.len(), k * d, "gmm_hand: means");
    assert_eq!(icf.len(), k * icf_sz, "gmm_hand: icf");

    let mut d_alphas = vec![0.0; k];
    let mut d_means = vec![0.0; k * d];
    let mut d_icf = vec![0.0; k * icf_sz];

    let mut qdiags = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for ((qc, qd), s) in icf
        .chunks_exact(icf_sz)
        .zip(qdiags.chunks_exact_mut(d))
        .zip(&mut sum_qs)
    {
        for (q, e) in qc[..d].iter().zip(qd.iter_mut()) {
            *s += q;
            *e = q.exp();
        }
    }

    let mut ys = vec![0.0; k * d];
    let mut zs = vec![0.0; k * d];
    let mut terms = vec![0.0; k];
    let mut slse = 0.0;
    for xi in x.chunks_exact(d) {
        // The main terms α_c + Σ q_c - ½ |Q_c (x_i - μ_c)|², keeping y and z = Q y.
        for c in 0..k {
            let y = &mut ys[c * d..(c + 1) * d];
            let z = &mut zs[c * d..(c + 1) * d];
            let qd = &qdiags[c * d..(c + 1) * d];
            let mu = &means[c * d..(c + 1) * d];
            for j in 0..d {
                y[j] = xi[j] - mu[j];
                z[j] = qd[j] * y[j];
            }
            let lower = &icf[c * icf_sz + d..(c + 1) * icf_sz];
            let mut l = 0;
            for col in 0..d {
                let yc = y[col];
                for (zr, lv) in z[col + 1..].iter_mut().zip(&lower[l..]) {
                    *zr += lv * yc;
                }
                l += d - 1 - col;
            }
            let sq: f64 = z.iter().map(|v| v * v).sum();
            terms[c] = alphas[c] + sum_qs[c] - 0.5 * sq;
        }
        let mx = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut se = 0.0;
        for t in terms.iter_mut() {
            *t = (*t - mx).exp();
            se += *t;
        }
        slse += se.ln() + mx;
        let inv_se = 1.0 / se;

        // Accumulate w_c times the partials of the main term of component c.
        for c in 0..k {
            let w = terms[c] * inv_se;
            d_alphas[c] += w;
            let y = &ys[c * d..(c + 1) * d];
            let z = &zs[c * d..(c + 1) * d];
            let qd = &qdiags[c * d..(c + 1) * d];
            let lower = &icf[c * icf_sz + d..(c + 1) * icf_sz];
            let (g_diag, g_lower) = d_icf[c * icf_sz..(c + 1) * icf_sz].split_at_mut(d);
            let g_mu = &mut d_means[c * d..(c + 1) * d];
            let mut l = 0;
            for col in 0..d {
                let m = d - 1 - col;
                // (Q^T z)_col = e^{q_col} z_col + Σ_{row > col} L[row, col] z_row.
                let mut qtz = qd[col] * z[col];
                let wy = w * y[col];
                for ((lv, gl), zr) in lower[l..l + m]
                    .iter()
                    .zip(&mut g_lower[l..l + m])
                    .zip(&z[col + 1..])
                {
                    qtz += lv * zr;
                    *gl -= wy * zr;
                }
                g_mu[col] += w * qtz;
                g_diag[col] += w - wy * z[col] * qd[col];
                l += m;
            }
        }
    }

    // -n logsumexp(α).
    let amax = alphas.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let asum: f64 = alphas.iter().map(|a| (a - amax).exp()).sum();
    let lse_alphas = asum.ln() + amax;
    let nf = n as f64;
    for (g, a) in d_alphas.iter_mut().zip(alphas) {
        *g -= nf * (a - amax).exp() / asum;
    }

    // The Wishart prior.
    let g2 = wishart_gamma * wishart_gamma;
    let mf = wishart_m as f64;
    let mut prior = 0.0;
    for (((qc, gc), qd), s) in icf
        .chunks_exact(icf_sz)
        .zip(d_icf.chunks_exact_mut(icf_sz))
        .zip(qdiags.chunks_exact(d))
        .zip(&sum_qs)
    {
        let mut frobenius = 0.0;
        for (g, e) in gc[..d].iter_mut().zip(qd) {
            frobenius += e * e;
            *g += g2 * e * e - mf;
        }
        for (g, l) in gc[d..].iter_mut().zip(&qc[d..]) {
            frobenius += l * l;
            *g += g2 * l;
        }
        prior += 0.5 * g2 * frobenius - mf * s;
    }
    let nw = d + wishart_m + 1;
    let wishart_c =
        (nw * d) as f64 * (wishart_gamma.ln() - 0.5 * std::f64::consts::LN_2) - log_gamma_d;

    let constant = -nf * d as f64 * 0.5 * (2.0 * std::f64::consts::PI).ln();
    let value = constant + slse - nf * lse_alphas + prior - k as f64 * wishart_c;
    (value, d_alphas, d_means, d_icf)
}

/// One GMM instance: the parameters, the points and the prior.
pub struct GmmData {
    /// The dimension.
    pub d: usize,
    /// The number of components.
    pub k: usize,
    /// `k` unnormalized log weights.
    pub alphas: Vec<f64>,
    /// `k * d` means.
    pub means: Vec<f64>,
    /// `k * d (d + 1) / 2` inverse covariance factors.
    pub icf: Vec<f64>,
    /// `n * d` points.
    pub x: Vec<f64>,
    /// The Wishart prior's `gamma`.
    pub gamma: f64,
    /// The Wishart prior's `m`.
    pub m: usize,
    /// [`wishart_log_gamma`]`(d, m)`.
    pub log_gamma_d: f64,
}

impl GmmData {
    /// A seeded random instance with `n` points in `d` dimensions and `k` components, in the
    /// spirit of ADBench's generator: standard normal-ish means, points and log weights, small
    /// inverse covariance factors, `gamma = 1`, `m = 0`.
    pub fn random(d: usize, k: usize, n: usize, seed: u64) -> GmmData {
        let mut rng = seed | 1;
        let mut normal = move || {
            // The sum of four uniforms in [-1, 1), scaled to unit variance.
            let mut s = 0.0;
            for _ in 0..4 {
                rng ^= rng >> 12;
                rng ^= rng << 25;
                rng ^= rng >> 27;
                let bits = rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
                s += (bits as f64 / (1u64 << 53) as f64) * 2.0 - 1.0;
            }
            s * (3.0f64 / 4.0).sqrt()
        };
        let icf_sz = d * (d + 1) / 2;
        let alphas = (0..k).map(|_| normal()).collect();
        let means = (0..k * d).map(|_| normal()).collect();
        let icf = (0..k * icf_sz).map(|_| 0.3 * normal()).collect();
        let x = (0..n * d).map(|_| normal()).collect();
        GmmData {
            d,
            k,
            alphas,
            means,
            icf,
            x,
            gamma: 1.0,
            m: 0,
            log_gamma_d: wishart_log_gamma(d, 0),
        }
    }

    /// [`gmm_objective`] on this instance.
    pub fn objective(&self) -> f64 {
        gmm_objective(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.gamma,
            self.m,
            self.log_gamma_d,
            self.d,
            self.k,
        )
    }

    /// The compiled gradient `gmm_objective_grad` on this instance.
    pub fn compiled(&self) -> GmmGrad {
        gmm_objective_grad(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.gamma,
            self.m,
            self.log_gamma_d,
            self.d,
            self.k,
        )
    }

    /// The hand-written gradient [`gmm_hand`] on this instance.
    pub fn hand(&self) -> GmmGrad {
        gmm_hand(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.gamma,
            self.m,
            self.log_gamma_d,
            self.d,
            self.k,
        )
    }

    /// All the parameters in one vector: alphas, means, icf (ADBench's gradient order).
    pub fn params(&self) -> Vec<f64> {
        [&self.alphas[..], &self.means, &self.icf].concat()
    }

    /// [`gmm_objective`] at the parameters `p` (in [`GmmData::params`] order), on this
    /// instance's data.
    pub fn objective_at(&self, p: &[f64]) -> f64 {
        let (a, rest) = p.split_at(self.k);
        let (mu, q) = rest.split_at(self.k * self.d);
        gmm_objective(
            a,
            mu,
            q,
            &self.x,
            self.gamma,
            self.m,
            self.log_gamma_d,
            self.d,
            self.k,
        )
    }
}

/// `(value, gradient)` with the three gradients concatenated in ADBench's order.
pub fn flatten(g: &GmmGrad) -> (f64, Vec<f64>) {
    (g.0, [&g.1[..], &g.2, &g.3].concat())
}
