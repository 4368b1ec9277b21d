use grad::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let sq = |t: f64| t * t;
    println!("{}", x);
    let (a, b) = (x, y);
    let r = x % 2.0;
    let m = match 1 {
        _ => x,
    };
    let g = x.gamma();
    f64::max(x, y)
}

fn main() {}
