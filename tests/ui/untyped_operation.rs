use grad::prelude::*;

trait Scale {
    fn scale(self, by: f64) -> f64;
}

impl Scale for f64 {
    fn scale(self, by: f64) -> f64 {
        self * by
    }
}

const UNIT: f64 = 1.0;

#[differentiable]
fn f(x: f64) -> f64 {
    UNIT.scale(x)
}

fn main() {}
