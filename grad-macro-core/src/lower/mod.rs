//! Lowering: the user's body (syn) → structured SSA ([`crate::ir`]).
//!
//! Early exits (`break`, `continue`, `return`) become assignments to one integer jump variable,
//! and the statements after a statement that may exit are wrapped in `if jump == 0 { .. }`.
//! So every region runs to its end, every branch and loop is structured, and the reverse sweep
//! needs no knowledge of jumps: it replays recorded branch decisions and trip counts.
//! `a && b` and `a || b` become branches, so their short-circuit is kept.

mod array_tail;
mod array_use;
mod array_value;
mod call;
mod chain;
mod condition;
mod data;
mod expr;
mod iter;
mod matching;
pub(crate) use matching::binding_name;
mod place;
mod running_index;
mod scope;
mod span;
mod stmt;

use crate::error::Errors;
use crate::ir::*;
use crate::parse::{ParamClass, Parsed};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use scope::{Binding, Scopes};

/// Jump codes stored in the jump variable.
pub(crate) const JUMP_BREAK: u8 = 1;
pub(crate) const JUMP_CONTINUE: u8 = 2;
pub(crate) const JUMP_RETURN: u8 = 3;

/// Lowers a parsed function. Errors are recorded; `None` if the body could not be lowered.
///
/// A function with struct parameters is lowered twice: once to learn the types of the fields
/// it reads from how it uses them (errors ignored), then for real (see `place.rs`).
#[cfg(test)]
pub fn lower(parsed: &Parsed, errors: &mut Errors) -> Option<Function> {
    lower_with(parsed, crate::passes::Passes::default(), errors)
}

/// [`lower`] with the passes that act while lowering: [`crate::passes::Passes::index`]
/// (`running_index.rs`).
pub fn lower_with(
    parsed: &Parsed,
    passes: crate::passes::Passes,
    errors: &mut Errors,
) -> Option<Function> {
    let structs = parsed
        .params
        .iter()
        .any(|p| matches!(p.class, ParamClass::Struct));
    let types = structs.then(|| {
        let mut ignored = Errors::default();
        lower_pass(parsed, &mut ignored, None, passes).1
    });
    lower_pass(parsed, errors, types, passes).0
}

/// One lowering; also returns the field types its reads of struct parameters suggest.
fn lower_pass(
    parsed: &Parsed,
    errors: &mut Errors,
    place_types: Option<std::collections::HashMap<String, Ty>>,
    passes: crate::passes::Passes,
) -> (Option<Function>, std::collections::HashMap<String, Ty>) {
    let mut cx = Lowerer::new(parsed, errors);
    cx.place_types = place_types;
    cx.running_index = passes.index;
    let mut params = Vec::new();
    let mut const_arrays = std::collections::HashMap::new();
    for (i, p) in parsed.params.iter().enumerate() {
        let name = Some(p.ident.to_string());
        let span = p.ident.span();
        let kind = match &p.class {
            ParamClass::Scalar => {
                let v = cx.def(Op::Param(i), Ty::Float, span, name.clone());
                if p.mutable {
                    let s = cx.new_var(Ty::Float, span, name.clone());
                    cx.assign_var(s, v, true);
                    cx.scopes.bind(&p.ident, Binding::Var(s));
                } else {
                    cx.scopes.bind(&p.ident, Binding::Value(v));
                }
                ParamKind::Scalar(v)
            }
            // Rows of float data left out by `wrt(...)` (`xs: &[[f64; 4]]`) and rows of
            // integers (`edges: &[[usize; 2]]`): read as the places of a constant struct
            // (`xs[i][j]`, `for x in xs`, `let r = &xs[i];`). (`&mut` float rows are refused
            // with the signature; the body is checked as if they were not.)
            ParamClass::Opaque | ParamClass::ConstArray
                if crate::parse::float_rows(&p.ty) > 0
                    || (crate::parse::int_rows(&p.ty) > 0 && !p.mut_ref_any()) =>
            {
                struct_param(&mut cx, i, p, true)
            }
            // Data left out by `wrt(...)` that can be indexed (`edges: &[(usize, usize, f64)]`):
            // constant elements.
            ParamClass::Opaque if !p.wrt && crate::parse::indexable(&p.ty) => {
                let a = cx.array(ArrayKind::Constant, span, name);
                cx.scopes.bind(&p.ident, Binding::Array(a));
                const_arrays.insert(a.0 as usize, p.ident.clone());
                ParamKind::Constant
            }
            ParamClass::Struct => struct_param(&mut cx, i, p, false),
            ParamClass::Slice
            | ParamClass::Array(_)
            | ParamClass::ConstArray
            | ParamClass::ScalarRef => {
                let kind = match &p.class {
                    ParamClass::Slice => ArrayKind::Slice,
                    ParamClass::ScalarRef => ArrayKind::Fixed(quote::quote!(1)),
                    ParamClass::Array(n) => ArrayKind::Fixed(n.clone()),
                    _ => ArrayKind::Constant,
                };
                let constant = matches!(kind, ArrayKind::Constant);
                let a = cx.array(kind, span, name);
                if matches!(p.class, ParamClass::ScalarRef) {
                    cx.scalar_ref.insert(a);
                }
                cx.scopes.bind(&p.ident, Binding::Array(a));
                if constant {
                    const_arrays.insert(a.0 as usize, p.ident.clone());
                    ParamKind::Constant
                } else {
                    ParamKind::FloatArray { array: a }
                }
            }
            ParamClass::Constant | ParamClass::Opaque => {
                let ty = scope::ty_of_type(&p.ty);
                let ident = &p.ident;
                let v = cx.def(Op::Const(quote::quote!(#ident)), ty, span, name.clone());
                cx.const_params.insert(v);
                if p.mutable {
                    let s = cx.new_var(ty, span, name);
                    cx.assign_var(s, v, true);
                    cx.scopes.bind(&p.ident, Binding::Var(s));
                } else {
                    cx.scopes.bind(&p.ident, Binding::Value(v));
                }
                ParamKind::Constant
            }
        };
        params.push(Param {
            ident: p.ident.clone(),
            kind,
            wrt: p.wrt,
        });
    }
    cx.n_param_arrays = cx.arrays.len();
    let array_mut: Vec<bool> = {
        let mut m = vec![false; cx.arrays.len()];
        for (p, pp) in params.iter().zip(&parsed.params) {
            if let (ParamKind::FloatArray { array }, true) = (&p.kind, pp.mut_ref) {
                m[array.0 as usize] = true;
            }
        }
        m
    };
    cx.array_mut = array_mut.clone();
    for (i, (p, pp)) in params.iter().zip(&parsed.params).enumerate() {
        let wrt = crate::generic::varied(i).unwrap_or(pp.wrt);
        if let (ParamKind::FloatArray { array }, false, false) = (&p.kind, wrt, pp.mut_ref) {
            cx.inert_arrays.insert(*array);
        }
    }
    let block = &parsed.item.block;
    let (result, returns) = match &parsed.ret {
        crate::parse::RetClass::Float => (cx.body(block), Returns::Float),
        crate::parse::RetClass::Unit => {
            cx.scopes.push();
            cx.stmts_discard(&block.stmts, block_end(block));
            cx.scopes.pop();
            cx.init_jump();
            (cx.dummy_result(), Returns::Unit)
        }
        crate::parse::RetClass::Array(n) => {
            let rewritten = array_tail::tail_to_local(block, &parsed.float_ty, n.as_deref());
            let out = cx.array_body(rewritten.as_ref().unwrap_or(block));
            (cx.dummy_result(), out.map_or(Returns::Unit, Returns::Array))
        }
    };
    cx.unify_types();
    let gathered = if cx.place_types.is_none() {
        cx.gathered_place_types()
    } else {
        Default::default()
    };
    let Lowerer {
        scalar_ref,
        values,
        value_ty,
        vars,
        arrays,
        regions,
        outer_arrays,
        items,
        index_vars,
        mut_roots,
        ..
    } = cx;
    let Some(result) = result else {
        return (None, gathered);
    };
    let array_param = (0..arrays.len())
        .map(|i| {
            parsed
                .params
                .iter()
                .zip(&params)
                .find_map(|(pp, p): (_, &Param)| match &p.kind {
                    ParamKind::FloatArray { array } if array.0 as usize == i => {
                        Some(pp.ident.clone())
                    }
                    _ => None,
                })
                .or_else(|| const_arrays.get(&i).cloned())
                .or_else(|| {
                    outer_arrays
                        .values()
                        .find(|(a, _)| a.0 as usize == i)
                        .map(|(_, ident)| ident.clone())
                })
        })
        .collect();
    let body = regions.into_iter().next().unwrap_or_default();
    let mut array_mut = array_mut;
    array_mut.resize(arrays.len(), false);
    let scalar_ref = (0..arrays.len())
        .map(|i| scalar_ref.contains(&Array(i as u32)))
        .collect();
    let mut written_roots = vec![false; mut_roots.len()];
    body.nodes
        .iter()
        .for_each(|n| n.writes_places(&mut written_roots));
    for (w, m) in written_roots.iter_mut().zip(&mut_roots) {
        *w &= *m;
    }
    let f = Function {
        scalar_ref,
        written_roots,
        array_mut,
        returns,
        params,
        body,
        result,
        float: parsed.float_ty.clone(),
        values,
        value_ty,
        vars,
        arrays,
        array_param,
        items,
        index_vars,
    };
    (Some(f), gathered)
}

/// Where a block's tail value goes.
#[derive(Clone, Copy)]
pub(crate) enum Dest {
    /// Nowhere (a statement block).
    Discard,
    /// Into a variable (the result of an `if` expression or a block expression).
    Var(Var),
    /// The function's result (through `return`'s variable).
    Return,
    /// Handed back to the caller of `block` (only where no early exit can intervene).
    Value,
}

/// A struct parameter, or rows read as one (`data`: never differentiated, never given a
/// tangent), bound to the place at its root.
fn struct_param(
    cx: &mut Lowerer,
    i: usize,
    p: &crate::parse::ParsedParam,
    data: bool,
) -> ParamKind {
    let place = cx.new_place(Place {
        root: i,
        segs: Vec::new(),
    });
    cx.scopes.bind(&p.ident, Binding::Place(place));
    ParamKind::Struct {
        ty: Box::new(crate::parse::grad_ty(&p.ty)),
        by_ref: matches!(p.ty, syn::Type::Reference(_)),
        mutable: p.mut_ref && !data,
        tangent: !data
            && crate::generic::twin().is_some()
            && crate::generic::varied(i).unwrap_or(p.wrt),
    }
}

pub(crate) struct Lowerer<'a> {
    pub errors: &'a mut Errors,
    pub scopes: Scopes,
    /// Regions being built; the last one receives new nodes.
    pub regions: Vec<Region>,
    pub values: Vec<Info>,
    pub value_ty: Vec<Ty>,
    pub vars: Vec<Info>,
    pub var_ty: Vec<Ty>,
    pub arrays: Vec<(Info, ArrayKind)>,
    /// The jump variable, created at the first early exit.
    pub jump: Option<Var>,
    /// Where the body first leaves a loop or itself early (for the error of a function
    /// returning an array, which cannot yet).
    pub first_exit: Option<Span>,
    /// The variable holding the result when the body has `return`.
    pub ret: Option<Var>,
    /// Number of `return`s lowered so far.
    pub returns: usize,
    /// Number of `break`/`continue` lowered in the innermost loop so far.
    pub loop_exits: usize,
    /// How many loops enclose the current position.
    pub loop_depth: usize,
    pub float: crate::parse::FloatTy,
    /// The float type's tokens (`f64`, `f32`, or the type parameter `T`).
    pub float_ty: syn::Type,
    /// Whether the body must end with a value (not when the return type is already refused).
    pub tail_required: bool,
    /// The function returns `()`: a bare `return;` leaves it.
    pub unit: bool,
    /// Arrays `0..n_param_arrays` are parameters.
    pub n_param_arrays: usize,
    /// Values defined by constants written in the source (`Op::Const`).
    pub constants: std::collections::HashSet<Value>,
    /// The values of constant parameters (named the same in every companion).
    pub const_params: std::collections::HashSet<Value>,
    /// Values no derivative can flow into: constants, parameters left out by `wrt(...)`,
    /// elements of arrays that are, and what is computed from them alone (a plain helper
    /// called on them is a constant, `lgamma(3.0)`).
    pub inert: std::collections::HashSet<Value>,
    /// The parameters' names.
    pub param_names: Vec<String>,
    /// The variable each `Op::Read` value reads.
    pub reads_of: std::collections::HashMap<Value, Var>,
    /// Parameter arrays left out by `wrt(...)` and not `&mut`.
    pub inert_arrays: std::collections::HashSet<Array>,
    /// Whether loops with a running index are rewritten (`running_index.rs`; the `index`
    /// pass).
    pub running_index: bool,
    /// The variables rewritten as running indices (see [`Function::index_vars`]).
    pub index_vars: std::collections::HashSet<Var>,
    /// The const generic parameters (`const N: usize`) and their types.
    pub const_generics: std::collections::HashMap<String, Ty>,
    /// How many value-producing expressions (`if` and block expressions, `&&`/`||`) enclose
    /// the current position: an exit from inside one is refused, since the rest of the
    /// enclosing statement would still run.
    pub expr_nesting: usize,
    /// `expr_nesting` where the innermost loop began (`break`/`continue` leave only that loop).
    pub expr_nesting_at_loop: usize,
    /// The element type of each local array (that of its fill value).
    pub local_elem_ty: std::collections::HashMap<Array, Ty>,
    /// Set while lowering the `if` that is a `let`'s whole initializer: an exit from it leaves
    /// nothing of its statement to run.
    pub let_init_if: bool,
    /// Per parameter array: whether it is `&mut` (the body may write it).
    pub array_mut: Vec<bool>,
    /// `&mut f64` parameters: arrays of one element, read and written as `*x`.
    pub scalar_ref: std::collections::HashSet<Array>,
    /// Names the body uses as arrays (indexed, measured, borrowed): a `let` of a call to such
    /// a name binds the call's array result.
    pub array_names: std::collections::HashSet<String>,
    /// Set for the `let` of a call about to be lowered: whether its name is used as an array
    /// in its scope ([`array_use`]).
    pub call_let_array: Option<array_use::CallLet>,
    /// Code in the scope of the next statements lowered that is lowered apart from them (the
    /// tail naming an array-valued function's result): read for the uses of their names.
    pub scope_tail: Option<TokenStream>,
    /// Set once nesting deeper than [`MAX_NESTING`] has been refused.
    pub too_deep: bool,
    /// Closures bound to locals, with the names they see; inlined where they are called.
    pub closures: Vec<(syn::ExprClosure, Scopes)>,
    /// How many inlined closure bodies enclose the current position.
    pub closure_depth: usize,
    /// Arrays named by an identifier of the surrounding scope (`const A: [f64; 3]`).
    pub outer_arrays: std::collections::HashMap<String, (Array, syn::Ident)>,
    /// `const` and `static` items of the body.
    pub items: Vec<TokenStream>,
    /// How many times each identifier appears in the body.
    pub name_uses: std::collections::HashMap<String, usize>,
    /// Views that `split_at_mut` made: a callee may write them.
    pub mut_views: std::collections::HashSet<String>,
    /// The type written on the `let` being lowered (`let n: usize = ...`): the type of a
    /// `sum()` / `product()` that is its initializer.
    pub let_ty: Option<Ty>,
    /// Places inside struct parameters that names are bound to ([`Binding::Place`]).
    pub places: Vec<Place>,
    /// The type of the values at each place shape, once gathered (`None` while gathering).
    pub place_types: Option<std::collections::HashMap<String, Ty>>,
    /// Every read of a place, with the place's shape.
    pub place_reads: Vec<(Value, String)>,
    /// Every value written to a place, with the place's shape.
    pub place_writes: Vec<(Value, String)>,
    /// How many `for x in &place` loops were lowered (names their index variables).
    pub place_loops: usize,
    /// Set while lowering a method call on a place ([`Call::method`]).
    pub next_call_is_method: bool,
    /// Per parameter: whether the gradient is taken with respect to it.
    pub wrt_params: Vec<bool>,
    /// Per parameter: a `&mut` struct (`&mut self`, `p: &mut S`), whose fields the body may
    /// write.
    pub mut_roots: Vec<bool>,
    /// Per parameter: a struct taken by value (`p: S`, `self`), whose places a call may be
    /// given by value.
    pub owned_roots: Vec<bool>,
    /// Per parameter: for rows of floats (`xs: &[[f64; 4]]`), the number of indices down to a
    /// float (2), else 0.
    pub row_depth: Vec<usize>,
    /// The places bound to a name by a copy of a row (`let x = xs[i];`), which a call takes
    /// by value (`f(w, x)`); `let x = &xs[i];` binds a reference.
    pub row_copies: std::collections::HashSet<usize>,
    /// Names bound to a call's result by a `let` without a type, taken for a float: the errors
    /// about using one as an array say to give it a type ([`Lowerer::untyped_call_hint`]).
    pub untyped_call_lets: std::collections::HashSet<String>,
}

/// How deeply the generated code may nest, in [`Lowerer::nesting`]'s units: each `if`,
/// `else if`, block expression, `&&`/`||` operand and statement after an early `return`
/// opens a region, which the companions nest one block deep, and a loop weighs five (its
/// closure, loop and blocks in both sweeps). rustc's parser needs more stack per level for
/// that code than for the user's: with the attribute it overflowed its 8 MB on 726 nested
/// `if`s, on 1,000 `else if` arms and on 179 nested loops (rustc 1.95; 700, 500 and 171
/// compiled), where the plain function compiles up to 726, 12,750 and about 780. Deeper
/// nesting is refused with an error under the expression where it happens, rather than
/// crash rustc.
pub(crate) const MAX_NESTING: usize = 256;

impl<'a> Lowerer<'a> {
    fn new(parsed: &Parsed, errors: &'a mut Errors) -> Self {
        Lowerer {
            errors,
            scopes: Scopes::default(),
            regions: vec![Region::default()],
            values: Vec::new(),
            value_ty: Vec::new(),
            vars: Vec::new(),
            var_ty: Vec::new(),
            arrays: Vec::new(),
            jump: None,
            first_exit: None,
            ret: None,
            returns: 0,
            loop_exits: 0,
            loop_depth: 0,
            float: parsed.float,
            float_ty: parsed.float_ty.clone(),
            tail_required: parsed.returns_float,
            unit: matches!(parsed.ret, crate::parse::RetClass::Unit),
            n_param_arrays: 0,
            constants: Default::default(),
            const_params: Default::default(),
            inert: Default::default(),
            inert_arrays: Default::default(),
            running_index: true,
            index_vars: Default::default(),
            reads_of: Default::default(),
            param_names: parsed.params.iter().map(|p| p.ident.to_string()).collect(),
            const_generics: parsed
                .item
                .sig
                .generics
                .const_params()
                .map(|c| (c.ident.to_string(), scope::ty_of_type(&c.ty)))
                .collect(),
            expr_nesting: 0,
            expr_nesting_at_loop: 0,
            let_init_if: false,
            too_deep: false,
            local_elem_ty: Default::default(),
            array_mut: Vec::new(),
            scalar_ref: Default::default(),
            array_names: array_use::array_uses(&parsed.item.block.to_token_stream())
                .into_iter()
                .collect(),
            call_let_array: None,
            scope_tail: None,
            closures: Vec::new(),
            closure_depth: 0,
            outer_arrays: Default::default(),
            items: Vec::new(),
            mut_views: Default::default(),
            name_uses: name_uses(&parsed.item.block.to_token_stream()),
            let_ty: None,
            places: Vec::new(),
            place_types: None,
            place_reads: Vec::new(),
            place_writes: Vec::new(),
            place_loops: 0,
            next_call_is_method: false,
            wrt_params: parsed.params.iter().map(|p| p.wrt).collect(),
            mut_roots: parsed
                .params
                .iter()
                .map(|p| p.mut_ref && matches!(p.class, ParamClass::Struct))
                .collect(),
            untyped_call_lets: Default::default(),
            row_copies: Default::default(),
            row_depth: parsed
                .params
                .iter()
                .map(|p| match p.class {
                    ParamClass::Opaque | ParamClass::Struct => crate::parse::float_rows(&p.ty),
                    ParamClass::ConstArray if !p.mut_ref_any() => crate::parse::int_rows(&p.ty),
                    _ => 0,
                })
                .collect(),
            owned_roots: parsed
                .params
                .iter()
                .map(|p| {
                    matches!(p.class, ParamClass::Struct)
                        && !matches!(p.ty, syn::Type::Reference(_))
                })
                .collect(),
        }
    }

    /// For an error about `e` used as an array: where `e` names a call's result bound without
    /// a type, what to write instead.
    pub(crate) fn untyped_call_hint(&self, e: &syn::Expr) -> &'static str {
        let named = match stmt::strip(e) {
            syn::Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
            _ => None,
        };
        if named.is_some_and(|n| self.untyped_call_lets.contains(&n)) {
            " (a call's result bound without a type is taken for a float unless the code \
             after it uses it as an array: give its `let` a type, `let r: [f64; 3] = f(x);`)"
        } else {
            ""
        }
    }

    /// The function's result where it returns no float: a constant zero nobody reads.
    fn dummy_result(&mut self) -> Option<Value> {
        Some(self.def(
            Op::Const(crate::generic::lit("0.0")),
            Ty::Float,
            Span::call_site(),
            None,
        ))
    }

    /// Lowers the body of a function that returns an array: statements, then the tail, which
    /// names the array returned (a local array, an array literal or a call returning one).
    fn array_body(&mut self, block: &syn::Block) -> Option<Array> {
        self.scopes.push();
        let (tail, stmts) = match block.stmts.split_last() {
            Some((syn::Stmt::Expr(e, None), rest)) => (Some(e), rest),
            _ => (None, &block.stmts[..]),
        };
        // The tail is the array returned: a name there (`let r = rot(p, t); r`) is used as an
        // array, which the scan of `let`s of calls reads from a borrow of it.
        self.scope_tail = tail.map(|e| match stmt::strip(e) {
            syn::Expr::Path(p) if p.path.get_ident().is_some() => quote::quote!(&#p),
            _ => e.to_token_stream(),
        });
        self.stmts_discard(stmts, block_end(block));
        let out = match tail {
            Some(e) => self.array_value(e),
            None => {
                self.errors.at(
                    block_end(block),
                    "a function returning an array must end with the array it returns (an \
                     expression without `;`)",
                );
                None
            }
        };
        self.scopes.pop();
        if self.ret.is_some() || self.jump.is_some() {
            // Under the first exit: a `return`, `break` or `continue`, the condition of a
            // `while` (which leaves its loop by a `break`), or an early-exiting chain.
            self.errors.at(
                self.first_exit.unwrap_or_else(|| block_end(block)),
                "a function returning an array cannot leave a loop or itself early yet \
                 (`return`, `break`, `continue`, a `while` loop, `any`, `all`, `position`); \
                 loop over a range (`for k in 0..n`) with an `if` inside, and end the function \
                 with the array it returns",
            );
        }
        out
    }

    /// Lowers the function body; returns the result value.
    fn body(&mut self, block: &syn::Block) -> Option<Value> {
        let has_return = contains_return(&quote::quote!(#block));
        if has_return {
            let r = self.new_var(Ty::Float, Span::call_site(), None);
            self.push(Node::DeclVar(r));
            self.ret = Some(r);
        }
        let dest = if has_return {
            Dest::Return
        } else {
            Dest::Value
        };
        let tail = self.block_in_scope(&block.stmts, dest, block_end(block));
        let result = match (self.ret, tail) {
            (Some(r), _) => Some(self.def(Op::Read(r), Ty::Float, Span::call_site(), None)),
            (None, Some(v)) => Some(v),
            (None, None) => None,
        };
        self.init_jump();
        result
    }

    /// The flag of `break` / `continue` (if the body has one), declared at zero first.
    fn init_jump(&mut self) {
        if let Some(j) = self.jump {
            let zero = self.def_raw(Ty::Int, Span::call_site(), None);
            let top = &mut self.regions[0].nodes;
            top.insert(0, Node::Let(zero, Op::Const(quote::quote!(0u8))));
            top.insert(
                1,
                Node::Assign {
                    var: j,
                    value: zero,
                    decl: true,
                },
            );
        }
    }

    // ----- building blocks -------------------------------------------------------------------

    /// Allocates a value id without emitting a node (for values defined by a loop head).
    pub fn def_raw(&mut self, ty: Ty, span: Span, name: Option<String>) -> Value {
        let v = Value(self.values.len() as u32);
        self.values.push(Info { span, name });
        self.value_ty.push(ty);
        v
    }

    /// Defines a value by `op` in the current region.
    pub fn def(&mut self, op: Op, ty: Ty, span: Span, name: Option<String>) -> Value {
        let v = self.def_raw(ty, span, name);
        // An element of a `const` array (`K[i]`) is a constant of a type the macro cannot
        // see, as `K` is: a float where float arithmetic uses it.
        let constant = match &op {
            Op::Const(_) => true,
            Op::Load(a, _) => matches!(self.arrays[a.0 as usize].1, ArrayKind::Constant),
            // A part of constant data (`edges[k].2`).
            Op::Plain(Plain::Field(_), _) => true,
            // Arithmetic on constants (`lgamma(3.0) + c(n)`), a method of one (`p.strength()`
            // of a parameter left out by `wrt(...)`).
            Op::Plain(Plain::Binary(_) | Plain::Unary(_) | Plain::Method(_), args) => {
                args.iter().all(|a| self.constants.contains(a))
            }
            _ => false,
        };
        if constant {
            self.constants.insert(v);
        }
        if self.is_inert(&op) {
            self.inert.insert(v);
        }
        if let Op::Read(var) = op {
            self.reads_of.insert(v, var);
        }
        self.push(Node::Let(v, op));
        v
    }

    /// Whether no derivative can flow into the value `op` defines (see [`Self::inert`]).
    fn is_inert(&self, op: &Op) -> bool {
        let operand =
            |x: &Value| self.inert.contains(x) || matches!(self.ty(*x), Ty::Int | Ty::Bool);
        // Left out by `wrt(...)`: a constant (in the forward twin, see `generic::varied`).
        let left_out = |i: usize| match crate::generic::varied(i) {
            Some(varied) => !varied,
            None => !self.wrt_params.get(i).copied().unwrap_or(true),
        };
        match op {
            Op::Const(_) | Op::Len(_) | Op::FieldLen(_) => true,
            Op::Param(i) => left_out(*i),
            Op::Load(a, _) => {
                matches!(self.arrays[a.0 as usize].1, ArrayKind::Constant)
                    || self.inert_arrays.contains(a)
            }
            Op::Field(p) => left_out(p.root),
            Op::Copy(x) => operand(x),
            Op::Plain(_, args) | Op::Prim { args, .. } => args.iter().all(operand),
            Op::Read(_) | Op::Call { .. } => false,
        }
    }

    pub fn new_var(&mut self, ty: Ty, span: Span, name: Option<String>) -> Var {
        let s = Var(self.vars.len() as u32);
        self.vars.push(Info { span, name });
        self.var_ty.push(ty);
        s
    }

    pub fn array(&mut self, kind: ArrayKind, span: Span, name: Option<String>) -> Array {
        let a = Array(self.arrays.len() as u32);
        self.arrays.push((Info { span, name }, kind));
        a
    }

    /// What the elements of `a` are: floats for float parameters, the fill's type for local
    /// arrays, unknown for other parameters.
    pub fn elem_ty(&self, a: Array) -> Ty {
        match self.arrays[a.0 as usize].1 {
            ArrayKind::Constant => Ty::Unknown,
            _ if (a.0 as usize) < self.n_param_arrays => Ty::Float,
            _ => match self.local_elem_ty.get(&a) {
                Some(Ty::Int) => Ty::Int,
                Some(Ty::Bool) => Ty::Bool,
                _ => Ty::Float,
            },
        }
    }

    /// Constants the macro could not type (`K`) that flow into a float variable or array
    /// element are floats: give them (and what reads them) the float type.
    fn unify_types(&mut self) {
        fn walk(r: &Region, cx: &mut Lowerer<'_>, changed: &mut bool) {
            for n in &r.nodes {
                match n {
                    Node::Assign { var, value, .. } => {
                        let (vt, st) = (cx.value_ty[value.0 as usize], cx.var_ty[var.0 as usize]);
                        if vt == Ty::Float && st != Ty::Float {
                            cx.var_ty[var.0 as usize] = Ty::Float;
                            *changed = true;
                        }
                        if st == Ty::Float && vt == Ty::Unknown && cx.constants.contains(value) {
                            cx.value_ty[value.0 as usize] = Ty::Float;
                            *changed = true;
                        }
                    }
                    Node::Let(v, Op::Read(var))
                        if cx.var_ty[var.0 as usize] == Ty::Float
                            && cx.value_ty[v.0 as usize] != Ty::Float =>
                    {
                        cx.value_ty[v.0 as usize] = Ty::Float;
                        *changed = true;
                    }
                    Node::Store { array, value, .. }
                    | Node::DeclArray(array, ArrayInit::Repeat { fill: value, .. })
                    | Node::DeclArray(array, ArrayInit::Vec { fill: value, .. })
                        if cx.elem_ty(*array) == Ty::Float
                            && cx.value_ty[value.0 as usize] == Ty::Unknown
                            && cx.constants.contains(value) =>
                    {
                        cx.value_ty[value.0 as usize] = Ty::Float;
                        *changed = true;
                    }
                    Node::If { then, els, .. } => {
                        walk(then, cx, changed);
                        walk(els, cx, changed);
                    }
                    Node::Loop { body, .. } => walk(body, cx, changed),
                    _ => {}
                }
            }
        }
        loop {
            let mut changed = false;
            let body = std::mem::take(&mut self.regions[0]);
            walk(&body, self, &mut changed);
            self.regions[0] = body;
            if !changed {
                break;
            }
        }
    }

    pub fn push(&mut self, node: Node) {
        if let Some(r) = self.regions.last_mut() {
            r.nodes.push(node);
        }
    }

    pub fn ty(&self, v: Value) -> Ty {
        self.value_ty[v.0 as usize]
    }

    /// How deeply the generated code nests here (see [`MAX_NESTING`]).
    pub fn nesting(&self) -> usize {
        self.regions.len() + 4 * self.loop_depth
    }

    /// Runs `f` with a fresh region and returns that region.
    pub fn region(&mut self, f: impl FnOnce(&mut Self)) -> Region {
        self.regions.push(Region::default());
        self.scopes.push();
        f(self);
        self.scopes.pop();
        self.regions.pop().unwrap_or_default()
    }

    /// The jump variable, declared at the top of the function on first use.
    pub fn jump_var(&mut self) -> Var {
        match self.jump {
            Some(j) => j,
            None => {
                let j = self.new_var(Ty::Int, Span::call_site(), None);
                self.jump = Some(j);
                j
            }
        }
    }

    /// `jump = code`.
    pub fn set_jump(&mut self, code: u8, span: Span) {
        self.first_exit.get_or_insert(span);
        let j = self.jump_var();
        let c = self.def(Op::Const(quote::quote!(#code)), Ty::Int, span, None);
        self.push(Node::Assign {
            var: j,
            value: c,
            decl: false,
        });
    }

    /// The value `jump == 0`.
    pub fn no_jump(&mut self, span: Span) -> Value {
        let j = self.jump_var();
        let cur = self.def(Op::Read(j), Ty::Int, span, None);
        let zero = self.def(Op::Const(quote::quote!(0u8)), Ty::Int, span, None);
        let op: syn::BinOp = syn::parse_quote!(==);
        self.def(
            Op::Plain(Plain::Binary(op), vec![cur, zero]),
            Ty::Bool,
            span,
            None,
        )
    }
}

/// Whether the tokens contain the keyword `return` (outside nested items, which are refused).
fn contains_return(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        TokenTree::Ident(i) => i == "return",
        TokenTree::Group(g) => contains_return(&g.stream()),
        _ => false,
    })
}

/// How many times each identifier appears in `tokens`.
fn name_uses(tokens: &TokenStream) -> std::collections::HashMap<String, usize> {
    let mut out = std::collections::HashMap::new();
    let mut work = vec![tokens.clone()];
    while let Some(ts) = work.pop() {
        for tt in ts {
            match tt {
                TokenTree::Group(g) => work.push(g.stream()),
                TokenTree::Ident(i) => *out.entry(i.to_string()).or_insert(0) += 1,
                _ => {}
            }
        }
    }
    out
}

/// The span of a block's closing brace.
fn block_end(block: &syn::Block) -> Span {
    block.brace_token.span.close()
}
