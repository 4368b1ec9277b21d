use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    x.to_degrees() + x
}

fn main() {}
