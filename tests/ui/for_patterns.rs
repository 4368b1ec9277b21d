use grad::prelude::*;

#[differentiable]
fn f(x: f64, xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for pair in xs.iter().enumerate() {
        s += x;
    }
    for (a, b) in xs {
        s += x;
    }
    for &i in 0..3 {
        s += x;
    }
    s
}

fn main() {}
