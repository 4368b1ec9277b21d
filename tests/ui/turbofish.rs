use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>()
}

fn main() {}
