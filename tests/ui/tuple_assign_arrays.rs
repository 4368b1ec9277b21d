use grad::prelude::*;

// A tuple assignment takes variables; two local arrays are exchanged with `std::mem::swap`.
#[differentiable]
fn f(x: f64) -> f64 {
    let mut cur = [x, 1.0];
    let mut next = [0.0, 0.0];
    next[0] = cur[1] * x;
    (cur, next) = (next, cur);
    cur[0] + next[1]
}

fn main() {}
