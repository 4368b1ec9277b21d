use grad::prelude::*;

struct Model {
    w: f64,
}

impl Model {
    #[differentiable]
    fn f(&self, x: f64) -> f64 {
        x * x
    }
}

fn main() {
    let _ = Model { w: 1.0 }.w;
}
