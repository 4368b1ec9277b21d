use grad::prelude::*;

#[derive(Clone, Differentiable)]
struct P {
    w: Vec<f64>,
}

#[differentiable(hessian)]
fn with_struct(p: &P, x: f64) -> f64 {
    p.w[0] * x * x
}

#[differentiable(hessian)]
fn array_valued(x: f64) -> [f64; 2] {
    [x * x, x.sin()]
}

#[differentiable(jvp, nonsense)]
fn unknown_argument(x: f64) -> f64 {
    x
}

fn main() {}
