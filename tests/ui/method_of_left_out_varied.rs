use grad::prelude::*;

#[derive(Clone, Debug, Differentiable)]
pub struct C {
    pub k: f64,
}

impl C {
    pub fn scale(&self, x: f64) -> f64 {
        self.k * x * x
    }
}

#[differentiable(wrt(x))]
fn f(x: f64, c: &C) -> f64 {
    c.scale(x) + x
}

fn main() {}
