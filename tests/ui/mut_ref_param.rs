use grad::prelude::*;

#[differentiable]
fn f(x: f64, xs: &mut [f64]) -> f64 {
    x * xs[0]
}

fn main() {}
