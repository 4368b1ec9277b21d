use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    fn k() -> f64 {
        2.0
    }
    x * k()
}

fn main() {}
