//! Struct parameters, methods and `#[derive(Differentiable)]`: every gradient is a value of the
//! struct's own type, checked against central differences (through `flatten`/`unflatten`) and
//! the value bit for bit against the plain function.

// The forms under test on purpose: index loops and counters, as users write them.
#![allow(
    clippy::needless_range_loop,
    clippy::manual_memcpy,
    clippy::explicit_counter_loop,
    clippy::redundant_closure,
    clippy::type_complexity,
    clippy::useless_vec,
    clippy::unnecessary_cast
)]

mod common;

use common::{check_point, OnTape};
use grad::prelude::*;
use grad::tape::Value;

/// Checks `(value, gradient)` of `f` at `(p, rest)`, where the gradient is the struct's
/// gradient flattened, followed by the other parameters' gradients.
#[track_caller]
fn check_struct<S: Differentiable>(
    what: &str,
    p: &S,
    rest: &[f64],
    (value, dp, d_rest): (f64, S, Vec<f64>),
    f: impl Fn(&S, &[f64]) -> f64,
) {
    check_struct_tape(what, p, rest, (value, dp, d_rest), f, None);
}

/// [`check_struct`], and against the tape engine running `on_tape` over the same flattened
/// inputs.
#[track_caller]
fn check_struct_tape<S: Differentiable>(
    what: &str,
    p: &S,
    rest: &[f64],
    (value, dp, d_rest): (f64, S, Vec<f64>),
    f: impl Fn(&S, &[f64]) -> f64,
    on_tape: Option<&OnTape<'_>>,
) {
    let mut x = Vec::new();
    p.flatten(&mut x);
    let n = x.len();
    x.extend_from_slice(rest);
    let mut grad = Vec::new();
    dp.flatten(&mut grad);
    grad.extend(d_rest);
    let plain = |x: &[f64]| {
        let mut q = p.clone();
        let mut head = &x[..n];
        q.unflatten(&mut head);
        f(&q, &x[n..])
    };
    check_point(what, &x, (value, grad), plain, on_tape, true);
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Linear {
    w: Vec<f64>,
    b: f64,
    n: usize,
    name: String,
}

#[differentiable]
fn linear_loss(p: &Linear, xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..p.n {
        s += (p.w[i] * xs[i]).sin() * p.b;
    }
    s + p.b * p.b / p.w.len() as f64
}

#[test]
fn fields_of_a_struct_parameter() {
    let p = Linear {
        w: vec![0.5, -0.3, 0.8],
        b: 1.5,
        n: 3,
        name: "lin".into(),
    };
    let xs = [1.0, 2.0, 3.0];
    let (v, dp, dxs) = linear_loss_grad(&p, &xs);
    assert_eq!(
        (dp.n, dp.name.as_str()),
        (3, "lin"),
        "constants are carried over"
    );
    // Flattened: w (3), b, then xs (3).
    let on_tape = |t: &[Value]| {
        let mut s = Value::new(0.0);
        for i in 0..3 {
            s += (&t[i] * &t[4 + i]).sin() * &t[3];
        }
        s + &t[3] * &t[3] / 3.0
    };
    check_struct_tape(
        "linear",
        &p,
        &xs,
        (v, dp, dxs),
        |p, xs| linear_loss(p, xs),
        Some(&on_tape),
    );
}

#[derive(Clone, Debug, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: Vec<f64>,
    n_in: usize,
}

impl Layer {
    /// `out = tanh(W x + b)`.
    #[differentiable]
    fn forward(&self, x: &[f64], out: &mut [f64]) {
        for j in 0..self.b.len() {
            let mut s = self.b[j];
            for i in 0..self.n_in {
                s += self.w[j * self.n_in + i] * x[i];
            }
            out[j] = s.tanh();
        }
    }
}

#[derive(Clone, Debug, Differentiable)]
struct Mlp {
    layers: Vec<Layer>,
    #[grad(skip)]
    temperature: f64,
}

impl Mlp {
    /// Mean squared error over samples of `n_in` inputs each; the layers run through their
    /// own differentiable method.
    #[differentiable]
    fn loss(&self, xs: &[f64], ys: &[f64]) -> f64 {
        let n_in = self.layers[0].n_in;
        let mut total = 0.0;
        for k in 0..ys.len() {
            let mut h1 = vec![0.0; self.layers[0].b.len()];
            self.layers[0].forward(&xs[k * n_in..(k + 1) * n_in], &mut h1);
            let mut h2 = vec![0.0; self.layers[1].b.len()];
            self.layers[1].forward(&h1, &mut h2);
            let d = h2[0] * self.temperature - ys[k];
            total += d * d;
        }
        total / ys.len() as f64
    }

    /// The same output written inline over the layers: `for layer in &self.layers`,
    /// `layer.w[k]`, `self.layers[l].b[j]`.
    #[differentiable]
    fn output(&self, x: &[f64]) -> f64 {
        let mut h = vec![0.0; 8];
        for i in 0..x.len() {
            h[i] = x[i];
        }
        let mut width = x.len();
        let mut l = 0;
        for layer in &self.layers {
            let mut next = vec![0.0; 8];
            for j in 0..layer.b.len() {
                let mut s = self.layers[l].b[j];
                for i in 0..width {
                    s += layer.w[j * layer.n_in + i] * h[i];
                }
                next[j] = s.tanh();
            }
            width = layer.b.len();
            for j in 0..width {
                h[j] = next[j];
            }
            l += 1;
        }
        h[0]
    }
}

fn mlp() -> Mlp {
    let w = |n: usize, k: f64| (0..n).map(|i| ((i as f64 + k) * 0.7).sin() * 0.5).collect();
    Mlp {
        layers: vec![
            Layer {
                w: w(6, 0.0),
                b: w(3, 1.0),
                n_in: 2,
            },
            Layer {
                w: w(3, 2.0),
                b: w(1, 3.0),
                n_in: 3,
            },
        ],
        temperature: 1.25,
    }
}

#[test]
fn methods_calling_methods_of_fields() {
    let m = mlp();
    let xs = [0.5, -1.0, 1.5, 0.25, -0.5, 2.0];
    let ys = [0.3, -0.2, 0.1];
    let (v, dm, dxs, dys) = m.loss_grad(&xs, &ys);
    assert_eq!(dm.temperature, 1.25, "a skipped float is carried over");
    let rest: Vec<f64> = xs.iter().chain(&ys).copied().collect();
    let d_rest: Vec<f64> = dxs.iter().chain(&dys).copied().collect();
    check_struct("mlp loss", &m, &rest, (v, dm, d_rest), |m, r| {
        m.loss(&r[..6], &r[6..])
    });
}

#[test]
fn loops_over_a_vec_of_structs() {
    let m = mlp();
    let x = [0.5, -1.0];
    let (v, dm, dx) = m.output_grad(&x);
    // Flattened: layer 0's w (6) and b (3), layer 1's w (3) and b (1), then x (2).
    let on_tape = |t: &[Value]| {
        let h: Vec<Value> = (0..3)
            .map(|j| (&t[6 + j] + &t[2 * j] * &t[13] + &t[2 * j + 1] * &t[14]).tanh())
            .collect();
        let mut s = t[12].clone();
        for (i, h) in h.iter().enumerate() {
            s += &t[9 + i] * h;
        }
        s.tanh()
    };
    check_struct_tape(
        "mlp output",
        &m,
        &x,
        (v, dm, dx),
        |m, x| m.output(x),
        Some(&on_tape),
    );
}

#[derive(Clone, Debug, Differentiable)]
struct Pair(f64, f64);

#[derive(Clone, Debug, Differentiable)]
struct Nested {
    pair: Pair,
    corners: [Pair; 2],
    scale: f64,
}

type Real64 = f64;

#[differentiable]
fn nested(n: &Nested, t: Real64) -> f64 {
    let mut s = n.pair.0 * n.pair.1;
    for c in &n.corners {
        s += (c.0 - t).powi(2) + c.1.exp();
    }
    s * n.scale
}

#[test]
fn nested_structs_tuple_structs_and_type_aliases() {
    let n = Nested {
        pair: Pair(0.5, -1.5),
        corners: [Pair(1.0, 0.2), Pair(-0.4, 0.3)],
        scale: 0.75,
    };
    let (v, dn, dt) = nested_grad(&n, 0.3);
    check_struct("nested", &n, &[0.3], (v, dn, vec![dt]), |n, r| {
        nested(n, r[0])
    });
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable]
fn dot_diff(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable]
fn fields_to_helpers(p: &Linear, x: &[f64]) -> f64 {
    let w = &p.w;
    dot_diff(&p.w, x) * p.b + dot_diff(w, x).tanh()
}

#[test]
fn fields_passed_to_helpers() {
    let p = Linear {
        w: vec![0.2, 0.4],
        b: -0.7,
        n: 2,
        name: String::new(),
    };
    let x = [1.5, -0.5];
    let (v, dp, dx) = fields_to_helpers_grad(&p, &x);
    check_struct("helpers", &p, &x, (v, dp, dx), |p, x| {
        dot(&p.w, x) * p.b + dot(&p.w, x).tanh()
    });
}

#[differentiable(wrt(x))]
fn only_x(p: &Linear, x: f64) -> f64 {
    p.b * x * x
}

#[differentiable]
fn by_value(p: Linear, x: f64) -> f64 {
    p.b * x + p.w[0]
}

#[test]
fn wrt_leaves_a_struct_out_and_structs_by_value() {
    let p = Linear {
        w: vec![0.2],
        b: 3.0,
        n: 1,
        name: String::new(),
    };
    let (v, dx) = only_x_grad(&p, 2.0);
    assert_eq!((v, dx), (12.0, 12.0));
    let (v, dp, dx) = by_value_grad(p.clone(), 2.0);
    assert_eq!((v, dp.b, dp.w[0], dx), (6.2, 2.0, 1.0, 3.0));
}

#[derive(Clone, Debug, Differentiable)]
struct Cell {
    state: Vec<f64>,
    gain: f64,
    steps: usize,
}

impl Cell {
    /// A helper that changes its struct: `&mut self`.
    #[differentiable]
    fn advance(&mut self, input: f64) {
        for i in 0..self.state.len() {
            self.state[i] = (self.state[i] * self.gain + input).tanh();
        }
        self.gain *= 0.9;
        self.steps += 1;
    }

    #[differentiable]
    fn run(&mut self, inputs: &[f64]) -> f64 {
        for t in 0..inputs.len() {
            self.advance(inputs[t]);
        }
        let mut s = 0.0;
        for i in 0..self.state.len() {
            s += self.state[i] * self.state[i];
        }
        s
    }
}

/// A free helper over `&mut S`.
#[differentiable]
fn shrink(c: &mut Cell, k: f64) {
    for i in 0..c.state.len() {
        c.state[i] *= k;
    }
}

#[differentiable]
fn shrink_then_read(c: &mut Cell, x: f64) -> f64 {
    shrink(c, 0.5);
    c.advance(x);
    shrink(c, x);
    c.state[0] * x + c.state[1]
}

#[test]
fn structs_through_mut_helpers() {
    let c = Cell {
        state: vec![0.3, -0.2, 0.5],
        gain: 1.1,
        steps: 0,
    };
    let inputs = [0.5, -0.25, 0.75];
    let plain = |c: &Cell, x: &[f64]| c.clone().run(x);
    let mut m = c.clone();
    let (v, dc, dx) = m.run_grad(&inputs);
    assert_eq!(
        m.steps, 3,
        "the companion changes the struct as the method does"
    );
    assert_eq!(dc.steps, 0, "the gradient carries the initial constants");
    check_struct("cell", &c, &inputs, (v, dc, dx), plain);

    let mut m = c.clone();
    let (v, dc, dx) = shrink_then_read_grad(&mut m, 0.7);
    let plain = |c: &Cell, x: &[f64]| shrink_then_read(&mut c.clone(), x[0]);
    check_struct("shrink", &c, &[0.7], (v, dc, vec![dx]), plain);
}

#[differentiable]
fn chains_over_fields(p: &Linear, x: &[f64]) -> f64 {
    let s: f64 = p.w.iter().zip(x).map(|(w, x)| w * x).sum();
    let m = p.w.iter().fold(0.0, |a, &w| a + w * w);
    s * p.b + m
}

impl Mlp {
    #[differentiable]
    fn bias_sum(&self) -> f64 {
        self.layers
            .iter()
            .map(|l| l.b[0] * l.w.len() as f64)
            .sum::<f64>()
    }
}

#[test]
fn iterator_chains_over_fields() {
    let p = Linear {
        w: vec![0.2, -0.4, 0.9],
        b: 1.3,
        n: 3,
        name: String::new(),
    };
    let x = [1.5, -0.5, 0.25];
    let (v, dp, dx) = chains_over_fields_grad(&p, &x);
    check_struct("chains", &p, &x, (v, dp, dx), |p, x| {
        chains_over_fields(p, x)
    });
    let m = mlp();
    let (v, dm) = m.bias_sum_grad();
    check_struct("bias_sum", &m, &[], (v, dm, vec![]), |m, _| m.bias_sum());
}

/// Tuples are values of their own type too: the gradient of `(f64, Vec<f64>)` is one.
#[differentiable]
fn tuple_param(pair: (f64, Vec<f64>), scale: &(f64, usize)) -> f64 {
    let mut s = pair.0;
    for i in 0..scale.1 {
        s += pair.1[i] * scale.0;
    }
    s * s
}

#[test]
fn tuple_parameters() {
    let pair = (0.5, vec![1.0, -2.0, 0.25]);
    let scale = (1.5, 3);
    let (v, dpair, dscale) = tuple_param_grad(pair.clone(), &scale);
    assert_eq!(dscale.1, 3);
    let mut x = vec![pair.0];
    x.extend(&pair.1);
    x.push(scale.0);
    let mut g = vec![dpair.0];
    g.extend(&dpair.1);
    g.push(dscale.0);
    let plain = |x: &[f64]| tuple_param((x[0], x[1..4].to_vec()), &(x[4], 3));
    common::check_point("tuple", &x, (v, g), plain, None, true);
}

impl Linear {
    /// An associated function (no receiver): its companion is `Linear::soft_grad`.
    #[differentiable]
    fn soft(x: f64, k: f64) -> f64 {
        (x * k).exp().ln_1p()
    }

    #[differentiable]
    fn smooth_loss(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..self.w.len() {
            s += Self::soft(self.w[i] * x[i], self.b);
        }
        s
    }
}

#[test]
fn associated_functions() {
    let p = Linear {
        w: vec![0.3, -0.6],
        b: 0.8,
        n: 2,
        name: String::new(),
    };
    let (v, dx, dk) = Linear::soft_grad(0.4, 1.5);
    let e = (0.4f64 * 1.5).exp();
    assert_eq!(v, Linear::soft(0.4, 1.5));
    common::assert_close("d soft/dx", dx, 1.5 * e / (1.0 + e), 1e-14);
    common::assert_close("d soft/dk", dk, 0.4 * e / (1.0 + e), 1e-14);
    let x = [1.0, 2.0];
    let (v, dp, dx) = p.smooth_loss_grad(&x);
    check_struct("smooth", &p, &x, (v, dp, dx), |p, x| p.smooth_loss(x));
}

#[derive(Clone, Debug, Differentiable)]
struct Poly<T: Real> {
    c: Vec<T>,
    shift: T,
}

impl<T: Real> Poly<T> {
    /// A method of a generic impl: the impl's `T` is the float type.
    #[differentiable]
    fn eval(&self, x: T) -> T {
        let mut s = T::ZERO;
        for i in 0..self.c.len() {
            s = s * (x - self.shift) + self.c[i];
        }
        s
    }

    #[differentiable]
    fn scale(&mut self, k: T) {
        for i in 0..self.c.len() {
            self.c[i] *= k;
        }
    }

    #[differentiable]
    fn scaled_eval(&mut self, k: T, x: T) -> T {
        self.scale(k);
        self.eval(x)
    }
}

/// A generic function over a generic struct.
#[differentiable]
fn poly_loss<T: Real>(p: &Poly<T>, xs: &[T]) -> T {
    let mut s = T::ZERO;
    for &x in xs {
        let e = p.eval(x);
        s += e * e;
    }
    s
}

#[test]
fn generic_structs_at_f64_and_f32() {
    let p = Poly {
        c: vec![0.5, -1.0, 2.0],
        shift: 0.25,
    };
    let xs = [0.5, 1.5, -0.75];
    let (v, dp, dxs) = poly_loss_grad(&p, &xs);
    check_struct("poly f64", &p, &xs, (v, dp, dxs), |p, xs| poly_loss(p, xs));

    let mut q = p.clone();
    let (v, dq, dk, dx) = q.scaled_eval_grad(1.5, 0.75);
    check_struct("scaled", &p, &[1.5, 0.75], (v, dq, vec![dk, dx]), |p, r| {
        p.clone().scaled_eval(r[0], r[1])
    });

    // The same at f32, against the f64 gradient.
    let p32 = Poly {
        c: vec![0.5f32, -1.0, 2.0],
        shift: 0.25f32,
    };
    let xs32 = [0.5f32, 1.5, -0.75];
    let (v32, dp32, dxs32) = poly_loss_grad(&p32, &xs32);
    let (v, dp, dxs) = poly_loss_grad(&p, &xs);
    assert_eq!(v32, poly_loss(&p32, &xs32));
    let (mut g32, mut g) = (Vec::new(), Vec::new());
    dp32.flatten(&mut g32);
    dp.flatten(&mut g);
    g32.extend(dxs32.iter().map(|&d| f64::from(d)));
    g.extend(dxs);
    common::assert_close("value f32", f64::from(v32), v, 1e-5);
    for (a, b) in g32.iter().zip(&g) {
        common::assert_close("gradient f32", *a, *b, 1e-4);
    }
}

impl Layer {
    /// A method returning an array.
    #[differentiable]
    fn apply(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.b.len()];
        for (j, b) in self.b.iter().enumerate() {
            let mut s = *b;
            for i in 0..self.n_in {
                s += self.w[j * self.n_in + i] * x[i];
            }
            out[j] = s.sin();
        }
        out
    }
}

impl Mlp {
    #[differentiable]
    fn through_apply(&self, x: &[f64]) -> f64 {
        let h = self.layers[0].apply(x);
        let mut s = 0.0;
        if !self.layers.is_empty() {
            for (l, layer) in self.layers.iter().enumerate() {
                s += layer.b[0] * (l as f64 + 1.0);
            }
        }
        for k in 0..h.len() {
            s += h[k] * h[k];
        }
        s
    }
}

#[test]
fn methods_returning_arrays_and_enumerated_fields() {
    let m = mlp();
    let x = [0.25, -0.5];
    let (v, dm, dx) = m.through_apply_grad(&x);
    check_struct("through_apply", &m, &x, (v, dm, dx), |m, x| {
        m.through_apply(x)
    });
}

#[derive(Clone, Debug, Differentiable)]
struct Gate {
    w: [f64; 3],
    bias: f64,
    enabled: bool,
    order: u32,
}

#[differentiable]
fn sq(x: f64) -> f64 {
    x * x
}

impl Gate {
    #[differentiable]
    fn forward(&self, x: &[f64]) -> f64 {
        let mut s = sq(self.bias);
        if self.enabled {
            for i in 0..self.w.len() {
                s += self.w[i] * x[i];
            }
        }
        s.powi(self.order as i32)
    }
}

/// A free function calling a method of its struct parameter, by reference.
#[differentiable]
fn gate_loss(g: &Gate, x: &[f64], y: f64) -> f64 {
    let e = g.forward(x) - y;
    e * e
}

#[test]
fn boolean_and_integer_fields_and_free_functions_calling_methods() {
    let g = Gate {
        w: [0.2, -0.4, 0.6],
        bias: 0.3,
        enabled: true,
        order: 2,
    };
    let x = [1.0, 0.5, -1.5];
    let (v, dg, dx, dy) = gate_loss_grad(&g, &x, 0.25);
    assert_eq!((dg.enabled, dg.order), (true, 2));
    let mut rest = x.to_vec();
    rest.push(0.25);
    let mut d_rest = dx;
    d_rest.push(dy);
    check_struct("gate", &g, &rest, (v, dg, d_rest), |g, r| {
        gate_loss(g, &r[..3], r[3])
    });
}

#[derive(Clone, Debug, Differentiable)]
struct Casts {
    count: usize,
    scale: f64,
    w: Vec<f64>,
}

/// Fields read only through `as f64`: the macro cannot tell `count` (an integer, no
/// derivative) from `scale` (a float, whose derivative must flow) by their use.
#[differentiable]
fn casts(c: &Casts, x: f64) -> f64 {
    let n = c.count as f64;
    let k = c.scale as f64;
    let m = c.w[0] as f64;
    x * k / n + m * m
}

#[test]
fn fields_read_only_through_casts() {
    let c = Casts {
        count: 4,
        scale: 1.5,
        w: vec![0.7],
    };
    let (v, dc, dx) = casts_grad(&c, 2.0);
    assert_eq!(dc.count, 4);
    assert_close_struct(dc.scale, 2.0 / 4.0);
    assert_close_struct(dc.w[0], 1.4);
    assert_close_struct(dx, 1.5 / 4.0);
    check_struct("casts", &c, &[2.0], (v, dc, vec![dx]), |c, r| {
        casts(c, r[0])
    });
}

fn assert_close_struct(got: f64, want: f64) {
    common::assert_close("cast field", got, want, 1e-15);
}

#[derive(Clone, Debug, Differentiable)]
struct Pt {
    x: f64,
    y: f64,
}

#[differentiable(jvp, hessian)]
fn potential(p: Pt, s: f64) -> f64 {
    (p.x * p.x + p.y * p.y + s).ln()
}

#[differentiable(jvp, hessian)]
fn potential_ref(p: &Pt, s: f64) -> f64 {
    p.x * p.y * s
}

/// A struct taken by value passed on by value (`potential(b, k)`, the callee taking `Pt`) and
/// by reference (`&b`) in one body.
#[differentiable(jvp, hessian)]
fn passes_by_value(b: Pt, k: f64) -> f64 {
    potential_ref(&b, k) + potential(b, k) * k
}

#[derive(Clone, Debug, Differentiable)]
struct Quad {
    a: [f64; 3],
}

impl Quad {
    #[differentiable(jvp, hessian)]
    fn eval(self, x: f64) -> f64 {
        self.a[0] + self.a[1] * x + self.a[2] * x * x
    }

    #[differentiable(jvp, hessian)]
    fn scaled(&self, x: f64) -> f64 {
        self.a[0] * x
    }

    /// A method taking `self` by value calling one that takes `self` by value and one that
    /// takes `&self`.
    #[differentiable(jvp, hessian)]
    fn twice(self, x: f64) -> f64 {
        self.scaled(x) + self.eval(x) * x
    }
}

#[test]
fn structs_passed_on_by_value() {
    let b = Pt { x: 0.3, y: -0.7 };
    let (v, db, dk) = passes_by_value_grad(b.clone(), 1.5);
    assert_eq!(v.to_bits(), passes_by_value(b.clone(), 1.5).to_bits());
    check_struct("by value", &b, &[1.5], (v, db, vec![dk]), |p, r| {
        passes_by_value(p.clone(), r[0])
    });
    // f = x y k + k ln(x² + y² + k): closed forms at (x, y, k).
    let (x, y, k) = (0.3, -0.7, 1.5);
    let r = x * x + y * y + k;
    let (_, g, h) = passes_by_value_hessian(b.clone(), k);
    common::assert_close("d/dx", g[0], y * k + 2.0 * k * x / r, 1e-14);
    common::assert_close("d/dk", g[2], x * y + r.ln() + k / r, 1e-14);
    common::assert_close("d²/dk²", h[2][2], 2.0 / r - k / (r * r), 1e-14);
    common::assert_close("d²/dxdy", h[0][1], k - 4.0 * k * x * y / (r * r), 1e-14);
    let t = Pt { x: 1.0, y: 0.5 };
    let (jv, jd) = passes_by_value_jvp(b.clone(), k, &t, 0.2);
    assert_eq!(jv.to_bits(), v.to_bits());
    common::assert_close("jvp", jd, g[0] + 0.5 * g[1] + 0.2 * g[2], 1e-14);

    // twice = 2 a0 x + a1 x² + a2 x³.
    let (a0, a1, a2) = (0.5, -1.0, 2.0);
    let q = Quad { a: [a0, a1, a2] };
    let x = 0.7;
    let (v, dq, dx) = q.clone().twice_grad(x);
    assert_eq!(v.to_bits(), q.clone().twice(x).to_bits());
    assert_eq!(dq.a, [2.0 * x, x * x, x * x * x]);
    common::assert_close(
        "d/dx",
        dx,
        2.0 * a0 + 2.0 * a1 * x + 3.0 * a2 * x * x,
        1e-14,
    );
    let (_, _, h) = q.clone().twice_hessian(x);
    common::assert_close("d²/dx²", h[3][3], 2.0 * a1 + 6.0 * a2 * x, 1e-14);
    common::assert_close("d²/da2dx", h[2][3], 3.0 * x * x, 1e-14);
}

/// A `#[grad(skip)]` float written by a `&mut self` method: a running statistic (written,
/// never read) and a scale (written, then read).
#[derive(Clone, Debug, Differentiable)]
struct Norm {
    gain: f64,
    #[grad(skip)]
    running_mean: f64,
    #[grad(skip)]
    temp: f64,
}

impl Norm {
    #[differentiable]
    fn forward(&mut self, xs: &[f64], k: f64) -> f64 {
        let mut mean = 0.0;
        for &x in xs {
            mean += x;
        }
        mean /= xs.len() as f64;
        self.running_mean = 0.9 * self.running_mean + 0.1 * mean;
        self.temp *= k;
        let mut loss = 0.0;
        for &x in xs {
            loss += (self.gain * (x - mean)).powi(2);
        }
        loss * self.temp
    }
}

/// A skipped scratch buffer, written in a loop and read back (the loop's reverse runs inside
/// its forward sweep and adds into a scratch gradient first).
#[derive(Clone, Debug, Differentiable)]
struct Cached {
    w: Vec<f64>,
    #[grad(skip)]
    cache: Vec<f64>,
}

impl Cached {
    #[differentiable]
    fn forward(&mut self, x: f64) -> f64 {
        for i in 0..self.w.len() {
            self.cache[i] = (self.w[i] * x).tanh();
        }
        let mut s = 0.0;
        for i in 0..self.cache.len() {
            s += self.cache[i] * self.cache[i];
        }
        s
    }
}

#[test]
fn skipped_fields_written_by_methods() {
    // The skipped fields are constants: central differences over the others, with the
    // struct cloned fresh each time (its skipped fields as they started).
    let n = Norm {
        gain: 1.5,
        running_mean: 10.0,
        temp: 0.7,
    };
    let xs = [0.3, -0.5, 0.9];
    let (v, dn, dxs, dk) = n.clone().forward_grad(&xs, 1.25);
    assert_eq!(v.to_bits(), n.clone().forward(&xs, 1.25).to_bits());
    let f = |gain: f64, xs: &[f64], k: f64| {
        let mut m = n.clone();
        m.gain = gain;
        m.forward(xs, k)
    };
    let mut x = vec![1.5];
    x.extend_from_slice(&xs);
    x.push(1.25);
    let mut g = vec![dn.gain];
    g.extend(&dxs);
    g.push(dk);
    common::central_differences(|x| f(x[0], &x[1..4], x[4]), &x, &g, common::FD_TOL);
    // The gradient carries the skipped fields' values after the call.
    let mut after = n.clone();
    after.forward(&xs, 1.25);
    assert_eq!((dn.running_mean, dn.temp), (after.running_mean, after.temp));

    let c = Cached {
        w: vec![0.5, -0.3],
        cache: vec![5.0, 7.0],
    };
    let (v, dc, dx) = c.clone().forward_grad(0.8);
    assert_eq!(v.to_bits(), c.clone().forward(0.8).to_bits());
    let f = |w0: f64, w1: f64, x: f64| {
        let mut m = c.clone();
        m.w = vec![w0, w1];
        m.forward(x)
    };
    common::central_differences(
        |x| f(x[0], x[1], x[2]),
        &[0.5, -0.3, 0.8],
        &[dc.w[0], dc.w[1], dx],
        common::FD_TOL,
    );
}

#[derive(Clone, Debug, Differentiable)]
struct Cplx {
    re: f64,
    im: f64,
}

impl Cplx {
    /// Named as a float method: called on a whole struct, it is the user's.
    #[differentiable]
    fn abs(&self) -> f64 {
        (self.re * self.re + self.im * self.im).sqrt()
    }

    #[differentiable]
    fn max(&self, o: f64) -> f64 {
        self.re.max(o) * self.im
    }

    #[differentiable]
    fn both(&self, k: f64) -> f64 {
        self.abs() * k + self.max(k)
    }
}

#[differentiable]
fn modulus_times(z: &Cplx, k: f64) -> f64 {
    z.abs() * k + z.max(0.5 * k)
}

#[test]
fn methods_named_like_float_methods() {
    let z = Cplx { re: 0.6, im: -0.8 };
    for k in [1.5, 0.3] {
        let (v, dz, dk) = modulus_times_grad(&z, k);
        assert_eq!(v.to_bits(), modulus_times(&z, k).to_bits());
        check_struct("modulus", &z, &[k], (v, dz, vec![dk]), |z, r| {
            modulus_times(z, r[0])
        });
        let (v, dz, dk) = z.both_grad(k);
        assert_eq!(v.to_bits(), z.both(k).to_bits());
        check_struct("both", &z, &[k], (v, dz, vec![dk]), |z, r| z.both(r[0]));
    }
}
