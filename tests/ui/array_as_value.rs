use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let ys = xs;
    ys[0]
}

fn main() {}
