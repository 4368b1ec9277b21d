use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..3 {
        for _j in 0..3 {
            s += x * (i as f64);
            if s > 10.0 {
                break 'outer;
            }
        }
    }
    s
}

fn main() {}
