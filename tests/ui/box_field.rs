use grad::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct Boxed {
    b: Box<f64>,
}

#[differentiable]
fn f(p: &Boxed, x: f64) -> f64 {
    let b: f64 = *p.b;
    b * x
}

fn main() {}
