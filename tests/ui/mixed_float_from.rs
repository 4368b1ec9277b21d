use grad::prelude::*;

#[differentiable]
fn f(x: f64, n: u8) -> f64 {
    x * f32::from(n)
}

fn main() {}
