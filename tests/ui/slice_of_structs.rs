use grad::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct Body {
    x: f64,
    m: f64,
}

#[differentiable]
fn f(bodies: &[Body]) -> f64 {
    bodies.len() as f64
}

fn main() {}
