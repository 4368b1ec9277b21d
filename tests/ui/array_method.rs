use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let s: f64 = xs.iter().sum();
    s * s
}

fn main() {}
