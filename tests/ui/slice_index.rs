use grad::prelude::*;

#[differentiable]
fn f(x: f64, xs: &[f64]) -> f64 {
    let rest = xs[1..].len();
    x * (rest as f64)
}

fn main() {}
