use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    x[0] * 2.0
}

fn main() {}
