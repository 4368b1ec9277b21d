//! micrograd's moons classifier, `MLP(2, [16, 16, 1])` with the max-margin loss, trained by
//! gradient descent on the whole data set: once with the loss compiled by `#[differentiable]`
//! and once on the tape engine through [`grad::nn`], from the same initial parameters.
//!
//! The compiled loss takes the parameters as one flat slice in [`grad::nn::MLP`]'s layout:
//! layer by layer, neuron by neuron, each neuron's weights then its bias.

use grad::nn::MLP;
use grad::prelude::*;
use grad::tape::Value;
use std::time::{Duration, Instant};

/// Neurons in each hidden layer.
pub const H: usize = 16;
/// Where the second hidden layer starts in the parameters: after 16 neurons × (2 weights +
/// bias).
pub const L2: usize = 3 * H;
/// Where the output neuron starts: after 16 neurons × (16 weights + bias).
pub const L3: usize = L2 + (H + 1) * H;
/// The number of parameters: the output neuron's 16 weights and bias come last.
pub const PARAMS: usize = L3 + H + 1;
/// The weight of the L2 penalty `α Σ p²`.
pub const ALPHA: f64 = 1e-4;

/// micrograd's training loss on the whole data set: the mean over the points of the
/// max-margin loss `relu(1 - yᵢ scoreᵢ)`, plus `α Σ p²`. `xs` holds the points flat
/// (`x₀, y₀, x₁, y₁, ...`), `ys` the labels (±1).
///
/// One function, written as plain Rust; `#[differentiable(wrt(p))]` generates `loss_grad`,
/// which returns the loss and its gradient with respect to the 337 parameters.
#[allow(clippy::needless_range_loop)] // index loops read like the math
#[differentiable(wrt(p))]
pub fn loss(p: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let n = ys.len();
    let mut data_loss = 0.0;
    for i in 0..n {
        let mut h1 = [0.0; H]; // hidden layer 1: 16 ReLU neurons on the point
        for j in 0..H {
            let o = 3 * j;
            let mut act = p[o + 2];
            act += p[o] * xs[2 * i];
            act += p[o + 1] * xs[2 * i + 1];
            h1[j] = act.relu();
        }
        let mut h2 = [0.0; H]; // hidden layer 2: 16 ReLU neurons on layer 1
        for j in 0..H {
            let o = L2 + (H + 1) * j;
            let mut act = p[o + H];
            for k in 0..H {
                act += p[o + k] * h1[k];
            }
            h2[j] = act.relu();
        }
        let mut score = p[L3 + H]; // the output neuron is linear
        for k in 0..H {
            score += p[L3 + k] * h2[k];
        }
        data_loss += (1.0 - ys[i] * score).relu();
    }
    let mut reg = 0.0;
    for &w in p {
        reg += w * w;
    }
    data_loss / n as f64 + ALPHA * reg
}

/// The network's score for the point `(x, y)`: positive means label `+1`. The same
/// arithmetic as in [`loss`], which cannot call it (a differentiable function cannot pass a
/// slice to another one yet).
#[allow(clippy::needless_range_loop)]
pub fn score(p: &[f64], x: f64, y: f64) -> f64 {
    let mut h1 = [0.0; H];
    for j in 0..H {
        let o = 3 * j;
        let mut act = p[o + 2];
        act += p[o] * x;
        act += p[o + 1] * y;
        h1[j] = act.relu();
    }
    let mut h2 = [0.0; H];
    for j in 0..H {
        let o = L2 + (H + 1) * j;
        let mut act = p[o + H];
        for k in 0..H {
            act += p[o + k] * h1[k];
        }
        h2[j] = act.relu();
    }
    let mut s = p[L3 + H];
    for k in 0..H {
        s += p[L3 + k] * h2[k];
    }
    s
}

/// The share of points the network classifies right: `(y > 0) == (score > 0)`.
pub fn accuracy(p: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let right = xs
        .chunks_exact(2)
        .zip(ys)
        .filter(|(x, &y)| (y > 0.0) == (score(p, x[0], x[1]) > 0.0))
        .count();
    right as f64 / ys.len() as f64
}

/// micrograd's `loss()` on the tape engine: builds the graph of the same loss as [`loss`]
/// through [`MLP::forward`] and returns it with the accuracy.
pub fn tape_loss(model: &MLP, xs: &[f64], ys: &[f64]) -> (Value, f64) {
    let scores: Vec<Value> = xs
        .chunks_exact(2)
        .map(|x| {
            model
                .forward(&[Value::new(x[0]), Value::new(x[1])])
                .remove(0)
        })
        .collect();
    let data_loss: Value = ys
        .iter()
        .zip(&scores)
        .map(|(&y, s)| (1.0 - y * s).relu())
        .sum();
    let reg: Value = model.parameters().iter().map(|p| p * p).sum();
    let total = data_loss / ys.len() as f64 + ALPHA * reg;
    let right = ys
        .iter()
        .zip(&scores)
        .filter(|(&y, s)| (y > 0.0) == (s.data() > 0.0))
        .count();
    (total, right as f64 / ys.len() as f64)
}

/// The learning rate of step `k` of `steps`: micrograd's `1.0 - 0.9 k / 100` for 100 steps.
pub fn learning_rate(k: usize, steps: usize) -> f64 {
    1.0 - 0.9 * k as f64 / steps as f64
}

/// What one training step reports: the loss and accuracy of the parameters it started from.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// The step number, from 0.
    pub k: usize,
    /// The loss before the update.
    pub loss: f64,
    /// The accuracy before the update.
    pub accuracy: f64,
}

/// The outcome of a training run.
#[derive(Clone, Debug)]
pub struct Run {
    /// The trained parameters, in the layout of [`loss`].
    pub params: Vec<f64>,
    /// The time each step took (loss, gradient, accuracy and update; not the reporting).
    pub step_times: Vec<Duration>,
}

/// Trains with the compiled gradient: `steps` steps of full-batch gradient descent from `p`,
/// calling `report` after each one.
pub fn train_compiled(
    mut p: Vec<f64>,
    xs: &[f64],
    ys: &[f64],
    steps: usize,
    mut report: impl FnMut(Step),
) -> Run {
    let mut step_times = Vec::with_capacity(steps);
    for k in 0..steps {
        let start = Instant::now();
        let (value, grad) = loss_grad(&p, xs, ys);
        let acc = accuracy(&p, xs, ys);
        let lr = learning_rate(k, steps);
        for (w, g) in p.iter_mut().zip(&grad) {
            *w -= lr * g;
        }
        step_times.push(start.elapsed());
        report(Step {
            k,
            loss: value,
            accuracy: acc,
        });
    }
    Run {
        params: p,
        step_times,
    }
}

/// Trains with the tape engine, micrograd's loop: `steps` steps of full-batch gradient
/// descent on `model`, calling `report` after each one.
pub fn train_tape(
    model: &mut MLP,
    xs: &[f64],
    ys: &[f64],
    steps: usize,
    mut report: impl FnMut(Step),
) -> Run {
    let mut step_times = Vec::with_capacity(steps);
    for k in 0..steps {
        let start = Instant::now();
        let (total, acc) = tape_loss(model, xs, ys);
        model.zero_grad();
        total.backward();
        model.sgd_step(learning_rate(k, steps));
        let value = total.data();
        drop(total); // freeing the graph is part of the step
        step_times.push(start.elapsed());
        report(Step {
            k,
            loss: value,
            accuracy: acc,
        });
    }
    Run {
        params: model.parameter_values(),
        step_times,
    }
}
