use grad::prelude::*;

fn sum3(v: [f64; 3]) -> f64 {
    v[0] + v[1] + v[2]
}

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    sum3([x, y, x * y])
}

fn main() {}
