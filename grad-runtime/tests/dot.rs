//! Pictures of tape graphs: the DOT text of micrograd's seed examples, written out in full; every
//! number in it checked against the values it draws; the SVG well-formed with a box for every
//! value; and, where Graphviz is installed, `dot` accepting our text.

use grad_runtime::dot;
use grad_runtime::tape::Value;

/// The seed function `L = ln(x1*x2) + sin(x1*x3) + x2*x3` at `(2, 3, 4)`, after `backward`.
fn seed() -> Value {
    let x1 = Value::labeled(2.0, "x1");
    let x2 = Value::labeled(3.0, "x2");
    let x3 = Value::labeled(4.0, "x3");
    let a = &x1 * &x2;
    a.set_label("a");
    let l = a.ln() + (&x1 * &x3).sin() + &x2 * &x3;
    l.set_label("L");
    l.backward();
    l
}

/// micrograd's tanh neuron (`x1=2, x2=0, w1=-3, w2=1, b=6.8813735870195432`), labelled as in
/// the video, after `backward`.
fn neuron() -> Value {
    let x1 = Value::labeled(2.0, "x1");
    let x2 = Value::labeled(0.0, "x2");
    let w1 = Value::labeled(-3.0, "w1");
    let w2 = Value::labeled(1.0, "w2");
    let b = Value::labeled(6.881_373_587_019_543, "b");
    let x1w1 = &x1 * &w1;
    x1w1.set_label("x1*w1");
    let x2w2 = &x2 * &w2;
    x2w2.set_label("x2*w2");
    let x1w1x2w2 = &x1w1 + &x2w2;
    x1w1x2w2.set_label("x1*w1 + x2*w2");
    let n = &x1w1x2w2 + &b;
    n.set_label("n");
    let o = n.tanh();
    o.set_label("o");
    o.backward();
    o
}

/// By hand: `x1.grad = 1/x1 + x3·cos(8) = -0.0820`, `x2.grad = 1/x2 + x3 = 4.3333`,
/// `x3.grad = x1·cos(8) + x2 = 2.7090`, `a.grad = 1/a = 0.1667`, `(x1*x3).grad = cos(8)`.
#[test]
fn seed_example_dot() {
    let expected = r#"digraph {
  rankdir=LR;
  node [fontname="Helvetica"];
  n0 [shape=record, label="{ x1 | data 2.0000 | grad -0.0820 }"];
  n1 [shape=record, label="{ x2 | data 3.0000 | grad 4.3333 }"];
  n2 [shape=record, label="{ a | data 6.0000 | grad 0.1667 }"];
  n2_op [shape=circle, label="*"];
  n2_op -> n2;
  n0 -> n2_op;
  n1 -> n2_op;
  n3 [shape=record, label="{ data 1.7918 | grad 1.0000 }"];
  n3_op [shape=circle, label="ln"];
  n3_op -> n3;
  n2 -> n3_op;
  n4 [shape=record, label="{ x3 | data 4.0000 | grad 2.7090 }"];
  n5 [shape=record, label="{ data 8.0000 | grad -0.1455 }"];
  n5_op [shape=circle, label="*"];
  n5_op -> n5;
  n0 -> n5_op;
  n4 -> n5_op;
  n6 [shape=record, label="{ data 0.9894 | grad 1.0000 }"];
  n6_op [shape=circle, label="sin"];
  n6_op -> n6;
  n5 -> n6_op;
  n7 [shape=record, label="{ data 2.7811 | grad 1.0000 }"];
  n7_op [shape=circle, label="+"];
  n7_op -> n7;
  n3 -> n7_op;
  n6 -> n7_op;
  n8 [shape=record, label="{ data 12.0000 | grad 1.0000 }"];
  n8_op [shape=circle, label="*"];
  n8_op -> n8;
  n1 -> n8_op;
  n4 -> n8_op;
  n9 [shape=record, label="{ L | data 14.7811 | grad 1.0000 }"];
  n9_op [shape=circle, label="+"];
  n9_op -> n9;
  n7 -> n9_op;
  n8 -> n9_op;
}
"#;
    assert_eq!(dot::to_dot(&seed()), expected);
}

#[test]
fn tanh_neuron_dot() {
    let expected = r#"digraph {
  rankdir=LR;
  node [fontname="Helvetica"];
  n0 [shape=record, label="{ x1 | data 2.0000 | grad -1.5000 }"];
  n1 [shape=record, label="{ w1 | data -3.0000 | grad 1.0000 }"];
  n2 [shape=record, label="{ x1*w1 | data -6.0000 | grad 0.5000 }"];
  n2_op [shape=circle, label="*"];
  n2_op -> n2;
  n0 -> n2_op;
  n1 -> n2_op;
  n3 [shape=record, label="{ x2 | data 0.0000 | grad 0.5000 }"];
  n4 [shape=record, label="{ w2 | data 1.0000 | grad 0.0000 }"];
  n5 [shape=record, label="{ x2*w2 | data 0.0000 | grad 0.5000 }"];
  n5_op [shape=circle, label="*"];
  n5_op -> n5;
  n3 -> n5_op;
  n4 -> n5_op;
  n6 [shape=record, label="{ x1*w1 + x2*w2 | data -6.0000 | grad 0.5000 }"];
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
  n9 [shape=record, label="{ o | data 0.7071 | grad 1.0000 }"];
  n9_op [shape=circle, label="tanh"];
  n9_op -> n9;
  n8 -> n9_op;
}
"#;
    assert_eq!(dot::to_dot(&neuron()), expected);
}

/// Graphviz's SVG, parsed (it has a DOCTYPE, which roxmltree refuses unless told).
fn parse_graphviz_svg(svg: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(svg, options).unwrap_or_else(|e| panic!("{e}\n{svg}"))
}

/// The record line of value `nI`, or `None` if there is none.
fn record_line(text: &str, i: usize) -> Option<&str> {
    let prefix = format!("  n{i} [shape=record, label=\"{{ ");
    text.lines().find(|line| line.starts_with(&prefix))
}

/// Every value's box holds its own label, data and gradient with four decimals, in the order
/// of `topological_order`; every operation has its node and one edge per input use.
fn check_numbers_and_edges(root: &Value) {
    let text = dot::to_dot(root);
    let order = root.topological_order();
    for (i, v) in order.iter().enumerate() {
        let line = record_line(&text, i).unwrap_or_else(|| panic!("no node n{i} in\n{text}"));
        let numbers = format!("data {:.4} | grad {:.4} }}\"];", v.data(), v.grad());
        let wanted = match v.label().as_str() {
            "" => format!("  n{i} [shape=record, label=\"{{ {numbers}"),
            label => format!("  n{i} [shape=record, label=\"{{ {label} | {numbers}"),
        };
        assert_eq!(line, wanted);
        // The numbers in the text read back as the values, to four decimals.
        let field = |name: &str| -> f64 {
            let start = line.find(name).unwrap() + name.len() + 1;
            let end = start + line[start..].find(' ').unwrap();
            line[start..end].parse().unwrap()
        };
        assert!((field("data") - v.data()).abs() <= 0.5e-4, "{line}");
        assert!((field("grad") - v.grad()).abs() <= 0.5e-4, "{line}");

        let op_line = format!("  n{i}_op [shape=circle, label=\"{}\"];", v.op());
        assert_eq!(text.contains(&op_line), !v.op().is_empty(), "{op_line}");
        for (p, _) in v.parents() {
            let j = order.iter().position(|u| u.id() == p.id()).unwrap();
            assert!(text.contains(&format!("  n{j} -> n{i}_op;\n")));
        }
        let inputs = text.matches(&format!(" -> n{i}_op;\n")).count();
        assert_eq!(inputs, v.parents().len(), "edges into n{i}_op");
    }
    assert!(record_line(&text, order.len()).is_none());
}

#[test]
fn every_number_in_the_dot_is_the_value_it_draws() {
    check_numbers_and_edges(&seed());
    check_numbers_and_edges(&neuron());
    // micrograd's sanity check: constants, a value used many times, relu.
    let x = Value::new(-4.0);
    let z = 2.0 * &x + 2.0 + &x;
    let q = z.relu() + &z * &x;
    let h = (&z * &z).relu();
    let y = &h + &q + &q * &x;
    y.backward();
    check_numbers_and_edges(&y);
    // A three-input operation and an input used twice by one operation.
    let a = Value::labeled(0.5, "a");
    let b = a.mul_add(&a, 2.0) + &a;
    b.backward();
    check_numbers_and_edges(&b);
}

#[test]
fn drawing_an_intermediate_value_draws_only_its_graph() {
    let x = Value::labeled(1.5, "x");
    let y = x.exp();
    let z = &y * 2.0;
    z.backward();
    let text = dot::to_dot(&y);
    assert!(text.contains("n1_op [shape=circle, label=\"exp\"];"));
    assert!(!text.contains("n2"), "{text}");
    assert_eq!(text.matches("shape=record").count(), 2);
    check_numbers_and_edges(&y);
}

#[test]
fn an_input_used_twice_has_two_edges() {
    let a = Value::labeled(3.0, "a");
    let b = &a + &a;
    b.backward();
    let text = dot::to_dot(&b);
    assert_eq!(text.matches("  n0 -> n1_op;\n").count(), 2, "{text}");
    assert!(text.contains("{ a | data 3.0000 | grad 2.0000 }"));
}

#[test]
fn a_single_leaf_is_one_box() {
    let x = Value::new(-0.25);
    assert_eq!(
        dot::to_dot(&x),
        "digraph {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  \
         n0 [shape=record, label=\"{ data -0.2500 | grad 0.0000 }\"];\n}\n"
    );
}

#[test]
fn the_same_graph_gives_the_same_text() {
    // Fresh nodes at new addresses, same text.
    assert_eq!(dot::to_dot(&seed()), dot::to_dot(&seed()));
    let keep = seed();
    assert_eq!(dot::to_dot(&keep), dot::to_dot(&seed()));
}

/// Labels that mean something to DOT strings or to records, escaped so they show literally.
const AWKWARD: &[(&str, &str)] = &[
    ("a|b", r"a\|b"),
    ("{x}", r"\{x\}"),
    ("<in>", r"\<in\>"),
    (r#"say "hi""#, r#"say \"hi\""#),
    (r"back\slash", r"back\\slash"),
    (r"ends\", r"ends\\"),
    (" padded  twice ", r" padded \ twice\ "),
    ("two\nlines", r"two\nlines"),
    ("x₁ (ünïcode)", "x₁ (ünïcode)"),
];

#[test]
fn labels_are_escaped_for_records() {
    for (label, escaped) in AWKWARD {
        let x = Value::labeled(1.0, label);
        let text = dot::to_dot(&x);
        let want =
            format!("n0 [shape=record, label=\"{{ {escaped} | data 1.0000 | grad 0.0000 }}\"];");
        assert!(text.contains(&want), "{label:?}: {text}");
    }
}

#[test]
fn graphviz_accepts_our_dot_if_installed() {
    let mut roots = vec![seed(), neuron()];
    for (label, _) in AWKWARD {
        roots.push(Value::labeled(1.0, label).sin());
    }
    for root in &roots {
        match dot::render_with_graphviz(root, "svg") {
            None => {
                println!("skipped: Graphviz's `dot` is not on the PATH");
                return;
            }
            Some(Err(e)) => panic!("dot rejected\n{}\n{e}", dot::to_dot(root)),
            Some(Ok(svg)) => {
                let svg = String::from_utf8(svg).unwrap();
                parse_graphviz_svg(&svg);
                assert!(svg.contains("data"), "{svg}");
            }
        }
    }
    // What Graphviz draws for the awkward labels: the label as written, less the spaces at
    // its ends (Graphviz drops leading spaces in records and adds one before each `|`).
    for (label, _) in AWKWARD.iter().filter(|(l, _)| !l.contains('\n')) {
        let x = Value::labeled(1.0, label);
        let Some(Ok(svg)) = dot::render_with_graphviz(&x, "svg") else {
            panic!("dot failed on {label:?}");
        };
        let svg = String::from_utf8(svg).unwrap();
        let doc = parse_graphviz_svg(&svg);
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(
            texts
                .iter()
                .any(|t| t.replace('\u{a0}', " ").trim() == label.trim()),
            "{label:?} not drawn as written: {texts:?}"
        );
    }
}

#[test]
fn graphviz_reports_its_errors() {
    let x = Value::new(1.0);
    match dot::render_with_graphviz(&x, "no-such-format") {
        None => println!("skipped: Graphviz's `dot` is not on the PATH"),
        Some(result) => assert!(result.is_err()),
    }
}

#[cfg(feature = "svg")]
mod svg {
    use super::*;

    /// The texts of an SVG's `<text>` and `<tspan>` elements.
    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        doc.descendants()
            .filter(|n| n.is_element() && matches!(n.tag_name().name(), "text" | "tspan"))
            .filter_map(|n| n.text())
            .map(|t| t.trim().to_owned())
            .collect()
    }

    /// The SVG of `root` parses as XML and shows every value's label, data and gradient, and
    /// every operation.
    fn check_svg(root: &Value) {
        let svg = dot::to_svg(root);
        let texts = texts(&svg);
        for v in root.topological_order() {
            let data = format!("data {:.4}", v.data());
            let grad = format!("grad {:.4}", v.grad());
            for want in [&data, &grad] {
                assert!(texts.contains(want), "{want} missing from {texts:?}");
            }
            let label = v.label();
            if !label.trim().is_empty() {
                assert!(texts.iter().any(|t| t == label.trim()), "{label:?} missing");
            }
            if !v.op().is_empty() {
                assert!(texts.iter().any(|t| t == v.op()), "{} missing", v.op());
            }
        }
        // One box per value: as many `data` texts as values, and as many operation texts as
        // operations.
        let order = root.topological_order();
        let data_texts = texts.iter().filter(|t| t.starts_with("data ")).count();
        assert_eq!(data_texts, order.len());
        let ops = order.iter().filter(|v| !v.op().is_empty()).count();
        let op_texts = texts
            .iter()
            .filter(|t| order.iter().any(|v| v.op() == t.as_str()));
        assert_eq!(op_texts.count(), ops);
    }

    #[test]
    fn seed_examples_svg() {
        check_svg(&seed());
        check_svg(&neuron());
    }

    #[test]
    fn svg_of_a_single_leaf_and_of_awkward_labels() {
        check_svg(&Value::new(2.0));
        for (label, _) in AWKWARD.iter().filter(|(l, _)| !l.contains('\n')) {
            check_svg(&Value::labeled(1.0, label).exp());
        }
    }

    #[test]
    fn svg_of_a_small_mlp_like_graph() {
        // Three tanh neurons of three inputs feeding one: 40-odd values.
        let xs: Vec<Value> = [0.5, -1.0, 2.0].iter().map(|&x| Value::new(x)).collect();
        let hidden: Vec<Value> = (0..3)
            .map(|i| {
                let s: Value = xs
                    .iter()
                    .enumerate()
                    .map(|(j, x)| x * (0.1 * (i * 3 + j) as f64 - 0.4))
                    .sum();
                (s + 0.1).tanh()
            })
            .collect();
        let out: Value = hidden.iter().map(|h| h * 0.5).sum();
        out.backward();
        check_svg(&out);
    }

    /// Forty squarings: 2^40 paths from `x` to the result, and each use of a value twice. A
    /// layout that walks paths (as `layout-rs`'s own cycle check does) never finishes.
    #[test]
    fn svg_of_a_graph_with_exponentially_many_paths() {
        let x = Value::labeled(1.0, "x");
        let mut y = x.clone();
        for _ in 0..40 {
            y = &y * &y;
        }
        y.backward();
        check_svg(&y);
    }

    /// A chain longer than the layout's optimisation limit, deeper than any recursion over
    /// paths would survive.
    #[test]
    fn svg_of_a_long_chain() {
        let x = Value::labeled(0.5, "x");
        let mut y = x.clone();
        for _ in 0..500 {
            y = y.sin();
        }
        y.backward();
        check_svg(&y);
    }

    #[test]
    fn the_same_graph_gives_the_same_svg() {
        assert_eq!(dot::to_svg(&neuron()), dot::to_svg(&neuron()));
    }
}
