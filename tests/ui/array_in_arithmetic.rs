use grad::prelude::*;

#[differentiable]
fn f(x: f64, xs: [f64; 3]) -> f64 {
    x * xs
}

fn main() {}
