//! The table of primitives the macro differentiates: each maps to one rule in
//! `grad_runtime::rules`, where its derivative lives. This table only says how a primitive is
//! spelled and how many float operands it takes.

use crate::ir::{Prim, Syntax};

const fn method(rule: &'static str, arity: usize) -> Prim {
    Prim {
        rule,
        syntax: Syntax::Method,
        arity,
        const_partials: false,
    }
}

/// Methods with their derivative rule, by name.
const METHODS: &[Prim] = &[
    method("sin", 1),
    method("cos", 1),
    method("tan", 1),
    method("asin", 1),
    method("acos", 1),
    method("atan", 1),
    method("sinh", 1),
    method("cosh", 1),
    method("tanh", 1),
    method("asinh", 1),
    method("acosh", 1),
    method("atanh", 1),
    method("exp", 1),
    method("exp2", 1),
    method("exp_m1", 1),
    method("ln", 1),
    method("log", 2),
    method("log2", 1),
    method("log10", 1),
    method("ln_1p", 1),
    method("sqrt", 1),
    method("cbrt", 1),
    method("powf", 2),
    method("recip", 1),
    method("abs", 1),
    method("signum", 1),
    method("floor", 1),
    method("ceil", 1),
    method("round", 1),
    method("trunc", 1),
    method("to_degrees", 1),
    method("to_radians", 1),
    method("mul_add", 3),
    method("hypot", 2),
    method("atan2", 2),
    method("max", 2),
    method("min", 2),
    method("clamp", 3),
    method("relu", 1),
    method("sigmoid", 1),
];

/// The operands partial `k` of `rule` reads, where that is fewer than all of them (`None`:
/// all). The partial of `a * b` with respect to `a` is `b`: the reverse sweep can evaluate it
/// from `b` alone, with `0` for `a`, without storing it. Checked against the rules below.
pub fn partial_reads(rule: &str, k: usize) -> Option<&'static [usize]> {
    match (rule, k) {
        ("mul", 0) | ("div", 0) | ("mul_add", 0) => Some(&[1]),
        ("mul", 1) | ("mul_add", 1) => Some(&[0]),
        ("mul_add", 2) => Some(&[]),
        _ => None,
    }
}

/// `x.powi(n)`.
pub const POWI: Prim = Prim {
    rule: "powi",
    syntax: Syntax::PowI,
    arity: 1,
    const_partials: false,
};

/// Unary minus.
pub const NEG: Prim = Prim {
    rule: "neg",
    syntax: Syntax::Neg,
    arity: 1,
    const_partials: true,
};

/// The primitive for a float method, if there is one.
pub fn method_named(name: &str) -> Option<Prim> {
    if name == "powi" {
        return Some(POWI);
    }
    METHODS.iter().copied().find(|p| p.rule == name)
}

/// The primitive for an arithmetic operator between floats.
pub fn binary(op: &syn::BinOp) -> Option<Prim> {
    let (rule, sym) = match op {
        syn::BinOp::Add(_) | syn::BinOp::AddAssign(_) => ("add", "+"),
        syn::BinOp::Sub(_) | syn::BinOp::SubAssign(_) => ("sub", "-"),
        syn::BinOp::Mul(_) | syn::BinOp::MulAssign(_) => ("mul", "*"),
        syn::BinOp::Div(_) | syn::BinOp::DivAssign(_) => ("div", "/"),
        _ => return None,
    };
    Some(Prim {
        rule,
        syntax: Syntax::Infix(sym),
        arity: 2,
        const_partials: matches!(rule, "add" | "sub"),
    })
}

/// Float methods that exist but are refused, with what to write instead.
pub fn refused_method(name: &str) -> Option<&'static str> {
    Some(match name {
        "to_bits" | "from_bits" | "to_le_bytes" | "to_be_bytes" | "to_ne_bytes" => {
            "bit-level operations have no derivative; compute the value with arithmetic instead"
        }
        "rem_euclid" | "div_euclid" | "fract" | "copysign" => {
            "this method has no derivative rule yet; write it with supported operations \
             (e.g. `x - x.trunc()` for `fract`) or give it a custom rule as a `#[differentiable]` \
             function"
        }
        "sin_cos" => "`sin_cos` is supported as `let (s, c) = x.sin_cos();`; elsewhere call `x.sin()` and `x.cos()`",
        "powf" | "powi" => return None,
        _ => return None,
    })
}

/// Float methods that only test a value (`is_nan`, ...): they return a `bool`, so no
/// derivative flows through them.
pub fn is_float_test(name: &str) -> bool {
    matches!(
        name,
        "is_nan"
            | "is_finite"
            | "is_infinite"
            | "is_normal"
            | "is_subnormal"
            | "is_sign_negative"
            | "is_sign_positive"
    )
}

#[cfg(test)]
mod tests {
    use super::partial_reads;
    use grad_runtime::rules;

    /// Every entry of [`partial_reads`]: the rule with zeros for the other operands gives the
    /// partial bit for bit, at ordinary points and at edges.
    #[test]
    fn partial_reads_matches_the_rules() {
        let xs = [
            -2.5,
            -1.0,
            -0.0,
            0.0,
            0.3,
            1.0,
            7.25,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ];
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        let mut checked = 0;
        for &a in &xs {
            for &b in &xs {
                for &c in &xs {
                    let m = rules::mul(a, b);
                    assert_eq!(partial_reads("mul", 0), Some(&[1][..]));
                    assert!(same(m.1, rules::mul(0.0, b).1));
                    assert_eq!(partial_reads("mul", 1), Some(&[0][..]));
                    assert!(same(m.2, rules::mul(a, 0.0).2));
                    assert_eq!(partial_reads("div", 0), Some(&[1][..]));
                    assert!(same(rules::div(a, b).1, rules::div(0.0, b).1));
                    let f = rules::mul_add(a, b, c);
                    assert!(same(f.1, rules::mul_add(0.0, b, 0.0).1));
                    assert!(same(f.2, rules::mul_add(a, 0.0, 0.0).2));
                    assert!(same(f.3, rules::mul_add(0.0, 0.0, 0.0).3));
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 1000);
        assert_eq!(partial_reads("div", 1), None);
        assert_eq!(partial_reads("sin", 0), None);
    }
}
