//! ADBench's GMM objective (`gmm::gmm_objective`) on the two peers of the compiled gradient: the
//! tape engine and forward mode with `num-dual`. Both follow the plain function line by line,
//! with the same variables in the same order, so their values agree with it to rounding.

use super::forward::dual_passes;
use super::gmm::GmmData;
use grad::tape::Value;
use num_dual::DualNum;

/// The tape engine on `gmm::gmm_objective`, micrograd-style: one `Value` per parameter, the points
/// as constants. Returns the value and the gradient in ADBench's order (alphas, means, icf, as
/// `gmm::flatten`). Index loops, as in the plain function.
#[allow(clippy::needless_range_loop)]
pub fn gmm_tape(g: &GmmData) -> (f64, Vec<f64>) {
    let (d, k) = (g.d, g.k);
    let n = g.x.len() / d;
    let icf_sz = d * (d + 1) / 2;
    let leaves = |v: &[f64]| -> Vec<Value> { v.iter().map(|&x| Value::new(x)).collect() };
    let (alphas, means, icf) = (leaves(&g.alphas), leaves(&g.means), leaves(&g.icf));

    let mut qdiags = Vec::with_capacity(k * d);
    let mut sum_qs = Vec::with_capacity(k);
    for c in 0..k {
        let mut s = Value::new(0.0);
        for j in 0..d {
            let q = &icf[c * icf_sz + j];
            s += q;
            qdiags.push(q.exp());
        }
        sum_qs.push(s);
    }

    let mut slse = Value::new(0.0);
    for i in 0..n {
        let main_term: Vec<Value> = (0..k)
            .map(|c| {
                let xcentered: Vec<Value> =
                    (0..d).map(|j| g.x[i * d + j] - &means[c * d + j]).collect();
                let mut qx: Vec<Value> =
                    (0..d).map(|j| &qdiags[c * d + j] * &xcentered[j]).collect();
                let mut l = c * icf_sz + d;
                for col in 0..d {
                    for row in col + 1..d {
                        qx[row] += &icf[l] * &xcentered[col];
                        l += 1;
                    }
                }
                let mut sq = Value::new(0.0);
                for q in &qx {
                    sq += q * q;
                }
                &alphas[c] + &sum_qs[c] - 0.5 * sq
            })
            .collect();
        let mut mx = main_term[0].clone();
        for t in &main_term[1..] {
            mx = mx.max(t);
        }
        let mut se = Value::new(0.0);
        for t in &main_term {
            se += (t - &mx).exp();
        }
        slse += se.ln() + mx;
    }

    let mut amax = alphas[0].clone();
    for a in &alphas[1..] {
        amax = amax.max(a);
    }
    let mut asum = Value::new(0.0);
    for a in &alphas {
        asum += (a - &amax).exp();
    }
    let lse_alphas = asum.ln() + amax;

    let nw = d + g.m + 1;
    let wishart_c = (nw * d) as f64 * (g.gamma.ln() - 0.5 * std::f64::consts::LN_2) - g.log_gamma_d;
    let mut prior = Value::new(0.0);
    for c in 0..k {
        let mut frobenius = Value::new(0.0);
        for q in &qdiags[c * d..(c + 1) * d] {
            frobenius += q * q;
        }
        for l in &icf[c * icf_sz + d..(c + 1) * icf_sz] {
            frobenius += l * l;
        }
        prior += 0.5 * g.gamma * g.gamma * frobenius - g.m as f64 * &sum_qs[c];
    }

    let constant = -(n as f64) * d as f64 * 0.5 * (2.0 * std::f64::consts::PI).ln();
    let value = constant + slse - n as f64 * lse_alphas + prior - k as f64 * wishart_c;
    value.backward();
    let grads = alphas.iter().chain(&means).chain(&icf).map(Value::grad);
    (value.data(), grads.collect())
}

/// `gmm::gmm_objective` on dual numbers, for forward mode.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
pub fn gmm_objective_dual<D: DualNum<Primitive = f64> + Copy>(
    alphas: &[D],
    means: &[D],
    icf: &[D],
    x: &[f64],
    wishart_gamma: f64,
    wishart_m: usize,
    log_gamma_d: f64,
    d: usize,
    k: usize,
) -> D {
    let zero = D::from(0.0);
    let n = x.len() / d;
    let icf_sz = d * (d + 1) / 2;

    let mut qdiags = vec![zero; k * d];
    let mut sum_qs = vec![zero; k];
    for c in 0..k {
        let mut s = zero;
        for j in 0..d {
            let q = icf[c * icf_sz + j];
            s += q;
            qdiags[c * d + j] = q.exp();
        }
        sum_qs[c] = s;
    }

    let mut xcentered = vec![zero; d];
    let mut qx = vec![zero; d];
    let mut main_term = vec![zero; k];
    let mut slse = zero;
    for i in 0..n {
        for c in 0..k {
            for j in 0..d {
                // x - μ, as -(μ - x): the same rounding.
                xcentered[j] = -(means[c * d + j] - x[i * d + j]);
                qx[j] = qdiags[c * d + j] * xcentered[j];
            }
            let mut l = c * icf_sz + d;
            for col in 0..d {
                for row in col + 1..d {
                    qx[row] += icf[l] * xcentered[col];
                    l += 1;
                }
            }
            let mut sq = zero;
            for q in &qx {
                sq += *q * *q;
            }
            main_term[c] = alphas[c] + sum_qs[c] - sq * 0.5;
        }
        let mut mx = main_term[0];
        for t in &main_term[1..] {
            if t.re() > mx.re() {
                mx = *t;
            }
        }
        let mut se = zero;
        for t in &main_term {
            se += (*t - mx).exp();
        }
        slse += se.ln() + mx;
    }

    let mut amax = alphas[0];
    for a in &alphas[1..] {
        if a.re() > amax.re() {
            amax = *a;
        }
    }
    let mut asum = zero;
    for a in alphas {
        asum += (*a - amax).exp();
    }
    let lse_alphas = asum.ln() + amax;

    let nw = d + wishart_m + 1;
    let wishart_c =
        (nw * d) as f64 * (wishart_gamma.ln() - 0.5 * std::f64::consts::LN_2) - log_gamma_d;
    let mut prior = zero;
    for c in 0..k {
        let mut frobenius = zero;
        for q in &qdiags[c * d..(c + 1) * d] {
            frobenius += *q * *q;
        }
        for l in &icf[c * icf_sz + d..(c + 1) * icf_sz] {
            frobenius += *l * *l;
        }
        prior += frobenius * (0.5 * wishart_gamma * wishart_gamma) - sum_qs[c] * wishart_m as f64;
    }

    let constant = -(n as f64) * d as f64 * 0.5 * (2.0 * std::f64::consts::PI).ln();
    slse + constant - lse_alphas * n as f64 + prior - k as f64 * wishart_c
}

/// Forward mode on `gmm::gmm_objective`: one pass of `Dual64` per parameter. Returns the value and
/// the gradient in ADBench's order.
pub fn gmm_forward(g: &GmmData) -> (f64, Vec<f64>) {
    let (d, k) = (g.d, g.k);
    dual_passes(&g.params(), |p| {
        let (alphas, rest) = p.split_at(k);
        let (means, icf) = rest.split_at(k * d);
        gmm_objective_dual(alphas, means, icf, &g.x, g.gamma, g.m, g.log_gamma_d, d, k)
    })
}

/// The number of parameters of a GMM with `d` dimensions and `k` components: the number of
/// forward passes [`gmm_forward`] makes.
pub fn gmm_params(d: usize, k: usize) -> usize {
    k + k * d + k * d * (d + 1) / 2
}
