//! `#[derive(Differentiable)]` on nested, tuple, unit and generic structs: every method is
//! checked against numbers written out by hand (the floats zeroed, summed, stepped, flattened
//! in field order; the constants, skipped floats included, carried over).

use grad::prelude::*;

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: [f64; 2],
    n_in: usize,
    name: String,
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Model {
    layers: Vec<Layer>,
    scale: f64,
    #[grad(skip)]
    temperature: f64,
    tags: Vec<usize>,
}

/// A tuple struct: a float, a skipped constant and an `f32` array.
#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Pair(f64, #[grad(skip)] u32, [f32; 2]);

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct P<T: Real> {
    w: Vec<T>,
    c: T,
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Frozen;

/// Arrays, options and boxes of derived structs; a skipped field whose type is not
/// `Differentiable` (only `Clone`).
#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Stack {
    blocks: [Pair; 2],
    head: Option<Box<Pair>>,
    #[grad(skip)]
    config: Config,
}

#[derive(Clone, Debug, PartialEq)]
struct Config {
    seed: u64,
}

fn flat<T: Differentiable>(x: &T) -> Vec<f64> {
    let mut out = Vec::new();
    x.flatten(&mut out);
    out
}

fn layer(w: Vec<f64>, b: [f64; 2], n_in: usize, name: &str) -> Layer {
    Layer {
        w,
        b,
        n_in,
        name: name.to_string(),
    }
}

fn model() -> Model {
    Model {
        layers: vec![
            layer(vec![1.0, 2.0, 3.0], [0.5, -0.5], 3, "first"),
            layer(vec![4.0], [1.5, 2.5], 1, "second"),
        ],
        scale: 2.0,
        temperature: 0.7,
        tags: vec![3, 1],
    }
}

/// `model()`'s shape with other floats and other constants.
fn other_model() -> Model {
    Model {
        layers: vec![
            layer(vec![0.25, -1.0, 8.0], [2.0, 4.0], 99, "x"),
            layer(vec![-0.5], [0.125, 1.0], 98, "y"),
        ],
        scale: -3.0,
        temperature: 5.0,
        tags: vec![7, 7],
    }
}

#[test]
fn zero_like_zeroes_floats_and_copies_constants() {
    let z = model().zero_like();
    let expected = Model {
        layers: vec![
            layer(vec![0.0; 3], [0.0; 2], 3, "first"),
            layer(vec![0.0], [0.0; 2], 1, "second"),
        ],
        scale: 0.0,
        // Skipped: a constant although it is a float, zeroed as a gradient's slot (the
        // companions accumulate into it while they run) and put back by `restore_constants`.
        temperature: 0.0,
        tags: vec![3, 1],
    };
    assert_eq!(z, expected);
    let mut back = z.clone();
    back.restore_constants(&model());
    assert_eq!(back.temperature, 0.7);
}

#[test]
fn accumulate_adds_floats_and_leaves_constants() {
    let mut g = model().zero_like();
    g.accumulate(&model());
    g.accumulate(&other_model());
    let expected = Model {
        layers: vec![
            layer(vec![1.25, 1.0, 11.0], [2.5, 3.5], 3, "first"),
            layer(vec![3.5], [1.625, 3.5], 1, "second"),
        ],
        scale: -1.0,
        temperature: 0.0,
        tags: vec![3, 1],
    };
    assert_eq!(g, expected);
}

#[test]
fn axpy_steps_floats_and_leaves_constants() {
    let mut p = model();
    p.axpy(-0.5, &other_model());
    let expected = Model {
        layers: vec![
            layer(vec![0.875, 2.5, -1.0], [-0.5, -2.5], 3, "first"),
            layer(vec![4.25], [1.4375, 2.0], 1, "second"),
        ],
        scale: 3.5,
        temperature: 0.7,
        tags: vec![3, 1],
    };
    assert_eq!(p, expected);
}

#[test]
fn flatten_is_in_field_order_depth_first() {
    let m = model();
    assert_eq!(
        flat(&m),
        [1.0, 2.0, 3.0, 0.5, -0.5, 4.0, 1.5, 2.5, 2.0],
        "layer 0 (w, b), layer 1 (w, b), scale; no temperature, no constants"
    );
    assert_eq!(m.param_count(), 9);
    assert_eq!(m.layers[0].param_count(), 5);
}

#[test]
fn unflatten_overwrites_in_flatten_order() {
    let mut m = model().zero_like();
    let values: Vec<f64> = (1..=11).map(f64::from).collect();
    let mut rest = values.as_slice();
    m.unflatten(&mut rest);
    assert_eq!(rest, [10.0, 11.0], "advanced past the 9 floats it used");
    let expected = Model {
        layers: vec![
            layer(vec![1.0, 2.0, 3.0], [4.0, 5.0], 3, "first"),
            layer(vec![6.0], [7.0, 8.0], 1, "second"),
        ],
        scale: 9.0,
        temperature: 0.0,
        tags: vec![3, 1],
    };
    assert_eq!(m, expected);

    let mut round = other_model().zero_like();
    round.unflatten(&mut flat(&other_model()).as_slice());
    round.restore_constants(&other_model());
    assert_eq!(round, other_model());
}

#[test]
#[should_panic(expected = "fewer floats")]
fn unflatten_panics_when_too_short() {
    model().unflatten(&mut [1.0; 8].as_slice());
}

#[test]
fn tuple_struct() {
    let x = Pair(1.5, 7, [0.25, -2.0]);
    assert_eq!(x.zero_like(), Pair(0.0, 7, [0.0, 0.0]));
    let mut y = x.clone();
    y.accumulate(&Pair(0.5, 100, [1.0, 1.0]));
    assert_eq!(y, Pair(2.0, 7, [1.25, -1.0]));
    y.axpy(2.0, &Pair(-1.0, 100, [0.5, 0.25]));
    assert_eq!(y, Pair(0.0, 7, [2.25, -0.5]));
    assert_eq!(flat(&x), [1.5, 0.25, -2.0]);
    assert_eq!(x.param_count(), 3);
    let mut z = x.zero_like();
    z.unflatten(&mut [3.0, 4.0, 5.0].as_slice());
    assert_eq!(z, Pair(3.0, 7, [4.0, 5.0]));
}

#[test]
fn unit_struct_has_no_floats() {
    let mut u = Frozen;
    u.accumulate(&Frozen);
    u.axpy(1.0, &Frozen);
    let mut values: &[f64] = &[1.0];
    u.unflatten(&mut values);
    assert_eq!(
        (u.zero_like(), flat(&u), u.param_count(), values.len()),
        (Frozen, vec![], 0, 1)
    );
}

#[test]
fn generic_struct_at_f64() {
    let p = P {
        w: vec![1.5, 2.0],
        c: 0.25_f64,
    };
    assert_eq!(
        p.zero_like(),
        P {
            w: vec![0.0, 0.0],
            c: 0.0
        }
    );
    let mut q = p.clone();
    q.accumulate(&P {
        w: vec![0.5, 0.5],
        c: 0.75,
    });
    assert_eq!(
        q,
        P {
            w: vec![2.0, 2.5],
            c: 1.0
        }
    );
    q.axpy(
        0.1,
        &P {
            w: vec![10.0, 20.0],
            c: -5.0,
        },
    );
    assert_eq!(
        q,
        P {
            w: vec![2.0 + 0.1 * 10.0, 2.5 + 0.1 * 20.0],
            c: 1.0 - 0.1 * 5.0
        }
    );
    let mut r = p.zero_like();
    r.unflatten(&mut [0.1, 0.2, 0.3].as_slice());
    assert_eq!(
        r,
        P {
            w: vec![0.1, 0.2],
            c: 0.3
        }
    );
    assert_eq!((flat(&r), r.param_count()), (vec![0.1, 0.2, 0.3], 3));
}

#[test]
fn generic_struct_at_f32_rounds() {
    let p = P {
        w: vec![1.5_f32, 2.0],
        c: 0.25,
    };
    assert_eq!(
        p.zero_like(),
        P {
            w: vec![0.0, 0.0],
            c: 0.0
        }
    );
    let mut q = p.clone();
    q.axpy(
        0.1,
        &P {
            w: vec![3.0, 1.0],
            c: 1.0,
        },
    );
    // In f32, with alpha rounded to f32.
    assert_eq!(q.w, [1.5_f32 + 0.1_f32 * 3.0, 2.0_f32 + 0.1_f32]);
    assert_eq!(q.c, 0.25_f32 + 0.1_f32);
    let mut r = p.zero_like();
    r.unflatten(&mut [0.1, 0.2, 0.3].as_slice());
    assert_eq!(
        r,
        P {
            w: vec![0.1_f32, 0.2_f32],
            c: 0.3_f32
        }
    );
    // Flattened exactly (f32 -> f64 is exact), so not 0.1 but the f32 nearest to it.
    assert_eq!(flat(&r), [0.1_f32 as f64, 0.2_f32 as f64, 0.3_f32 as f64]);
    assert_ne!(flat(&r)[0], 0.1);
    assert_eq!(r.param_count(), 3);
}

#[test]
fn arrays_options_boxes_of_structs_and_skipped_non_differentiable_fields() {
    let s = Stack {
        blocks: [Pair(1.0, 1, [2.0, 3.0]), Pair(4.0, 2, [5.0, 6.0])],
        head: Some(Box::new(Pair(7.0, 3, [8.0, 9.0]))),
        config: Config { seed: 42 },
    };
    let mut g = s.zero_like();
    assert_eq!(
        g,
        Stack {
            blocks: [Pair(0.0, 1, [0.0; 2]), Pair(0.0, 2, [0.0; 2])],
            head: Some(Box::new(Pair(0.0, 3, [0.0; 2]))),
            config: Config { seed: 42 },
        }
    );
    assert_eq!(flat(&s), (1..=9).map(f64::from).collect::<Vec<_>>());
    assert_eq!(s.param_count(), 9);
    g.accumulate(&s);
    g.axpy(-2.0, &s);
    assert_eq!(flat(&g), (1..=9).map(|i| -f64::from(i)).collect::<Vec<_>>());
    assert_eq!(g.config, Config { seed: 42 });
}

/// Generated code uses absolute paths and its own names: shadowing std's names and naming
/// fields like the methods' parameters changes nothing.
mod hygiene {
    #![allow(non_camel_case_types, dead_code)]

    use grad::Differentiable;

    struct f64;
    struct usize;
    struct Vec;
    struct Clone;
    struct Result;
    struct Option;

    #[derive(::core::clone::Clone, Debug, PartialEq, Differentiable)]
    pub struct Shadowed {
        pub other: ::core::primitive::f64,
        pub alpha: ::std::vec::Vec<::core::primitive::f64>,
        pub out: ::core::primitive::usize,
        pub values: ::core::primitive::f32,
    }
}

#[test]
fn hygiene_shadowed_names() {
    use hygiene::Shadowed;
    let s = Shadowed {
        other: 1.0,
        alpha: vec![2.0],
        out: 5,
        values: 3.0,
    };
    let mut g = s.zero_like();
    g.accumulate(&s);
    g.axpy(1.0, &s);
    assert_eq!(
        g,
        Shadowed {
            other: 2.0,
            alpha: vec![4.0],
            out: 5,
            values: 6.0
        }
    );
    assert_eq!(flat(&g), [2.0, 4.0, 6.0]);
}
