//! The generated code as text for the companion's rustdoc: the forward and the reverse sweep,
//! one instruction a line, in the user's names (`d_x1 += d_a * ∂a/∂x1`).
//!
//! It is rendered from the same IR and plan as the code itself ([`crate::codegen`]), so the
//! two cannot drift apart: every line here is one statement there.

use crate::adjoint::{Adj, Plan, Rev, Save, SaveSource, Storage, Trips, VarReplay};
use crate::ir::*;
use quote::ToTokens;
use std::collections::HashMap;
use std::fmt::Write;

/// Lines of each sweep shown in the rustdoc. A function of 1,000 statements has about 27,000
/// lines of listing, nearly a megabyte of doc string that rustc keeps in the crate's metadata
/// and rustdoc renders (issue 16); past this, the listing is cut.
pub const MAX_LINES: usize = 400;

/// Renders the listing (Markdown: a heading and a `text` block), each sweep cut after
/// [`MAX_LINES`] lines.
pub fn listing(f: &Function, plan: &Plan) -> String {
    let l = Lister::new(f, plan);
    let mut forward = String::new();
    let mut ord = 0;
    l.region(&f.body, 0, &mut ord, &mut forward);
    let _ = writeln!(forward, "value = {}", l.name(f.result));
    let mut reverse = String::new();
    l.rev(&plan.reverse, 0, &mut reverse);
    let mut out = String::from("```text\n// forward sweep\n");
    out.push_str(&cut(&forward));
    out.push_str("\n// reverse sweep\n");
    out.push_str(&cut(&reverse));
    out.push_str("```\n");
    out
}

/// `text`'s first [`MAX_LINES`] lines, and a line saying how many more there are.
fn cut(text: &str) -> String {
    let total = text.lines().count();
    if total <= MAX_LINES {
        return text.to_string();
    }
    let mut out: String = text
        .lines()
        .take(MAX_LINES)
        .flat_map(|l| [l, "\n"])
        .collect();
    let _ = writeln!(
        out,
        "// ... {} more lines (the listing stops at {MAX_LINES} lines a sweep)",
        total - MAX_LINES
    );
    out
}

struct Lister<'a> {
    f: &'a Function,
    plan: &'a Plan,
    names: Vec<String>,
    var_names: Vec<String>,
    array_names: Vec<String>,
    defs: HashMap<Value, &'a Op>,
}

/// Unique display names: the user's name where it is unique, `name.N` where it is shadowed or
/// read more than once, `tN` for temporaries.
fn unique(infos: &[Info], prefix: &str) -> Vec<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for i in infos {
        if let Some(n) = &i.name {
            *count.entry(n).or_default() += 1;
        }
    }
    infos
        .iter()
        .enumerate()
        .map(|(k, i)| match &i.name {
            Some(n) if count[n.as_str()] == 1 => n.clone(),
            Some(n) => format!("{n}.{k}"),
            None => format!("{prefix}{k}"),
        })
        .collect()
}

fn pad(depth: usize) -> String {
    "    ".repeat(depth)
}

impl<'a> Lister<'a> {
    fn new(f: &'a Function, plan: &'a Plan) -> Self {
        let array_infos: Vec<Info> = f.arrays.iter().map(|(i, _)| i.clone()).collect();
        Lister {
            f,
            plan,
            names: unique(&f.values, "t"),
            var_names: unique(&f.vars, "s"),
            array_names: unique(&array_infos, "a"),
            defs: f.defs(),
        }
    }

    fn name(&self, v: Value) -> &str {
        &self.names[v.0 as usize]
    }

    fn partial(&self, v: Value, k: usize) -> String {
        let arg = match self.defs.get(&v) {
            Some(op) => crate::activity::float_args(op)
                .get(k)
                .map(|a| self.name(*a).to_string())
                .unwrap_or_default(),
            None => String::new(),
        };
        format!("∂{}/∂{}", self.name(v), arg)
    }

    fn saved(&self, s: Save) -> String {
        let info = self.plan.save(s);
        match &info.source {
            SaveSource::Partial(v, k) => self.partial(*v, *k),
            SaveSource::IndexOf(v)
            | SaveSource::Cond(v)
            | SaveSource::LoopVar(v)
            | SaveSource::Arg(v)
            | SaveSource::Entry(v) => self.name(*v).to_string(),
            SaveSource::TripCount(o) => format!("trips{o}"),
            SaveSource::LastVar(o) => format!("last{o}"),
        }
    }

    /// A call through its pullback, in the source's names.
    fn call(&self, c: &Call) -> String {
        let args: Vec<String> = c
            .args
            .iter()
            .map(|a| match a {
                CallArg::Value(v, _) => self.name(*v).to_string(),
                CallArg::Var { var, .. } => format!("&mut {}", self.var_names[var.0 as usize]),
                CallArg::Place(p, m) => format!(
                    "&{}{}",
                    if *m { "mut " } else { "" },
                    self.place(p, &|v| self.name(v).to_string())
                ),
                CallArg::Array(a) => {
                    let name = &self.array_names[a.array.0 as usize];
                    let r = if a.mutable {
                        "&mut "
                    } else if a.by_ref {
                        "&"
                    } else {
                        ""
                    };
                    if a.lo.is_none() && a.hi.is_none() {
                        format!("{r}{name}")
                    } else {
                        let lo = a.lo.map(|v| self.name(v).to_string()).unwrap_or_default();
                        let hi = a.hi.map(|v| self.name(v).to_string()).unwrap_or_default();
                        format!("{r}{name}[{lo}..{hi}]")
                    }
                }
            })
            .collect();
        let path = c.path.to_token_stream().to_string().replace(' ', "");
        let call = format!("{path}({})", args.join(", "));
        match c.out {
            CallOut::Unit => call,
            CallOut::Discarded => format!("_ = {call}"),
            CallOut::Value(v) => format!("{} = {call}", self.name(v)),
            CallOut::NewArray(a) | CallOut::IntoArray(a) => {
                format!("{} = {call}", self.array_names[a.0 as usize])
            }
        }
    }

    fn op(&self, op: &Op) -> String {
        let n = |v: &Value| self.name(*v).to_string();
        let list = |vs: &[Value]| vs.iter().map(n).collect::<Vec<_>>().join(", ");
        match op {
            Op::Param(i) => self.f.params[*i].ident.to_string(),
            Op::Const(t) => t.to_string(),
            Op::Prim { prim, args, int } => match prim.syntax {
                Syntax::Infix(sym) => format!("{} {sym} {}", n(&args[0]), n(&args[1])),
                Syntax::Neg => format!("-{}", n(&args[0])),
                Syntax::PowI => format!(
                    "{}.powi({})",
                    n(&args[0]),
                    int.map(|i| n(&i)).unwrap_or_default()
                ),
                Syntax::Method => format!("{}.{}({})", n(&args[0]), prim.rule, list(&args[1..])),
            },
            Op::Call { path, args, .. } => {
                format!(
                    "{}({})",
                    path.to_token_stream().to_string().replace(' ', ""),
                    list(args)
                )
            }
            Op::Copy(a) => n(a),
            Op::Plain(p, args) => match p {
                Plain::Binary(o) => {
                    format!("{} {} {}", n(&args[0]), o.to_token_stream(), n(&args[1]))
                }
                Plain::Unary(o) => format!("{}{}", o.to_token_stream(), n(&args[0])),
                Plain::Cast(t) => format!("{} as {}", n(&args[0]), t.to_token_stream()),
                Plain::Method(m) => format!("{}.{m}({})", n(&args[0]), list(&args[1..])),
                Plain::TotalCmp(m) => {
                    format!("{}.total_cmp(&{}).{m}()", n(&args[0]), n(&args[1]))
                }
                Plain::Range { inclusive } => {
                    let dots = if *inclusive { "..=" } else { ".." };
                    format!("{}{dots}{}", n(&args[0]), n(&args[1]))
                }
                Plain::Call(path) | Plain::Test(path) => format!(
                    "{}({})",
                    path.to_token_stream().to_string().replace(' ', ""),
                    list(args)
                ),
                Plain::Field(m) => format!("{}.{}", n(&args[0]), m.to_token_stream()),
                Plain::Matches(pat, tuple) => {
                    let (open, close) = if *tuple { ("(", ")") } else { ("", "") };
                    let pat = pat.to_token_stream();
                    format!("matches!({open}{}{close}, {pat})", list(args))
                }
            },
            Op::Read(s) => self.var_names[s.0 as usize].clone(),
            Op::Load(a, i) => format!("{}[{}]", self.array_names[a.0 as usize], n(i)),
            Op::Len(a) => format!("{}.len()", self.array_names[a.0 as usize]),
            Op::Field(p) => self.place(p, &|v| n(&v).to_string()),
            Op::FieldLen(p) => format!("{}.len()", self.place(p, &|v| n(&v).to_string())),
        }
    }

    /// A place inside a struct parameter, with its indices named by `index`.
    fn place(&self, p: &Place, index: &dyn Fn(Value) -> String) -> String {
        let mut out = self.f.params[p.root].ident.to_string();
        for seg in &p.segs {
            match seg {
                Seg::Field(m) => {
                    out.push('.');
                    out.push_str(&m.to_token_stream().to_string());
                }
                Seg::Index(v) => out.push_str(&format!("[{}]", index(*v))),
                Seg::Range(lo, hi) => out.push_str(&format!("[{}..{}]", index(*lo), index(*hi))),
                Seg::Cast(t) => out.push_str(&format!(" as {}", t.to_token_stream())),
                Seg::Matches(pat, by_ref) => {
                    let r = if *by_ref { "&" } else { "" };
                    out = format!("matches!({r}{out}, {})", pat.to_token_stream());
                }
                Seg::Compare(op, c, swapped) => {
                    let (op, c) = (op.to_token_stream(), c.to_token_stream().to_string());
                    let c = c.replace(' ', "");
                    out = if *swapped {
                        format!("{c} {op} {out}")
                    } else {
                        format!("{out} {op} {c}")
                    };
                }
            }
        }
        out
    }

    /// A value's definition: with its kept partials where the reverse sweep uses them.
    fn let_line(&self, v: Value, op: &Op) -> String {
        let active = self.plan.act.value[v.0 as usize];
        match op {
            Op::Prim { prim, .. } if active => {
                let ps: Vec<String> = (0..crate::activity::float_args(op).len())
                    .map(|k| self.partial(v, k))
                    .collect();
                format!(
                    "({}, {}) = {}  [rule {}]",
                    self.name(v),
                    ps.join(", "),
                    self.op(op),
                    prim.rule
                )
            }
            Op::Call { path, .. } if active => {
                let ps: Vec<String> = (0..crate::activity::float_args(op).len())
                    .map(|k| self.partial(v, k))
                    .collect();
                let last = path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                format!(
                    "({}, {}) = {}  [companion {last}_grad]",
                    self.name(v),
                    ps.join(", "),
                    self.op(op)
                )
            }
            _ => format!("{} = {}", self.name(v), self.op(op)),
        }
    }

    fn region(&self, r: &Region, depth: usize, ord: &mut usize, out: &mut String) {
        for node in &r.nodes {
            let my = *ord;
            *ord += 1;
            let p = pad(depth);
            match node {
                Node::Let(_, Op::Param(_)) => {}
                // Constant parameters are named as they are.
                Node::Let(v, Op::Const(t)) if t.to_string() == self.name(*v) => {}
                Node::Let(v, op) => {
                    let _ = writeln!(out, "{p}{}", self.let_line(*v, op));
                }
                Node::Assign { var, value, .. } => {
                    let _ = writeln!(
                        out,
                        "{p}{} = {}",
                        self.var_names[var.0 as usize],
                        self.name(*value)
                    );
                }
                Node::DeclVar(s) => {
                    let _ = writeln!(out, "{p}let {}", self.var_names[s.0 as usize]);
                }
                Node::Call(c) => {
                    let _ = writeln!(out, "{p}{}", self.call(c));
                }
                Node::FieldStore { place, value } => {
                    let at = self.place(place, &|v| self.name(v).to_string());
                    let _ = writeln!(out, "{p}{at} = {}", self.name(*value));
                }
                Node::Store {
                    array,
                    index,
                    value,
                } => {
                    let _ = writeln!(
                        out,
                        "{p}{}[{}] = {}",
                        self.array_names[array.0 as usize],
                        self.name(*index),
                        self.name(*value)
                    );
                }
                Node::DeclArray(a, ArrayInit::Repeat { fill, len }) => {
                    let _ = writeln!(
                        out,
                        "{p}{} = [{}; {len}]",
                        self.array_names[a.0 as usize],
                        self.name(*fill)
                    );
                }
                Node::DeclArray(a, ArrayInit::Vec { fill, len }) => {
                    let _ = writeln!(
                        out,
                        "{p}{} = vec![{}; {}]",
                        self.array_names[a.0 as usize],
                        self.name(*fill),
                        self.name(*len)
                    );
                }
                Node::If { cond, then, els } => {
                    let _ = writeln!(out, "{p}if {} {{", self.name(*cond));
                    self.region(then, depth + 1, ord, out);
                    let _ = writeln!(out, "{p}}} else {{");
                    self.region(els, depth + 1, ord, out);
                    let _ = writeln!(out, "{p}}}");
                }
                Node::Loop { head, body, jump } => {
                    match head {
                        LoopHead::For { var, iter } => {
                            let _ = writeln!(
                                out,
                                "{p}for {} in {} {{",
                                self.name(*var),
                                self.name(*iter)
                            );
                        }
                        LoopHead::Forever => {
                            let _ = writeln!(out, "{p}loop {{");
                        }
                    }
                    self.region(body, depth + 1, ord, out);
                    if let Some(fl) = self.plan.fused_loops.get(&my) {
                        let acc = self.adj(Adj::Var(fl.acc));
                        let q = pad(depth + 1);
                        let _ = writeln!(
                            out,
                            "{q}// this iteration's reverse, with {acc} = 1 (the contributions \
                             gather until the reverse sweep scales them)"
                        );
                        self.rev(&fl.body, depth + 1, out);
                    }
                    if let Some(j) = jump {
                        let _ = writeln!(
                            out,
                            "{}exit if {} says so",
                            pad(depth + 1),
                            self.var_names[j.0 as usize]
                        );
                    }
                    let _ = writeln!(out, "{p}}}");
                }
            }
            self.saves(my, depth, out);
        }
    }

    /// What the forward sweep keeps for the reverse sweep at node `my`.
    fn saves(&self, my: usize, depth: usize, out: &mut String) {
        let Some(saves) = self.plan.node_saves.get(&my) else {
            return;
        };
        for s in saves {
            let what = self.saved(*s);
            match self.plan.save(*s).storage {
                Storage::Stack => match self.plan.windows.slots.get(&s.0) {
                    // `window`: written into the iteration's slot, read back by index.
                    Some((_, m)) => {
                        let _ = writeln!(out, "{}save {what} in slot {m}", pad(depth));
                    }
                    None => {
                        let _ = writeln!(out, "{}push {what}", pad(depth));
                    }
                },
                Storage::Hoisted => {
                    let _ = writeln!(out, "{}keep {what}", pad(depth));
                }
                Storage::Local | Storage::Replayed | Storage::Constant | Storage::Operands => {}
            }
        }
    }

    fn adj(&self, a: Adj) -> String {
        match a {
            Adj::Value(v) => format!("d_{}", self.name(v)),
            Adj::Var(s) => format!("d_{}", self.var_names[s.0 as usize]),
            Adj::Elem(arr, i) => {
                format!("d_{}[{}]", self.array_names[arr.0 as usize], self.saved(i))
            }
            Adj::Field(k) => {
                let (p, saves) = &self.plan.fields[k as usize];
                let at: Vec<(Value, &Save)> = p.indices().into_iter().zip(saves).collect();
                let index = |x: Value| {
                    at.iter()
                        .find(|(y, _)| *y == x)
                        .map(|(_, s)| self.saved(**s))
                        .unwrap_or_default()
                };
                format!("d_{}", self.place(p, &index))
            }
        }
    }

    fn rev(&self, list: &[Rev], depth: usize, out: &mut String) {
        let p = pad(depth);
        for step in list {
            match step {
                Rev::Zero(a) => {
                    let _ = writeln!(out, "{p}{} = 0", self.adj(*a));
                }
                Rev::Seed(v) => {
                    let _ = writeln!(out, "{p}d_{} = 1", self.name(*v));
                }
                Rev::Restore(s) => {
                    if self.plan.save(*s).storage == Storage::Stack {
                        let _ = writeln!(out, "{p}pop {}", self.saved(*s));
                    }
                }
                Rev::Reload { value, index } => {
                    if let Some(Op::Load(a, _)) = self.defs.get(value) {
                        let _ = writeln!(
                            out,
                            "{p}{} = {}[{}] (read again: reload)",
                            self.name(*value),
                            self.array_names[a.0 as usize],
                            self.saved(*index)
                        );
                    }
                }
                Rev::Acc { to, from, by } => {
                    let by = match by {
                        Some(s) => format!(" * {}", self.saved(*s)),
                        None => String::new(),
                    };
                    let _ = writeln!(out, "{p}{} += {}{by}", self.adj(*to), self.adj(*from));
                }
                Rev::Reset(a) => {
                    let _ = writeln!(out, "{p}{} = 0", self.adj(*a));
                }
                Rev::AccSum { to, array } => {
                    let _ = writeln!(
                        out,
                        "{p}d_{} += sum(d_{})",
                        self.name(*to),
                        self.array_names[array.0 as usize]
                    );
                }
                Rev::ResetArray(a) => {
                    let _ = writeln!(out, "{p}d_{} = 0", self.array_names[a.0 as usize]);
                }
                Rev::Call { call, .. } => {
                    let path = call.path.to_token_stream().to_string().replace(' ', "");
                    let _ = writeln!(
                        out,
                        "{p}{path}_pullback(...) adds into the adjoints of `{}`  [checkpoint: \
                         re-runs {path} from its inputs]",
                        self.call(call)
                    );
                }
                Rev::Fused(ord) => {
                    let Some(fl) = self.plan.fused_loops.get(ord) else {
                        continue;
                    };
                    let acc = self.adj(Adj::Var(fl.acc));
                    let _ = writeln!(
                        out,
                        "{p}// the loop's contributions, gathered in the forward sweep with \
                         {acc} = 1, times {acc}:"
                    );
                    for a in &fl.scalars {
                        let _ = writeln!(out, "{p}{} += {acc} * (gathered)", self.adj(*a));
                    }
                    for a in &fl.arrays {
                        let name = &self.array_names[a.0 as usize];
                        let _ = writeln!(out, "{p}d_{name} += {acc} * (gathered d_{name})");
                    }
                }
                Rev::If { flag, then, els } => {
                    let _ = writeln!(out, "{p}if {} {{", self.saved(*flag));
                    self.rev(then, depth + 1, out);
                    let _ = writeln!(out, "{p}}} else {{");
                    self.rev(els, depth + 1, out);
                    let _ = writeln!(out, "{p}}}");
                }
                Rev::Loop {
                    trips,
                    var,
                    replay,
                    restore,
                    body,
                } => {
                    for a in restore {
                        let _ = writeln!(
                            out,
                            "{p}{} = as the loop below read it (popped: freeze)",
                            self.array_names[a.0 as usize]
                        );
                    }
                    let head = match (trips, var) {
                        (Trips::Rerun(chain), Some((v, _))) => {
                            let it = chain.last().map(|x| self.name(*x)).unwrap_or_default();
                            format!("for {} in {it}.rev()", self.name(*v))
                        }
                        (Trips::Count(c), Some((v, VarReplay::Stepped { up, .. }))) => format!(
                            "for {} stepping {} from its last value, {} times",
                            self.name(*v),
                            if *up { "down" } else { "up" },
                            self.saved(*c)
                        ),
                        (Trips::Count(c), Some((v, _))) => {
                            format!("for {} popped, {} times", self.name(*v), self.saved(*c))
                        }
                        (Trips::Count(c), None) => format!("repeat {} times", self.saved(*c)),
                        (Trips::Rerun(_), None) => "repeat".to_string(),
                    };
                    let _ = writeln!(out, "{p}{head} {{");
                    for x in replay {
                        if let Some(op) = self.defs.get(x) {
                            let _ = writeln!(
                                out,
                                "{}{}  [recomputed]",
                                pad(depth + 1),
                                self.let_line(*x, op)
                            );
                        }
                    }
                    self.rev(body, depth + 1, out);
                    let _ = writeln!(out, "{p}}}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sweeps_are_cut_with_a_count() {
        let short = "a\nb\n";
        assert_eq!(cut(short), short);
        let long: String = (0..MAX_LINES + 7).map(|i| format!("l{i}\n")).collect();
        let out = cut(&long);
        assert_eq!(out.lines().count(), MAX_LINES + 1);
        assert!(out.starts_with("l0\nl1\n"));
        assert!(out.contains(&format!("l{}\n", MAX_LINES - 1)));
        assert!(!out.contains(&format!("l{}\n", MAX_LINES)));
        assert!(out.ends_with("// ... 7 more lines (the listing stops at 400 lines a sweep)\n"));
    }
}
