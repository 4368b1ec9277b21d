use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for (w, i) in xs.iter().zip(0..3) {
        s += w * i as f64;
    }
    s
}

fn main() {}
