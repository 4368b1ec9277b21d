//! A gradient over a million points on every core: `_grad` summed over chunks with rayon.
//!
//! Run with `cargo run --release --example parallel`.
//!
//! The loss is a logistic regression's negative log-likelihood summed over 1,000,000 points
//! with 8 features each, drawn from a seed. A loss that is a sum over the data has a gradient
//! that is the sum of the chunks' gradients, so the companion can run on each chunk
//! independently and the results are added: that is all the parallel version does. The
//! example computes the gradient once with one call over the whole data set and once in
//! parallel over chunks, checks that values and gradients agree to 1e-12 relative (only the
//! order of the additions differs), times both (medians of 11 runs) and prints last
//! `parallel speedup: <ratio>x on <threads> threads`. `RAYON_NUM_THREADS` sets the number of
//! threads.

use std::time::Instant;

use grad::nn::Rng;
use grad::prelude::*;
use rayon::prelude::*;

/// Features per point.
const D: usize = 8;
/// Points in the data set.
const N: usize = 1_000_000;
/// Points per chunk in the parallel sum.
const CHUNK: usize = 50_000;

/// The negative log-likelihood of a logistic regression summed over the points given: point
/// `i` has features `xs[i d .. i d + d]` and label `ys[i]` in {0, 1}; `w[0..d]` are the
/// weights and `w[d]` the intercept.
#[differentiable(wrt(w))]
fn nll(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len() - 1;
    let mut s = 0.0;
    for i in 0..ys.len() {
        let mut z = w[d];
        for j in 0..d {
            z += w[j] * xs[i * d + j];
        }
        // ln(1 + e^z) - y z, in a form that stays finite for large |z|.
        s += z.max(0.0) + (-z.abs()).exp().ln_1p() - ys[i] * z;
    }
    s
}

/// The value and gradient of [`nll`] over all points, summed over chunks of `CHUNK` points
/// computed in parallel.
fn nll_grad_parallel(w: &[f64], xs: &[f64], ys: &[f64]) -> (f64, Vec<f64>) {
    xs.par_chunks(CHUNK * D)
        .zip(ys.par_chunks(CHUNK))
        .map(|(xs, ys)| nll_grad(w, xs, ys))
        .reduce(
            || (0.0, vec![0.0; w.len()]),
            |(value, mut gradient), (v, g)| {
                for (a, b) in gradient.iter_mut().zip(&g) {
                    *a += b;
                }
                (value + v, gradient)
            },
        )
}

/// `n` points of `d` features uniform in [-2, 2], labels drawn from a logistic model with
/// weights uniform in [-1, 1] and intercept -0.3.
fn data(n: usize, d: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let truth: Vec<f64> = (0..d).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let mut xs = Vec::with_capacity(n * d);
    let mut ys = Vec::with_capacity(n);
    for _ in 0..n {
        let mut z = -0.3;
        for w in &truth {
            let x = rng.uniform(-2.0, 2.0);
            xs.push(x);
            z += w * x;
        }
        let p = 1.0 / (1.0 + (-z).exp());
        ys.push(if rng.uniform(0.0, 1.0) < p { 1.0 } else { 0.0 });
    }
    (xs, ys)
}

/// The median time in milliseconds of 11 runs of `f`, and its last result.
fn timed<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut out = f(); // warm-up: the first call on each thread allocates its buffers
    for _ in 0..11 {
        let t = Instant::now();
        out = f();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], out)
}

fn main() {
    let (xs, ys) = data(N, D, 2026);
    let w: Vec<f64> = (0..=D).map(|j| 0.1 * j as f64 - 0.4).collect();
    println!("logistic loss over {N} points, {D} features, chunks of {CHUNK} points");

    let (ms_seq, (value, gradient)) = timed(|| nll_grad(&w, &xs, &ys));
    let (ms_par, (value_par, gradient_par)) = timed(|| nll_grad_parallel(&w, &xs, &ys));

    let scale = gradient.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
    let gradient_diff = gradient
        .iter()
        .zip(&gradient_par)
        .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()))
        / scale;
    let value_diff = (value - value_par).abs() / value.abs();
    println!("value {value:.6}, |gradient|_max {scale:.6}");
    println!(
        "relative difference, parallel vs sequential: value {value_diff:.1e}, gradient {gradient_diff:.1e}"
    );
    assert!(
        value_diff <= 1e-12 && gradient_diff <= 1e-12,
        "the chunked gradient must agree with the sequential one"
    );
    println!("sequential: one nll_grad call, {ms_seq:.2} ms");
    println!(
        "parallel: nll_grad over {} chunks, {ms_par:.2} ms",
        N.div_ceil(CHUNK)
    );
    println!(
        "parallel speedup: {:.2}x on {} threads",
        ms_seq / ms_par,
        rayon::current_num_threads()
    );
}
