use grad::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    x.max() + y
}

fn main() {}
