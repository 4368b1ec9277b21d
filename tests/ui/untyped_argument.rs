use grad::prelude::*;

const A: f64 = 1.5;
const B: f64 = 0.5;

#[differentiable]
fn sq(t: f64) -> f64 {
    t * t
}

#[differentiable]
fn f(x: f64) -> f64 {
    let mut k = A;
    k = k + B;
    sq(k) * x
}

fn main() {}
