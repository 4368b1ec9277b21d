use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    xs.iter().filter(|&&x| x > 0.0).skip(1).sum::<f64>()
}

fn main() {}
