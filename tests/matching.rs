//! `match` and `matches!` (lowered to `if` / `else if` on `matches!`): on an enum field of a
//! struct (by value and through `&`), on an enum parameter left out by `wrt(...)`, on integers
//! with or-patterns, ranges, guards and a catch-all name, on a tuple of integers, in statement
//! position inside a loop, as a function's tail with `return` in an arm; and `==` / `!=` of an
//! enum field or parameter with a variant. Each against a closed form, central differences or
//! the same function written with `if`, in `_grad`, `_graph`, `_jvp` and `_hessian`.

use grad::prelude::*;

mod common;
use common::{close, close_to};

#[derive(Clone, Debug, PartialEq)]
pub enum Act {
    Relu,
    Tanh,
    Identity,
}

#[derive(Clone, Differentiable)]
pub struct Neuron {
    pub w: Vec<f64>,
    #[grad(skip)]
    pub act: Act,
}

impl Neuron {
    /// `act(w0 x + w1)`, the activation chosen by `match self.act`.
    #[differentiable(hessian)]
    pub fn out(&self, x: f64) -> f64 {
        let z = self.w[0] * x + self.w[1];
        match self.act {
            Act::Relu => z.max(0.0),
            Act::Tanh => z.tanh(),
            Act::Identity => z,
        }
    }
}

/// Two layers of one neuron each, the activation matched through a reference and an index.
#[derive(Clone, Differentiable)]
pub struct Chain {
    pub layers: Vec<Neuron>,
}

impl Chain {
    #[differentiable]
    pub fn out(&self, x: f64) -> f64 {
        let mut h = x;
        for l in 0..self.layers.len() {
            let z = self.layers[l].w[0] * h + self.layers[l].w[1];
            h = match &self.layers[l].act {
                Act::Relu => z.max(0.0),
                Act::Tanh | Act::Identity if l == 0 => z.tanh(),
                _ => z,
            };
        }
        h
    }
}

#[test]
fn match_on_an_enum_field_picks_each_activation() {
    let x = 0.8;
    for act in [Act::Relu, Act::Tanh, Act::Identity] {
        for w in [[0.5, 0.1], [-0.5, 0.1]] {
            let n = Neuron {
                w: w.to_vec(),
                act: act.clone(),
            };
            let z = w[0] * x + w[1];
            let (slope, curve) = match act {
                Act::Relu => (if z > 0.0 { 1.0 } else { 0.0 }, 0.0),
                Act::Tanh => (
                    1.0 - z.tanh().powi(2),
                    -2.0 * z.tanh() * (1.0 - z.tanh().powi(2)),
                ),
                Act::Identity => (1.0, 0.0),
            };
            let (v, g, dx) = n.out_grad(x);
            assert_eq!(v.to_bits(), n.out(x).to_bits(), "{act:?}");
            close(g.w[0], slope * x);
            close(g.w[1], slope);
            close(dx, slope * w[0]);
            // Inputs flattened `self` first: w0, w1, x.
            let (_, _, h) = n.out_hessian(x);
            close(h[0][0], curve * x * x);
            close(h[0][2], curve * x * w[0] + slope);
            close(h[2][2], curve * w[0] * w[0]);
            close(h[1][2], curve * w[0]);
        }
    }
}

#[test]
fn match_through_a_reference_with_a_guard() {
    let acts = [
        [Act::Tanh, Act::Relu],
        [Act::Identity, Act::Tanh],
        [Act::Relu, Act::Identity],
    ];
    for [a, b] in acts {
        let chain = Chain {
            layers: vec![
                Neuron {
                    w: vec![0.7, -0.2],
                    act: a.clone(),
                },
                Neuron {
                    w: vec![1.3, 0.4],
                    act: b.clone(),
                },
            ],
        };
        let x = 0.9;
        let (v, g, dx) = chain.out_grad(x);
        assert_eq!(v.to_bits(), chain.out(x).to_bits());
        let h = 1e-6;
        let fd = (chain.out(x + h) - chain.out(x - h)) / (2.0 * h);
        close_to(dx, fd, 1e-7);
        for l in 0..2 {
            for k in 0..2 {
                let mut up = chain.clone();
                up.layers[l].w[k] += h;
                let mut down = chain.clone();
                down.layers[l].w[k] -= h;
                let fd = (up.out(x) - down.out(x)) / (2.0 * h);
                close_to(g.layers[l].w[k], fd, 1e-7);
            }
        }
    }
}

/// Integer patterns: literals, an or-pattern with a guard, a range, a catch-all name.
#[differentiable(wrt(x), jvp, hessian)]
fn piecewise(x: f64, act: &Act, k: usize) -> f64 {
    let m = match k % 4 {
        0 => x * x,
        1 | 2 if k > 4 => x.sin(),
        3..=3 => x.exp(),
        n => x * n as f64,
    };
    let mut s = m;
    for i in 0..k {
        match (i % 2, i % 3) {
            (0, 0) => s += x,
            (1, _) => {
                s *= 1.01;
            }
            _ => (),
        }
    }
    if matches!(act, Act::Relu | Act::Tanh) {
        s * 2.0
    } else {
        s
    }
}

/// The same computation with `if` / `else if`: the reference.
fn piecewise_if(x: f64, act: &Act, k: usize) -> f64 {
    let r = k % 4;
    let m = if r == 0 {
        x * x
    } else if (r == 1 || r == 2) && k > 4 {
        x.sin()
    } else if r == 3 {
        x.exp()
    } else {
        x * r as f64
    };
    let mut s = m;
    for i in 0..k {
        if i % 2 == 0 && i % 3 == 0 {
            s += x;
        } else if i % 2 == 1 {
            s *= 1.01;
        }
    }
    if *act != Act::Identity {
        s * 2.0
    } else {
        s
    }
}

#[test]
fn integer_patterns_guards_and_tuples() {
    let x = 0.3;
    for act in [Act::Relu, Act::Identity] {
        for k in 0..12 {
            let v0 = piecewise(x, &act, k);
            assert_eq!(v0.to_bits(), piecewise_if(x, &act, k).to_bits(), "k {k}");
            let (v, g) = piecewise_grad(x, &act, k);
            assert_eq!(v.to_bits(), v0.to_bits());
            let h = 1e-6;
            let fd = (piecewise(x + h, &act, k) - piecewise(x - h, &act, k)) / (2.0 * h);
            close_to(g, fd, 1e-7);
            let (vj, t) = piecewise_jvp(x, &act, k, 0.5);
            assert_eq!(vj.to_bits(), v0.to_bits());
            close(t, 0.5 * g);
            let (_, gh, hess) = piecewise_hessian(x, &act, k);
            assert_eq!(gh[0].to_bits(), g.to_bits());
            let fd2 =
                (piecewise_grad(x + h, &act, k).1 - piecewise_grad(x - h, &act, k).1) / (2.0 * h);
            close_to(hess[0][0], fd2, 1e-6);
        }
    }
}

/// A `match` as the function's tail, `return` in an arm; `_graph` runs the same arms.
#[differentiable]
fn tail_match(x: f64, y: f64, mode: u8) -> f64 {
    match mode {
        0 => x * y,
        1 => {
            if x > y {
                return x - y;
            }
            (x - y).powi(2)
        }
        _ => x.hypot(y),
    }
}

#[test]
fn match_as_the_tail_with_an_early_return() {
    for mode in 0..3u8 {
        for (x, y) in [(1.5, 0.5), (0.5, 1.5)] {
            let (v, dx, dy) = tail_match_grad(x, y, mode);
            assert_eq!(v.to_bits(), tail_match(x, y, mode).to_bits());
            let (wx, wy) = match mode {
                0 => (y, x),
                1 if x > y => (1.0, -1.0),
                1 => (2.0 * (x - y), -2.0 * (x - y)),
                _ => (x / x.hypot(y), y / x.hypot(y)),
            };
            close(dx, wx);
            close(dy, wy);
            // `_graph` has back-propagated already.
            let root = tail_match_graph(x, y, mode);
            assert_eq!(root.data().to_bits(), v.to_bits());
            close(leaf(&root, "x").grad(), wx);
            close(leaf(&root, "y").grad(), wy);
        }
    }
}

impl Neuron {
    /// The same activations chosen with `==` and `!=` on the field, either way round.
    #[differentiable(hessian)]
    pub fn out_if(&self, x: f64) -> f64 {
        let z = self.w[0] * x + self.w[1];
        if self.act == Act::Relu {
            z.max(0.0)
        } else if Act::Tanh != self.act {
            z
        } else {
            z.tanh()
        }
    }
}

/// `==` on an enum parameter, by reference (`*act`) and by value.
#[differentiable(wrt(x), hessian)]
fn by_ref_param(x: f64, act: &Act) -> f64 {
    if *act == Act::Relu {
        x * x
    } else {
        x.sin()
    }
}

#[differentiable(wrt(x))]
fn by_value_param(x: f64, act: Act) -> f64 {
    if act != Act::Relu {
        x.sin()
    } else {
        x * x
    }
}

#[test]
fn enum_comparisons_read_in_place() {
    let x = 0.8;
    for act in [Act::Relu, Act::Tanh, Act::Identity] {
        let n = Neuron {
            w: vec![0.5, 0.1],
            act: act.clone(),
        };
        let (v, g, dx) = n.out_grad(x);
        let (vi, gi, dxi) = n.out_if_grad(x);
        assert_eq!(vi.to_bits(), n.out_if(x).to_bits());
        assert_eq!(vi.to_bits(), v.to_bits());
        assert_eq!((gi.w, dxi.to_bits()), (g.w, dx.to_bits()));
        assert_eq!(n.out_if_hessian(x).2, n.out_hessian(x).2);
        let (v, d) = by_ref_param_grad(x, &act);
        let (v2, d2) = by_value_param_grad(x, act.clone());
        assert_eq!((v.to_bits(), d.to_bits()), (v2.to_bits(), d2.to_bits()));
        if act == Act::Relu {
            close(d, 2.0 * x);
            close(by_ref_param_hessian(x, &act).2[0][0], 2.0);
        } else {
            close(d, x.cos());
            close(by_ref_param_hessian(x, &act).2[0][0], -x.sin());
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Square,
    Sine,
}

#[derive(Clone, Differentiable)]
pub struct Unit {
    pub w: f64,
    #[grad(skip)]
    pub mode: Mode,
}

impl Unit {
    /// The field bound with its type first, then tested.
    #[differentiable(hessian)]
    pub fn out(&self, x: f64) -> f64 {
        let mode: Mode = self.mode;
        let z = self.w * x;
        let y = match mode {
            Mode::Square => z * z,
            Mode::Sine => z.sin(),
        };
        if mode == Mode::Square {
            y
        } else {
            2.0 * y
        }
    }
}

#[test]
fn an_enum_field_bound_with_its_type() {
    let x = 0.7;
    for (mode, w) in [(Mode::Square, 1.5), (Mode::Sine, -0.4)] {
        let u = Unit { w, mode };
        let (v, g, dx) = u.out_grad(x);
        assert_eq!(v.to_bits(), u.out(x).to_bits());
        let z = w * x;
        let (dz, ddz) = match mode {
            Mode::Square => (2.0 * z, 2.0),
            Mode::Sine => (2.0 * z.cos(), -2.0 * z.sin()),
        };
        close(g.w, dz * x);
        close(dx, dz * w);
        let (_, _, h) = u.out_hessian(x);
        close(h[0][0], ddz * x * x);
        close(h[1][1], ddz * w * w);
        close(h[0][1], ddz * w * x + dz);
    }
}

fn is_square(m: &Mode) -> bool {
    *m == Mode::Square
}

impl Mode {
    fn is_sine(self) -> bool {
        self == Mode::Sine
    }
}

#[derive(Clone, Differentiable)]
pub struct Gated {
    pub w: f64,
    #[grad(skip)]
    pub mode: Mode,
    #[grad(skip)]
    pub open: Vec<bool>,
}

impl Gated {
    /// Conditions that call plain helpers and methods on data the macro cannot see.
    #[differentiable(hessian)]
    pub fn out(&self, x: f64, k: usize) -> f64 {
        let z = self.w * x;
        let mut s = if self.mode.is_sine() && self.open[k] {
            z.sin()
        } else {
            z * z
        };
        let mut i = 0;
        while !self.mode.is_sine() && i < k {
            s += z;
            i += 1;
        }
        s
    }
}

/// A plain helper on an enum parameter, in a condition and in a `let` typed `bool`.
#[differentiable(wrt(x), jvp)]
fn helper_condition(x: f64, m: Mode) -> f64 {
    let square: bool = is_square(&m);
    if square && !m.is_sine() {
        x * x
    } else {
        -x
    }
}

#[test]
fn conditions_call_helpers_on_opaque_data() {
    let (x, w) = (0.7, 1.3);
    for mode in [Mode::Square, Mode::Sine] {
        for k in 0..2 {
            let g = Gated {
                w,
                mode,
                open: vec![true, false],
            };
            let (v, d, dx) = g.out_grad(x, k);
            assert_eq!(v.to_bits(), g.out(x, k).to_bits());
            let z = w * x;
            let (dz, ddz) = if mode == Mode::Sine && k == 0 {
                (z.cos(), -z.sin())
            } else if mode == Mode::Sine {
                (2.0 * z, 2.0)
            } else {
                (2.0 * z + k as f64, 2.0)
            };
            close(d.w, dz * x);
            close(dx, dz * w);
            let (_, _, h) = g.out_hessian(x, k);
            close(h[0][1], ddz * w * x + dz);
        }
        let (v, d) = helper_condition_grad(x, mode);
        assert_eq!(v.to_bits(), helper_condition(x, mode).to_bits());
        close(d, if mode == Mode::Square { 2.0 * x } else { -1.0 });
        assert_eq!(helper_condition_jvp(x, mode, 2.0).1, 2.0 * d);
    }
}

#[allow(non_upper_case_globals)]
const two: usize = 2;

/// A lower-case constant as a pattern is the constant, as rustc resolves it, not a catch-all.
#[allow(non_upper_case_globals)]
#[differentiable]
fn lower_case_constant(x: f64, k: usize) -> f64 {
    match k {
        two => x * x,
        n => x * n as f64,
    }
}

#[test]
fn a_lower_case_constant_pattern() {
    for k in 0..4 {
        let (v, d) = lower_case_constant_grad(1.5, k);
        assert_eq!(v.to_bits(), lower_case_constant(1.5, k).to_bits());
        close(d, if k == 2 { 3.0 } else { k as f64 });
    }
}

fn positive(v: f64) -> bool {
    v > 0.0
}

/// Plain helpers of floats as conditions (`if positive(z)`, `while !positive(s - 3.0)`, a
/// `let` typed `bool`): tests, whatever derivative their arguments carry.
#[differentiable(jvp, hessian)]
fn float_tests(x: f64, y: f64) -> f64 {
    let z = x - y;
    if positive(z) {
        return z * z;
    }
    if positive(x) && !positive(y) {
        return y * x;
    }
    let b: bool = positive(y - 0.5);
    let mut s = x;
    while !positive(s - 3.0) {
        s += 1.0 + 0.1 * y;
    }
    if b {
        s * y
    } else {
        y
    }
}

#[test]
fn plain_helpers_of_floats_as_conditions() {
    let e = 1e-6;
    for (x, y) in [(0.7, 0.2), (-0.2, 0.7), (-0.5, 0.2)] {
        let (v, dx, dy) = float_tests_grad(x, y);
        assert_eq!(v.to_bits(), float_tests(x, y).to_bits());
        let fx = (float_tests(x + e, y) - float_tests(x - e, y)) / (2.0 * e);
        let fy = (float_tests(x, y + e) - float_tests(x, y - e)) / (2.0 * e);
        assert!(
            (dx - fx).abs() < 1e-6 && (dy - fy).abs() < 1e-6,
            "{dx} {fx} {dy} {fy}"
        );
        assert_eq!(float_tests_jvp(x, y, 1.0, 0.0).1, dx);
        let (_, g, _) = float_tests_hessian(x, y);
        assert_eq!((g[0], g[1]), (dx, dy));
    }
}

/// Another name for a struct parameter (`let g = gate;`), tested through a method.
#[differentiable(hessian)]
fn aliased(gate: &Gated, x: f64) -> f64 {
    let g = gate;
    if g.mode.is_sine() {
        g.w * x.sin()
    } else {
        g.w * x * x
    }
}

#[test]
fn another_name_for_a_struct_parameter() {
    for mode in [Mode::Square, Mode::Sine] {
        let gate = Gated {
            w: 1.5,
            mode,
            open: vec![],
        };
        let x = 0.8;
        let (v, g, dx) = aliased_grad(&gate, x);
        assert_eq!(v.to_bits(), aliased(&gate, x).to_bits());
        let (f, d) = match mode {
            Mode::Sine => (x.sin(), x.cos()),
            Mode::Square => (x * x, 2.0 * x),
        };
        close(g.w, f);
        close(dx, 1.5 * d);
        close(aliased_hessian(&gate, x).2[0][1], d);
    }
}

/// An enum of unit variants derives `Differentiable` (a constant): a field needs no
/// `#[grad(skip)]`.
#[derive(Clone, Copy, Debug, PartialEq, Differentiable)]
pub enum Squash {
    Tanh,
    None,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Unit2 {
    pub w: Vec<f64>,
    pub squash: Squash,
}

impl Unit2 {
    #[differentiable(hessian)]
    pub fn out(&self, x: f64) -> f64 {
        let z = self.w[0] * x + self.w[1];
        match self.squash {
            Squash::Tanh => z.tanh(),
            Squash::None => z,
        }
    }
}

#[test]
fn an_enum_field_without_skip() {
    for squash in [Squash::Tanh, Squash::None] {
        let u = Unit2 {
            w: vec![0.5, 0.1],
            squash,
        };
        let x = 0.8;
        let (v, g, dx) = u.out_grad(x);
        assert_eq!(v.to_bits(), u.out(x).to_bits());
        assert_eq!(g.squash, squash);
        let z: f64 = 0.5 * x + 0.1;
        let slope = if squash == Squash::Tanh {
            1.0 - z.tanh().powi(2)
        } else {
            1.0
        };
        close(g.w[0], slope * x);
        close(dx, slope * 0.5);
        // Inputs: w0, w1 (the enum has no floats), x.
        assert_eq!(u.out_hessian(x).2.len(), 3);
    }
}

/// An activation enum with a differentiable method (`match self`), called on a field.
#[derive(Clone, Copy, Debug, PartialEq, Differentiable)]
pub enum Activation {
    Relu,
    Tanh,
    Linear,
}

impl Activation {
    #[differentiable(hessian)]
    pub fn apply(&self, z: f64) -> f64 {
        match self {
            Activation::Relu => z.max(0.0),
            Activation::Tanh => z.tanh(),
            Activation::Linear => z,
        }
    }
}

#[derive(Clone, Debug, Differentiable)]
pub struct Dense1 {
    pub w: Vec<f64>,
    pub act: Activation,
}

impl Dense1 {
    #[differentiable]
    pub fn out(&self, x: f64) -> f64 {
        let z = self.w[0] * x + self.w[1];
        self.act.apply(z)
    }
}

#[test]
fn an_activation_method_on_an_enum_field() {
    let x = 0.8;
    for act in [Activation::Relu, Activation::Tanh, Activation::Linear] {
        let l = Dense1 {
            w: vec![0.5, -0.6],
            act,
        };
        let (v, g, dx) = l.out_grad(x);
        assert_eq!(v.to_bits(), l.out(x).to_bits());
        let z: f64 = 0.5 * x - 0.6;
        let slope = match act {
            Activation::Relu => 0.0,
            Activation::Tanh => 1.0 - z.tanh().powi(2),
            Activation::Linear => 1.0,
        };
        close(g.w[0], slope * x);
        close(g.w[1], slope);
        close(dx, slope * 0.5);
        assert_eq!(g.act, act);
    }
    let t: f64 = 0.3;
    close(
        Activation::Tanh.apply_hessian(t).2[0][0],
        -2.0 * t.tanh() * (1.0 - t.tanh().powi(2)),
    );
}

fn leaf<'a>(root: &'a grad::tape::Value, name: &str) -> &'a grad::tape::Value {
    root.topological_order()
        .into_iter()
        .find(|v| v.op().is_empty() && v.label() == name)
        .unwrap_or_else(|| panic!("no leaf labelled {name}"))
}

/// `None` in a pattern is a variant, not a name the arm binds.
#[differentiable]
fn optional_scale(x: f64, o: Option<usize>, pair: (Option<usize>, u8)) -> f64 {
    let a = match o {
        None => x,
        Some(_) => x * 2.0,
    };
    match pair {
        (None, 0) => a * a,
        _ => a.sin(),
    }
}

#[test]
fn none_is_a_variant_in_a_pattern() {
    let x: f64 = 0.8;
    for (o, pair, want) in [
        (None, (None, 0), 2.0 * x),
        (Some(3), (None, 0), 8.0 * x),
        (None, (Some(1), 0), x.cos()),
        (Some(1), (None, 2), 2.0 * (2.0 * x).cos()),
    ] {
        let (value, d_x) = optional_scale_grad(x, o, pair);
        assert_eq!(value.to_bits(), optional_scale(x, o, pair).to_bits());
        close(d_x, want);
    }
}

/// A unit-enum setting, copied.
#[derive(Clone, Copy, Debug, PartialEq, Differentiable)]
pub enum Gate {
    Open,
    Soft,
    Shut,
}

/// A weight with a count and a gate.
#[derive(Clone, Debug, Differentiable)]
pub struct Counted {
    pub w: f64,
    #[grad(skip)]
    pub n: usize,
    pub gate: Gate,
}

impl Counted {
    /// Catch-all names on a field: an integer read in the guard and the arm, an enum compared.
    #[allow(clippy::redundant_guards)] // the name bound to the field is what is tested
    #[differentiable]
    pub fn apply(&self, x: f64) -> f64 {
        let a = match self.n {
            m if m > 2 => x * m as f64 * self.w,
            _ => x,
        };
        match self.gate {
            g if g == Gate::Open => a.max(0.0),
            Gate::Soft => a.tanh(),
            _ => a,
        }
    }
}

#[test]
fn names_bound_to_a_field_in_guards() {
    let x = 0.7;
    for n in [1, 4] {
        for gate in [Gate::Open, Gate::Soft, Gate::Shut] {
            let c = Counted { w: 0.5, n, gate };
            let (value, d_c, d_x) = c.apply_grad(x);
            assert_eq!(value.to_bits(), c.apply(x).to_bits());
            let scale = if n > 2 { n as f64 * c.w } else { 1.0 };
            let a = x * scale;
            let outer = match gate {
                Gate::Soft => 1.0 - a.tanh().powi(2),
                _ => 1.0,
            };
            close(d_x, outer * scale);
            close(d_c.w, if n > 2 { outer * x * n as f64 } else { 0.0 });
        }
    }
}

/// A weight and a count behind `&mut`.
#[derive(Clone, Debug, Differentiable)]
pub struct Mutable {
    pub w: f64,
    #[grad(skip)]
    pub n: usize,
}

/// The arm changes the field its name was bound to: the name keeps the value it matched.
#[differentiable]
fn rebinds(p: &mut Mutable, x: f64) -> f64 {
    let a = match p.n {
        m if m > 2 => {
            p.n = 1;
            x * m as f64
        }
        _ => x,
    };
    match p.w {
        v if v > 0.0 => {
            p.w = x * 5.0;
            v * a
        }
        _ => a,
    }
}

/// A lower-case constant as the pattern of a tuple.
#[allow(non_upper_case_globals)]
const origin: (usize, usize) = (0, 0);

/// `2x` at the origin, `x` elsewhere.
#[allow(non_upper_case_globals)] // the constant's name, in the pattern
#[differentiable]
fn at_origin(x: f64, a: usize, b: usize) -> f64 {
    match (a, b) {
        origin => x * 2.0,
        _ => x,
    }
}

#[test]
fn names_keep_the_value_they_matched() {
    let x = 0.7;
    let p = Mutable { w: 0.5, n: 4 };
    let (value, d_p, d_x) = rebinds_grad(&mut p.clone(), x);
    assert_eq!(value.to_bits(), rebinds(&mut p.clone(), x).to_bits());
    // w₀ · 4x: the initial w and n.
    close(value, 0.5 * 4.0 * x);
    close(d_p.w, 4.0 * x);
    close(d_x, 0.5 * 4.0);
    assert_eq!(at_origin_grad(x, 0, 0), (2.0 * x, 2.0));
    assert_eq!(at_origin_grad(x, 1, 0), (x, 1.0));
}
