//! The math methods of [`Value`]: the methods of `f64` with the same names, plus `relu` and
//! `sigmoid`. Each one records the value and partials returned by the rule of the same name in
//! [`crate::rules`]; the rule's documentation says what happens at kinks and domain edges.

use super::Value;
use crate::rules;

/// Methods of one argument: `x.name()` through `rules::name`.
macro_rules! unary_methods {
    ($($name:ident),* $(,)?) => {
        impl Value {
            $(
                #[doc = concat!(
                    "`", stringify!($name), "` of this value; the partial comes from [`rules::",
                    stringify!($name), "`]."
                )]
                pub fn $name(&self) -> Value {
                    self.unary(stringify!($name), rules::$name)
                }
            )*
        }
    };
}

unary_methods!(
    sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, exp, exp2, exp_m1, ln,
    log2, log10, ln_1p, sqrt, cbrt, recip, abs, signum, floor, ceil, round, trunc, relu, sigmoid,
    to_degrees, to_radians,
);

/// Methods of two arguments: `x.name(other)` through `rules::name`, where `other` is an `f64`,
/// a `Value` or a `&Value`.
macro_rules! binary_methods {
    ($($name:ident($arg:ident): $what:literal),* $(,)?) => {
        impl Value {
            $(
                #[doc = concat!(
                    "`self.", stringify!($name), "(", stringify!($arg), ")`: ", $what,
                    " `", stringify!($arg), "` may be an `f64`, a `Value` or a `&Value`; ",
                    "the partials come from [`rules::", stringify!($name), "`]."
                )]
                pub fn $name(&self, $arg: impl Into<Value>) -> Value {
                    self.binary(stringify!($name), &$arg.into(), rules::$name)
                }
            )*
        }
    };
}

binary_methods!(
    log(base): "the logarithm of this value in base `base`.",
    powf(exponent): "this value raised to a real power.",
    hypot(other): "`sqrt(self² + other²)`.",
    atan2(other): "the four-quadrant arctangent of `self / other` (`self` is `y`).",
    max(other): "the larger of the two.",
    min(other): "the smaller of the two.",
);

impl Value {
    /// `self.powi(n)`: this value raised to an integer power (`n` is a constant, not a node);
    /// the partial comes from [`rules::powi`].
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let x = Value::new(2.0);
    /// let y = x.powi(3);
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (8.0, 12.0));
    /// ```
    pub fn powi(&self, n: i32) -> Value {
        self.unary("powi", |x| rules::powi(x, n))
    }

    /// `self.mul_add(a, b)`: `self * a + b` with one rounding. `a` and `b` may each be an
    /// `f64`, a `Value` or a `&Value`; the partials come from [`rules::mul_add`].
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let x = Value::new(3.0);
    /// let y = x.mul_add(2.0, 1.0);
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (7.0, 2.0));
    /// ```
    pub fn mul_add(&self, a: impl Into<Value>, b: impl Into<Value>) -> Value {
        self.ternary("mul_add", &a.into(), &b.into(), rules::mul_add)
    }

    /// `self.clamp(lo, hi)`: this value restricted to `[lo, hi]`. `lo` and `hi` may each be an
    /// `f64`, a `Value` or a `&Value`; the partials come from [`rules::clamp`].
    ///
    /// # Panics
    ///
    /// As `f64::clamp`, if `lo > hi` or either bound is NaN.
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let x = Value::new(5.0);
    /// let hi = Value::new(2.0);
    /// let y = x.clamp(0.0, &hi);
    /// y.backward();
    /// assert_eq!((y.data(), x.grad(), hi.grad()), (2.0, 0.0, 1.0));
    /// ```
    pub fn clamp(&self, lo: impl Into<Value>, hi: impl Into<Value>) -> Value {
        self.ternary("clamp", &lo.into(), &hi.into(), rules::clamp)
    }
}
