//! The network of `examples/moons.rs`, written the way a network is written in plain Rust:
//! a `Layer` struct with a `forward` method, an `Mlp` struct holding the layers, a `loss`
//! method. `#[derive(Differentiable)]` makes the structs gradients of themselves, and
//! `#[differentiable]` on the methods generates `loss_grad`, whose gradient is an `Mlp`.
//!
//! ```sh
//! cargo run --release --example mlp_struct
//! ```
//!
//! Same data, same starting weights and same steps as `examples/moons.rs`, so it ends at the
//! same loss. The last line printed is `final loss <x>, accuracy <p>%`.

#[path = "moons/data.rs"]
#[allow(dead_code)] // the plotting helpers of examples/moons.rs
mod data;

use grad::nn::Rng;
use grad::prelude::*;

/// Neurons in each hidden layer.
const H: usize = 16;
/// The weight of the L2 penalty `α Σ p²`.
const ALPHA: f64 = 1e-4;

/// `b.len()` neurons on `n_in` inputs: neuron `j`'s weights are `w[j n_in..(j + 1) n_in]`.
#[derive(Clone, Debug, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: Vec<f64>,
    n_in: usize,
}

impl Layer {
    /// micrograd's start: weights uniform in `[-1, 1)`, biases zero.
    fn new(n_in: usize, n_out: usize, rng: &mut Rng) -> Layer {
        let w = (0..n_in * n_out).map(|_| rng.uniform(-1.0, 1.0)).collect();
        let b = vec![0.0; n_out];
        Layer { w, b, n_in }
    }

    /// `out = relu(W x + b)`.
    #[allow(clippy::needless_range_loop)] // index loops read like the math
    #[differentiable]
    fn forward(&self, x: &[f64], out: &mut [f64]) {
        for j in 0..self.b.len() {
            let mut act = self.b[j];
            for i in 0..self.n_in {
                act += self.w[j * self.n_in + i] * x[i];
            }
            out[j] = act.relu();
        }
    }
}

/// `MLP(2, [16, 16, 1])`: two hidden ReLU layers and a linear output neuron. (`pub` only
/// because `benches/workloads` times this very file against the flat-slice `moons_loss`.)
#[derive(Clone, Debug, Differentiable)]
pub struct Mlp {
    layers: Vec<Layer>,
}

impl Mlp {
    /// The same parameters as `grad::nn::MLP::new(2, &[16, 16, 1], seed)`.
    pub fn new(seed: u64) -> Mlp {
        let mut rng = Rng::new(seed);
        let sizes = [2, H, H, 1];
        let layers = sizes
            .windows(2)
            .map(|s| Layer::new(s[0], s[1], &mut rng))
            .collect();
        Mlp { layers }
    }

    /// The score of the point `x`: positive means label `+1`.
    #[allow(clippy::needless_range_loop)]
    #[differentiable]
    pub fn score(&self, x: &[f64]) -> f64 {
        let mut h1 = [0.0; H];
        self.layers[0].forward(x, &mut h1);
        let mut h2 = [0.0; H];
        self.layers[1].forward(&h1, &mut h2);
        let mut s = self.layers[2].b[0];
        for k in 0..H {
            s += self.layers[2].w[k] * h2[k];
        }
        s
    }

    /// micrograd's loss: the mean max-margin loss `relu(1 - y score)` over the points (`xs`
    /// holds them flat: `x₀, y₀, x₁, y₁, ...`), plus `α Σ p²`.
    #[differentiable]
    pub fn loss(&self, xs: &[f64], ys: &[f64]) -> f64 {
        let mut data_loss = 0.0;
        for i in 0..ys.len() {
            data_loss += (1.0 - ys[i] * self.score(&xs[2 * i..2 * i + 2])).relu();
        }
        let mut reg = 0.0; // neuron by neuron, in the flat loss's order (the same sum to the bit)
        for layer in &self.layers {
            for j in 0..layer.b.len() {
                for i in 0..layer.n_in {
                    let w = layer.w[j * layer.n_in + i];
                    reg += w * w;
                }
                reg += layer.b[j] * layer.b[j];
            }
        }
        data_loss / ys.len() as f64 + ALPHA * reg
    }

    /// The share of points classified right.
    fn accuracy(&self, xs: &[f64], ys: &[f64]) -> f64 {
        let right = xs
            .chunks_exact(2)
            .zip(ys)
            .filter(|(x, &y)| (y > 0.0) == (self.score(x) > 0.0))
            .count();
        right as f64 / ys.len() as f64
    }
}

fn main() {
    let moons = data::moons(100, 0.1, 1);
    let (xs, ys) = (&moons.xs, &moons.ys);
    let mut mlp = Mlp::new(1);
    let steps = 100;
    for k in 0..steps {
        let (loss, grad, _, _) = mlp.loss_grad(xs, ys);
        if k % 20 == 0 {
            let accuracy = 100.0 * mlp.accuracy(xs, ys);
            println!("step {k:>3}: loss {loss:.4}, accuracy {accuracy:.0}%");
        }
        let learning_rate = 1.0 - 0.9 * k as f64 / steps as f64;
        mlp.axpy(-learning_rate, &grad); // SGD over the whole struct
    }
    println!(
        "final loss {:.6}, accuracy {:.0}%",
        mlp.loss(xs, ys),
        100.0 * mlp.accuracy(xs, ys)
    );
}
