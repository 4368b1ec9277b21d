//! ADBench's LSTM objective (`src/python/modules/PyTorch/lstm_objective.py` and the C++
//! `lstm.h`): a stack of [`LSTM_L`] LSTM layers with element-wise ("diagonal") weights and
//! hidden size [`LSTM_B`], run over a sequence of [`LSTM_C`] vectors; each step predicts the
//! next vector, and the objective is minus the mean log-softmax of the predictions weighted by
//! the next vector.
//!
//! Parameters, all flat (ADBench's layout):
//!
//! - `main[L * 8 * B]`: layer `l`'s weights `main[8Bl..8Bl + 4B]` (forget, input, output,
//!   change gates) then its biases `main[8Bl + 4B..8B(l + 1)]`;
//! - `extra[3 * B]`: the input scale, the output scale and the output bias;
//! - `state[L * 2 * B]`: layer `l`'s hidden state `state[2Bl..2Bl + B]`, then its cell;
//! - `sequence[C * B]`: step `t`'s vector is `sequence[Bt..B(t + 1)]`.
//!
//! Two forms of the same computation, operation for operation:
//!
//! - [`lstm_objective`], written as a user writes it: `lstm_model` updates one layer's hidden
//!   state and cell in place (`&mut` slices), `lstm_predict` runs the layers and returns the
//!   prediction as an array, `log_softmax_dot` is the loss of one step; its gradient goes
//!   through the helpers' generated `_pullback`s (checkpoints);
//! - [`lstm_inlined`], the same computation inlined by hand into one `#[differentiable]`
//!   function (the reference the natural form is measured against).

// Loops over indices, as in ADBench's C++ and as the macro requires today.
#![allow(clippy::needless_range_loop)]

use super::Rng;
use grad::prelude::*;

/// Layers.
pub const LSTM_L: usize = 2;
/// Hidden size (ADBench's `b`).
pub const LSTM_B: usize = 14;
/// Sequence length (ADBench's `c`): `LSTM_C - 1` steps.
pub const LSTM_C: usize = 20;
/// The length of the state of all layers, hidden states or cells: `LSTM_L * LSTM_B`.
pub const LSTM_LB: usize = 28;

/// One LSTM layer (ADBench's `lstm_model`): updates `hidden` and `cell` in place from `input`.
/// `w` holds the layer's four gate weights, then its four gate biases, `hidden.len()` each.
#[differentiable]
pub fn lstm_model(w: &[f64], hidden: &mut [f64], cell: &mut [f64], input: &[f64]) {
    let b = hidden.len();
    for i in 0..b {
        let forget = (input[i] * w[i] + w[4 * b + i]).sigmoid();
        let ingate = (hidden[i] * w[b + i] + w[5 * b + i]).sigmoid();
        let outgate = (input[i] * w[2 * b + i] + w[6 * b + i]).sigmoid();
        let change = (hidden[i] * w[3 * b + i] + w[7 * b + i]).tanh();
        cell[i] = cell[i] * forget + ingate * change;
        hidden[i] = outgate * cell[i].tanh();
    }
}

/// ADBench's `lstm_predict`: the input scaled, through every layer (each layer's new hidden
/// state is the next one's input), then scaled and shifted.
#[differentiable]
pub fn lstm_predict(
    main: &[f64],
    extra: &[f64],
    hidden: &mut [f64],
    cell: &mut [f64],
    input: &[f64],
) -> [f64; LSTM_B] {
    let b = input.len();
    let mut x = [0.0; LSTM_B];
    for i in 0..b {
        x[i] = input[i] * extra[i];
    }
    for l in 0..hidden.len() / b {
        lstm_model(
            &main[8 * b * l..8 * b * (l + 1)],
            &mut hidden[b * l..b * (l + 1)],
            &mut cell[b * l..b * (l + 1)],
            &x,
        );
        for i in 0..b {
            x[i] = hidden[b * l + i];
        }
    }
    let mut y = [0.0; LSTM_B];
    for i in 0..b {
        y[i] = x[i] * extra[b + i] + extra[2 * b + i];
    }
    y
}

/// `Σ gold_i log_softmax(pred)_i`.
#[differentiable]
pub fn log_softmax_dot(pred: &[f64], gold: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..pred.len() {
        sum += pred[i].exp();
    }
    let lse = sum.ln();
    let mut total = 0.0;
    for i in 0..pred.len() {
        total += gold[i] * (pred[i] - lse);
    }
    total
}

/// ADBench's `lstm_objective`, as a user writes it: the state copied into local arrays, one
/// prediction per step through the helpers.
#[allow(unused_assignments)]
#[differentiable(wrt(main, extra))]
pub fn lstm_objective(main: &[f64], extra: &[f64], state: &[f64], sequence: &[f64]) -> f64 {
    let b = LSTM_B;
    let layers = state.len() / (2 * b);
    let mut hidden = [0.0; LSTM_LB];
    let mut cell = [0.0; LSTM_LB];
    for l in 0..layers {
        for i in 0..b {
            hidden[b * l + i] = state[2 * b * l + i];
            cell[b * l + i] = state[2 * b * l + b + i];
        }
    }
    let steps = sequence.len() / b - 1;
    let mut total = 0.0;
    // Declared outside the loop: `let pred = lstm_predict(...)` inside the loop body does not
    // compile yet (the reverse sweep names the forward loop's local; see the README).
    let mut pred = [0.0; LSTM_B];
    for t in 0..steps {
        pred = lstm_predict(
            main,
            extra,
            &mut hidden,
            &mut cell,
            &sequence[b * t..b * (t + 1)],
        );
        total += log_softmax_dot(&pred, &sequence[b * (t + 1)..b * (t + 2)]);
    }
    -total / (steps * b) as f64
}

/// [`lstm_objective`] inlined by hand into one function: the same operations in the same order.
#[differentiable(wrt(main, extra))]
pub fn lstm_inlined(main: &[f64], extra: &[f64], state: &[f64], sequence: &[f64]) -> f64 {
    let b = LSTM_B;
    let layers = state.len() / (2 * b);
    let mut hidden = [0.0; LSTM_LB];
    let mut cell = [0.0; LSTM_LB];
    for l in 0..layers {
        for i in 0..b {
            hidden[b * l + i] = state[2 * b * l + i];
            cell[b * l + i] = state[2 * b * l + b + i];
        }
    }
    let steps = sequence.len() / b - 1;
    let mut total = 0.0;
    let mut x = [0.0; LSTM_B];
    let mut y = [0.0; LSTM_B];
    for t in 0..steps {
        for i in 0..b {
            x[i] = sequence[b * t + i] * extra[i];
        }
        for l in 0..layers {
            let w = 8 * b * l;
            for i in 0..b {
                let h = b * l + i;
                let forget = (x[i] * main[w + i] + main[w + 4 * b + i]).sigmoid();
                let ingate = (hidden[h] * main[w + b + i] + main[w + 5 * b + i]).sigmoid();
                let outgate = (x[i] * main[w + 2 * b + i] + main[w + 6 * b + i]).sigmoid();
                let change = (hidden[h] * main[w + 3 * b + i] + main[w + 7 * b + i]).tanh();
                cell[h] = cell[h] * forget + ingate * change;
                hidden[h] = outgate * cell[h].tanh();
            }
            for i in 0..b {
                x[i] = hidden[b * l + i];
            }
        }
        for i in 0..b {
            y[i] = x[i] * extra[b + i] + extra[2 * b + i];
        }
        let mut sum = 0.0;
        for i in 0..b {
            sum += y[i].exp();
        }
        let lse = sum.ln();
        let mut step = 0.0;
        for i in 0..b {
            step += sequence[b * (t + 1) + i] * (y[i] - lse);
        }
        total += step;
    }
    -total / (steps * b) as f64
}

/// A seeded random instance: `(main, extra, state, sequence)`.
pub struct LstmData {
    pub main: Vec<f64>,
    pub extra: Vec<f64>,
    pub state: Vec<f64>,
    pub sequence: Vec<f64>,
}

impl LstmData {
    /// [`LSTM_L`] layers of size [`LSTM_B`] over [`LSTM_C`] steps, uniform in `[-1, 1)`.
    pub fn random(seed: u64) -> LstmData {
        let mut rng = Rng(seed);
        let mut v = |n: usize| (0..n).map(|_| rng.uniform()).collect::<Vec<f64>>();
        LstmData {
            main: v(LSTM_L * 8 * LSTM_B),
            extra: v(3 * LSTM_B),
            state: v(LSTM_L * 2 * LSTM_B),
            sequence: v(LSTM_C * LSTM_B),
        }
    }

    pub fn objective(&self) -> f64 {
        lstm_objective(&self.main, &self.extra, &self.state, &self.sequence)
    }

    pub fn natural(&self) -> (f64, Vec<f64>, Vec<f64>) {
        lstm_objective_grad(&self.main, &self.extra, &self.state, &self.sequence)
    }

    pub fn inlined(&self) -> (f64, Vec<f64>, Vec<f64>) {
        lstm_inlined_grad(&self.main, &self.extra, &self.state, &self.sequence)
    }

    /// The objective at `p`, the main parameters followed by the extra ones.
    pub fn objective_at(&self, p: &[f64]) -> f64 {
        let (main, extra) = p.split_at(self.main.len());
        lstm_objective(main, extra, &self.state, &self.sequence)
    }

    /// The main parameters followed by the extra ones.
    pub fn params(&self) -> Vec<f64> {
        self.main.iter().chain(&self.extra).copied().collect()
    }
}
