//! `<name>_graph`: the compiled function's computation as a tape graph. Every number in it
//! must be what `_grad` returns: the value bit for bit, and the gradient of every parameter
//! leaf (found by its label) equal to the compiled gradient.

use grad::prelude::*;
use grad::tape::Value;

mod common;
use common::assert_close;

#[differentiable]
fn neuron(x1: f64, x2: f64, w1: f64, w2: f64, b: f64) -> f64 {
    let n = x1 * w1 + x2 * w2 + b;
    n.tanh()
}

#[differentiable]
fn seed(x1: f64, x2: f64, x3: f64) -> f64 {
    let a = x1 * x2;
    a.ln() + (x1 * x3).sin() + x2 * x3
}

/// Loops, branches, a local array, a slice parameter, a call and a constant argument.
#[differentiable]
fn mixed(x: &[f64], k: usize, c: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i];
        let b = x[i + 1] - x[i] * x[i];
        s += a * a + 100.0 * b * b;
    }
    let mut h = [0.0; 3];
    h[k] = s.sqrt();
    if s > 1.0 {
        h[k] + neuron(s, 1.0, c, std::f64::consts::PI, 0.1)
    } else {
        h[k] * c
    }
}

/// The leaf labelled `name` in the graph of `root`.
fn leaf<'a>(root: &'a Value, name: &str) -> &'a Value {
    root.topological_order()
        .into_iter()
        .find(|v| v.op().is_empty() && v.label() == name)
        .unwrap_or_else(|| panic!("no leaf labelled {name}"))
}

#[test]
fn neuron_graph_matches_the_compiled_gradient() {
    let b = 6.881_373_587_019_543;
    let g = neuron_graph(2.0, 0.0, -3.0, 1.0, b);
    let (v, d_x1, d_x2, d_w1, d_w2, d_b) = neuron_grad(2.0, 0.0, -3.0, 1.0, b);
    assert_eq!(g.data().to_bits(), v.to_bits());
    assert_eq!(v.to_bits(), neuron(2.0, 0.0, -3.0, 1.0, b).to_bits());
    for (name, d) in [
        ("x1", d_x1),
        ("x2", d_x2),
        ("w1", d_w1),
        ("w2", d_w2),
        ("b", d_b),
    ] {
        assert_close(name, leaf(&g, name).grad(), d, 1e-15);
    }
    // The user's names label the values they name.
    let n = g.topological_order().into_iter().find(|v| v.label() == "n");
    assert_close(
        "n",
        n.map(Value::data).unwrap_or(f64::NAN),
        2.0 * -3.0 + b,
        1e-15,
    );
    // micrograd's numbers for this neuron.
    assert_close("o", g.data(), std::f64::consts::FRAC_1_SQRT_2, 1e-9);
    assert_close("dx1", leaf(&g, "x1").grad(), -1.5, 1e-9);
}

#[test]
fn seed_graph_matches_the_compiled_gradient() {
    let g = seed_graph(2.0, 3.0, 4.0);
    let (v, d1, d2, d3) = seed_grad(2.0, 3.0, 4.0);
    assert_eq!(g.data().to_bits(), v.to_bits());
    assert_eq!(v.to_bits(), seed(2.0, 3.0, 4.0).to_bits());
    for (name, d) in [("x1", d1), ("x2", d2), ("x3", d3)] {
        assert_close(name, leaf(&g, name).grad(), d, 1e-14);
    }
}

#[test]
fn graphs_of_loops_and_branches_are_unrolled_for_the_run() {
    let x = [1.2, 0.7, -0.3, 0.4];
    for (k, c) in [(0usize, 0.5), (2, -1.5)] {
        let g = mixed_graph(&x, k, c);
        let (v, dx, dc) = mixed_grad(&x, k, c);
        assert_eq!(g.data().to_bits(), v.to_bits());
        assert_eq!(v.to_bits(), mixed(&x, k, c).to_bits());
        for (i, d) in dx.iter().enumerate() {
            assert_close(
                &format!("x[{i}]"),
                leaf(&g, &format!("x[{i}]")).grad(),
                *d,
                1e-12,
            );
        }
        assert_close("c", leaf(&g, "c").grad(), dc, 1e-12);
        // The loop ran three times: three `s` accumulations (labelled by the variable's name).
        let adds = g
            .topological_order()
            .into_iter()
            .filter(|v| v.op() == "+")
            .count();
        assert!(adds >= 6, "the loop is unrolled ({adds} additions)");
    }
}

/// The picture of the compiled neuron, as micrograd draws it: every number in it is one that
/// `_grad` returns or computes on the way (checked above against the compiled gradient).
#[test]
fn neuron_picture_from_the_compiled_function() {
    let b = 6.881_373_587_019_543;
    let dot = grad::dot::to_dot(&neuron_graph(2.0, 0.0, -3.0, 1.0, b));
    let expected = r#"digraph {
  rankdir=LR;
  node [fontname="Helvetica"];
  n0 [shape=record, label="{ x1 | data 2.0000 | grad -1.5000 }"];
  n1 [shape=record, label="{ w1 | data -3.0000 | grad 1.0000 }"];
  n2 [shape=record, label="{ data -6.0000 | grad 0.5000 }"];
  n2_op [shape=circle, label="*"];
  n2_op -> n2;
  n0 -> n2_op;
  n1 -> n2_op;
  n3 [shape=record, label="{ x2 | data 0.0000 | grad 0.5000 }"];
  n4 [shape=record, label="{ w2 | data 1.0000 | grad 0.0000 }"];
  n5 [shape=record, label="{ data 0.0000 | grad 0.5000 }"];
  n5_op [shape=circle, label="*"];
  n5_op -> n5;
  n3 -> n5_op;
  n4 -> n5_op;
  n6 [shape=record, label="{ data -6.0000 | grad 0.5000 }"];
  n6_op [shape=circle, label="+"];
  n6_op -> n6;
  n2 -> n6_op;
  n5 -> n6_op;
  n7 [shape=record, label="{ b | data 6.8814 | grad 0.5000 }"];
  n8 [shape=record, label="{ n | data 0.8814 | grad 0.5000 }"];
  n8_op [shape=circle, label="+"];
  n8_op -> n8;
  n6 -> n8_op;
  n7 -> n8_op;
  n9 [shape=record, label="{ neuron | data 0.7071 | grad 1.0000 }"];
  n9_op [shape=circle, label="tanh"];
  n9_op -> n9;
  n8 -> n9_op;
}
"#;
    assert_eq!(dot, expected);
    let (o, d_x1, d_x2, d_w1, d_w2, d_b) = neuron_grad(2.0, 0.0, -3.0, 1.0, b);
    for (text, number) in [
        ("data 0.7071", o),
        ("x1 | data 2.0000 | grad -1.5000", d_x1),
        ("x2 | data 0.0000 | grad 0.5000", d_x2),
        ("w1 | data -3.0000 | grad 1.0000", d_w1),
        ("w2 | data 1.0000 | grad 0.0000", d_w2),
        ("b | data 6.8814 | grad 0.5000", d_b),
    ] {
        assert!(dot.contains(text), "{text}");
        let shown: f64 = text
            .rsplit(' ')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(f64::NAN);
        assert_close(text, shown, number, 1e-4);
    }
}

/// `record::op1` / `op2` / `op3`, the single call `_graph` emits for a primitive, record the
/// node a rule's call and `record::op` record: value, operation, parents and partials, bit
/// for bit.
#[test]
fn one_call_per_primitive_records_what_the_rule_and_op_record() {
    use grad::__private::{record, rules};
    // Each node as bits: value, operation and, per parent, its label and the partial.
    fn bits(v: &Value) -> (u64, &'static str, Vec<(String, u64)>) {
        let parents = v.parents().map(|(p, d)| (p.label(), d.to_bits()));
        (v.data().to_bits(), v.op(), parents.collect())
    }
    // The same three leaves in a recording of their own, and `f`'s node from them.
    fn recorded(
        f: impl Fn([record::Node; 3]) -> record::Node,
    ) -> (u64, &'static str, Vec<(String, u64)>) {
        let rec = record::Recording::start();
        let leaves = [("a", 0.3), ("b", -1.7), ("c", 0.25)].map(|(l, x)| record::leaf(x, l));
        bits(&rec.finish(f(leaves)))
    }
    let d = record::data;
    assert_eq!(
        recorded(|[a, ..]| record::op1(rules::sin, "sin", a)),
        recorded(|[a, ..]| {
            let (v, da) = rules::sin(d(a));
            record::op(v, "sin", [(a, da)])
        })
    );
    assert_eq!(
        recorded(|[a, b, _]| record::op2(rules::mul, "*", a, b)),
        recorded(|[a, b, _]| {
            let (v, da, db) = rules::mul(d(a), d(b));
            record::op(v, "*", [(a, da), (b, db)])
        })
    );
    assert_eq!(
        recorded(|[a, b, c]| record::op3(rules::clamp, "clamp", a, b, c)),
        recorded(|[a, b, c]| {
            let (v, da, db, dc) = rules::clamp(d(a), d(b), d(c));
            record::op(v, "clamp", [(a, da), (b, db), (c, dc)])
        })
    );
}

#[cfg(feature = "svg")]
#[test]
fn compiled_picture_as_svg_has_a_box_for_every_value() {
    let g = mixed_graph(&[1.2, 0.7, -0.3], 1, 0.5);
    let svg = grad::dot::to_svg(&g);
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..40]
    );
    let values = g.topological_order().len();
    let boxes = svg.matches("data ").count();
    assert!(boxes >= values, "{boxes} boxes for {values} values");
}
