use grad::prelude::*;

// Rows behind `&mut`: refused under the type, with what to write instead.
#[differentiable(wrt(w))]
fn scale(w: f64, xs: &mut [[f64; 2]]) -> f64 {
    xs[0][0] * w
}

// Forward mode of a generic function with rows: refused under the rows' type.
#[differentiable(wrt(w), jvp)]
fn generic_rows<T: Real>(w: &[T; 2], xs: &[[T; 2]]) -> T {
    let mut s = T::ZERO;
    for x in xs {
        s += w[0] * x[0] * w[1];
    }
    s
}

#[differentiable]
fn sum_rows(pos: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for p in pos {
        s += p[0] * p[1];
    }
    s
}

// A range of differentiated rows passed to a call: refused under the argument.
#[differentiable]
fn halves(pos: &[[f64; 2]]) -> f64 {
    sum_rows(&pos[1..]) * sum_rows(&pos[..1])
}

fn main() {}
