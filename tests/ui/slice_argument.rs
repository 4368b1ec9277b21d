use grad::prelude::*;

#[differentiable]
fn total(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for &x in xs {
        s += x;
    }
    s
}

#[differentiable]
fn twice_total(xs: &[f64]) -> f64 {
    total(xs) * 2.0
}

fn main() {}
