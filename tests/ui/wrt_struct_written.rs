use grad::prelude::*;

#[derive(Differentiable, Clone)]
struct S {
    a: f64,
}

#[differentiable(wrt(x))]
fn f(p: &mut S, x: f64) -> f64 {
    p.a = x * 2.0;
    p.a * p.a
}

fn main() {}
