use grad::prelude::*;

// A function has no gradient type: refused, not silently a constant, unless `wrt(...)`
// leaves it out. (A tuple is read through its fields: its gradient is a tuple.)
#[differentiable]
fn f(x: f64, pair: (f64, f64), g: fn(f64) -> f64) -> f64 {
    x * pair.0 + g(x)
}

#[differentiable(wrt(x))]
fn fine(x: f64, pair: (f64, f64)) -> f64 {
    x * x + pair.0
}

fn main() {
    let _ = fine(1.0, (2.0, 3.0));
}
