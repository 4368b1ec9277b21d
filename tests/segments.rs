//! Large functions are compiled in segments (`segment(N)`, issue 16). Each function here is
//! built twice, as one body (`disable(segment)`) and cut into segments of one or two IR steps
//! (every block split, as a 10,000-statement function's are at the default size): values and
//! every derivative must be the same bit for bit (the order of operations does not change),
//! and the gradient must match central differences.

#![allow(clippy::needless_range_loop)]

use grad::prelude::*;

/// The same source under two attributes.
macro_rules! twice {
    ($whole:ident [$($wa:tt)*] $({$($wu:tt)*})?, $split:ident [$($sa:tt)*] $({$($su:tt)*})?, $($body:tt)*) => {
        mod $whole {
            #[allow(unused_imports)]
            use super::*;
            $($($wu)*)?
            #[differentiable($($wa)*)]
            $($body)*
        }
        mod $split {
            #[allow(unused_imports)]
            use super::*;
            $($($su)*)?
            #[differentiable($($sa)*)]
            $($body)*
        }
    };
}

twice!(
    whole_a [jvp, hessian, disable(segment)],
    split_a [jvp, hessian, segment(1)],
    pub fn f(x: f64, y: f64, w: &[f64]) -> f64 {
        let mut s = x * 0.5;
        let mut t = y.sin();
        if x > 10.0 {
            return s;
        }
        for i in 0..w.len() {
            let u = (w[i] * s + t).tanh();
            s = s * 0.9 + u * 0.1;
            if u > 0.0 {
                t += u * y;
            } else {
                t -= (u * x).exp() * 0.01;
            }
        }
        let mut k = 0;
        while k < 3 && s < 5.0 {
            s += (t * t + 1.0).ln() * 0.1;
            k += 1;
        }
        let z = s.hypot(t) + x.powi(3) * 0.01;
        z * z.cos() + s * t
    }
);

twice!(
    whole_b[disable(segment)],
    split_b[segment(2)],
    pub fn norm2(v: &[f64]) -> f64 {
        let mut s = 0.0;
        for &x in v {
            s += x * x;
        }
        s
    }
);

fn caller_whole(x: f64, v: &[f64]) -> f64 {
    whole_c::g(x, v)
}

twice!(
    whole_c [disable(segment)] { use super::whole_b::*; },
    split_c [segment(1)] { use super::split_b::*; },
    pub fn g(x: f64, v: &[f64]) -> f64 {
        let a = norm2(v) * x;
        let b = (a + 1.0).sqrt();
        b * x.sin() + norm2(v)
    }
);

// In segments, `_grad` of a function taking slices or arrays calls its `_pullback` (one copy
// of the body for rustc): arrays, slices, floats and integers passed on, the same bits.
twice!(
    whole_e[disable(segment)],
    split_e[segment(1)],
    pub fn mixed(p: [f64; 3], w: &[f64], n: usize, k: f64) -> f64 {
        let mut s = p[0] * k;
        for i in 0..n.min(w.len()) {
            s += (w[i] * p[i % 3]).sin() * k - s * 0.1;
        }
        s * p[2] + (p[1] * k).exp()
    }
);

#[test]
fn grad_through_the_pullback_gives_the_same_bits() {
    let (p, w) = ([0.4, -0.3, 1.1], [0.5, -1.5, 0.25, 2.0]);
    for &(n, k) in &[(4, 0.7), (2, -1.3), (0, 0.2)] {
        let (v1, dp1, dw1, dk1) = whole_e::mixed_grad(p, &w, n, k);
        let (v2, dp2, dw2, dk2) = split_e::mixed_grad(p, &w, n, k);
        assert_eq!(v2.to_bits(), split_e::mixed(p, &w, n, k).to_bits());
        assert_eq!(bits(&[v1, dk1]), bits(&[v2, dk2]));
        assert_eq!(bits(&dp1), bits(&dp2), "array gradient");
        assert_eq!(bits(&dw1), bits(&dw2), "slice gradient");
        let h = 1e-6;
        let fd_k = (split_e::mixed(p, &w, n, k + h) - split_e::mixed(p, &w, n, k - h)) / (2.0 * h);
        assert_near("d/dk", dk2, fd_k);
        for i in 0..3 {
            let (mut a, mut b) = (p, p);
            a[i] += h;
            b[i] -= h;
            let fd = (split_e::mixed(a, &w, n, k) - split_e::mixed(b, &w, n, k)) / (2.0 * h);
            assert_near("d/dp", dp2[i], fd);
        }
    }
}

#[derive(Clone, Debug, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: f64,
}

mod methods {
    use super::*;

    impl Layer {
        #[differentiable(disable(segment))]
        pub fn energy_whole(&self, k: f64) -> f64 {
            let mut e = self.b * k;
            for &w in &self.w {
                e += (w * k).sin() * w + e * 0.01;
            }
            e
        }

        #[differentiable(segment(1))]
        pub fn energy_split(&self, k: f64) -> f64 {
            let mut e = self.b * k;
            for &w in &self.w {
                e += (w * k).sin() * w + e * 0.01;
            }
            e
        }
    }
}

twice!(
    whole_d[disable(segment)],
    split_d[segment(1)],
    pub fn poly<T: Real>(x: T, c: &[T]) -> T {
        let mut s = T::ZERO;
        for i in 0..c.len() {
            s = s * x + c[i];
        }
        s.tanh() + x * T::from_f64(0.5)
    }
);

fn bits(xs: &[f64]) -> Vec<u64> {
    xs.iter().map(|x| x.to_bits()).collect()
}

fn assert_near(what: &str, a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0),
        "{what}: {a} against central differences {b}"
    );
}

#[test]
fn loops_branches_and_early_exits_give_the_same_bits_in_segments() {
    let w = [0.3, -0.8, 1.2, 0.05, -0.4];
    for &(x, y) in &[(0.7, -0.3), (-1.1, 0.9), (2.0, 2.5)] {
        let (v1, dx1, dy1, dw1) = whole_a::f_grad(x, y, &w);
        let (v2, dx2, dy2, dw2) = split_a::f_grad(x, y, &w);
        assert_eq!(v1.to_bits(), split_a::f(x, y, &w).to_bits());
        assert_eq!(
            bits(&[v1, dx1, dy1]),
            bits(&[v2, dx2, dy2]),
            "value and scalar gradients"
        );
        assert_eq!(bits(&dw1), bits(&dw2), "slice gradient");
        let h = 1e-6;
        let fd_x = (split_a::f(x + h, y, &w) - split_a::f(x - h, y, &w)) / (2.0 * h);
        let fd_y = (split_a::f(x, y + h, &w) - split_a::f(x, y - h, &w)) / (2.0 * h);
        assert_near("d/dx", dx2, fd_x);
        assert_near("d/dy", dy2, fd_y);
        // Second order: the twins are cut into segments too.
        let (h1, h2) = (whole_a::f_hessian(x, y, &w), split_a::f_hessian(x, y, &w));
        assert_eq!(h1.0.to_bits(), h2.0.to_bits());
        assert_eq!(bits(&h1.1), bits(&h2.1));
        for (r1, r2) in h1.2.iter().zip(&h2.2) {
            assert_eq!(bits(r1), bits(r2), "Hessian rows");
        }
        let t = [0.1, -0.2, 0.3, 0.0, 0.5];
        let j1 = whole_a::f_jvp(x, y, &w, 0.4, -0.6, &t);
        let j2 = split_a::f_jvp(x, y, &w, 0.4, -0.6, &t);
        assert_eq!(bits(&[j1.0, j1.1]), bits(&[j2.0, j2.1]), "jvp");
    }
}

#[test]
fn calls_through_pullbacks_give_the_same_bits_in_segments() {
    let v = [0.5, -1.5, 2.0];
    let (a, dx_a, dv_a) = whole_c::g_grad(0.8, &v);
    let (b, dx_b, dv_b) = split_c::g_grad(0.8, &v);
    assert_eq!(a.to_bits(), caller_whole(0.8, &v).to_bits());
    assert_eq!(bits(&[a, dx_a]), bits(&[b, dx_b]));
    assert_eq!(bits(&dv_a), bits(&dv_b));
    let h = 1e-6;
    let fd = (split_c::g(0.8 + h, &v) - split_c::g(0.8 - h, &v)) / (2.0 * h);
    assert_near("d/dx", dx_b, fd);
    let (n1, d1) = whole_b::norm2_grad(&v);
    let (n2, d2) = split_b::norm2_grad(&v);
    assert_eq!(n1.to_bits(), n2.to_bits());
    assert_eq!(bits(&d1), bits(&d2));
}

#[test]
fn methods_and_generic_functions_give_the_same_bits_in_segments() {
    let layer = Layer {
        w: vec![0.4, -1.2, 0.7],
        b: 0.6,
    };
    let (e1, g1, k1) = layer.energy_whole_grad(1.3);
    let (e2, g2, k2) = layer.energy_split_grad(1.3);
    assert_eq!(bits(&[e1, k1, g1.b]), bits(&[e2, k2, g2.b]));
    assert_eq!(bits(&g1.w), bits(&g2.w));
    let c = [0.3, -0.2, 0.9, 0.1];
    let (p1, dx1, dc1) = whole_d::poly_grad(0.7, &c);
    let (p2, dx2, dc2) = split_d::poly_grad(0.7, &c);
    assert_eq!(bits(&[p1, dx1]), bits(&[p2, dx2]));
    assert_eq!(bits(&dc1), bits(&dc2));
    let c32 = [0.3f32, -0.2, 0.9, 0.1];
    let (q1, ex1, _) = whole_d::poly_grad(0.7f32, &c32);
    let (q2, ex2, _) = split_d::poly_grad(0.7f32, &c32);
    assert_eq!((q1.to_bits(), ex1.to_bits()), (q2.to_bits(), ex2.to_bits()));
}
