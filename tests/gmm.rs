//! ADBench's GMM objective (`benches/workloads/gmm.rs`): the value on ADBench's own test
//! instance, the compiled gradient against ADBench's expected gradient, the hand-written
//! gradient and central differences, and the compiled value against the plain function.

#[path = "../benches/workloads/gmm.rs"]
#[allow(dead_code)]
mod gmm;

use gmm::{flatten, gmm_hand, gmm_objective, gmm_objective_grad, wishart_log_gamma, GmmData};

/// `|got - want| <= tol · max(1, |got|, |want|)`.
#[track_caller]
fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    let scale = 1.0f64.max(got.abs()).max(want.abs());
    assert!(
        (got - want).abs() <= tol * scale,
        "{what}: got {got:e}, want {want:e} (tol {tol:e})"
    );
}

/// Entry by entry [`assert_close`].
#[track_caller]
fn assert_all_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_close(&format!("{what}[{i}]"), *g, *w, tol);
    }
}

/// ADBench's GMM test instance (`data/gmm/test.txt`): d = 2, k = 3, n = 1, gamma = 1, m = 0.
fn adbench_test_instance() -> GmmData {
    GmmData {
        d: 2,
        k: 3,
        alphas: vec![-0.649014, 1.181166, -0.758453],
        means: vec![0.092339, 0.186260, 0.345561, 0.396767, 0.538817, 0.419195],
        icf: vec![
            0.586443, -0.851887, 0.800321, //
            -1.509405, 0.875874, -0.242790, //
            0.166813, -1.965419, -1.270071,
        ],
        x: vec![1.175171, 2.029160],
        gamma: 1.0,
        m: 0,
        log_gamma_d: wishart_log_gamma(2, 0),
    }
}

/// ADBench's expected objective on its test instance (`GmmTests.cpp`), with its digits as
/// printed there (more than an `f64` holds).
#[allow(clippy::excessive_precision)]
const ADBENCH_OBJECTIVE: f64 = 8.073_804_080_049_757_91;

/// ADBench's expected gradient on its test instance (`GmmTests.cpp`): alphas, means, icf.
#[allow(clippy::excessive_precision)]
const ADBENCH_GRADIENT: [f64; 18] = [
    1.086_628_555_086_524_56e-1,
    -7.412_700_395_238_984_72e-1,
    6.326_071_840_152_460_71e-1,
    1.116_925_765_327_870_13,
    1.633_330_135_514_552_69e-1,
    -2.199_898_240_711_931_42e-2,
    2.277_782_922_542_360_98e-1,
    1.209_630_256_128_321_87,
    -6.063_759_207_339_563_39e-2,
    2.585_299_940_511_622_37,
    1.126_326_945_242_137_89e-1,
    3.857_443_098_496_117_77e-1,
    7.351_805_731_823_055_08e-2,
    5.418_363_627_155_952_32,
    -3.214_944_096_774_464_69e-1,
    1.718_923_097_750_049_37,
    8.600_910_907_908_668_75e-1,
    -9.946_409_304_663_228_48e-1,
];

/// Checks the compiled gradient on `g` against the plain function (value, bit for bit), the
/// hand-written gradient (`1e-10`) and central differences (`1e-6`).
fn check_instance(name: &str, g: &GmmData) {
    let compiled = g.compiled();
    let value = g.objective();
    assert_eq!(
        compiled.0.to_bits(),
        value.to_bits(),
        "{name}: the compiled value is not the plain function's"
    );
    let (hv, hg) = flatten(&g.hand());
    let (cv, cg) = flatten(&compiled);
    assert_close(&format!("{name}: hand-written value"), hv, cv, 1e-12);
    assert_all_close(
        &format!("{name}: compiled vs hand-written"),
        &cg,
        &hg,
        1e-10,
    );
    assert!(
        cg.iter().all(|v| v.is_finite()) && cg.iter().any(|v| *v != 0.0),
        "{name}: degenerate gradient {cg:?}"
    );
    grad::check::check_gradient(|p| g.objective_at(p), &g.params(), &cg, 1e-6)
        .unwrap_or_else(|e| panic!("{name}: compiled vs central differences: {e}"));
}

#[test]
fn adbench_objective() {
    let g = adbench_test_instance();
    assert_close("plain", g.objective(), ADBENCH_OBJECTIVE, 1e-12);
    assert_close("compiled", g.compiled().0, ADBENCH_OBJECTIVE, 1e-12);
    assert_close("hand-written", g.hand().0, ADBENCH_OBJECTIVE, 1e-12);
}

#[test]
fn adbench_gradient() {
    let g = adbench_test_instance();
    let (_, cg) = flatten(&g.compiled());
    assert_all_close("compiled vs ADBench", &cg, &ADBENCH_GRADIENT, 1e-12);
    let (_, hg) = flatten(&g.hand());
    assert_all_close("hand-written vs ADBench", &hg, &ADBENCH_GRADIENT, 1e-12);
}

#[test]
fn adbench_instance_checks() {
    check_instance("ADBench test instance", &adbench_test_instance());
}

#[test]
fn random_instances() {
    // Several dimensions (d = 1 has no off-diagonal entries), a single component, and a prior
    // with m > 0 and gamma != 1.
    for (d, k, n, seed) in [(1, 1, 3, 1), (1, 4, 5, 2), (3, 2, 7, 3), (4, 3, 10, 4)] {
        let mut g = GmmData::random(d, k, n, seed);
        check_instance(&format!("d = {d}, k = {k}, n = {n}"), &g);
        g.gamma = 1.7;
        g.m = 3;
        g.log_gamma_d = wishart_log_gamma(d, 3);
        check_instance(&format!("d = {d}, k = {k}, n = {n}, gamma 1.7, m 3"), &g);
    }
}

#[test]
fn far_points_use_the_max_shift() {
    // Points far from every mean: every main term is below -700, where exp underflows to 0
    // without the max shift. The value and gradient must stay finite and agree.
    let mut g = GmmData::random(2, 3, 4, 5);
    for v in &mut g.x {
        *v *= 60.0;
    }
    let value = g.objective();
    assert!(value.is_finite() && value < -700.0, "value {value}");
    let (cv, cg) = flatten(&g.compiled());
    let (hv, hg) = flatten(&g.hand());
    assert_eq!(cv.to_bits(), value.to_bits());
    assert_close("hand-written value", hv, cv, 1e-12);
    assert_all_close("compiled vs hand-written", &cg, &hg, 1e-10);
}

#[test]
fn wishart_log_gamma_values() {
    // ln Γ_1(a) = ln Γ(a); ln Γ_2(a) = ½ ln π + ln Γ(a) + ln Γ(a - ½).
    let pi = std::f64::consts::PI;
    assert_close("ln Γ_1(1)", wishart_log_gamma(1, 0), 0.0, 1e-15);
    assert_close(
        "ln Γ_1(3/2)",
        wishart_log_gamma(1, 1),
        (0.5 * pi.sqrt()).ln(),
        1e-15,
    );
    assert_close("ln Γ_1(4)", wishart_log_gamma(1, 6), 6f64.ln(), 1e-15);
    // d = 2, m = 0: a = 3/2, so ½ ln π + ln(√π / 2) + ln Γ(1).
    let want = 0.5 * pi.ln() + (0.5 * pi.sqrt()).ln();
    assert_close("ln Γ_2(3/2)", wishart_log_gamma(2, 0), want, 1e-15);
}

#[test]
fn plain_and_grad_signatures() {
    // The companion takes the same arguments and returns the three gradients of `wrt`.
    let g = adbench_test_instance();
    let args = (&g.alphas, &g.means, &g.icf, &g.x);
    let v = gmm_objective(args.0, args.1, args.2, args.3, 1.0, 0, g.log_gamma_d, 2, 3);
    let (cv, da, dm, dq) =
        gmm_objective_grad(args.0, args.1, args.2, args.3, 1.0, 0, g.log_gamma_d, 2, 3);
    let (hv, ..) = gmm_hand(args.0, args.1, args.2, args.3, 1.0, 0, g.log_gamma_d, 2, 3);
    assert_eq!(v.to_bits(), cv.to_bits());
    assert_close("hand", hv, v, 1e-12);
    assert_eq!((da.len(), dm.len(), dq.len()), (3, 6, 9));
}
