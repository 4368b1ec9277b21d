//! A projectile with quadratic drag, integrated by classical RK4 (issue 12's example): the
//! range `x + 0.1 y` after [`RK4_STEPS`] steps, as a function of the launch speed, the launch
//! angle and the drag coefficient.
//!
//! Three forms of the same computation, operation for operation:
//!
//! - [`rk4_distance`], written as a user writes it: `deriv(s, k) -> [f64; 4]` and
//!   `rk4_step(s, h, k) -> [f64; 4]` are helpers returning arrays; its gradient goes through
//!   their generated `_pullback`s (checkpoints: each step re-runs in the reverse sweep);
//! - [`rk4_inlined`], the same computation inlined by hand into one `#[differentiable]`
//!   function over scalars (the reference the natural form is measured against);
//! - [`rk4_hand`], a hand-written gradient of it (forward sweep storing each step's state,
//!   reverse sweep recomputing the step's four stages).

use grad::prelude::*;

/// The time step.
pub const RK4_H: f64 = 0.01;
/// The number of steps the benchmark integrates.
pub const RK4_STEPS: usize = 100;
/// The benchmarked inputs: launch speed, angle, drag coefficient.
pub const RK4_X: (f64, f64, f64) = (20.0, 0.7, 0.05);

/// The state's time derivative: `(x, y, vx, vy)' = (vx, vy, -k |v| vx, -g - k |v| vy)`.
#[differentiable]
pub fn deriv(s: [f64; 4], k: f64) -> [f64; 4] {
    let v = (s[2] * s[2] + s[3] * s[3]).sqrt();
    [s[2], s[3], -k * v * s[2], -9.81 - k * v * s[3]]
}

/// One classical RK4 step of length `h`.
#[differentiable]
pub fn rk4_step(s: [f64; 4], h: f64, k: f64) -> [f64; 4] {
    let k1 = deriv(s, k);
    let mut t = [0.0; 4];
    for i in 0..4 {
        t[i] = s[i] + 0.5 * h * k1[i];
    }
    let k2 = deriv(t, k);
    for i in 0..4 {
        t[i] = s[i] + 0.5 * h * k2[i];
    }
    let k3 = deriv(t, k);
    for i in 0..4 {
        t[i] = s[i] + h * k3[i];
    }
    let k4 = deriv(t, k);
    let mut out = [0.0; 4];
    for i in 0..4 {
        out[i] = s[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
    out
}

/// The range after `n` steps of [`rk4_step`], as a user writes it.
#[differentiable]
pub fn rk4_distance(v0: f64, angle: f64, k: f64, n: usize) -> f64 {
    let mut s = [0.0; 4];
    s[2] = v0 * angle.cos();
    s[3] = v0 * angle.sin();
    for _ in 0..n {
        s = rk4_step(s, RK4_H, k);
    }
    s[0] + 0.1 * s[1]
}

/// [`rk4_distance`] inlined by hand into one function: the same operations in the same order,
/// the state in four scalars (the positions of the intermediate stages, which `deriv` does not
/// read, are not computed).
#[differentiable]
pub fn rk4_inlined(v0: f64, angle: f64, k: f64, n: usize) -> f64 {
    let h = RK4_H;
    let mut x = 0.0;
    let mut y = 0.0;
    let mut vx = v0 * angle.cos();
    let mut vy = v0 * angle.sin();
    for _ in 0..n {
        // k1 = deriv(s)
        let v1 = (vx * vx + vy * vy).sqrt();
        let k1x = vx;
        let k1y = vy;
        let k1vx = -k * v1 * vx;
        let k1vy = -9.81 - k * v1 * vy;
        // k2 = deriv(s + h/2 k1)
        let tvx = vx + 0.5 * h * k1vx;
        let tvy = vy + 0.5 * h * k1vy;
        let v2 = (tvx * tvx + tvy * tvy).sqrt();
        let k2x = tvx;
        let k2y = tvy;
        let k2vx = -k * v2 * tvx;
        let k2vy = -9.81 - k * v2 * tvy;
        // k3 = deriv(s + h/2 k2)
        let uvx = vx + 0.5 * h * k2vx;
        let uvy = vy + 0.5 * h * k2vy;
        let v3 = (uvx * uvx + uvy * uvy).sqrt();
        let k3x = uvx;
        let k3y = uvy;
        let k3vx = -k * v3 * uvx;
        let k3vy = -9.81 - k * v3 * uvy;
        // k4 = deriv(s + h k3)
        let wvx = vx + h * k3vx;
        let wvy = vy + h * k3vy;
        let v4 = (wvx * wvx + wvy * wvy).sqrt();
        let k4x = wvx;
        let k4y = wvy;
        let k4vx = -k * v4 * wvx;
        let k4vy = -9.81 - k * v4 * wvy;
        x += h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x);
        y += h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y);
        vx += h / 6.0 * (k1vx + 2.0 * k2vx + 2.0 * k3vx + k4vx);
        vy += h / 6.0 * (k1vy + 2.0 * k2vy + 2.0 * k3vy + k4vy);
    }
    x + 0.1 * y
}

/// `deriv` at `s`, and the speed `|(s[2], s[3])|`.
#[inline(always)]
fn deriv_plain(s: [f64; 4], k: f64) -> ([f64; 4], f64) {
    let v = (s[2] * s[2] + s[3] * s[3]).sqrt();
    ([s[2], s[3], -k * v * s[2], -9.81 - k * v * s[3]], v)
}

/// The reverse of `deriv` at `s` (with `v = |(s[2], s[3])|`) for the adjoint `d` of its
/// result: adds into `ds` and returns the contribution to `dk`.
#[inline(always)]
fn deriv_back(s: [f64; 4], v: f64, k: f64, d: [f64; 4], ds: &mut [f64; 4]) -> f64 {
    // out2 = -k v s2, out3 = -g - k v s3
    let dv = -k * (d[2] * s[2] + d[3] * s[3]);
    let dk = -v * (d[2] * s[2] + d[3] * s[3]);
    let (dvx, dvy) = if v > 0.0 {
        (dv * s[2] / v, dv * s[3] / v)
    } else {
        (0.0, 0.0)
    };
    ds[2] += d[0] - k * v * d[2] + dvx;
    ds[3] += d[1] - k * v * d[3] + dvy;
    dk
}

/// A hand-written gradient of [`rk4_distance`]: `(value, d_v0, d_angle, d_k)`. The forward
/// sweep keeps the state before each step; the reverse sweep recomputes the step's stages from
/// it and runs their adjoints in reverse. It allocates one buffer of `n` states per call.
pub fn rk4_hand(v0: f64, angle: f64, k: f64, n: usize) -> [f64; 4] {
    let h = RK4_H;
    let (sa, ca) = angle.sin_cos();
    let mut s = [0.0, 0.0, v0 * ca, v0 * sa];
    let mut states = Vec::with_capacity(n);
    for _ in 0..n {
        states.push(s);
        let (k1, _) = deriv_plain(s, k);
        let t2: [f64; 4] = std::array::from_fn(|i| s[i] + 0.5 * h * k1[i]);
        let (k2, _) = deriv_plain(t2, k);
        let t3: [f64; 4] = std::array::from_fn(|i| s[i] + 0.5 * h * k2[i]);
        let (k3, _) = deriv_plain(t3, k);
        let t4: [f64; 4] = std::array::from_fn(|i| s[i] + h * k3[i]);
        let (k4, _) = deriv_plain(t4, k);
        s = std::array::from_fn(|i| s[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]));
    }
    let value = s[0] + 0.1 * s[1];
    let mut ds = [1.0, 0.1, 0.0, 0.0];
    let mut dk = 0.0;
    for &s in states.iter().rev() {
        // Recompute the stages.
        let (k1, v1) = deriv_plain(s, k);
        let t2: [f64; 4] = std::array::from_fn(|i| s[i] + 0.5 * h * k1[i]);
        let (k2, v2) = deriv_plain(t2, k);
        let t3: [f64; 4] = std::array::from_fn(|i| s[i] + 0.5 * h * k2[i]);
        let (k3, v3) = deriv_plain(t3, k);
        let t4: [f64; 4] = std::array::from_fn(|i| s[i] + h * k3[i]);
        let (_, v4) = deriv_plain(t4, k);
        // out = s + h/6 (k1 + 2 k2 + 2 k3 + k4): ds passes through, dk_j = w_j h/6 ds.
        let c = h / 6.0;
        let dk4: [f64; 4] = std::array::from_fn(|i| c * ds[i]);
        let mut dk3: [f64; 4] = std::array::from_fn(|i| 2.0 * c * ds[i]);
        let mut dk2 = dk3;
        let mut dk1 = dk4;
        let mut dsn = ds;
        // k4 = deriv(t4), t4 = s + h k3
        let mut dt = [0.0; 4];
        dk += deriv_back(t4, v4, k, dk4, &mut dt);
        for i in 0..4 {
            dsn[i] += dt[i];
            dk3[i] += h * dt[i];
        }
        // k3 = deriv(t3), t3 = s + h/2 k2
        dt = [0.0; 4];
        dk += deriv_back(t3, v3, k, dk3, &mut dt);
        for i in 0..4 {
            dsn[i] += dt[i];
            dk2[i] += 0.5 * h * dt[i];
        }
        // k2 = deriv(t2), t2 = s + h/2 k1
        dt = [0.0; 4];
        dk += deriv_back(t2, v2, k, dk2, &mut dt);
        for i in 0..4 {
            dsn[i] += dt[i];
            dk1[i] += 0.5 * h * dt[i];
        }
        // k1 = deriv(s)
        dk += deriv_back(s, v1, k, dk1, &mut dsn);
        ds = dsn;
    }
    // s0 = (0, 0, v0 cos a, v0 sin a)
    let dv0 = ds[2] * ca + ds[3] * sa;
    let dangle = v0 * (ds[3] * ca - ds[2] * sa);
    [value, dv0, dangle, dk]
}
