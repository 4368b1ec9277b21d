//! One function built twice, with every optimizing pass and with some turned off
//! (`disable(...)`): the two builds must agree bit for bit (value, gradient, `H v`, and the
//! `_jvp` where built), and the first is checked against central differences (the gradient
//! against the value's, `H v` against the gradient's along `v`). For functions
//! `(x: &[f64], a: f64) -> f64` built with `hessian`.

/// The plain function.
pub type Plain = fn(&[f64], f64) -> f64;
/// Its `_grad`.
pub type Grad = fn(&[f64], f64) -> (f64, Vec<f64>, f64);
/// Its `_hvp`.
pub type Hvp = fn(&[f64], f64, &[f64], f64) -> (f64, Vec<f64>, f64, Vec<f64>, f64);
/// Its `_jvp`.
pub type Jvp = fn(&[f64], f64, &[f64], f64) -> (f64, f64);

/// The companions of one build.
pub struct Build {
    pub plain: Plain,
    pub grad: Grad,
    pub hvp: Hvp,
    /// Where built with `jvp`.
    pub jvp: Option<Jvp>,
}

/// `f` (every pass) against `g` (passes off) at `(x, a)`, bit for bit; `f` against central
/// differences: the gradient to `fd_tol`, `H v` to `hv_tol` (relative, as `close_to`).
#[track_caller]
pub fn compare(f: &Build, g: &Build, x: &[f64], a: f64, fd_tol: f64, hv_tol: f64) {
    let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let (v, gx, ga) = (f.grad)(x, a);
    let p = (f.plain)(x, a);
    assert_eq!(
        v.to_bits(),
        p.to_bits(),
        "value {v} vs plain {p} at {x:?}, {a}"
    );
    let (v2, gx2, ga2) = (g.grad)(x, a);
    assert_eq!(
        v.to_bits(),
        v2.to_bits(),
        "value vs the build with passes off"
    );
    assert_eq!(
        (bits(&gx), ga.to_bits()),
        (bits(&gx2), ga2.to_bits()),
        "gradient at {x:?}, {a}: {gx:?} {ga} vs passes off {gx2:?} {ga2}"
    );
    let dir: Vec<f64> = (0..x.len()).map(|i| 0.3 - 0.17 * i as f64).collect();
    let da = 0.45;
    let (hv, hgx, hga, hx, ha) = (f.hvp)(x, a, &dir, da);
    let (hv2, hgx2, hga2, hx2, ha2) = (g.hvp)(x, a, &dir, da);
    for (value, grad, grad_a) in [(hv, &hgx, hga), (hv2, &hgx2, hga2)] {
        assert_eq!(value.to_bits(), v.to_bits(), "_hvp's value");
        assert_eq!(
            (bits(grad), grad_a.to_bits()),
            (bits(&gx), ga.to_bits()),
            "_hvp's gradient is _grad's"
        );
    }
    assert_eq!(
        (bits(&hx), ha.to_bits()),
        (bits(&hx2), ha2.to_bits()),
        "H v at {x:?}, {a}: {hx:?} {ha} vs passes off {hx2:?} {ha2}"
    );
    if let (Some(fj), Some(gj)) = (f.jvp, g.jvp) {
        let (jv, jd) = fj(x, a, &dir, da);
        let (jv2, jd2) = gj(x, a, &dir, da);
        assert_eq!(
            (jv.to_bits(), jd.to_bits()),
            (jv2.to_bits(), jd2.to_bits()),
            "_jvp"
        );
        assert_eq!(jv.to_bits(), v.to_bits(), "_jvp's value");
        let dot: f64 = gx.iter().zip(&dir).map(|(g, d)| g * d).sum::<f64>() + ga * da;
        super::close_to(jd, dot, 1e-9);
    }

    let mut q = x.to_vec();
    q.push(a);
    let mut grad = gx.clone();
    grad.push(ga);
    let n = x.len();
    super::central_differences(|q| (f.plain)(&q[..n], q[n]), &q, &grad, fd_tol);
    let e = 1e-6;
    let step = |s: f64| {
        let xs: Vec<f64> = x.iter().zip(&dir).map(|(x, d)| x + s * d).collect();
        let (_, gx, ga) = (f.grad)(&xs, a + s * da);
        (gx, ga)
    };
    let ((up, up_a), (down, down_a)) = (step(e), step(-e));
    for i in 0..n {
        super::close_to(hx[i], (up[i] - down[i]) / (2.0 * e), hv_tol);
    }
    super::close_to(ha, (up_a - down_a) / (2.0 * e), hv_tol);
}
