use grad::prelude::*;

// Rows of data can be read `m[i][j]` when `wrt(...)` leaves them out; differentiated, a slice
// of arrays has no gradient type: the error says to take `&Vec<[f64; 2]>`.
#[differentiable]
fn f(m: &[[f64; 2]], i: usize, j: usize) -> f64 {
    m[i][j] * 2.0
}

// A local array of arrays is refused where it is indexed twice.
#[differentiable]
fn g(x: f64) -> f64 {
    let m = [[x, 1.0], [2.0, x]];
    m[0][1] * m[1][1]
}

fn main() {}
