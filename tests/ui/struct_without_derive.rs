use grad::prelude::*;

pub struct P {
    pub a: f64,
}

#[differentiable]
fn f(x: f64, p: &P) -> f64 {
    x * p.a
}

fn main() {}
