use grad::prelude::*;

#[differentiable]
fn f(x: f64, k: i32) -> f64 {
    match k {
        0 => x,
        _ => x * x,
    }
}

fn main() {}
