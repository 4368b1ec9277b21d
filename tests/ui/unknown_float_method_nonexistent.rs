use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    x.frobnicate() + x
}

fn main() {}
