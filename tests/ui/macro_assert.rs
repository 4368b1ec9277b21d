use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    assert!(x > 0.0);
    x.ln()
}

fn main() {}
