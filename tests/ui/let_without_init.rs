use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y: f64;
    y = x * 2.0;
    y
}

fn main() {}
