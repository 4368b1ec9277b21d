use grad::prelude::*;

const WEIGHTS: [f64; 3] = [0.5, 0.25, 0.25];

#[differentiable]
fn f(x: f64, i: usize) -> f64 {
    WEIGHTS[i] * x
}

fn main() {}
