use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let m = xs.iter().max_by(|a, b| a.abs().total_cmp(&b.abs())).unwrap();
    m * 2.0
}

fn main() {}
