use grad::prelude::*;

#[differentiable]
fn inner(x: f64) -> f64 {
    x.sin() * x
}

// A function with `hessian` differentiates its calls through the callees' `_hvp`: `inner`
// needs `hessian` too (or a hand-written `inner_hvp`).
#[differentiable(hessian)]
fn outer(x: f64, y: f64) -> f64 {
    inner(x) * y
}

fn main() {}
