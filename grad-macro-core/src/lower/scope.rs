//! Names in scope while lowering, and what the macro can tell of a type.

use crate::ir::{Array, Ty, Value, Var};
use std::collections::HashMap;

/// What a name refers to.
#[derive(Clone, Copy, Debug)]
pub enum Binding {
    /// An immutable value.
    Value(Value),
    /// A mutable variable.
    Var(Var),
    /// An array or slice.
    Array(Array),
    /// A sub-slice of an array: `array[offset..offset + len]` (a `windows`/`chunks` item).
    View {
        /// The array viewed.
        array: Array,
        /// The first element's index in `array`.
        offset: Value,
        /// The number of elements.
        len: Value,
    },
    /// One element of an array, read where it is used and writable through `*x = ...` (an
    /// item of `xs.iter()` or `xs.iter_mut()`).
    Elem(Array, Value),
    /// A place inside a struct parameter (the parameter itself, `&p.layers[l]`, a `for layer
    /// in &p.layers` item): an index into [`super::Lowerer::places`].
    Place(usize),
    /// A closure bound to a local: an index into [`super::Lowerer::closures`]; it is inlined
    /// where it is called.
    Closure(usize),
}

/// A stack of lexical scopes.
#[derive(Default, Clone)]
pub struct Scopes {
    frames: Vec<HashMap<String, Binding>>,
}

impl Scopes {
    pub fn push(&mut self) {
        self.frames.push(HashMap::new());
    }

    pub fn pop(&mut self) {
        self.frames.pop();
    }

    pub fn bind(&mut self, ident: &syn::Ident, b: Binding) {
        if self.frames.is_empty() {
            self.push();
        }
        if let Some(f) = self.frames.last_mut() {
            f.insert(ident.to_string(), b);
        }
    }

    /// Every variable in scope, by name (the innermost binding of each name).
    pub fn vars(&self) -> Vec<(String, Var)> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for f in self.frames.iter().rev() {
            for (name, b) in f {
                if seen.insert(name.clone()) {
                    if let Binding::Var(s) = b {
                        out.push((name.clone(), *s));
                    }
                }
            }
        }
        out
    }

    /// Replaces the innermost binding of `name`.
    pub fn rebind(&mut self, name: &str, b: Binding) {
        if let Some(f) = self.frames.iter_mut().rev().find(|f| f.contains_key(name)) {
            f.insert(name.to_string(), b);
        }
    }

    pub fn get(&self, ident: &syn::Ident) -> Option<Binding> {
        let key = ident.to_string();
        self.frames.iter().rev().find_map(|f| f.get(&key).copied())
    }
}

const INTS: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
];

/// What a written type is, as far as the macro cares.
pub fn ty_of_type(ty: &syn::Type) -> Ty {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => match p.path.get_ident() {
            Some(i) if crate::generic::is_float_name(i) => Ty::Float,
            Some(i) if i == "bool" => Ty::Bool,
            Some(i) if INTS.iter().any(|t| i == t) => Ty::Int,
            _ => Ty::Unknown,
        },
        syn::Type::Paren(p) => ty_of_type(&p.elem),
        syn::Type::Group(g) => ty_of_type(&g.elem),
        _ => Ty::Unknown,
    }
}
