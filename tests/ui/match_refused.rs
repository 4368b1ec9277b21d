use grad::prelude::*;

#[differentiable(wrt(x))]
fn f(x: f64, k: Option<usize>) -> f64 {
    let a = match k {
        Some(n) if n > 2 => x * x,
        _ => x,
    };
    let b = match x {
        _ => 2.0 * x,
    };
    a + b
}

fn main() {}
