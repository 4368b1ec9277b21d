//! A user crate that is a good citizen, and names a careless macro would trip over.
//!
//! The crate forbids `unsafe` and the rustc lints a macro is tempted to allow in its output
//! (`forbid` makes any `#[allow]` of them in generated code a hard error), and denies every
//! warning, clippy's `all`, `pedantic` and `nursery` groups and most allow-by-default rustc
//! lints; the generated companions must trip none of them. A differentiable function used only
//! through its companion must not be reported as dead code.
//!
//! It declares items named like what generated code could reach for (`Result`, `Vec`,
//! `Option`, `Box`, `String`, `Default`, `Clone`, `Some`, `None`, `Ok`, modules `core`, `std`
//! and `grad`, lowercase constants `x`, `i`, `e`, `k`, a function `f64`), and differentiable
//! functions whose locals and parameters are named like generated ones (`grad`, `tmp`, `d_x`,
//! `x_grad`, `__grad_*`, `v0`, `adj`, `stack`, `tape`, a parameter named like its function).
//! Every gradient is checked against central differences or a closed form, every value
//! against the plain function.
#![forbid(
    unsafe_code,
    unused_variables,
    unused_mut,
    unused_assignments,
    unused_parens,
    unused_braces,
    unreachable_code,
    unused_must_use,
    unused_results,
    unused_qualifications,
    non_snake_case
)]
#![deny(
    warnings,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    future_incompatible,
    keyword_idents,
    nonstandard_style,
    let_underscore,
    rust_2018_idioms,
    rust_2024_compatibility,
    unused,
    absolute_paths_not_starting_with_crate,
    macro_use_extern_crate,
    meta_variable_misuse,
    missing_copy_implementations,
    missing_debug_implementations,
    missing_docs,
    non_ascii_idents,
    redundant_lifetimes,
    single_use_lifetimes,
    trivial_casts,
    trivial_numeric_casts,
    unit_bindings,
    unnameable_types,
    unreachable_pub,
    unstable_features,
    unused_import_braces,
    unused_lifetimes,
    variant_size_differences
)]

use ::grad::prelude::*;

// ===== Hostile item names ====================================================================

/// Shadows `core::result::Result` in this module.
#[derive(Debug, Clone, Copy)]
pub struct Result;
/// Shadows `Vec`.
#[derive(Debug, Clone, Copy)]
pub struct Vec;
/// Shadows `Option`.
#[derive(Debug, Clone, Copy)]
pub struct Option;
/// Shadows `Box`.
#[derive(Debug, Clone, Copy)]
pub struct Box;
/// Shadows `String`.
#[derive(Debug, Clone, Copy)]
pub struct String;
/// Shadows the `Default` trait.
#[derive(Debug, Clone, Copy)]
pub struct Default;
/// Shadows `Iterator`.
#[derive(Debug, Clone, Copy)]
pub struct Iterator;
/// Shadows `Clone`.
#[derive(Debug, Clone, Copy)]
pub struct Clone;
/// Shadows the prelude's `Some`, `None`, `Ok` and `Err` constructors.
#[derive(Debug, Clone, Copy)]
pub enum Hostile {
    /// `Some`.
    Some,
    /// `None`.
    None,
    /// `Ok`.
    Ok,
    /// `Err`.
    Err,
}
pub use Hostile::{Err, None, Ok, Some};

/// A module named like the core library (generated code must say `::core`).
pub mod core {}
/// A module named like the standard library (generated code must say `::std`).
pub mod std {}
/// A module named like this library (generated code must say `::grad`).
pub mod grad {}

/// A function named like the float type.
#[must_use]
pub const fn f64() -> u8 {
    64
}

/// A user function whose name starts like a companion's.
#[must_use]
pub fn f_grad_helper(x: f64) -> f64 {
    2.0 * x
}

// ===== Differentiable functions with hostile local names ====================================

/// Locals named like what a code generator would use.
#[differentiable]
#[must_use]
pub fn f(x: f64, y: f64) -> f64 {
    let grad = x * y;
    let tmp = grad.sin();
    let d_x = tmp + x;
    let x_grad = d_x * y;
    let __grad = x_grad.exp();
    let __grad_v0 = __grad * 0.5;
    let v0 = __grad_v0 + y;
    let adj = v0 * v0;
    let stack = adj.sqrt();
    let tape = stack + grad;
    tape * x
}

/// A parameter named `d_x` beside `x`, and parameters named like generated locals.
#[differentiable]
#[must_use]
pub fn params(x: f64, d_x: f64, __grad_v0: f64, __grad_d0: f64, __grad_e: f64) -> f64 {
    let __grad_root = x * d_x;
    let __grad_p0_0 = __grad_v0 * __grad_d0;
    let __grad_h0 = __grad_e.powi(2);
    __grad_root + __grad_p0_0 - __grad_h0
}

/// Calls another differentiable function; locals named `f_grad`, `f` and `tmp`.
#[differentiable]
#[must_use]
pub fn caller(x: f64, y: f64) -> f64 {
    let f_grad = f(x, y);
    let tmp = f_grad_helper_free(y);
    let mut acc = f_grad * tmp;
    if acc > 1.0 {
        acc = acc.ln();
    } else {
        acc -= f(y, x);
    }
    acc
}

/// `f_grad_helper` is a user function, not a companion; this one is differentiable.
#[differentiable]
#[must_use]
pub fn f_grad_helper_free(t: f64) -> f64 {
    t.mul_add(t, 1.0)
}

/// Loops and branches over a slice, with locals named `stack`, `tape`, `grad`, `i`, `k`.
#[differentiable]
#[must_use]
pub fn loops(w: &[f64], x: &[f64], scale: f64) -> f64 {
    let mut stack = 0.0;
    for i in 0..w.len() {
        let tape = w[i] * x[i];
        if tape > 0.0 {
            stack += tape * scale;
        } else {
            stack -= tape.tanh();
        }
    }
    let mut grad = [0.0; 3];
    let mut k = 0_u32;
    while k < 3 {
        grad[k as usize] = stack * f64::from(k);
        k += 1;
    }
    let mut total = 0.0;
    for g in grad {
        total += g.sin();
    }
    total + stack
}

/// `f32`, restricted by `wrt(...)`.
#[differentiable(wrt(a))]
#[must_use]
pub fn single(a: f32, b: f32) -> f32 {
    let mut adj = 0.0;
    for i in 0..4_u8 {
        adj += (a * f32::from(i)).cos() * b;
    }
    adj
}

/// Lowercase constants named like a generator's locals (`x`, `i`, `e`, `k`), as physics code
/// writes constants, in scope of a differentiable function.
pub mod physics {
    use ::grad::prelude::differentiable;

    /// A lowercase constant, never read: generated code must not bind `x` either.
    #[allow(non_upper_case_globals)]
    pub const x: f64 = 3.0;
    /// A lowercase constant.
    #[allow(non_upper_case_globals)]
    pub const i: usize = 1;
    /// A lowercase constant.
    #[allow(non_upper_case_globals)]
    pub const e: f64 = ::core::f64::consts::E;
    /// A lowercase constant.
    #[allow(non_upper_case_globals)]
    pub const k: usize = 2;

    /// A slice, a `mut` parameter, a local array filled from a float and reused in a loop,
    /// and the constants `i`, `k` and `e` read where a generator has loop variables.
    #[differentiable]
    #[must_use]
    pub fn arrays(w: &[f64], mut scale: f64, n: usize) -> f64 {
        let mut total = 0.0;
        let mut round = 0;
        while round < n {
            let mut h = [scale; 3];
            h[i] *= w[k];
            for v in h {
                total += v.sin() * e;
            }
            scale *= 0.5;
            round += 1;
        }
        total
    }
}

/// Arms whose patterns bind names used only by their guards (the guards are lowered apart
/// from the patterns: the names must still count as used).
#[differentiable]
#[must_use]
pub fn guarded(x: f64, mode: usize, level: usize) -> f64 {
    let scaled = match mode {
        0 => x,
        even if even % 2 == 0 => x * 2.0,
        _ => x.exp(),
    };
    match level {
        high if high > 4 && high < 10 => scaled * scaled,
        same if same == mode => scaled + 1.0,
        _ => scaled.sin(),
    }
}

/// A private differentiable function used only through its companion.
#[differentiable]
fn only_through_companion(x: f64) -> f64 {
    x.exp()
}

/// A type with an associated differentiable function.
#[derive(Debug, Clone, Copy)]
pub struct Model;

impl Model {
    /// `w²/2`, used only through its companion (no `self`: methods are refused).
    #[differentiable]
    fn penalty(w: f64) -> f64 {
        0.5 * w * w
    }
}

/// A parameter named like its function.
#[differentiable]
#[must_use]
pub fn energy(energy: f64) -> f64 {
    energy * energy
}

/// A public module with its own module named `grad`.
pub mod inner {
    /// Another module named `grad`, in scope here.
    mod grad {}
    use ::grad::prelude::differentiable;

    /// `x³`.
    #[differentiable]
    #[must_use]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }
}

// ===== Tests =================================================================================

const FD_TOL: f64 = 1e-6;

#[track_caller]
fn fd(what: &str, f: impl Fn(&[f64]) -> f64, x: &[f64], grad: &[f64]) {
    if let ::core::result::Result::Err(e) = ::grad::check::check_gradient(f, x, grad, FD_TOL) {
        panic!("{what} at {x:?}: {e} (gradient {grad:?})");
    }
}

#[track_caller]
fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e}"
    );
}

#[test]
fn hostile_locals() {
    let (x, y) = (0.7, -1.3);
    let (value, d_x, d_y) = f_grad(x, y);
    assert_eq!(value.to_bits(), f(x, y).to_bits());
    fd("f", |p| f(p[0], p[1]), &[x, y], &[d_x, d_y]);
}

#[test]
fn hostile_parameters() {
    let p = [0.5, 1.5, -2.0, 3.0, 0.25];
    let (value, g0, g1, g2, g3, g4) = params_grad(p[0], p[1], p[2], p[3], p[4]);
    assert_eq!(
        value.to_bits(),
        params(p[0], p[1], p[2], p[3], p[4]).to_bits()
    );
    // x d_x + v0 d0 - e²
    close("d/dx", g0, p[1]);
    close("d/d d_x", g1, p[0]);
    close("d/d v0", g2, p[3]);
    close("d/d d0", g3, p[2]);
    close("d/de", g4, -2.0 * p[4]);
}

#[test]
fn calls_between_differentiable_functions() {
    for (x, y) in [(0.7, -1.3), (1.2, 1.1), (-0.4, 0.9)] {
        let (value, d_x, d_y) = caller_grad(x, y);
        assert_eq!(value.to_bits(), caller(x, y).to_bits());
        fd("caller", |p| caller(p[0], p[1]), &[x, y], &[d_x, d_y]);
    }
    let (value, d_t) = f_grad_helper_free_grad(3.0);
    assert_eq!((value, d_t), (10.0, 6.0));
    close("helper", f_grad_helper(3.0), 6.0);
}

#[test]
fn guards_of_names_bound_by_patterns() {
    let x: f64 = 0.6;
    // (k, j) -> d/dx of the arms taken.
    let cases = [
        (0, 5, 2.0 * x),
        (4, 7, 8.0 * x),
        (3, 3, x.exp()),
        (2, 1, 2.0 * (2.0 * x).cos()),
    ];
    for (k, j, want) in cases {
        let (value, d_x) = guarded_grad(x, k, j);
        assert_eq!(value.to_bits(), guarded(x, k, j).to_bits());
        close("guarded", d_x, want);
    }
}

#[test]
fn loops_and_branches() {
    let w = [0.5, -1.0, 2.0];
    let x = [1.5, 0.25, -0.75];
    let scale = 0.8;
    let (value, d_w, d_x, d_scale) = loops_grad(&w, &x, scale);
    assert_eq!(value.to_bits(), loops(&w, &x, scale).to_bits());
    let mut point = w.to_vec();
    point.extend_from_slice(&x);
    point.push(scale);
    let mut gradient = d_w;
    gradient.extend_from_slice(&d_x);
    gradient.push(d_scale);
    fd(
        "loops",
        |p| loops(&p[0..3], &p[3..6], p[6]),
        &point,
        &gradient,
    );
}

#[test]
fn f32_with_wrt() {
    let (a, b) = (0.3_f32, 2.0_f32);
    let (value, d_a) = single_grad(a, b);
    assert_eq!(value.to_bits(), single(a, b).to_bits());
    // d/da sum_i cos(a i) b = -b sum_i i sin(a i)
    let want: f32 = (0..4_u8)
        .map(|i| -b * f32::from(i) * (a * f32::from(i)).sin())
        .sum();
    assert!((d_a - want).abs() < 1e-5, "{d_a} vs {want}");
}

#[test]
fn constants_named_like_generated_locals() {
    use physics::{arrays, arrays_grad, arrays_graph, e};
    let w = [0.5, -1.0, 2.0];
    for (scale, n) in [(0.8, 0), (0.8, 1), (-1.3, 3)] {
        let (value, d_w, d_scale) = arrays_grad(&w, scale, n);
        assert_eq!(value.to_bits(), arrays(&w, scale, n).to_bits());
        let mut gradient = d_w;
        gradient.push(d_scale);
        fd(
            "arrays",
            |p| arrays(&p[0..3], p[3], n),
            &[w[0], w[1], w[2], scale],
            &gradient,
        );
        // Closed form: sum over rounds r of e (2 sin(s_r) + sin(s_r w[2])), s_r = scale / 2^r.
        let mut want = [0.0; 4];
        let mut s = scale;
        for _ in 0..n {
            want[2] += e * (s * w[2]).cos() * s;
            want[3] += e * 2.0_f64.mul_add(s.cos(), (s * w[2]).cos() * w[2]) * (s / scale);
            s *= 0.5;
        }
        for (j, (&got, &want)) in gradient.iter().zip(&want).enumerate() {
            assert!((got - want).abs() <= 1e-12, "d[{j}]: {got} vs {want}");
        }
        let root = arrays_graph(&w, scale, n);
        close("arrays_graph", root.data(), value);
    }
}

#[test]
fn associated_function_used_through_its_companion() {
    assert_eq!(Model::penalty_grad(3.0), (4.5, 3.0));
}

#[test]
fn parameter_named_like_its_function() {
    assert_eq!(energy_grad(3.0), (9.0, 6.0));
}

#[test]
fn function_inside_a_function_body() {
    /// `sin(t) t`.
    #[differentiable]
    fn local(t: f64) -> f64 {
        t.sin() * t
    }
    let (value, d_t) = local_grad(0.5);
    close("local", value, 0.5_f64.sin() * 0.5);
    close("local'", d_t, 0.5_f64.cos().mul_add(0.5, 0.5_f64.sin()));
}

#[test]
fn private_function_used_through_its_companion() {
    let (value, d_x) = only_through_companion_grad(0.5);
    close("exp", value, 0.5_f64.exp());
    close("exp'", d_x, 0.5_f64.exp());
}

#[test]
fn inside_a_module_with_a_grad_module() {
    let (value, d_x) = inner::cube_grad(2.0);
    assert_eq!((value, d_x), (8.0, 12.0));
}

#[test]
fn graph_under_strict_lints() {
    let root = f_graph(0.7, -1.3);
    close("graph value", root.data(), f(0.7, -1.3));
    let hostile = [
        ::core::mem::size_of::<Result>(),
        ::core::mem::size_of::<Vec>(),
        ::core::mem::size_of::<Option>(),
        ::core::mem::size_of::<Box>(),
        ::core::mem::size_of::<String>(),
        ::core::mem::size_of::<Default>(),
        ::core::mem::size_of::<Iterator>(),
        ::core::mem::size_of::<Clone>(),
        ::core::mem::size_of::<Hostile>(),
    ];
    assert_eq!(usize::from(f64()), 64 + hostile.iter().sum::<usize>() - 1);
}

// ===== #[derive(Differentiable)] under the same lints and hostile names =====================

/// A generic derived struct: weights, biases, a constant size, a float kept constant, and a
/// field named like the generated methods' parameters.
#[derive(Debug, Clone, PartialEq, Differentiable)]
pub struct Dense<T: Real> {
    /// Weights.
    pub w: ::std::vec::Vec<T>,
    /// Biases.
    pub b: [T; 2],
    /// A constant.
    pub n_in: usize,
    /// A float carried over unchanged.
    #[grad(skip)]
    pub temperature: f64,
    /// Named like the other value of `accumulate`.
    pub other: T,
}

/// A derived tuple struct with a skipped field.
#[derive(Debug, Clone, Copy, PartialEq, Differentiable)]
pub struct Scaled(pub f64, #[grad(skip)] pub u32);

/// A derived unit struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Differentiable)]
pub struct Frozen;

#[test]
fn derived_structs_under_strict_lints() {
    let d = Dense {
        w: vec![1.0_f32, 2.0],
        b: [0.5, -0.5],
        n_in: 2,
        temperature: 0.7,
        other: 4.0,
    };
    let mut g = d.zero_like();
    assert_eq!(
        g,
        Dense {
            w: vec![0.0, 0.0],
            b: [0.0, 0.0],
            n_in: 2,
            temperature: 0.0, // skipped: zeroed as a gradient's slot
            other: 0.0
        }
    );
    g.restore_constants(&d);
    assert_eq!(g.temperature.to_bits(), 0.7_f64.to_bits());
    g.accumulate(&d);
    g.axpy(-0.5, &d);
    let mut flat = ::std::vec::Vec::new();
    g.flatten(&mut flat);
    assert_eq!(flat, [0.5, 1.0, 0.25, -0.25, 2.0]);
    assert_eq!(g.param_count(), 5);
    let mut s = Scaled(1.5, 9);
    s.axpy(2.0, &Scaled(0.25, 1));
    assert_eq!(
        (s, Frozen.zero_like(), Frozen.param_count()),
        (Scaled(2.0, 9), Frozen, 0)
    );
}
