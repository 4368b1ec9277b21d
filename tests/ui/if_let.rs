use grad::prelude::*;

#[differentiable]
fn f(x: f64, k: Option<i32>) -> f64 {
    if let Some(_) = k {
        x
    } else {
        2.0 * x
    }
}

fn main() {}
