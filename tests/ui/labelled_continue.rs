use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut s = 0.0;
    'rows: for i in 0..3 {
        for j in 0..3 {
            if j > i {
                continue 'rows;
            }
            s += x;
        }
    }
    s
}

fn main() {}
