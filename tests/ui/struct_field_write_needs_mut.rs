use grad::prelude::*;

#[derive(Clone, Differentiable)]
struct Model {
    w: Vec<f64>,
}

impl Model {
    // Assigning a field needs `&mut self`.
    #[differentiable]
    fn shrink(&self, k: f64) -> f64 {
        self.w[0] = self.w[0] * k;
        self.w[0]
    }
}

fn main() {}
