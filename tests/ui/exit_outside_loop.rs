use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    if x < 0.0 {
        break;
    }
    if x > 10.0 {
        continue;
    }
    x * x
}

fn main() {}
