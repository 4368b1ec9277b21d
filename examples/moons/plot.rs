//! The decision boundary, as micrograd's demo draws it: the plane colored by the sign of the
//! network's score, with the data points on top. PNG and SVG through plotters, in pure Rust:
//! no text is drawn, so no font or system library is needed.

use crate::data::Moons;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error;
use std::path::{Path, PathBuf};

/// The picture's width in pixels; the height follows from the data, for equal axis scales.
const WIDTH: u32 = 800;
/// Space around the data, in data units.
const MARGIN: f64 = 0.5;
/// The region where the score is negative (label `-1`) and the points labeled `-1`.
const NEG_REGION: RGBColor = RGBColor(246, 196, 170);
const NEG_POINT: RGBColor = RGBColor(178, 24, 43);
/// The region where the score is positive (label `+1`) and the points labeled `+1`.
const POS_REGION: RGBColor = RGBColor(176, 212, 232);
const POS_POINT: RGBColor = RGBColor(33, 102, 172);

/// What to draw: the labeled points and the classifier.
pub struct Picture<'a, F: Fn(f64, f64) -> f64> {
    /// The data set.
    pub moons: &'a Moons,
    /// The score at a point of the plane: positive means `+1`.
    pub score: F,
}

/// The mapping from the data's plane to pixels.
struct Frame {
    x_min: f64,
    y_max: f64,
    /// Pixels per data unit, the same on both axes.
    scale: f64,
    width: u32,
    height: u32,
}

impl Frame {
    fn around(moons: &Moons) -> Frame {
        let [x_lo, x_hi, y_lo, y_hi] = moons.bounds();
        let scale = f64::from(WIDTH) / (x_hi - x_lo + 2.0 * MARGIN);
        let height = ((y_hi - y_lo + 2.0 * MARGIN) * scale).round() as u32;
        Frame {
            x_min: x_lo - MARGIN,
            y_max: y_hi + MARGIN,
            scale,
            width: WIDTH,
            height,
        }
    }

    /// The point of the plane at the centre of pixel `(px, py)`.
    fn to_plane(&self, px: f64, py: f64) -> (f64, f64) {
        (
            self.x_min + (px + 0.5) / self.scale,
            self.y_max - (py + 0.5) / self.scale,
        )
    }

    fn to_pixel(&self, x: f64, y: f64) -> (i32, i32) {
        (
            ((x - self.x_min) * self.scale).round() as i32,
            ((self.y_max - y) * self.scale).round() as i32,
        )
    }
}

/// Draws the picture on `area`, classifying the plane in rows of `row` pixels: the negative
/// region fills the background and each run of positive pixels in a row is one rectangle,
/// reaching `overlap` pixels into the next row (in SVG, so that no seams show between rows).
fn draw<DB: DrawingBackend, F: Fn(f64, f64) -> f64>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    picture: &Picture<F>,
    row: u32,
    overlap: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&NEG_REGION)?;
    let width = frame.width as i32;
    for top in (0..frame.height).step_by(row as usize) {
        let py = f64::from(top) + f64::from(row) / 2.0 - 0.5;
        let mut start = None;
        for px in 0..=width {
            let positive = px < width && {
                let (x, y) = frame.to_plane(f64::from(px), py);
                (picture.score)(x, y) > 0.0
            };
            match (positive, start) {
                (true, None) => start = Some(px),
                (false, Some(x0)) => {
                    let bottom = (top + row) as i32 + overlap;
                    area.draw(&Rectangle::new(
                        [(x0, top as i32), (px, bottom)],
                        POS_REGION.filled(),
                    ))?;
                    start = None;
                }
                _ => {}
            }
        }
    }
    let radius = (frame.scale * 0.035).round() as i32;
    let moons = picture.moons;
    for i in 0..moons.len() {
        let [x, y] = moons.point(i);
        let centre = frame.to_pixel(x, y);
        let color = if moons.ys[i] > 0.0 {
            POS_POINT
        } else {
            NEG_POINT
        };
        area.draw(&Circle::new(centre, radius + 2, WHITE.filled()))?;
        area.draw(&Circle::new(centre, radius, color.filled()))?;
    }
    area.present()
}

/// Writes `moons.png` and `moons.svg` into `dir` (created if needed) and returns their paths.
pub fn write<F: Fn(f64, f64) -> f64>(
    dir: &Path,
    picture: &Picture<F>,
) -> Result<[PathBuf; 2], Box<dyn Error>> {
    std::fs::create_dir_all(dir)?;
    let frame = Frame::around(picture.moons);
    let size = (frame.width, frame.height);
    let png = dir.join("moons.png");
    draw(
        &BitMapBackend::new(&png, size).into_drawing_area(),
        &frame,
        picture,
        1,
        0,
    )?;
    let svg = dir.join("moons.svg");
    draw(
        &SVGBackend::new(&svg, size).into_drawing_area(),
        &frame,
        picture,
        2,
        1,
    )?;
    Ok([png, svg])
}
