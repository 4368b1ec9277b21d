use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    std::f64::consts::PI * f64::sin(x)
}

fn main() {}
