use grad::prelude::*;

static mut LAST: f64 = 0.0;

#[differentiable]
fn f(x: f64) -> f64 {
    LAST = x;
    x * x
}

fn main() {}
