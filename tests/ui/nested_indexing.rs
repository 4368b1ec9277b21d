use grad::prelude::*;

#[differentiable]
fn f(m: &[[f64; 2]], i: usize, j: usize) -> f64 {
    m[i][j] * 2.0
}

fn main() {}
