use grad::prelude::*;

#[differentiable(wrt(a))]
fn only_a(a: f64, b: f64) -> f64 {
    a * b
}

#[differentiable]
fn calls_only_a(x: f64, y: f64) -> f64 {
    only_a(x, y) + x
}

fn main() {}
