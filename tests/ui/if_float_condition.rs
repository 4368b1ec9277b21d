use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    if x {
        x
    } else {
        -x
    }
}

fn main() {}
