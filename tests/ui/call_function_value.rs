use grad::prelude::*;

#[differentiable]
fn f(x: f64, activation: fn(f64) -> f64) -> f64 {
    activation(x)
}

fn main() {}
