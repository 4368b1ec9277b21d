use grad::prelude::*;

// A tuple, a function and a slice of structs have no gradient type: refused, not silently
// constants, unless `wrt(...)` leaves them out.
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
