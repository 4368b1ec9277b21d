use grad::prelude::*;

#[differentiable]
unsafe extern "C" fn f(x: f64, _: ...) -> f64 {
    x * x
}

fn main() {}
