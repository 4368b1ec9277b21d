use grad::prelude::*;

#[differentiable]
fn loss(x1: f64, x2: f64, x3: f64) -> f64 {
    let a = x1 * x2;
    a.ln() + (x1 * x3).sin() + x2 * x3
}

#[differentiable]
fn rosen(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i];
        let b = x[i + 1] - x[i] * x[i];
        s += a * a + 100.0 * b * b;
    }
    s
}

#[differentiable]
fn piece(x: f64) -> f64 {
    if x < 0.0 {
        return -x * x;
    }
    let mut g = x;
    let mut k = 0;
    while k < 5 {
        g = 0.5 * (g + x / g);
        k += 1;
        if g < 0.0 {
            break;
        }
    }
    g
}

#[test]
fn smoke() {
    let (v, a, b, c) = loss_grad(2.0, 3.0, 4.0);
    assert_eq!(v, loss(2.0, 3.0, 4.0));
    println!("{v} {a} {b} {c}");
    let x = [1.2, 0.7, -0.3, 2.0];
    let (v, g) = rosen_grad(&x);
    assert_eq!(v, rosen(&x));
    let fd = grad::check::central_difference(rosen, &x);
    println!("{g:?} {fd:?}");
    grad::check::check_gradient(rosen, &x, &g, 1e-6).unwrap();
    for x0 in [-1.5, 2.0, 9.0] {
        let (v, g) = piece_grad(x0);
        assert_eq!(v, piece(x0));
        grad::check::check_gradient(|x| piece(x[0]), &[x0], &[g], 1e-6).unwrap();
    }
}
