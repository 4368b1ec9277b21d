use grad::prelude::*;

#[derive(Clone, Differentiable)]
struct S {
    x: f64,
}

impl S {
    #[differentiable]
    fn scale(&mut self, k: f64) {
        self.x *= k;
    }
}

#[differentiable]
fn f(mut s: S, k: f64) -> f64 {
    s.scale(k);
    s.x
}

fn main() {}
