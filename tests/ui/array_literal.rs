use grad::prelude::*;

#[differentiable]
fn f(a: f64) -> f64 {
    let v: [f64; 0] = [];
    a * v.len() as f64
}

fn main() {}
