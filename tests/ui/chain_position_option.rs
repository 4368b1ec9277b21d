use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let found = xs.iter().position(|&x| x > 1.0).is_some();
    if found {
        xs[0]
    } else {
        0.0
    }
}

fn main() {}
