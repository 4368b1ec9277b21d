//! Every optimizing pass can be turned off (`#[differentiable(disable(...))]`) without changing
//! a number: each workload below is compiled thirteen times (all passes, each pass off, none) and
//! every variant must give the plain function's value bit for bit and the same gradient as
//! the default build: bit for bit, except with `cse` or `fuse` off, where adjoints are summed
//! in another order, which may move the last bits (checked to 1e-13). The default build is
//! itself checked against central finite differences.

#![allow(clippy::needless_range_loop)] // the workloads index as numeric code does

mod common;

use common::assert_close;
use grad::{differentiable, Real};

/// `(plain value, companion value, gradient [d_x..., d_a, d_b])`.
type Run = fn(&[f64], f64, f64) -> (f64, f64, Vec<f64>);

/// Defines `f(x: &[f64], a: f64, b: f64) -> f64` with the given body under every pass setting,
/// and `VARIANTS`: the name of each setting with its runner.
macro_rules! under_every_setting {
    (fn($x:ident, $a:ident, $b:ident) $body:block) => {
        under_every_setting!(@variants ($x, $a, $b) $body;
            all_on: [];
            no_fold: [disable(fold)];
            no_cse: [disable(cse)];
            no_prune: [disable(prune)];
            no_recompute: [disable(recompute)];
            no_fuse: [disable(fuse)];
            no_freeze: [disable(freeze)];
            no_skip: [disable(skip)];
            no_sincos: [disable(sincos)];
            no_reserve: [disable(reserve)];
            no_window: [disable(window)];
            no_promote: [disable(promote)];
            none: [disable(fold, cse, prune, recompute, fuse, freeze, skip, sincos, reserve, window, promote)]
        );
    };
    (@variants ($x:ident, $a:ident, $b:ident) $body:block; $($m:ident: [$($attr:tt)*]);*) => {
        $(
            pub mod $m {
                #[allow(unused_imports)]
                use super::*;
                #[differentiable($($attr)*)]
                pub fn f($x: &[f64], $a: f64, $b: f64) -> f64 $body

                pub fn run(x: &[f64], a: f64, b: f64) -> (f64, f64, Vec<f64>) {
                    let (v, mut g, da, db) = f_grad(x, a, b);
                    g.push(da);
                    g.push(db);
                    (f(x, a, b), v, g)
                }
            }
        )*
        pub const VARIANTS: &[(&str, $crate::Run)] = &[$((stringify!($m), $m::run)),*];
    };
}

#[differentiable]
fn helper(u: f64, v: f64) -> f64 {
    (u * v).sin() + u.cos() * v
}

mod seed {
    use super::*;
    under_every_setting!(fn(x, a, b) {
        let t = x[0] * a;
        t.ln() + (x[0] * b).sin() + a * b
    });
}

mod trig {
    use super::*;
    // Pairs for `sincos`, repeated subexpressions for `cse`, literal arithmetic for `fold`, a
    // value the result ignores for `prune`.
    under_every_setting!(fn(x, a, b) {
        let c = a.cos();
        let s = a.sin();
        let k = 2.0 * 0.5 / 4.0 + 1.0;
        let _ignored = (x[1] * b).exp();
        let u = x[0] * c - x[1] * s;
        let w = x[0] * a.sin() + x[1] * a.cos();
        (x[0] * c - x[1] * s) * u * k + w.powi(2) + b.sin() * b.cos() + (a * b).tanh()
    });
}

mod rosenbrock {
    use super::*;
    under_every_setting!(fn(x, a, b) {
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            let p = a - x[i];
            let q = x[i + 1] - x[i] * x[i];
            s += p * p + b * q * q;
        }
        s
    });
}

mod carried {
    use super::*;
    // Loop-carried products, branches, an early exit and a `while` loop: `recompute` and
    // `reserve` at work.
    under_every_setting!(fn(x, a, b) {
        let mut s = 1.0;
        for i in 0..x.len() {
            if x[i] > 0.0 {
                s = s * x[i] + a.sin();
            } else {
                s -= x[i] * a.cos() * b;
            }
            if s > 1e6 {
                break;
            }
        }
        let mut k = 0;
        let mut t = b;
        while k < 3 {
            t = t * s.tanh() + helper(t, a);
            k += 1;
        }
        s + t
    });
}

mod arrays {
    use super::*;
    // Local arrays written in loops and read later, and a small tanh network.
    under_every_setting!(fn(x, a, b) {
        let mut y = vec![0.0; x.len()];
        for i in 0..x.len() {
            y[i] = x[i] * (x[i] * a).sin();
        }
        let mut h = [0.0; 3];
        for j in 0..3 {
            let mut z = b;
            for i in 0..x.len() {
                z += y[i] * (0.1 * (i + j) as f64 - a);
            }
            h[j] = z.tanh();
        }
        let mut out = 0.0;
        for j in (0..3).rev() {
            out += h[j] * h[j] * b;
        }
        out
    });
}

mod batch {
    use super::*;
    // A loss summed over data points (`fuse`), each point going through a small network kept
    // in arrays local to the iteration, read by inner loops after they are written.
    under_every_setting!(fn(x, a, b) {
        let mut loss = 0.0;
        for i in 0..x.len() {
            let mut h = [0.0; 3];
            for j in 0..3 {
                h[j] = (x[i] * (a + 0.1 * j as f64) + b).tanh();
            }
            let mut out = [0.0; 2];
            for k in 0..2 {
                let mut z = 0.0;
                for j in 0..3 {
                    z += h[j] * (1.0 + 0.2 * (j + k) as f64) * a;
                }
                out[k] = z.max(0.1 * z);
            }
            let r = out[0] - out[1] * x[(i + 1) % x.len()];
            loss += r * r;
        }
        loss / x.len() as f64 + 0.01 * a * b
    });
}

mod workspace {
    use super::*;
    // A work array rewritten for every `i` and read by a triangular double loop (as GMM's
    // `xcentered`): `freeze` saves it once per triangle instead of once per read.
    under_every_setting!(fn(x, a, b) {
        let n = x.len();
        let mut c = vec![0.0; n];
        let mut s = 0.0;
        for i in 0..n {
            for j in 0..n {
                c[j] = (x[j] - x[i] * a).sin();
            }
            let mut t = 0.0;
            for p in 0..n {
                for q in p..n {
                    t += c[p] * c[q] * b + (c[q] * x[p]).cos();
                }
            }
            s += t * x[i];
        }
        s
    });
}

mod dead_units {
    use super::*;
    // ReLU units, some dead at every point: `skip` leaves out the reverse of their sums.
    under_every_setting!(fn(x, a, b) {
        let mut loss = 0.0;
        for i in 0..x.len() {
            let mut act = b - 0.5 * i as f64;
            for j in 0..x.len() {
                act += x[j] * (a - 0.3 * j as f64) * x[i];
            }
            loss += act.relu() * a;
        }
        let mut h = 0.0;
        for i in 0..x.len() {
            let mut z = a - 0.2 * i as f64;
            for j in 0..i {
                z += x[j] * b;
            }
            h = h * 0.5 + z.relu();
        }
        loss + h
    });
}

mod counter {
    use super::*;
    // A running counter as index (`l += 1`, as GMM walks its packed triangle): the partial
    // `x[k]` is read again through the saved index (`recompute`'s reload), in a fused loop and
    // in one that is not.
    under_every_setting!(fn(x, a, b) {
        let n = x.len();
        let mut k = 0;
        let mut s = 0.0;
        for i in 0..n {
            for j in i..n {
                let w = x[k % n];
                s += w * (x[j] * a).sin() + b * w * x[i];
                k += 1;
            }
        }
        let mut t = 1.0;
        let mut m = 1;
        for i in 0..n {
            for _j in 0..i {
                t = t * 0.9 + x[m % n] * (t * b).cos();
                m += 2;
            }
            t += x[i] * a;
        }
        s + t
    });
}

const WORKLOADS: &[(&str, &[(&str, Run)])] = &[
    ("seed", seed::VARIANTS),
    ("trig", trig::VARIANTS),
    ("rosenbrock", rosenbrock::VARIANTS),
    ("carried", carried::VARIANTS),
    ("arrays", arrays::VARIANTS),
    ("batch", batch::VARIANTS),
    ("workspace", workspace::VARIANTS),
    ("dead_units", dead_units::VARIANTS),
    ("counter", counter::VARIANTS),
];

/// Inputs where every workload is smooth (positive, so `ln` is defined).
fn points() -> Vec<(Vec<f64>, f64, f64)> {
    (0..6)
        .map(|k| {
            let k = k as f64;
            let x = (0..5).map(|i| 0.3 + 0.17 * ((i as f64 + 1.0) * (k + 1.3)).sin().abs());
            (x.collect(), 0.4 + 0.1 * k, 1.1 - 0.13 * k)
        })
        .collect()
}

#[test]
fn every_variant_of_every_workload_agrees_with_the_default_build() {
    let mut compared = 0;
    for (name, variants) in WORKLOADS {
        let (base_name, base) = variants[0];
        assert_eq!(base_name, "all_on");
        for (x, a, b) in points() {
            let (plain, value, want) = base(&x, a, b);
            for (setting, run) in *variants {
                let (p, v, g) = run(&x, a, b);
                assert_eq!(
                    p.to_bits(),
                    plain.to_bits(),
                    "{name}/{setting}: plain value"
                );
                assert_eq!(v.to_bits(), plain.to_bits(), "{name}/{setting}: value");
                assert_eq!(v.to_bits(), value.to_bits(), "{name}/{setting}: value");
                for (i, (gi, wi)) in g.iter().zip(&want).enumerate() {
                    let what = format!("{name}/{setting}: d[{i}] at x={x:?} a={a} b={b}");
                    if matches!(*setting, "no_cse" | "no_fuse" | "none") {
                        assert_close(&what, *gi, *wi, 1e-13);
                    } else {
                        assert_eq!(gi.to_bits(), wi.to_bits(), "{what}: {gi:e} vs {wi:e}");
                    }
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 1000, "compared {compared} partials");
}

#[test]
fn the_default_build_matches_finite_differences() {
    for (name, variants) in WORKLOADS {
        let run = variants[0].1;
        for (x, a, b) in points() {
            let n = x.len();
            let packed: Vec<f64> = x.iter().copied().chain([a, b]).collect();
            let f = |p: &[f64]| run(&p[..n], p[n], p[n + 1]).0;
            let fd = grad::check::central_difference(f, &packed);
            let (_, _, g) = run(&x, a, b);
            for (i, (gi, fi)) in g.iter().zip(&fd).enumerate() {
                assert_close(&format!("{name}: d[{i}] at {packed:?}"), *gi, *fi, 1e-6);
            }
        }
    }
}

// A fused loop whose body reads a variable from outside (its adjoint gathers in a scratch
// scalar) and a fixed-size array parameter (a scratch array of its length): two shapes the
// workloads above do not have.
/// The same function twice: with every pass, and without `fuse`.
macro_rules! with_and_without_fuse {
    ($fused:ident, $unfused:ident, ($($params:tt)*) $body:block) => {
        #[differentiable]
        fn $fused($($params)*) -> f64 $body

        #[differentiable(disable(fuse))]
        fn $unfused($($params)*) -> f64 $body
    };
}

with_and_without_fuse!(fused_outer_var_and_fixed_array, unfused_outer_var_and_fixed_array,
    (w: [f64; 3], x: &[f64]) {
    let mut c = w[0] * w[1];
    c += w[2].sin();
    let mut s = 0.0;
    for i in 0..x.len() {
        s += c * w[i % 3] * x[i] + (c * x[i]).tanh();
    }
    s * s
});

#[test]
fn a_fused_loop_with_an_outer_variable_and_a_fixed_array_matches_finite_differences() {
    let (w, x) = ([0.4, -0.7, 1.1], [0.3, -1.2, 0.8, 0.5, -0.1]);
    let (v, dw, dx) = fused_outer_var_and_fixed_array_grad(w, &x);
    let (v2, dw2, dx2) = unfused_outer_var_and_fixed_array_grad(w, &x);
    assert_eq!(
        v.to_bits(),
        fused_outer_var_and_fixed_array(w, &x).to_bits()
    );
    assert_eq!(v.to_bits(), v2.to_bits());
    let packed: Vec<f64> = w.iter().chain(&x).copied().collect();
    let f = |p: &[f64]| fused_outer_var_and_fixed_array([p[0], p[1], p[2]], &p[3..]);
    let fd = grad::check::central_difference(f, &packed);
    let got: Vec<f64> = dw.iter().chain(&dx).copied().collect();
    let unfused: Vec<f64> = dw2.iter().chain(&dx2).copied().collect();
    for i in 0..got.len() {
        assert_close(
            &format!("d[{i}] vs finite differences"),
            got[i],
            fd[i],
            1e-6,
        );
        assert_close(&format!("d[{i}] vs unfused"), got[i], unfused[i], 1e-13);
    }
}
