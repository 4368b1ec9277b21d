//! Programs as users write them (issue 12): Black-Scholes greeks with an `erf` helper and a
//! Monte Carlo version over pre-drawn normals, and a mass-spring chain integrated with helpers
//! that update state in place. Each value bit for bit against the plain function, each
//! gradient against central differences and, for Black-Scholes, against the closed-form greeks.

// Index loops are how numeric code is written, and what the macro sees.
#![allow(clippy::needless_range_loop)]

use grad::check::check_gradient;
use grad::prelude::*;

/// `erf` by Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7), as people paste it.
#[differentiable]
fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.3275911 * x);
    let poly = t
        * (0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    sign * (1.0 - poly * (-x * x).exp())
}

#[differentiable]
fn norm_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// The Black-Scholes price of a European call.
#[differentiable]
fn call_price(spot: f64, strike: f64, rate: f64, vol: f64, time: f64) -> f64 {
    let sqrt_t = time.sqrt();
    let d1 = ((spot / strike).ln() + (rate + 0.5 * vol * vol) * time) / (vol * sqrt_t);
    let d2 = d1 - vol * sqrt_t;
    spot * norm_cdf(d1) - strike * (-rate * time).exp() * norm_cdf(d2)
}

/// The same price by Monte Carlo over standard normal draws (a pathwise estimator).
#[differentiable(wrt(spot, vol))]
fn call_price_mc(spot: f64, strike: f64, rate: f64, vol: f64, time: f64, normals: &[f64]) -> f64 {
    let drift = (rate - 0.5 * vol * vol) * time;
    let diffusion = vol * time.sqrt();
    let mut payoff = 0.0;
    for &z in normals {
        let s_t = spot * (drift + diffusion * z).exp();
        payoff += (s_t - strike).max(0.0);
    }
    (-rate * time).exp() * payoff / normals.len() as f64
}

fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

#[test]
fn black_scholes_greeks() {
    for (s, k, r, v, t) in [
        (100.0, 95.0, 0.03, 0.2, 0.5),
        (80.0, 100.0, 0.01, 0.35, 2.0),
    ] {
        let (price, delta, d_strike, rho, vega, d_time) = call_price_grad(s, k, r, v, t);
        assert_eq!(price.to_bits(), call_price(s, k, r, v, t).to_bits());
        let f = |p: &[f64]| call_price(p[0], p[1], p[2], p[3], p[4]);
        let g = [delta, d_strike, rho, vega, d_time];
        check_gradient(f, &[s, k, r, v, t], &g, 1e-6).unwrap();
        // Against the closed forms (to the accuracy of the erf approximation).
        let d1 = ((s / k).ln() + (r + 0.5 * v * v) * t) / (v * t.sqrt());
        let d2 = d1 - v * t.sqrt();
        let n = |x: f64| 0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2));
        assert!((delta - n(d1)).abs() < 1e-5, "delta {delta} vs {}", n(d1));
        assert!((vega - s * pdf(d1) * t.sqrt()).abs() < 1e-3, "vega {vega}");
        let rho_exact = k * t * (-r * t).exp() * n(d2);
        assert!((rho - rho_exact).abs() < 1e-3, "rho {rho} vs {rho_exact}");
    }
}

#[test]
fn monte_carlo_pathwise_greeks() {
    // Normals from a fixed linear congruential generator and Box-Muller: reproducible.
    let mut state = 12345u64;
    let mut uniform = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let normals: Vec<f64> = (0..2000)
        .map(|_| (-2.0 * uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * uniform()).cos())
        .collect();
    let (s, k, r, v, t) = (100.0, 95.0, 0.03, 0.2, 0.5);
    let (price, delta, vega) = call_price_mc_grad(s, k, r, v, t, &normals);
    assert_eq!(
        price.to_bits(),
        call_price_mc(s, k, r, v, t, &normals).to_bits()
    );
    // The pathwise derivative of the sample mean, exactly: against central differences of the
    // same estimator (no path sits at the kink for these draws).
    let f = |p: &[f64]| call_price_mc(p[0], k, r, p[1], t, &normals);
    check_gradient(f, &[s, v], &[delta, vega], 1e-5).unwrap();
    // And close to the analytic greeks (Monte Carlo error of 2,000 paths).
    let (_, exact_delta, _, _, exact_vega, _) = call_price_grad(s, k, r, v, t);
    assert!(
        (delta - exact_delta).abs() < 0.05,
        "{delta} vs {exact_delta}"
    );
    assert!((vega - exact_vega).abs() < 3.0, "{vega} vs {exact_vega}");
}

// ===== a mass-spring chain =================================================================

/// Spring forces on a chain of unit masses fixed at both ends: `forces` is overwritten.
#[differentiable]
fn spring_forces(pos: &[f64], stiffness: &[f64], rest: f64, forces: &mut [f64]) {
    let n = pos.len();
    for i in 0..n {
        forces[i] = 0.0;
    }
    for i in 0..n + 1 {
        let left = if i == 0 { 0.0 } else { pos[i - 1] };
        let right = if i == n {
            (n + 1) as f64 * rest
        } else {
            pos[i]
        };
        let stretch = right - left - rest;
        let f = stiffness[i] * stretch;
        if i > 0 {
            forces[i - 1] += f;
        }
        if i < n {
            forces[i] -= f;
        }
    }
}

/// One semi-implicit Euler step.
#[differentiable]
fn step(pos: &mut [f64], vel: &mut [f64], stiffness: &[f64], rest: f64, dt: f64) {
    let mut forces = vec![0.0; pos.len()];
    spring_forces(pos, stiffness, rest, &mut forces);
    for i in 0..pos.len() {
        vel[i] = 0.99 * vel[i] + dt * forces[i];
        pos[i] += dt * vel[i];
    }
}

/// How far the chain ends from a target shape after `steps` steps, as a function of the
/// springs' stiffness and the initial displacement.
#[differentiable(wrt(stiffness, kick))]
fn chain_loss(stiffness: &[f64], kick: f64, target: &[f64], steps: usize) -> f64 {
    let n = target.len();
    let mut pos = vec![0.0; n];
    let mut vel = vec![0.0; n];
    for i in 0..n {
        pos[i] = (i + 1) as f64;
    }
    vel[0] = kick;
    for _ in 0..steps {
        step(&mut pos, &mut vel, stiffness, 1.0, 0.05);
    }
    let mut loss = 0.0;
    for i in 0..n {
        let e = pos[i] - target[i];
        loss += e * e;
    }
    loss
}

#[test]
fn mass_spring_chain() {
    let target = [1.2, 1.9, 3.1, 4.0];
    let stiffness = [1.0, 2.0, 1.5, 0.5, 1.2];
    for (kick, steps) in [(0.5, 40), (-1.0, 7), (0.3, 0)] {
        let (loss, d_k, d_kick) = chain_loss_grad(&stiffness, kick, &target, steps);
        assert_eq!(
            loss.to_bits(),
            chain_loss(&stiffness, kick, &target, steps).to_bits()
        );
        let f = |p: &[f64]| chain_loss(&p[..5], p[5], &target, steps);
        let point: Vec<f64> = stiffness.iter().copied().chain([kick]).collect();
        let grad: Vec<f64> = d_k.iter().copied().chain([d_kick]).collect();
        check_gradient(f, &point, &grad, 1e-6).unwrap();
    }
}
