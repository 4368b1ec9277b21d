use grad::prelude::*;

// `let (a, b) = (x, y);` binds one name per element; nested patterns are refused.
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let ((a, b), c) = ((x, y), x);
    a * b * c
}

fn main() {}
