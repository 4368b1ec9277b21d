use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = x * x;
    y + 1.0;
}

fn main() {}
