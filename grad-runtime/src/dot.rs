//! Pictures of a tape graph, as micrograd's `draw_dot` draws them: every [`Value`] a box with
//! its label, data and gradient, every operation a small node between its inputs and its result,
//! laid out left to right.
//!
//! - [`to_dot`] writes Graphviz DOT text (no dependency, deterministic, snapshot-friendly).
//! - [`to_svg`] draws an SVG in pure Rust with the `layout-rs` crate; no Graphviz needed. It
//!   exists only with the `svg` feature of `grad-runtime`, which the `grad` crate turns on by
//!   default.
//! - [`render_with_graphviz`] pipes the DOT text through Graphviz's `dot` program when one is
//!   on the `PATH`, for Graphviz's nicer layout or its other formats (`png`, `pdf`, ...).
//!
//! All three draw everything reachable from the root they are given (not only from the final
//! loss), and nothing else: the graph of any intermediate value can be drawn on its own.
//! Values are numbered `n0`, `n1`, ... in [`Value::topological_order`], so the output depends
//! only on the graph, never on addresses in memory.
//!
//! # Example
//!
//! ```
//! use grad_runtime::{dot, tape::Value};
//!
//! let a = Value::labeled(2.0, "a");
//! let b = Value::labeled(-3.0, "b");
//! let c = &a * &b;
//! c.set_label("c");
//! c.backward();
//!
//! assert_eq!(
//!     dot::to_dot(&c),
//!     r#"digraph {
//!   rankdir=LR;
//!   node [fontname="Helvetica"];
//!   n0 [shape=record, label="{ a | data 2.0000 | grad -3.0000 }"];
//!   n1 [shape=record, label="{ b | data -3.0000 | grad 2.0000 }"];
//!   n2 [shape=record, label="{ c | data -6.0000 | grad 1.0000 }"];
//!   n2_op [shape=circle, label="*"];
//!   n2_op -> n2;
//!   n0 -> n2_op;
//!   n1 -> n2_op;
//! }
//! "#
//! );
//! ```
#![cfg_attr(feature = "svg", doc = "\n[`to_svg`]: to_svg")]
#![cfg_attr(not(feature = "svg"), doc = "\n[`to_svg`]: self#")]

use crate::tape::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Read as _, Write as _};
use std::process::{Command, Stdio};

#[cfg(feature = "svg")]
mod svg;
#[cfg(feature = "svg")]
pub use svg::to_svg;

/// One value of the graph being drawn, with its inputs as indices into the same list.
struct Entry {
    label: String,
    data: f64,
    grad: f64,
    op: &'static str,
    /// Indices of the inputs, in argument order; an input used twice appears twice.
    parents: Vec<usize>,
}

/// Everything reachable from `root`, in topological order (so `root` is last and every value
/// comes after its inputs).
fn collect(root: &Value) -> Vec<Entry> {
    let order = root.topological_order();
    let index: HashMap<usize, usize> = order.iter().enumerate().map(|(i, v)| (v.id(), i)).collect();
    order
        .iter()
        .map(|v| Entry {
            label: v.label(),
            data: v.data(),
            grad: v.grad(),
            op: v.op(),
            parents: v.parents().map(|(p, _)| index[&p.id()]).collect(),
        })
        .collect()
}

/// The text of a value's box, one string per field: the label (left out when empty), then
/// `data` and `grad` with four decimals, as micrograd prints them.
fn fields(e: &Entry) -> Vec<String> {
    let mut fields = Vec::with_capacity(3);
    if !e.label.is_empty() {
        fields.push(e.label.clone());
    }
    fields.push(format!("data {:.4}", e.data));
    fields.push(format!("grad {:.4}", e.grad));
    fields
}

/// Graphviz DOT text for the graph below `root`, in the form of micrograd's `draw_dot`.
///
/// The graph is `digraph { rankdir=LR; ... }` with:
///
/// - one `record` node per value, `nI`, labelled `{ label | data D | grad G }` with four
///   decimals (`{ data D | grad G }` for a value without a label), where `I` is the value's
///   position in [`Value::topological_order`] of `root`;
/// - for each value computed by an operation, a small circle `nI_op` labelled with the
///   operation ([`Value::op`]), an edge `nI_op -> nI`, and an edge `nJ -> nI_op` from each input
///   in argument order. An input used twice (`&a + &a`) has two edges, one per use, which is
///   why its gradient is the sum of two contributions.
///
/// Labels are escaped for DOT strings and record fields (`\`, `"`, `{`, `}`, `|`, `<`, `>`,
/// repeated and trailing spaces, newlines), so any label is shown as written (less leading
/// spaces, which Graphviz always drops in records). The output is
/// deterministic: the same graph gives the same text, whatever the addresses of its nodes.
///
/// Paste the text into any Graphviz viewer, run `dot -Tsvg`, or use [`render_with_graphviz`]
/// or `to_svg` (feature `svg`).
///
/// ```
/// use grad_runtime::{dot, tape::Value};
///
/// let x = Value::new(0.0);
/// let y = x.sin();
/// let text = dot::to_dot(&y);
/// assert!(text.contains(r#"n1_op [shape=circle, label="sin"];"#));
/// assert!(text.contains(r#"n0 [shape=record, label="{ data 0.0000 | grad 0.0000 }"];"#));
/// ```
pub fn to_dot(root: &Value) -> String {
    let entries = collect(root);
    let mut out = String::from("digraph {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (i, e) in entries.iter().enumerate() {
        let label: Vec<String> = fields(e).iter().map(|f| escape(f, true)).collect();
        let label = label.join(" | ");
        // Writing to a `String` cannot fail.
        let _ = writeln!(out, "  n{i} [shape=record, label=\"{{ {label} }}\"];");
        if !e.op.is_empty() {
            let _ = writeln!(out, "  n{i}_op [shape=circle, label={}];", quote(e.op));
            let _ = writeln!(out, "  n{i}_op -> n{i};");
            for p in &e.parents {
                let _ = writeln!(out, "  n{p} -> n{i}_op;");
            }
        }
    }
    out.push_str("}\n");
    out
}

/// `s` as a DOT quoted string for an ordinary (non-record) label.
fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s, false))
}

/// `s` escaped for a DOT quoted string, and also for one field of a record label if `record`.
///
/// Inside a quoted string Graphviz turns only `\"` back into `"`; every other backslash
/// reaches the label parser, which reads `\\` as one backslash and `\n` as a line break. In a
/// record field `{ } | < >` need a backslash to show literally, and a space that Graphviz would
/// drop (repeated or trailing) becomes a hard space `\ `; leading spaces are always dropped.
/// Other control characters become spaces. A record field never ends the quoted string (` }"` follows), so a trailing
/// backslash cannot escape the closing quote.
fn escape(s: &str, record: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .peekable();
    let mut previous = None;
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '{' | '}' | '|' | '<' | '>' if record => {
                out.push('\\');
                out.push(c);
            }
            ' ' if record && (previous == Some(' ') || chars.peek().is_none()) => {
                out.push_str("\\ ");
            }
            c => out.push(c),
        }
        previous = Some(c);
    }
    out
}

/// Renders the graph below `root` with Graphviz: runs `dot -T<format>` (for example `"svg"`,
/// `"png"` or `"pdf"`) on the text of [`to_dot`] and returns what it prints.
///
/// Returns `None` when no `dot` program can be started (Graphviz is not installed or not on the
/// `PATH`): Graphviz is never required, and `to_svg` draws without it. Returns `Some(Err(_))`
/// when `dot` started but failed, with its error output in the message (an unknown format, for
/// example).
///
/// ```
/// use grad_runtime::{dot, tape::Value};
///
/// let y = Value::labeled(1.0, "x").exp();
/// match dot::render_with_graphviz(&y, "svg") {
///     Some(Ok(svg)) => assert!(String::from_utf8_lossy(&svg).contains("<svg")),
///     Some(Err(e)) => panic!("dot failed: {e}"),
///     None => println!("Graphviz is not installed"),
/// }
/// ```
pub fn render_with_graphviz(root: &Value, format: &str) -> Option<io::Result<Vec<u8>>> {
    let child = Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    match child {
        Ok(child) => Some(run_graphviz(child, &to_dot(root))),
        Err(_) => None,
    }
}

/// Feeds `input` to a started `dot` and collects its output. The input is written from a
/// second thread so that a large graph cannot block both programs on full pipes.
fn run_graphviz(mut child: std::process::Child, input: &str) -> io::Result<Vec<u8>> {
    let stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (written, output, errors) = std::thread::scope(|s| {
        let writer = s.spawn(move || match stdin {
            Some(mut stdin) => stdin.write_all(input.as_bytes()),
            None => Ok(()),
        });
        let error_reader = s.spawn(move || {
            let mut errors = Vec::new();
            if let Some(stderr) = stderr.as_mut() {
                let _ = stderr.read_to_end(&mut errors);
            }
            errors
        });
        let mut output = Vec::new();
        let read = match stdout.as_mut() {
            Some(stdout) => stdout.read_to_end(&mut output).map(|_| output),
            None => Ok(output),
        };
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("writer panicked")));
        (written, read, error_reader.join().unwrap_or_default())
    });
    let status = child.wait()?;
    if !status.success() {
        let errors = String::from_utf8_lossy(&errors);
        return Err(io::Error::other(format!(
            "dot failed ({status}): {}",
            errors.trim()
        )));
    }
    written?;
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_fields_escape_special_characters() {
        assert_eq!(escape("a|b", true), r"a\|b");
        assert_eq!(escape("{x}", true), r"\{x\}");
        assert_eq!(escape("<p>", true), r"\<p\>");
        assert_eq!(escape("a b", true), "a b");
        assert_eq!(escape(" a  b ", true), r" a \ b\ ");
        assert_eq!(escape(r#"a\"b"#, true), r#"a\\\"b"#);
        assert_eq!(escape("a\nb\tc", true), r"a\nb c");
    }

    #[test]
    fn plain_labels_escape_only_quotes_backslashes_and_newlines() {
        assert_eq!(quote(r#"say "hi" {|}"#), r#""say \"hi\" {|}""#);
        assert_eq!(quote(r"a\b"), r#""a\\b""#);
        assert_eq!(quote(" a\nb\tc"), r#"" a\nb c""#);
    }
}
