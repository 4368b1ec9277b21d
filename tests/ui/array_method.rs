use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().reduce(f64::max).unwrap();
    m * m
}

fn main() {}
