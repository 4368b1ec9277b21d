use grad::prelude::*;

#[differentiable]
fn f(x: &[f64], i: usize, j: usize) -> f64 {
    x[i][j] * 2.0
}

fn main() {}
