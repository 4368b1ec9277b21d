//! Rules that combine others must agree with them bit for bit.

/// `sin_cos` is exactly `sin` and `cos` (values and partials, bit for bit), including at the
/// edges, so fusing the pair in generated code changes no number.
#[test]
fn sin_cos_is_sin_and_cos_bit_for_bit() {
    use grad_runtime::rules;
    let xs = [
        0.0,
        -0.0,
        1e-300,
        0.5,
        -1.25,
        3.0,
        1e6,
        1e300,
        f64::INFINITY,
        f64::NAN,
    ];
    for &x in &xs {
        let (s, c, ds, dc) = rules::sin_cos(x);
        let ((s1, ds1), (c1, dc1)) = (rules::sin(x), rules::cos(x));
        for (a, b) in [(s, s1), (c, c1), (ds, ds1), (dc, dc1)] {
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "at {x}"
            );
        }
        let (s, c, ds, dc) = rules::sin_cos(x as f32);
        let ((s1, ds1), (c1, dc1)) = (rules::sin(x as f32), rules::cos(x as f32));
        for (a, b) in [(s, s1), (c, c1), (ds, ds1), (dc, dc1)] {
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "at {x} (f32)"
            );
        }
    }
}
