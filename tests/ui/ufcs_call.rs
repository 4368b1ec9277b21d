use grad::prelude::*;

#[differentiable]
fn f(a: f64, b: f64) -> f64 {
    f64::max(a, b)
}

fn main() {}
