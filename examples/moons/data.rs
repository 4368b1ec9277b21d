//! The two-moons data set, as scikit-learn's `make_moons` makes it: two interleaving half
//! circles, one point per evenly spaced angle, shuffled, with Gaussian noise on both
//! coordinates. Generated here from a seed (nothing is downloaded); the example and
//! `tests/moons.rs` both include this file.

use grad::nn::Rng;

/// Points in the plane with labels `-1` / `+1`.
#[derive(Clone, Debug)]
pub struct Moons {
    /// The coordinates, flat: point `i` is `(xs[2 i], xs[2 i + 1])`.
    pub xs: Vec<f64>,
    /// The label of each point: `-1` for the upper moon, `+1` for the lower one.
    pub ys: Vec<f64>,
}

impl Moons {
    /// The number of points.
    pub fn len(&self) -> usize {
        self.ys.len()
    }

    /// Point `i`.
    pub fn point(&self, i: usize) -> [f64; 2] {
        [self.xs[2 * i], self.xs[2 * i + 1]]
    }

    /// The smallest box holding every point: `[x_min, x_max, y_min, y_max]`.
    pub fn bounds(&self) -> [f64; 4] {
        let mut b = [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in self.xs.chunks_exact(2) {
            b = [
                b[0].min(p[0]),
                b[1].max(p[0]),
                b[2].min(p[1]),
                b[3].max(p[1]),
            ];
        }
        b
    }
}

/// `make_moons(n, noise)` with labels mapped to `-1` / `+1` (micrograd's `y*2 - 1`).
///
/// The upper moon (label `-1`) has `n / 2` points `(cos t, sin t)` and the lower moon (label
/// `+1`) the other `n - n / 2` points `(1 - cos t, 0.5 - sin t)`, with `t` evenly spaced over
/// `[0, π]` ends included. The points are then shuffled (Fisher–Yates) and every coordinate
/// gets independent Gaussian noise of standard deviation `noise` (Box–Muller), all drawn from
/// [`Rng::new(seed)`](Rng::new): the shuffle comes first, so the same seed with another
/// `noise` gives the same points in the same order, moved by a scaled copy of the same noise.
pub fn moons(n: usize, noise: f64, seed: u64) -> Moons {
    let n_upper = n / 2;
    let n_lower = n - n_upper;
    let mut points = Vec::with_capacity(n);
    for i in 0..n_upper {
        let t = angle(i, n_upper);
        points.push(([t.cos(), t.sin()], -1.0));
    }
    for i in 0..n_lower {
        let t = angle(i, n_lower);
        points.push(([1.0 - t.cos(), 0.5 - t.sin()], 1.0));
    }

    let mut rng = Rng::new(seed);
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        points.swap(i, j);
    }
    let mut xs = Vec::with_capacity(2 * n);
    let mut ys = Vec::with_capacity(n);
    for ([x, y], label) in points {
        let (dx, dy) = gaussian_pair(&mut rng);
        xs.push(x + noise * dx);
        xs.push(y + noise * dy);
        ys.push(label);
    }
    Moons { xs, ys }
}

/// `numpy.linspace(0, π, count)[i]`.
fn angle(i: usize, count: usize) -> f64 {
    if count < 2 {
        0.0
    } else {
        std::f64::consts::PI * i as f64 / (count - 1) as f64
    }
}

/// Two independent standard normal numbers (Box–Muller).
fn gaussian_pair(rng: &mut Rng) -> (f64, f64) {
    let u1 = 1.0 - rng.uniform(0.0, 1.0); // in (0, 1]: ln(u1) is finite
    let u2 = rng.uniform(0.0, 1.0);
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
    (r * c, r * s)
}
