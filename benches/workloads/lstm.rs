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
//! Three forms of the same computation, operation for operation:
//!
//! - [`lstm_objective`], written as a user writes it: `lstm_model` updates one layer's hidden
//!   state and cell in place (`&mut` slices), `lstm_predict` runs the layers and returns the
//!   prediction as an array, `log_softmax_dot` is the loss of one step; its gradient goes
//!   through the helpers' generated `_pullback`s (checkpoints);
//! - [`lstm_inlined`], the same computation inlined by hand into one `#[differentiable]`
//!   function (the reference the natural form is measured against);
//! - [`lstm_hand`], a hand-written gradient of it.

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
    for t in 0..steps {
        let pred = lstm_predict(
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

/// A hand-written gradient of [`lstm_objective`] with respect to `main` and `extra`:
/// `(value, d_main, d_extra)`. The forward sweep stores, per step, layer and unit, the gate
/// input, the state on entry, the four gate values and `tanh` of the new cell (eight floats),
/// and per step the output layer's input and softmax; the reverse sweep walks them back. It
/// allocates its two gradients and two buffers per call.
pub fn lstm_hand(
    main: &[f64],
    extra: &[f64],
    state: &[f64],
    sequence: &[f64],
) -> (f64, Vec<f64>, Vec<f64>) {
    let b = LSTM_B;
    let layers = state.len() / (2 * b);
    let steps = sequence.len() / b - 1;
    let mut hidden = [0.0; LSTM_LB];
    let mut cell = [0.0; LSTM_LB];
    for l in 0..layers {
        hidden[b * l..b * (l + 1)].copy_from_slice(&state[2 * b * l..2 * b * l + b]);
        cell[b * l..b * (l + 1)].copy_from_slice(&state[2 * b * l + b..2 * b * (l + 1)]);
    }
    // Per (step, layer, unit): x_in, h, c, forget, ingate, outgate, change, tanh(c').
    let mut tape = vec![0.0; steps * layers * b * 8];
    // Per (step, unit): the last layer's output x, and the softmax of the prediction.
    let mut out = vec![0.0; steps * b * 2];
    let mut total = 0.0;
    let mut x = [0.0; LSTM_B];
    for t in 0..steps {
        for i in 0..b {
            x[i] = sequence[b * t + i] * extra[i];
        }
        for l in 0..layers {
            let w = &main[8 * b * l..8 * b * (l + 1)];
            let rec = &mut tape[(t * layers + l) * b * 8..(t * layers + l + 1) * b * 8];
            for i in 0..b {
                let h = hidden[b * l + i];
                let c = cell[b * l + i];
                let forget = (x[i] * w[i] + w[4 * b + i]).sigmoid();
                let ingate = (h * w[b + i] + w[5 * b + i]).sigmoid();
                let outgate = (x[i] * w[2 * b + i] + w[6 * b + i]).sigmoid();
                let change = (h * w[3 * b + i] + w[7 * b + i]).tanh();
                let c2 = c * forget + ingate * change;
                let tc = c2.tanh();
                rec[8 * i..8 * i + 8]
                    .copy_from_slice(&[x[i], h, c, forget, ingate, outgate, change, tc]);
                cell[b * l + i] = c2;
                hidden[b * l + i] = outgate * tc;
                x[i] = outgate * tc;
            }
        }
        let mut y = [0.0; LSTM_B];
        let mut sum = 0.0;
        for i in 0..b {
            y[i] = x[i] * extra[b + i] + extra[2 * b + i];
            sum += y[i].exp();
        }
        let lse = sum.ln();
        let mut step = 0.0;
        for i in 0..b {
            step += sequence[b * (t + 1) + i] * (y[i] - lse);
        }
        total += step;
        let o = &mut out[2 * b * t..2 * b * (t + 1)];
        for i in 0..b {
            o[i] = x[i];
            o[b + i] = (y[i] - lse).exp();
        }
    }
    let value = -total / (steps * b) as f64;

    let mut d_main = vec![0.0; main.len()];
    let mut d_extra = vec![0.0; extra.len()];
    let scale = -1.0 / (steps * b) as f64;
    let mut dh = [0.0; LSTM_LB];
    let mut dc = [0.0; LSTM_LB];
    for t in (0..steps).rev() {
        // The loss of step t: scale · Σ gold_i (y_i - lse(y)).
        let gold = &sequence[b * (t + 1)..b * (t + 2)];
        let o = &out[2 * b * t..2 * b * (t + 1)];
        let gsum: f64 = gold.iter().sum();
        let last = b * (layers - 1);
        for i in 0..b {
            let dy = scale * (gold[i] - o[b + i] * gsum);
            d_extra[b + i] += dy * o[i];
            d_extra[2 * b + i] += dy;
            dh[last + i] += dy * extra[b + i];
        }
        for l in (0..layers).rev() {
            let w = &main[8 * b * l..8 * b * (l + 1)];
            let dw = &mut d_main[8 * b * l..8 * b * (l + 1)];
            let rec = &tape[(t * layers + l) * b * 8..(t * layers + l + 1) * b * 8];
            for i in 0..b {
                let r = &rec[8 * i..8 * i + 8];
                let (x_in, h, c, forget, ingate, outgate, change, tc) =
                    (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
                let dh_new = dh[b * l + i];
                let d_out = dh_new * tc;
                let dc_new = dc[b * l + i] + dh_new * outgate * (1.0 - tc * tc);
                let dzf = dc_new * c * forget * (1.0 - forget);
                let dzi = dc_new * change * ingate * (1.0 - ingate);
                let dzo = d_out * outgate * (1.0 - outgate);
                let dzc = dc_new * ingate * (1.0 - change * change);
                dw[i] += dzf * x_in;
                dw[4 * b + i] += dzf;
                dw[b + i] += dzi * h;
                dw[5 * b + i] += dzi;
                dw[2 * b + i] += dzo * x_in;
                dw[6 * b + i] += dzo;
                dw[3 * b + i] += dzc * h;
                dw[7 * b + i] += dzc;
                dh[b * l + i] = dzi * w[b + i] + dzc * w[3 * b + i];
                dc[b * l + i] = dc_new * forget;
                let dx_in = dzf * w[i] + dzo * w[2 * b + i];
                if l > 0 {
                    dh[b * (l - 1) + i] += dx_in;
                } else {
                    d_extra[i] += dx_in * sequence[b * t + i];
                }
            }
        }
    }
    (value, d_main, d_extra)
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

    pub fn hand(&self) -> (f64, Vec<f64>, Vec<f64>) {
        lstm_hand(&self.main, &self.extra, &self.state, &self.sequence)
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
