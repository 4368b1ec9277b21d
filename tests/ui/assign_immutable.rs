use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = x;
    y = y * x;
    y
}

fn main() {}
