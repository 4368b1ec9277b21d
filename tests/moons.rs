//! micrograd's moons demo (`examples/moons.rs`): the compiled loss against the tape engine,
//! training with both, and the data generator. The example's own modules are included, so
//! the code tested is the code that runs.

#[path = "../examples/moons/data.rs"]
#[allow(dead_code)]
mod data;
#[path = "../examples/moons/model.rs"]
#[allow(dead_code)]
mod model;

use grad::nn::MLP;

/// `|got - want| <= tol · max(1, |got|, |want|)`.
#[track_caller]
fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    let scale = 1.0f64.max(got.abs()).max(want.abs());
    assert!(
        (got - want).abs() <= tol * scale,
        "{what}: got {got:e}, want {want:e}"
    );
}

/// The initial parameters of the example, from seed `seed`.
fn initial(seed: u64) -> Vec<f64> {
    MLP::new(2, &[16, 16, 1], seed).parameter_values()
}

/// The tape engine's loss, accuracy and gradient at the flat parameters `p`.
fn tape_at(p: &[f64], moons: &data::Moons) -> (f64, f64, Vec<f64>) {
    let mut model = MLP::new(2, &[16, 16, 1], 0);
    model.set_parameter_values(p);
    let (loss, accuracy) = model::tape_loss(&model, &moons.xs, &moons.ys);
    loss.backward();
    (loss.data(), accuracy, model.gradients())
}

// ------------------------------------------------------------------------------------------
// The compiled loss
// ------------------------------------------------------------------------------------------

#[test]
fn the_layout_is_grad_nn_s() {
    assert_eq!(model::PARAMS, 337);
    assert_eq!(MLP::new(2, &[16, 16, 1], 1).num_parameters(), model::PARAMS);
}

/// The compiled gradient equals the tape engine's to 1e-10, at the initial parameters and
/// after some training (when other ReLUs are active and most margins are met).
#[test]
fn compiled_gradient_equals_the_tape_engines() {
    let moons = data::moons(100, 0.1, 1);
    let start = initial(1);
    let trained = model::train_compiled(start.clone(), &moons.xs, &moons.ys, 10, |_| {}).params;
    for (when, p) in [("initial", &start), ("after 10 steps", &trained)] {
        let (value, grad) = model::loss_grad(p, &moons.xs, &moons.ys);
        assert_eq!(value, model::loss(p, &moons.xs, &moons.ys), "{when}: value");
        let (tape_value, tape_accuracy, tape_grad) = tape_at(p, &moons);
        assert_close(&format!("{when}: loss"), value, tape_value, 1e-10);
        let accuracy = model::accuracy(p, &moons.xs, &moons.ys);
        assert_eq!(accuracy, tape_accuracy, "{when}: accuracy");
        assert_eq!(grad.len(), model::PARAMS);
        for (i, (g, t)) in grad.iter().zip(&tape_grad).enumerate() {
            assert_close(&format!("{when}: d_p[{i}]"), *g, *t, 1e-10);
        }
        let nonzero = grad.iter().filter(|g| **g != 0.0).count();
        assert!(nonzero > 200, "{when}: only {nonzero} non-zero partials");
    }
}

/// And both agree with finite differences (on fewer points, to keep the test quick).
#[test]
fn compiled_gradient_matches_finite_differences() {
    let moons = data::moons(20, 0.1, 3);
    let p = initial(3);
    let (_, grad) = model::loss_grad(&p, &moons.xs, &moons.ys);
    grad::check::check_gradient(|p| model::loss(p, &moons.xs, &moons.ys), &p, &grad, 1e-6)
        .expect("the compiled gradient");
}

/// The loss is the mean max-margin loss of the scores plus the L2 penalty, bit for bit: the
/// network written out in `loss` is the one in `score`.
#[test]
fn loss_is_the_mean_margin_loss_of_score_plus_the_penalty() {
    let moons = data::moons(50, 0.1, 4);
    let p = initial(4);
    let mut margins = 0.0;
    for i in 0..moons.len() {
        let [x, y] = moons.point(i);
        let s = model::score(&p, x, y);
        margins += if 1.0 - moons.ys[i] * s > 0.0 {
            1.0 - moons.ys[i] * s
        } else {
            0.0
        };
    }
    let penalty: f64 = p.iter().fold(0.0, |acc, w| acc + w * w);
    let want = margins / moons.len() as f64 + model::ALPHA * penalty;
    assert_eq!(model::loss(&p, &moons.xs, &moons.ys), want);
}

// ------------------------------------------------------------------------------------------
// Training
// ------------------------------------------------------------------------------------------

#[test]
fn learning_rate_follows_micrograd() {
    assert_eq!(model::learning_rate(0, 100), 1.0);
    assert_close("step 50", model::learning_rate(50, 100), 0.55, 1e-15);
    assert_close("step 99", model::learning_rate(99, 100), 0.109, 1e-15);
}

/// A short run lowers the loss, and the tape engine takes exactly the same steps.
#[test]
fn a_few_steps_lower_the_loss_with_both_engines() {
    let moons = data::moons(100, 0.1, 1);
    let start = initial(1);
    let before = model::loss(&start, &moons.xs, &moons.ys);
    let mut reported = Vec::new();
    let compiled = model::train_compiled(start.clone(), &moons.xs, &moons.ys, 5, |s| {
        reported.push(s.loss)
    });
    let after = model::loss(&compiled.params, &moons.xs, &moons.ys);
    assert!(after < 0.6 * before, "loss {before} -> {after}");
    assert_eq!(reported.len(), 5);
    assert_eq!(reported[0], before);
    assert_eq!(compiled.step_times.len(), 5);

    let mut model = MLP::new(2, &[16, 16, 1], 1);
    let tape = model::train_tape(&mut model, &moons.xs, &moons.ys, 5, |_| {});
    for (i, (c, t)) in compiled.params.iter().zip(&tape.params).enumerate() {
        assert_close(&format!("p[{i}] after 5 steps"), *c, *t, 1e-10);
    }
}

/// The full demo, as the example runs it, reaches micrograd's result: 100% on this seed (the
/// issue asks for at least 97%; 39 of the seeds 0 to 39 reach 100%, the other one 99%).
#[test]
fn the_full_demo_classifies_the_moons() {
    let moons = data::moons(100, 0.1, 1);
    let run = model::train_compiled(initial(1), &moons.xs, &moons.ys, 100, |_| {});
    let accuracy = model::accuracy(&run.params, &moons.xs, &moons.ys);
    let loss = model::loss(&run.params, &moons.xs, &moons.ys);
    assert!(accuracy >= 0.97, "accuracy {accuracy}, loss {loss}");
    assert!(loss < 0.05, "loss {loss}");
}

// ------------------------------------------------------------------------------------------
// The data set
// ------------------------------------------------------------------------------------------

#[test]
fn moons_have_the_right_shape_and_labels() {
    for n in [2, 7, 100] {
        let moons = data::moons(n, 0.1, 5);
        assert_eq!((moons.len(), moons.xs.len()), (n, 2 * n));
        let lower = moons.ys.iter().filter(|y| **y == 1.0).count();
        let upper = moons.ys.iter().filter(|y| **y == -1.0).count();
        assert_eq!((upper, lower), (n / 2, n - n / 2), "n = {n}");
    }
    // Shuffled: the labels are not in two blocks.
    let ys = data::moons(100, 0.1, 5).ys;
    assert!(ys.windows(2).filter(|w| w[0] != w[1]).count() > 10);
}

/// Without noise the points lie on the two half circles: the upper one `(cos t, sin t)` and
/// the lower one `(1 - cos t, 0.5 - sin t)`, `t` evenly spaced over `[0, π]`.
#[test]
fn without_noise_the_points_lie_on_two_half_circles() {
    let moons = data::moons(101, 0.0, 6);
    let mut upper_x = Vec::new();
    for i in 0..moons.len() {
        let [x, y] = moons.point(i);
        if moons.ys[i] < 0.0 {
            assert_close("upper radius", x.hypot(y), 1.0, 1e-12);
            assert!(y >= -1e-12, "upper moon below its centre: ({x}, {y})");
            upper_x.push(x);
        } else {
            assert_close("lower radius", (x - 1.0).hypot(y - 0.5), 1.0, 1e-12);
            assert!(y <= 0.5 + 1e-12, "lower moon above its centre: ({x}, {y})");
        }
    }
    // 50 evenly spaced angles from 0 to π, ends included.
    upper_x.sort_by(f64::total_cmp);
    assert_eq!(upper_x.len(), 50);
    assert_close("t = π", upper_x[0], -1.0, 1e-12);
    assert_close("t = 0", upper_x[49], 1.0, 1e-12);
    let t: Vec<f64> = upper_x.iter().rev().map(|x| x.acos()).collect();
    for w in t.windows(2) {
        assert_close("angle step", w[1] - w[0], std::f64::consts::PI / 49.0, 1e-6);
    }
}

/// The noise is Gaussian with the requested standard deviation, independent across
/// coordinates: the same seed without noise gives the same points in the same order, so the
/// difference is the noise itself.
#[test]
fn the_noise_has_the_requested_level() {
    let n = 4000;
    let noisy = data::moons(n, 0.1, 7);
    let clean = data::moons(n, 0.0, 7);
    assert_eq!(noisy.ys, clean.ys);
    let d: Vec<f64> = noisy.xs.iter().zip(&clean.xs).map(|(a, b)| a - b).collect();
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    let sd = (d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d.len() as f64).sqrt();
    assert!(mean.abs() < 0.005, "mean {mean}");
    assert!((sd - 0.1).abs() < 0.004, "standard deviation {sd}");
    let within = d.iter().filter(|v| v.abs() < 0.1).count() as f64 / d.len() as f64;
    assert!((within - 0.6827).abs() < 0.02, "{within} within one sigma");
    let cov = d.chunks_exact(2).map(|p| p[0] * p[1]).sum::<f64>() / n as f64;
    assert!(
        (cov / (sd * sd)).abs() < 0.05,
        "x and y noise correlate: {cov}"
    );
}

#[test]
fn the_seed_fixes_the_data() {
    let a = data::moons(30, 0.1, 8);
    let b = data::moons(30, 0.1, 8);
    assert_eq!((&a.xs, &a.ys), (&b.xs, &b.ys));
    assert_ne!(a.xs, data::moons(30, 0.1, 9).xs);
}
