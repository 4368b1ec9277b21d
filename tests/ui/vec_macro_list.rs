use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let v: Vec<f64> = vec![];
    x + v.len() as f64
}

fn main() {}
