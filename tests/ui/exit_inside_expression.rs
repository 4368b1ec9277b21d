use grad::prelude::*;

#[differentiable]
fn ret_in_cond(x: f64) -> f64 {
    if x.max(if x > 0.0 { return x; } else { 0.0 }) < 1.0 {
        return 2.0 * x;
    }
    x
}

#[differentiable]
fn brk(x: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..3 {
        s += x + if k == 1 { break; } else { 0.0 };
    }
    s
}

fn main() {}
