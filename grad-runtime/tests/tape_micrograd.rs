//! The tape engine against micrograd's own tests and hand-computed gradients.

use grad_runtime::check::central_difference;
use grad_runtime::tape::Value;

fn assert_close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual}"
    );
}

/// micrograd `test/test_engine.py::test_sanity_check` (reference values from PyTorch).
#[test]
fn micrograd_sanity_check() {
    let x = Value::new(-4.0);
    let z = 2.0 * &x + 2.0 + &x;
    let q = z.relu() + &z * &x;
    let h = (&z * &z).relu();
    let y = &h + &q + &q * &x;
    y.backward();
    assert_eq!(y.data(), -20.0);
    assert_eq!(x.grad(), 46.0);
}

/// micrograd `test/test_engine.py::test_more_ops` (reference values from PyTorch).
#[test]
fn micrograd_more_ops() {
    let a = Value::new(-4.0);
    let b = Value::new(2.0);
    let mut c = &a + &b;
    let mut d = &a * &b + b.powi(3);
    c += &c + 1.0;
    c += 1.0 + &c + (-&a);
    d += &d * 2.0 + (&b + &a).relu();
    d += 3.0 * &d + (&b - &a).relu();
    let e = &c - &d;
    let f = e.powi(2);
    let mut g = &f / 2.0;
    g += 10.0 / &f;
    g.backward();
    assert_close(g.data(), 24.70408163265306, 1e-6);
    assert_close(a.grad(), 138.83381924198252, 1e-6);
    assert_close(b.grad(), 645.5772594752186, 1e-6);
}

/// The tanh neuron of micrograd's introductory video; gradients by hand:
/// `do/dn = 1 - tanh²(n) = 0.5`, `x1.grad = w1 · 0.5`, `w1.grad = x1 · 0.5`, ...
#[test]
fn tanh_neuron() {
    let x1 = Value::labeled(2.0, "x1");
    let x2 = Value::labeled(0.0, "x2");
    let w1 = Value::labeled(-3.0, "w1");
    let w2 = Value::labeled(1.0, "w2");
    let b = Value::labeled(6.881_373_587_019_543, "b");
    let n = &x1 * &w1 + &x2 * &w2 + &b;
    let o = n.tanh();
    o.backward();
    assert_close(o.data(), std::f64::consts::FRAC_1_SQRT_2, 1e-12);
    assert_close(n.grad(), 0.5, 1e-12);
    assert_close(x1.grad(), -1.5, 1e-12);
    assert_close(w1.grad(), 1.0, 1e-12);
    assert_close(x2.grad(), 0.5, 1e-12);
    assert_eq!(w2.grad(), 0.0);
    assert_close(b.grad(), 0.5, 1e-12);
}

/// The same neuron with tanh spelled out through exp, as in the video: same gradients.
#[test]
fn tanh_neuron_through_exp() {
    let x1 = Value::new(2.0);
    let x2 = Value::new(0.0);
    let w1 = Value::new(-3.0);
    let w2 = Value::new(1.0);
    let b = Value::new(6.881_373_587_019_543);
    let n = &x1 * &w1 + &x2 * &w2 + &b;
    let e = (2.0 * &n).exp();
    let o = (&e - 1.0) / (&e + 1.0);
    o.backward();
    assert_close(o.data(), std::f64::consts::FRAC_1_SQRT_2, 1e-12);
    assert_close(x1.grad(), -1.5, 1e-9);
    assert_close(w1.grad(), 1.0, 1e-9);
    assert_close(x2.grad(), 0.5, 1e-9);
    assert_eq!(w2.grad(), 0.0);
}

#[test]
fn value_used_twice_accumulates() {
    let a = Value::new(3.0);
    let b = &a + &a;
    b.backward();
    assert_eq!(b.data(), 6.0);
    assert_eq!(a.grad(), 2.0);
}

/// `d = a*b`, `e = a+b`, `f = d*e`: `df/da = b(a+b) + ab = b² + 2ab`, `df/db = a² + 2ab`.
#[test]
fn diamond_accumulates_through_both_paths() {
    let a = Value::new(-2.0);
    let b = Value::new(3.0);
    let f = (&a * &b) * (&a + &b);
    f.backward();
    assert_eq!(f.data(), -6.0);
    assert_eq!(a.grad(), 9.0 - 12.0);
    assert_eq!(b.grad(), 4.0 - 12.0);
}

/// Checks `x op y` written with every mix of `Value`, `&Value` and `f64` operands, and
/// `x op= y`, against the plain `f64` value and central differences.
macro_rules! check_operator {
    ($op:tt, $op_assign:tt) => {{
        let (a, b) = (1.5, -0.75);
        let want = central_difference(|v| v[0] $op v[1], &[a, b]);
        let forms: [fn(&Value, &Value) -> Value; 6] = [
            |x, y| x $op y,
            |x, y| x.clone() $op y,
            |x, y| x $op y.clone(),
            |x, y| x.clone() $op y.clone(),
            |x, y| {
                let mut s = x.clone();
                s $op_assign y;
                s
            },
            |x, y| {
                let mut s = x.clone();
                s $op_assign y.clone();
                s
            },
        ];
        for form in forms {
            let (x, y) = (Value::new(a), Value::new(b));
            let r = form(&x, &y);
            assert_eq!(r.data(), a $op b);
            r.backward();
            assert_close(x.grad(), want[0], 1e-6);
            assert_close(y.grad(), want[1], 1e-6);
        }
        let constant_right: [fn(&Value, f64) -> Value; 3] = [
            |x, c| x $op c,
            |x, c| x.clone() $op c,
            |x, c| {
                let mut s = x.clone();
                s $op_assign c;
                s
            },
        ];
        for form in constant_right {
            let x = Value::new(a);
            let r = form(&x, b);
            assert_eq!(r.data(), a $op b);
            r.backward();
            assert_close(x.grad(), want[0], 1e-6);
        }
        let constant_left: [fn(f64, &Value) -> Value; 2] = [|c, y| c $op y, |c, y| c $op y.clone()];
        for form in constant_left {
            let y = Value::new(b);
            let r = form(a, &y);
            assert_eq!(r.data(), a $op b);
            r.backward();
            assert_close(y.grad(), want[1], 1e-6);
        }
    }};
}

#[test]
fn operand_combinations() {
    check_operator!(+, +=);
    check_operator!(-, -=);
    check_operator!(*, *=);
    check_operator!(/, /=);
}

#[test]
fn compound_assignment_and_negation() {
    let x = Value::new(2.0);
    let y = Value::new(5.0);
    let mut s = x.clone();
    s += &y; // x + y
    s *= y.clone(); // (x + y) y
    s -= 1.0; // (x + y) y - 1
    s /= &x; // ((x + y) y - 1) / x
    s += 0.5;
    s *= 2.0;
    s -= &y;
    s /= 4.0;
    let t = -s.clone() + -&x;
    t.backward();
    let plain = |x: f64, y: f64| -((((x + y) * y - 1.0) / x + 0.5) * 2.0 - y) / 4.0 - x;
    assert_eq!(t.data(), plain(2.0, 5.0));
    // By hand: t = -(2 u + 1 - y) / 4 - x with u = ((x + y) y - 1) / x = y + (y² - 1) / x,
    // so du/dx = -(y² - 1) / x² = -6 and du/dy = 1 + 2y / x = 6 at (2, 5);
    // dt/dx = -(1/2)(-6) - 1 = 2 and dt/dy = -(1/2)(6) + 1/4 = -2.75.
    assert_eq!(x.grad(), 2.0);
    assert_eq!(y.grad(), -2.75);
}

#[test]
fn sum_of_values() {
    let xs: Vec<Value> = (1..=4).map(|i| Value::new(f64::from(i))).collect();
    let ws = [0.5, -1.0, 2.0, 0.25];
    let s: Value = xs.iter().zip(ws).map(|(x, w)| x * w).sum();
    s.backward();
    assert_eq!(s.data(), 0.5 - 2.0 + 6.0 + 1.0);
    for (x, w) in xs.iter().zip(ws) {
        assert_eq!(x.grad(), w);
    }
    let empty: Value = std::iter::empty::<Value>().sum();
    assert_eq!(empty.data(), 0.0);
}

/// As in micrograd: `backward` sets the root's grad to 1 and adds into everything else.
#[test]
fn backward_twice_accumulates_and_zero_grad_resets() {
    let x = Value::new(3.0);
    let y = &x * &x; // dy/dx = 6
    y.backward();
    assert_eq!(x.grad(), 6.0);
    y.backward();
    assert_eq!(x.grad(), 12.0);
    assert_eq!(y.grad(), 1.0);
    y.zero_grad();
    assert_eq!((x.grad(), y.grad()), (0.0, 0.0));
    y.backward();
    assert_eq!(x.grad(), 6.0);
}

#[test]
fn graph_structure_is_inspectable() {
    let a = Value::labeled(2.0, "a");
    let b = Value::new(-3.0);
    b.set_label("b");
    let c = &a * &b;
    let d = c.sin();
    assert_eq!((a.op(), c.op(), d.op()), ("", "*", "sin"));
    assert_eq!(a.label(), "a");
    assert_eq!(d.label(), "");
    assert_eq!(a.parents().len(), 0);
    let parents: Vec<(usize, f64)> = c.parents().map(|(p, d)| (p.id(), d)).collect();
    assert_eq!(parents, [(a.id(), -3.0), (b.id(), 2.0)]);
    assert_eq!(a.clone().id(), a.id());
    assert_ne!(a.id(), b.id());
    let order: Vec<usize> = d.topological_order().iter().map(|v| v.id()).collect();
    assert_eq!(order.len(), 4);
    assert_eq!(order[3], d.id());
    assert_eq!(order[2], c.id());
    assert!(order[..2].contains(&a.id()) && order[..2].contains(&b.id()));
}

#[test]
fn constants_are_leaves() {
    let x = Value::new(1.0);
    let y = &x * 4.0;
    let (constant, partial) = y.parents().nth(1).unwrap();
    assert_eq!((constant.data(), constant.op(), partial), (4.0, "", 1.0));
    let z = Value::from(4.0);
    assert_eq!(z.data(), 4.0);
    assert_eq!(Value::from(&x).id(), x.id());
}

#[test]
fn debug_and_display() {
    let x = Value::new(-4.0);
    let y = &x * 5.0 + 0.0;
    y.backward();
    assert_eq!(format!("{y:?}"), "Value(data=-20.0, grad=1.0)");
    assert_eq!(format!("{x:?}"), "Value(data=-4.0, grad=5.0)");
    x.set_label("x");
    assert_eq!(format!("{x:?}"), "Value(data=-4.0, grad=5.0, label=\"x\")");
    assert_eq!(format!("{y}"), "-20");
    assert_eq!(format!("{:.2}", Value::new(1.0 / 3.0)), "0.33");
}
