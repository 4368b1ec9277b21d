//! One struct reaching one call twice: `vdot(a, a)`, `self.dot(self)`, `dot(&self.a, &self.a)`,
//! overlapping sub-slices of one field, one element's method given another element's field.
//! The generated code took the struct's adjoint twice at once (a borrow error); the second
//! place now gathers into a scratch gradient added in after the call. Checked against closed
//! forms and central differences.

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[derive(Clone, Debug, Differentiable)]
struct V3 {
    x: f64,
    y: f64,
    z: f64,
}

impl V3 {
    #[differentiable]
    fn dot(&self, o: &V3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    #[differentiable]
    fn norm(&self) -> f64 {
        self.dot(self).sqrt()
    }
}

#[differentiable]
fn vdot(a: &V3, b: &V3) -> f64 {
    a.x * b.x + a.y * b.y + a.z * b.z
}

#[differentiable]
fn vnorm(a: &V3) -> f64 {
    vdot(a, a).sqrt()
}

#[derive(Clone, Debug, Differentiable)]
struct Item {
    k: Vec<f64>,
    c: f64,
}

impl Item {
    #[differentiable]
    fn apply(&self, v: &[f64]) -> f64 {
        dot(&self.k, v) + self.c
    }
}

#[derive(Clone, Debug, Differentiable)]
struct Outer {
    a: Vec<f64>,
    items: Vec<Item>,
}

impl Outer {
    #[differentiable]
    fn same_field(&self) -> f64 {
        dot(&self.a, &self.a).sqrt()
    }

    #[differentiable]
    fn item_with_item(&self) -> f64 {
        self.items[0].apply(&self.items[1].k)
    }

    #[differentiable]
    fn lagged(&self) -> f64 {
        dot(&self.a[..2], &self.a[1..3])
    }
}

fn outer() -> Outer {
    Outer {
        a: vec![0.5, -1.5, 2.0],
        items: vec![
            Item {
                k: vec![0.3, 0.7],
                c: 0.1,
            },
            Item {
                k: vec![-1.2, 0.4],
                c: 2.0,
            },
        ],
    }
}

#[test]
fn a_struct_passed_twice_to_a_function_or_as_receiver_and_argument() {
    let v = V3 {
        x: 1.0,
        y: 2.0,
        z: 2.0,
    };
    for (n, d) in [v.norm_grad(), vnorm_grad(&v)] {
        assert_eq!(n.to_bits(), v.norm().to_bits());
        assert_eq!(n, 3.0);
        for (got, want) in [(d.x, 1.0 / 3.0), (d.y, 2.0 / 3.0), (d.z, 2.0 / 3.0)] {
            assert!((got - want).abs() < 1e-15, "{got} {want}");
        }
    }
}

/// Central differences of `f` over the struct's floats against `grad`.
fn check(o: &Outer, f: impl Fn(&Outer) -> f64, grad: &Outer) {
    let mut q = Vec::new();
    o.flatten(&mut q);
    let mut g = Vec::new();
    grad.flatten(&mut g);
    for k in 0..q.len() {
        let at = |dq: f64| {
            let mut p = q.clone();
            p[k] += dq;
            let mut s = o.clone();
            s.unflatten(&mut &p[..]);
            f(&s)
        };
        let h = 1e-6;
        let fd = (at(h) - at(-h)) / (2.0 * h);
        assert!(
            (g[k] - fd).abs() < 1e-7 * (1.0 + fd.abs()),
            "component {k}: {} vs {fd}",
            g[k]
        );
    }
}

#[test]
fn one_field_twice_and_overlapping_views_of_it() {
    let o = outer();
    let (v, g) = o.same_field_grad();
    assert_eq!(v.to_bits(), o.same_field().to_bits());
    let n = o.a.iter().map(|a| a * a).sum::<f64>().sqrt();
    for i in 0..3 {
        assert!((g.a[i] - o.a[i] / n).abs() < 1e-15);
    }
    check(&o, Outer::same_field, &g);
    let (v, g) = o.lagged_grad();
    assert_eq!(v.to_bits(), o.lagged().to_bits());
    // a₀a₁ + a₁a₂: (a₁, a₀ + a₂, a₁).
    let want = [o.a[1], o.a[0] + o.a[2], o.a[1]];
    for i in 0..3 {
        assert!((g.a[i] - want[i]).abs() < 1e-15, "d/da[{i}]");
    }
    check(&o, Outer::lagged, &g);
}

#[test]
fn an_element_method_given_another_elements_field() {
    let o = outer();
    let (v, g) = o.item_with_item_grad();
    assert_eq!(v.to_bits(), o.item_with_item().to_bits());
    for i in 0..2 {
        assert!((g.items[0].k[i] - o.items[1].k[i]).abs() < 1e-15);
        assert!((g.items[1].k[i] - o.items[0].k[i]).abs() < 1e-15);
    }
    assert_eq!(g.items[0].c, 1.0);
    check(&o, Outer::item_with_item, &g);
}
