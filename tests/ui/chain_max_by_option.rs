use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let m = xs.iter().max_by(|a, b| a.partial_cmp(b).unwrap()).unwrap();
    m * 2.0
}

fn main() {}
