//! micrograd's `nn.py` on the tape engine: [`Neuron`], [`Layer`] and [`MLP`], each with
//! `parameters()`, and the seeded generator [`Rng`] that initializes them.
//!
//! As in micrograd, a neuron computes `act = b + w₀x₀ + w₁x₁ + ...` (starting from the bias
//! and adding the terms left to right) and returns `act.relu()` on hidden layers and `act`
//! itself on the output layer; weights are drawn uniformly from `[-1, 1]` and biases start at
//! `0`. A forward pass builds a [`Value`] graph that [`Value::backward`] then differentiates.
//!
//! # Parameter layout
//!
//! [`MLP::parameters`] lists the parameters layer by layer, neuron by neuron, and within a
//! neuron its weights in input order followed by its bias (micrograd's order). For
//! `MLP::new(2, &[16, 16, 1], seed)` that is 16 × (2 + 1) = 48 parameters for the first
//! layer, then 16 × (16 + 1) = 272 for the second, then 16 + 1 for the output neuron: 337 in
//! all, the weights of neuron `j` of layer `l` at `offset(l) + j · (nin(l) + 1) + k` and its
//! bias right after them. [`MLP::parameter_values`], [`MLP::set_parameter_values`] and
//! [`MLP::gradients`] read and write the same layout as a flat `Vec<f64>`, so a compiled loss
//! over a flat parameter slice can start from exactly the same network.
//!
//! # Training
//!
//! The data of a [`Value`] is fixed once it is built, so where micrograd writes
//! `p.data -= learning_rate * p.grad`, [`MLP::sgd_step`] replaces every parameter with a fresh
//! leaf holding the updated value (and gradient `0`).
//!
//! ```
//! use grad_runtime::nn::MLP;
//! use grad_runtime::tape::Value;
//!
//! let mut model = MLP::new(2, &[4, 1], 7);
//! assert_eq!(model.num_parameters(), 4 * 3 + 5);
//! let x = [Value::new(0.5), Value::new(-1.0)];
//! for _ in 0..20 {
//!     let score = model.forward(&x).remove(0);
//!     let loss = (score - 3.0).powi(2); // fit the output 3 at x
//!     model.zero_grad();
//!     loss.backward();
//!     model.sgd_step(0.05);
//! }
//! let score = model.forward(&x).remove(0);
//! assert!((score.data() - 3.0).abs() < 0.1);
//! ```

use crate::tape::Value;

/// A tiny seeded pseudo-random generator: SplitMix64 (Steele, Lea and Flood, 2014), the
/// generator Java's `SplittableRandom` uses and the usual way to seed xoshiro.
///
/// Its state is one `u64` that advances by the odd constant `0x9e3779b97f4a7c15` on every
/// draw; the output is that state passed through a fixed mixing function. Every seed, `0`
/// included, gives a full-period (2⁶⁴) stream of good statistical quality. It is not
/// cryptographic. The streams are fixed: a given seed gives the same numbers on every platform
/// and in every version of this crate, so seeded networks and data sets are reproducible.
///
/// ```
/// use grad_runtime::nn::Rng;
///
/// let mut a = Rng::new(42);
/// let mut b = Rng::new(42);
/// let x = a.uniform(-1.0, 1.0);
/// assert!((-1.0..1.0).contains(&x));
/// assert_eq!(x, b.uniform(-1.0, 1.0));
/// ```
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose stream is determined by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`: the top 53 bits of [`next_u64`](Rng::next_u64) as a fraction
    /// `u` in `[0, 1)`, then `lo + (hi - lo) · u`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }
}

/// micrograd's `Neuron`: weights, a bias, and whether a ReLU follows.
#[derive(Clone, Debug)]
pub struct Neuron {
    w: Vec<Value>,
    b: Value,
    nonlin: bool,
}

impl Neuron {
    /// A neuron with `nin` inputs, weights drawn from `rng` uniformly in `[-1, 1)` (one draw
    /// per weight, in input order), bias `0`, and a ReLU when `nonlin` is true.
    pub fn new(nin: usize, nonlin: bool, rng: &mut Rng) -> Neuron {
        let w = (0..nin)
            .map(|_| Value::new(rng.uniform(-1.0, 1.0)))
            .collect();
        Neuron {
            w,
            b: Value::new(0.0),
            nonlin,
        }
    }

    /// `act = b + w₀x₀ + w₁x₁ + ...`, added left to right; `act.relu()` if the neuron is
    /// nonlinear, else `act`. micrograd's `__call__`.
    ///
    /// # Panics
    ///
    /// If `x` does not have one entry per weight.
    pub fn forward(&self, x: &[Value]) -> Value {
        assert_eq!(x.len(), self.w.len(), "a neuron takes one input per weight");
        let mut act = self.b.clone();
        for (wi, xi) in self.w.iter().zip(x) {
            act += wi * xi;
        }
        if self.nonlin {
            act.relu()
        } else {
            act
        }
    }

    /// The weights (in input order) followed by the bias.
    pub fn parameters(&self) -> Vec<Value> {
        let mut p = self.w.clone();
        p.push(self.b.clone());
        p
    }

    /// The number of inputs.
    pub fn nin(&self) -> usize {
        self.w.len()
    }

    /// Whether a ReLU follows the weighted sum.
    pub fn is_nonlinear(&self) -> bool {
        self.nonlin
    }

    /// Replaces every parameter by a fresh leaf taken from the front of `values` (layout of
    /// [`parameters`](Neuron::parameters)) and returns the rest.
    fn set_parameters<'a>(&mut self, values: &'a [f64]) -> &'a [f64] {
        let (mine, rest) = values.split_at(self.w.len() + 1);
        let (w, b) = mine.split_at(self.w.len());
        for (wi, &v) in self.w.iter_mut().zip(w) {
            *wi = Value::new(v);
        }
        self.b = Value::new(b[0]);
        rest
    }
}

/// micrograd's `Layer`: neurons that all see the same inputs.
#[derive(Clone, Debug)]
pub struct Layer {
    neurons: Vec<Neuron>,
}

impl Layer {
    /// `nout` neurons of `nin` inputs each, initialized one after the other from `rng` (see
    /// [`Neuron::new`]).
    pub fn new(nin: usize, nout: usize, nonlin: bool, rng: &mut Rng) -> Layer {
        let neurons = (0..nout).map(|_| Neuron::new(nin, nonlin, rng)).collect();
        Layer { neurons }
    }

    /// The output of every neuron on `x`, in neuron order. micrograd's `__call__`, except that
    /// a layer of one neuron still returns a vector (of length one).
    pub fn forward(&self, x: &[Value]) -> Vec<Value> {
        self.neurons.iter().map(|n| n.forward(x)).collect()
    }

    /// The parameters of every neuron, neuron after neuron.
    pub fn parameters(&self) -> Vec<Value> {
        self.neurons.iter().flat_map(Neuron::parameters).collect()
    }

    /// The neurons, in output order.
    pub fn neurons(&self) -> &[Neuron] {
        &self.neurons
    }
}

/// micrograd's `MLP`: fully connected layers, ReLU on every layer but the last.
///
/// ```
/// use grad_runtime::nn::MLP;
///
/// // micrograd's moons classifier: 2 inputs, two hidden layers of 16, one output.
/// let model = MLP::new(2, &[16, 16, 1], 1);
/// assert_eq!(model.num_parameters(), 337);
/// let p = model.parameter_values();
/// assert!(p[..2].iter().all(|w| (-1.0..1.0).contains(w)));
/// assert_eq!(p[2], 0.0); // the first neuron's bias
/// ```
#[derive(Clone, Debug)]
pub struct MLP {
    layers: Vec<Layer>,
}

impl MLP {
    /// A network with `nin` inputs and layers of `nouts[0]`, `nouts[1]`, ... neurons, the last
    /// one linear. Weights are drawn from [`Rng::new(seed)`](Rng::new) in parameter order
    /// (see the [module documentation](self)), biases are `0`.
    ///
    /// # Panics
    ///
    /// If `nouts` is empty.
    pub fn new(nin: usize, nouts: &[usize], seed: u64) -> MLP {
        assert!(!nouts.is_empty(), "an MLP needs at least one layer");
        let mut rng = Rng::new(seed);
        let mut sizes = Vec::with_capacity(nouts.len() + 1);
        sizes.push(nin);
        sizes.extend_from_slice(nouts);
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(i, s)| Layer::new(s[0], s[1], i + 1 != nouts.len(), &mut rng))
            .collect();
        MLP { layers }
    }

    /// Runs the layers one after the other on `x` and returns the outputs of the last one.
    /// micrograd's `__call__` (which unwraps a single output; here take element `0`).
    pub fn forward(&self, x: &[Value]) -> Vec<Value> {
        let mut x = x.to_vec();
        for layer in &self.layers {
            x = layer.forward(&x);
        }
        x
    }

    /// Every parameter, layer after layer, in the layout of the [module
    /// documentation](self). The handles are the network's own: after a `backward`, their
    /// [`grad`](Value::grad) is the gradient.
    pub fn parameters(&self) -> Vec<Value> {
        self.layers.iter().flat_map(Layer::parameters).collect()
    }

    /// The number of parameters (337 for `MLP::new(2, &[16, 16, 1], _)`).
    pub fn num_parameters(&self) -> usize {
        self.layers
            .iter()
            .flat_map(|l| &l.neurons)
            .map(|n| n.nin() + 1)
            .sum()
    }

    /// The layers, input side first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Sets the gradient of every parameter to `0` (micrograd's `zero_grad`).
    pub fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// The parameter values as one flat vector, in the order of [`parameters`](MLP::parameters).
    pub fn parameter_values(&self) -> Vec<f64> {
        self.parameters().iter().map(Value::data).collect()
    }

    /// The parameter gradients as one flat vector, in the order of
    /// [`parameters`](MLP::parameters).
    pub fn gradients(&self) -> Vec<f64> {
        self.parameters().iter().map(Value::grad).collect()
    }

    /// Replaces every parameter with a fresh leaf holding the corresponding entry of `values`
    /// (same layout as [`parameter_values`](MLP::parameter_values)), with gradient `0`.
    /// Graphs built before keep the old leaves.
    ///
    /// # Panics
    ///
    /// If `values` does not have [`num_parameters`](MLP::num_parameters) entries.
    ///
    /// ```
    /// use grad_runtime::nn::MLP;
    ///
    /// let a = MLP::new(2, &[3, 1], 1);
    /// let mut b = MLP::new(2, &[3, 1], 2);
    /// b.set_parameter_values(&a.parameter_values());
    /// assert_eq!(a.parameter_values(), b.parameter_values());
    /// ```
    pub fn set_parameter_values(&mut self, values: &[f64]) {
        assert_eq!(
            values.len(),
            self.num_parameters(),
            "one value per parameter"
        );
        let mut rest = values;
        for neuron in self.layers.iter_mut().flat_map(|l| &mut l.neurons) {
            rest = neuron.set_parameters(rest);
        }
    }

    /// One step of gradient descent: every parameter `p` becomes `p - learning_rate · p.grad`
    /// (micrograd's `p.data -= learning_rate * p.grad`), as a fresh leaf with gradient `0`.
    pub fn sgd_step(&mut self, learning_rate: f64) {
        let updated: Vec<f64> = self
            .parameters()
            .iter()
            .map(|p| p.data() - learning_rate * p.grad())
            .collect();
        self.set_parameter_values(&updated);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first outputs of SplitMix64 from seed 0, from its reference implementation.
    #[test]
    fn splitmix64_reference_stream() {
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(rng.next_u64(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn uniform_stays_in_range_and_covers_it() {
        let mut rng = Rng::new(3);
        let draws: Vec<f64> = (0..10_000).map(|_| rng.uniform(-1.0, 1.0)).collect();
        assert!(draws.iter().all(|x| (-1.0..1.0).contains(x)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!(draws.iter().any(|&x| x < -0.99) && draws.iter().any(|&x| x > 0.99));
    }

    #[test]
    fn micrograd_moons_model_has_337_parameters_in_layout_order() {
        let model = MLP::new(2, &[16, 16, 1], 5);
        assert_eq!(model.num_parameters(), 337);
        assert_eq!(model.parameters().len(), 337);
        let sizes: Vec<(usize, usize, bool)> = model
            .layers()
            .iter()
            .map(|l| {
                (
                    l.neurons().len(),
                    l.neurons()[0].nin(),
                    l.neurons()[0].is_nonlinear(),
                )
            })
            .collect();
        assert_eq!(sizes, [(16, 2, true), (16, 16, true), (1, 16, false)]);
        // Biases are zero and sit after each neuron's weights; weights are drawn in order.
        let p = model.parameter_values();
        let mut rng = Rng::new(5);
        let mut at = 0;
        for (nin, count) in [(2, 16), (16, 16), (16, 1)] {
            for _ in 0..count {
                for _ in 0..nin {
                    assert_eq!(p[at], rng.uniform(-1.0, 1.0));
                    at += 1;
                }
                assert_eq!(p[at], 0.0);
                at += 1;
            }
        }
        assert_eq!(at, 337);
    }

    #[test]
    fn same_seed_same_network_different_seed_different_network() {
        let a = MLP::new(3, &[4, 2], 11).parameter_values();
        assert_eq!(a, MLP::new(3, &[4, 2], 11).parameter_values());
        assert_ne!(a, MLP::new(3, &[4, 2], 12).parameter_values());
    }

    /// A neuron adds `b + w₀x₀ + w₁x₁` and applies the ReLU only when nonlinear; backward
    /// gives the textbook partials.
    #[test]
    fn neuron_forward_and_gradients() {
        let mut rng = Rng::new(1);
        let mut n = Neuron::new(2, true, &mut rng);
        n.set_parameters(&[2.0, -3.0, 0.5]);
        let x = [Value::new(1.5), Value::new(0.25)];
        let out = n.forward(&x);
        assert_eq!(out.data(), 0.5 + 2.0 * 1.5 - 3.0 * 0.25);
        out.backward();
        let grads: Vec<f64> = n.parameters().iter().map(Value::grad).collect();
        assert_eq!(grads, [1.5, 0.25, 1.0]);
        assert_eq!((x[0].grad(), x[1].grad()), (2.0, -3.0));

        // Negative activation: the ReLU gives 0 and no gradient; a linear neuron passes it.
        n.set_parameters(&[-2.0, 0.0, 0.0]);
        let out = n.forward(&x);
        assert_eq!(out.data(), 0.0);
        let linear = Neuron {
            nonlin: false,
            ..n.clone()
        };
        assert_eq!(linear.forward(&x).data(), -3.0);
    }

    #[test]
    fn layer_outputs_one_value_per_neuron() {
        let layer = Layer::new(3, 5, true, &mut Rng::new(2));
        let x: Vec<Value> = [1.0, -1.0, 0.5].into_iter().map(Value::new).collect();
        let out = layer.forward(&x);
        assert_eq!(out.len(), 5);
        for (o, n) in out.iter().zip(layer.neurons()) {
            assert_eq!(o.data(), n.forward(&x).data());
            assert!(o.data() >= 0.0);
        }
        assert_eq!(layer.parameters().len(), 5 * 4);
    }

    #[test]
    fn parameter_values_round_trip_and_reset_gradients() {
        let mut model = MLP::new(2, &[3, 1], 9);
        let x = [Value::new(0.3), Value::new(-0.7)];
        model.forward(&x)[0].backward();
        assert!(model.gradients().iter().any(|g| *g != 0.0));
        let values: Vec<f64> = (0..model.num_parameters())
            .map(|i| i as f64 / 8.0)
            .collect();
        model.set_parameter_values(&values);
        assert_eq!(model.parameter_values(), values);
        assert!(model.gradients().iter().all(|g| *g == 0.0));
    }

    #[test]
    #[should_panic(expected = "one value per parameter")]
    fn set_parameter_values_checks_the_length() {
        MLP::new(2, &[3, 1], 9).set_parameter_values(&[0.0; 12]);
    }

    #[test]
    fn zero_grad_clears_the_parameters() {
        let model = MLP::new(2, &[3, 1], 4);
        // Input chosen so some hidden unit is active (a dead network has zero gradients).
        let x = [Value::new(1.0), Value::new(1.0)];
        model.forward(&x)[0].backward();
        assert!(model.gradients().iter().any(|g| *g != 0.0));
        model.zero_grad();
        assert!(model.gradients().iter().all(|g| *g == 0.0));
    }

    /// `sgd_step` moves every parameter against its gradient by `learning_rate · grad`.
    #[test]
    fn sgd_step_follows_the_gradient() {
        let mut model = MLP::new(2, &[4, 1], 8);
        let x = [Value::new(0.9), Value::new(0.4)];
        let out = model.forward(&x).remove(0);
        out.backward();
        let (before, grads) = (model.parameter_values(), model.gradients());
        model.sgd_step(0.1);
        for ((after, b), g) in model.parameter_values().iter().zip(&before).zip(&grads) {
            assert_eq!(*after, b - 0.1 * g);
        }
        assert!(model.gradients().iter().all(|g| *g == 0.0));
    }
}
