use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    <f64 as Real>::relu(x)
}

fn main() {}
