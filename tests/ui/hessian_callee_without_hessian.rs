use grad::prelude::*;

#[differentiable]
fn inner(x: f64) -> f64 {
    x.sin() * x
}

// A function with `hessian` runs its callees on dual numbers: they need `jvp` or `hessian`
// too.
#[differentiable(hessian)]
fn outer(x: f64, y: f64) -> f64 {
    inner(x) * y
}

fn main() {}
