use grad::prelude::*;

#[differentiable]
fn f(x: f64, a: usize, b: usize) -> f64 {
    match (a, b) {
        p if p.0 > 1 => x * 2.0,
        _ => x,
    }
}

fn main() {}
