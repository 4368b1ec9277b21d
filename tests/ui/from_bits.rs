use grad::prelude::*;

#[differentiable]
fn f(x: f64, bits: u64) -> f64 {
    x * f64::from_bits(bits)
}

fn main() {}
