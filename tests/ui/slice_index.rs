use grad::prelude::*;

#[differentiable]
fn f(x: f64, xs: &[f64]) -> f64 {
    let second = xs[1..][0];
    x * second
}

fn main() {}
