//! Operators on [`Value`]: `+ - * /` between `Value`, `&Value` and `f64` on either side,
//! unary `-`, the compound assignments `+= -= *= /=`, and `Sum` over iterators.
//!
//! An `f64` operand becomes a constant leaf node. The partials come from [`crate::rules`]
//! (`add`, `sub`, `mul`, `div`, `neg`).

use super::Value;
use crate::rules;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// Implements one binary operator for every combination of `Value`, `&Value` and `f64`, and its
/// compound assignment with a `Value`, `&Value` or `f64` on the right. Everything forwards to
/// `&Value op &Value`, which calls the rule.
macro_rules! binary_operator {
    ($Op:ident, $op:ident, $OpAssign:ident, $op_assign:ident, $name:literal, $rule:path) => {
        impl $Op<&Value> for &Value {
            type Output = Value;
            fn $op(self, rhs: &Value) -> Value {
                self.binary($name, rhs, $rule)
            }
        }

        impl $Op<Value> for &Value {
            type Output = Value;
            fn $op(self, rhs: Value) -> Value {
                $Op::$op(self, &rhs)
            }
        }

        impl $Op<&Value> for Value {
            type Output = Value;
            fn $op(self, rhs: &Value) -> Value {
                $Op::$op(&self, rhs)
            }
        }

        impl $Op<Value> for Value {
            type Output = Value;
            fn $op(self, rhs: Value) -> Value {
                $Op::$op(&self, &rhs)
            }
        }

        impl $Op<f64> for &Value {
            type Output = Value;
            fn $op(self, rhs: f64) -> Value {
                $Op::$op(self, &Value::new(rhs))
            }
        }

        impl $Op<f64> for Value {
            type Output = Value;
            fn $op(self, rhs: f64) -> Value {
                $Op::$op(&self, &Value::new(rhs))
            }
        }

        impl $Op<&Value> for f64 {
            type Output = Value;
            fn $op(self, rhs: &Value) -> Value {
                $Op::$op(&Value::new(self), rhs)
            }
        }

        impl $Op<Value> for f64 {
            type Output = Value;
            fn $op(self, rhs: Value) -> Value {
                $Op::$op(&Value::new(self), &rhs)
            }
        }

        impl $OpAssign<&Value> for Value {
            fn $op_assign(&mut self, rhs: &Value) {
                *self = $Op::$op(&*self, rhs);
            }
        }

        impl $OpAssign<Value> for Value {
            fn $op_assign(&mut self, rhs: Value) {
                *self = $Op::$op(&*self, &rhs);
            }
        }

        impl $OpAssign<f64> for Value {
            fn $op_assign(&mut self, rhs: f64) {
                *self = $Op::$op(&*self, &Value::new(rhs));
            }
        }
    };
}

binary_operator!(Add, add, AddAssign, add_assign, "+", rules::add);
binary_operator!(Sub, sub, SubAssign, sub_assign, "-", rules::sub);
binary_operator!(Mul, mul, MulAssign, mul_assign, "*", rules::mul);
binary_operator!(Div, div, DivAssign, div_assign, "/", rules::div);

impl Neg for &Value {
    type Output = Value;
    fn neg(self) -> Value {
        self.unary("neg", rules::neg)
    }
}

impl Neg for Value {
    type Output = Value;
    fn neg(self) -> Value {
        -&self
    }
}

impl Sum for Value {
    /// Adds the values left to right (`((a + b) + c) + ...`); an empty sum is a constant `0`.
    fn sum<I: Iterator<Item = Value>>(iter: I) -> Value {
        iter.reduce(|acc, v| acc + v)
            .unwrap_or_else(|| Value::new(0.0))
    }
}

impl<'a> Sum<&'a Value> for Value {
    /// Adds the values left to right (`((a + b) + c) + ...`); an empty sum is a constant `0`.
    fn sum<I: Iterator<Item = &'a Value>>(iter: I) -> Value {
        iter.cloned().sum()
    }
}
