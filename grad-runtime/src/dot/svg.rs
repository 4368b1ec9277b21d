//! [`to_svg`]: the picture of [`to_dot`](super::to_dot), laid out and drawn in pure Rust by the
//! `layout-rs` crate (feature `svg`).

use super::{collect, fields};
use crate::tape::Value;
use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, RecordDef, ShapeKind};
use layout::topo::layout::VisualGraph;

/// The one font size of the picture (a single size also keeps the SVG's style sheet, which
/// `layout-rs` keeps in a hash map, in a fixed order).
const FONT_SIZE: usize = 14;

/// `layout-rs` sizes text at one font size per character, which suits capitals; the digits and
/// lower-case letters of our boxes are about this much narrower.
const TEXT_WIDTH: f64 = 0.7;

/// The most values for which `layout-rs` reorders the nodes to reduce edge crossings. Its
/// reordering costs about the cube of the graph's size (in a release build 0.4 s for 250 values,
/// 200 s for 1,600), so larger graphs are drawn without it.
const OPTIMIZE_UP_TO: usize = 200;

/// Room around the drawing, in pixels.
const MARGIN: f64 = 5.0;

/// An SVG picture of the graph below `root`, drawn in pure Rust (no Graphviz), laid out left to
/// right like micrograd's `draw_dot`: every value is a box with its label (if it has one), its
/// data and its gradient (four decimals), and every operation a small ellipse between its inputs
/// and its result. It shows the same nodes and edges as [`to_dot`](super::to_dot).
///
/// The layout comes from the `layout-rs` crate and suits graphs of up to a few hundred values.
/// Up to 200 values it also reorders the nodes to reduce edge crossings, which costs about the
/// cube of the graph's size; larger graphs are laid out without it (in a release build a chain
/// of 3,000 operations takes about half a second, a two-layer network of 1,600 values eight
/// seconds). Graphviz draws large graphs better and faster
/// ([`render_with_graphviz`](super::render_with_graphviz)).
///
/// Available with the `svg` feature of `grad-runtime`, which the `grad` crate enables by
/// default (turn it off with `default-features = false` on `grad` to leave `layout-rs` out of
/// the build).
///
/// ```
/// use grad_runtime::{dot, tape::Value};
///
/// let x = Value::labeled(2.0, "x");
/// let y = x.powi(2);
/// y.set_label("y");
/// y.backward();
/// let svg = dot::to_svg(&y);
/// assert!(svg.contains("<svg") && svg.contains("grad 4.0000") && svg.contains("powi"));
/// // std::fs::write("y.svg", svg)?; and open it in a browser.
/// ```
pub fn to_svg(root: &Value) -> String {
    let entries = collect(root);
    let mut graph = VisualGraph::new(Orientation::LeftToRight);
    // As `layout-rs` builds graphs from DOT: in a left-to-right graph the shapes are oriented
    // top to bottom, so a record `{ a | b | c }` (a row nested in a column) is drawn as a row.
    let orientation = Orientation::TopToBottom;
    let value_look = StyleAttr::new(
        Color::fast("black"),
        1,
        Some(Color::fast("white")),
        0,
        FONT_SIZE,
    );
    let op_look = StyleAttr::new(
        Color::fast("black"),
        1,
        Some(Color::fast("#eeeeee")),
        0,
        FONT_SIZE,
    );
    let edge_look = StyleAttr::new(Color::fast("black"), 1, None, 0, FONT_SIZE);

    let mut values = Vec::with_capacity(entries.len());
    for e in &entries {
        let mut fields = fields(e);
        if !e.label.is_empty() {
            // Room around a short label (the spaces themselves do not show: SVG trims them).
            fields[0] = format!(" {} ", fields[0]);
        }
        let cells = fields.iter().map(|f| RecordDef::new_text(f)).collect();
        let shape = ShapeKind::Record(RecordDef::Array(vec![RecordDef::Array(cells)]));
        let size = get_shape_size(orientation, &shape, FONT_SIZE, false);
        let size = Point::new(size.x * TEXT_WIDTH, size.y);
        values.push(graph.add_node(Element::create(
            shape,
            value_look.clone(),
            orientation,
            size,
        )));
    }
    // Each edge with the topological position of its source: value `i` is at `2i + 1`, its
    // operation just before it at `2i`.
    let mut edges = Vec::new();
    for (i, (e, &value)) in entries.iter().zip(&values).enumerate() {
        if e.op.is_empty() {
            continue;
        }
        let shape = ShapeKind::new_circle(e.op);
        // A circle for a one-letter operation, an ellipse just wide enough for a longer name.
        let height = 2.0 * FONT_SIZE as f64;
        let width = FONT_SIZE as f64 * (e.op.chars().count() as f64 * TEXT_WIDTH + 1.6);
        let size = Point::new(width.max(height), height);
        let op = graph.add_node(Element::create(shape, op_look.clone(), orientation, size));
        edges.push((2 * i, op, value));
        edges.extend(e.parents.iter().map(|&p| (2 * p + 1, values[p], op)));
    }
    // `layout-rs` checks every new edge for a cycle by searching forward from its head, which
    // costs nothing when edges come in topological order of their tails (the head has no
    // edges yet). Its check of the whole graph after every edge is quadratic at best and
    // exponential with many paths (a value used twice, twice over, ...); the graph of a tape is
    // acyclic by construction, so that check is off.
    edges.sort_by_key(|&(position, _, _)| position);
    for (_, from, to) in edges {
        graph.add_edge(edge(&edge_look), from, to);
    }
    graph.dag.set_validate(false);

    let mut svg = SVGWriter::new();
    let optimize = entries.len() <= OPTIMIZE_UP_TO;
    graph.do_it(false, !optimize, false, &mut svg);
    let extent = graph.iter_nodes().fold(Point::zero(), |extent, node| {
        let (_, bottom_right) = graph.pos(node).bbox(false);
        Point::new(extent.x.max(bottom_right.x), extent.y.max(bottom_right.y))
    });
    fit_to(&svg.finalize(), extent.add(Point::splat(MARGIN)))
}

/// `svg` with its canvas set to `size`. `SVGWriter` grows the canvas by ten pixels per
/// character of every text, downwards, which leaves a wide empty band under the drawing; the
/// nodes (edges run between them) tell the real extent.
fn fit_to(svg: &str, size: Point) -> String {
    let Some(start) = svg.find("<svg ") else {
        return svg.to_owned();
    };
    let Some(len) = svg[start..].find('>') else {
        return svg.to_owned();
    };
    let (w, h) = (size.x.ceil(), size.y.ceil());
    format!(
        "{}<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         xmlns=\"http://www.w3.org/2000/svg\">{}",
        &svg[..start],
        &svg[start + len + 1..]
    )
}

/// An unlabelled arrow.
fn edge(look: &StyleAttr) -> Arrow {
    let mut arrow = Arrow::simple("");
    arrow.look = look.clone();
    arrow
}
