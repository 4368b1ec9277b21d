//! `_jvp` of functions with struct parameters (issue 14): the directional derivative
//! `∇f · v`, from `_grad`, against central differences along the tangent and against `_grad`.

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: f64,
    #[grad(skip)]
    scale: f64,
}

#[differentiable(jvp)]
fn loss(layer: &Layer, x: &[f64], t: f64) -> f64 {
    let mut s = layer.b;
    for i in 0..x.len() {
        s += layer.w[i] * x[i] * layer.scale;
    }
    (s - t).tanh() * (s * s + 1.0).ln()
}

impl Layer {
    #[differentiable(jvp)]
    fn energy(&self, k: f64) -> f64 {
        let mut e = 0.0;
        for &w in &self.w {
            e += (w * k).sin() * w;
        }
        e + self.b * self.b * k
    }
}

fn moved(l: &Layer, v: &Layer, h: f64) -> Layer {
    let mut out = l.clone();
    for (w, dw) in out.w.iter_mut().zip(&v.w) {
        *w += h * dw;
    }
    out.b += h * v.b;
    out
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn jvp_with_a_struct_matches_central_differences_and_the_gradient() {
    let layer = Layer {
        w: vec![0.3, -0.7, 1.1],
        b: 0.2,
        scale: 0.9,
    };
    // The tangent's skipped field holds anything: it is a constant, not a direction.
    let v = Layer {
        w: vec![0.5, 0.25, -1.0],
        b: -0.4,
        scale: 123.0,
    };
    let x = [1.5, -0.5, 0.8];
    let (tx, tt) = ([0.1, 0.2, -0.3], 0.7);
    let (value, d) = loss_jvp(&layer, &x, 0.4, &v, &tx, tt);
    assert_eq!(value.to_bits(), loss(&layer, &x, 0.4).to_bits());
    let h = 1e-6;
    let at = |s: f64| {
        let xs: Vec<f64> = x.iter().zip(&tx).map(|(a, b)| a + s * b).collect();
        loss(&moved(&layer, &v, s), &xs, 0.4 + s * tt)
    };
    let fd = (at(h) - at(-h)) / (2.0 * h);
    assert!(close(d, fd, 1e-6), "jvp {d}, central differences {fd}");
    let (_, g_layer, g_x, g_t) = loss_grad(&layer, &x, 0.4);
    let by_hand = g_layer.w.iter().zip(&v.w).map(|(a, b)| a * b).sum::<f64>()
        + g_layer.b * v.b
        + g_x.iter().zip(&tx).map(|(a, b)| a * b).sum::<f64>()
        + g_t * tt;
    assert!(
        close(d, by_hand, 1e-14),
        "jvp {d}, gradient · tangent {by_hand}"
    );
}

#[test]
fn jvp_of_a_method_takes_a_tangent_for_self() {
    let layer = Layer {
        w: vec![0.4, -1.2],
        b: 0.6,
        scale: 1.0,
    };
    let v = Layer {
        w: vec![-0.3, 0.9],
        b: 0.1,
        scale: 0.0,
    };
    let (value, d) = layer.energy_jvp(1.3, &v, 0.5);
    assert_eq!(value.to_bits(), layer.energy(1.3).to_bits());
    let h = 1e-6;
    let at = |s: f64| moved(&layer, &v, s).energy(1.3 + 0.5 * s);
    let fd = (at(h) - at(-h)) / (2.0 * h);
    assert!(close(d, fd, 1e-6), "jvp {d}, central differences {fd}");
}
