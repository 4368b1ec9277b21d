//! `check::central_difference` and `check::check_gradient` on functions with known gradients.

use grad_runtime::check::{central_difference, check_gradient, GradientMismatch};

fn x2y(v: &[f64]) -> f64 {
    v[0] * v[0] * v[1]
}

#[test]
fn central_difference_of_x2y() {
    for &(x, y) in &[(3.0, -2.0), (0.0, 1.0), (-1e3, 5e-3), (1e-8, 1e8)] {
        let g = central_difference(x2y, &[x, y]);
        let exact = [2.0 * x * y, x * x];
        for (numeric, exact) in g.iter().zip(exact) {
            let scale = 1f64.max(exact.abs());
            assert!(
                (numeric - exact).abs() <= 1e-8 * scale,
                "{numeric} vs {exact}"
            );
        }
        assert_eq!(check_gradient(x2y, &[x, y], &exact, 1e-6), Ok(()));
    }
}

#[test]
fn central_difference_is_exact_on_quadratics_and_leaves_x_unchanged() {
    // For a quadratic the central difference has no truncation error.
    let f = |v: &[f64]| 3.0 * v[0] * v[0] - 2.0 * v[0] * v[1] + v[1] + 1.0;
    let x = [0.5, -4.0];
    let g = central_difference(f, &x);
    assert!((g[0] - (6.0 * 0.5 + 8.0)).abs() < 1e-9, "{}", g[0]);
    assert!((g[1] - (-1.0 + 1.0)).abs() < 1e-9, "{}", g[1]);
    assert_eq!(x, [0.5, -4.0]);
}

#[test]
fn central_difference_of_transcendental_functions() {
    let f = |v: &[f64]| v[0].sin() * v[1].exp() + v[2].ln();
    let (a, b, c) = (0.9, -0.3, 40.0);
    let g = central_difference(f, &[a, b, c]);
    let exact = [a.cos() * b.exp(), a.sin() * b.exp(), 1.0 / c];
    for (numeric, exact) in g.iter().zip(exact) {
        assert!((numeric - exact).abs() < 1e-9, "{numeric} vs {exact}");
    }
}

#[test]
fn empty_point_has_empty_gradient() {
    assert!(central_difference(|_| 1.0, &[]).is_empty());
    assert_eq!(check_gradient(|_| 1.0, &[], &[], 1e-6), Ok(()));
}

#[test]
fn wrong_gradient_is_reported() {
    let (x, y) = (3.0, -2.0);
    // The first coordinate is right, the second is off by 1%.
    let err = check_gradient(x2y, &[x, y], &[2.0 * x * y, 1.01 * x * x], 1e-6).unwrap_err();
    assert_eq!(err.index, 1);
    assert_eq!(err.analytic, 9.09);
    assert!((err.numeric - 9.0).abs() < 1e-8, "{}", err.numeric);
    assert_eq!(err.tolerance, 1e-6);
    // The first mismatching coordinate is the one reported.
    let err = check_gradient(x2y, &[x, y], &[0.0, 0.0], 1e-6).unwrap_err();
    assert_eq!(err.index, 0);
}

#[test]
fn tolerance_is_relative_for_large_and_absolute_for_small_values() {
    let f = |v: &[f64]| 1e6 * v[0];
    // 1e6 vs 1e6 + 0.5: relative error 5e-7, within 1e-6.
    assert_eq!(check_gradient(f, &[1.0], &[1e6 + 0.5], 1e-6), Ok(()));
    // Relative error 5e-6 is not.
    assert!(check_gradient(f, &[1.0], &[1e6 + 5.0], 1e-6).is_err());
    // Near zero the tolerance is absolute: the gradient 0 against 5e-7 passes, 5e-6 fails.
    let zero = |_: &[f64]| 0.0;
    assert_eq!(check_gradient(zero, &[1.0], &[5e-7], 1e-6), Ok(()));
    assert!(check_gradient(zero, &[1.0], &[5e-6], 1e-6).is_err());
}

#[test]
fn nan_never_matches() {
    let err = check_gradient(|v| v[0], &[1.0], &[f64::NAN], 1e-6).unwrap_err();
    assert!(err.analytic.is_nan());
    // Outside the domain the numeric side is NaN.
    assert!(check_gradient(|v| v[0].sqrt(), &[-1.0], &[0.0], 1e-6).is_err());
}

#[test]
fn mismatch_is_an_error_with_a_message() {
    let err = GradientMismatch {
        index: 2,
        analytic: 1.5,
        numeric: 2.0,
        tolerance: 1e-6,
    };
    assert_eq!(
        err.to_string(),
        "gradient mismatch at index 2: analytic 1.5e0, numeric 2e0 (tolerance 1e-6)"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.source().is_none());
}

#[test]
#[should_panic(expected = "the gradient has 1 coordinates but the point has 2")]
fn length_mismatch_panics() {
    let _ = check_gradient(x2y, &[1.0, 2.0], &[1.0], 1e-6);
}

/// A smaller step still estimates a smooth derivative (here with known values), and the two
/// steps agree where `f` is smooth but not across a kink closer than the larger step.
#[test]
fn scaled_central_difference_agrees_with_known_derivatives_and_detects_kinks() {
    use grad_runtime::check::central_difference_scaled;
    let f = |v: &[f64]| v[0].sin() * v[1].exp();
    let x = [0.7, -1.3];
    let want = [
        0.7f64.cos() * (-1.3f64).exp(),
        0.7f64.sin() * (-1.3f64).exp(),
    ];
    for scale in [1.0, 0.25] {
        let g = central_difference_scaled(f, &x, scale);
        for (gi, wi) in g.iter().zip(want) {
            assert!((gi - wi).abs() < 1e-8, "scale {scale}: {gi} vs {wi}");
        }
    }
    // |x| with the kink 4e-6 from the point: the step 6.1e-6 straddles it, its quarter not.
    let kink = |v: &[f64]| v[0].abs();
    let (big, small) = (
        central_difference_scaled(kink, &[4e-6], 1.0)[0],
        central_difference_scaled(kink, &[4e-6], 0.25)[0],
    );
    assert!((small - 1.0).abs() < 1e-9, "{small}");
    assert!((big - small).abs() > 0.1, "{big} vs {small}");
}
