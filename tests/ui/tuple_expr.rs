use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let t = (x, x * 2.0);
    t.0 + t.1
}

fn main() {}
