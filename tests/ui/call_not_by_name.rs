use grad::prelude::*;

#[differentiable]
fn f(x: f64, activations: [fn(f64) -> f64; 2]) -> f64 {
    activations[0](x)
}

fn main() {}
