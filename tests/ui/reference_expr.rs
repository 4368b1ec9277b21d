use grad::prelude::*;

fn h(v: &f64) -> f64 {
    *v
}

#[differentiable]
fn f(x: f64) -> f64 {
    h(&x) * x
}

fn main() {}
