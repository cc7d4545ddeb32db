//! Where a plot drew its marks, in canvas pixels, and which mark is under the pointer: the
//! hover read-out of the charts that are not bar-indexed. Pure, so it is tested natively.

/// A rectangle in canvas pixels; `right` and `bottom` are exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rect {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl Rect {
    pub fn new(left: i32, top: i32, right: i32, bottom: i32) -> Rect {
        Rect {
            left,
            top,
            right: right.max(left),
            bottom: bottom.max(top),
        }
    }

    pub fn width(&self) -> i32 {
        self.right - self.left
    }

    pub fn height(&self) -> i32 {
        self.bottom - self.top
    }

    /// Whether the point is inside (left and top edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= f64::from(self.left)
            && x < f64::from(self.right)
            && y >= f64::from(self.top)
            && y < f64::from(self.bottom)
    }

    /// The rectangle shrunk by `by` pixels on every side (never inverted).
    pub fn inset(&self, by: i32) -> Rect {
        let dx = by.min(self.width() / 2);
        let dy = by.min(self.height() / 2);
        Rect::new(
            self.left + dx,
            self.top + dy,
            self.right - dx,
            self.bottom - dy,
        )
    }
}

/// Something the pointer can land on; `id` is the chart's own key (a trial's index).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HitTarget {
    /// A point mark (a scatter dot, a polyline vertex), found within a radius.
    Point { x_px: f32, y_px: f32, id: usize },
    /// An area mark (a bar), found when the pointer is inside it.
    Area { rect: Rect, id: usize },
}

/// What a plot leaves behind for the hover read-out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlotLayout {
    pub targets: Vec<HitTarget>,
}

/// How far from a point mark (in canvas pixels) the pointer still reads it.
pub const HIT_RADIUS_PX: f64 = 12.0;

impl PlotLayout {
    pub fn with_capacity(n: usize) -> PlotLayout {
        PlotLayout {
            targets: Vec::with_capacity(n),
        }
    }

    pub fn push_point(&mut self, x_px: f64, y_px: f64, id: usize) {
        self.targets.push(HitTarget::Point {
            x_px: x_px as f32,
            y_px: y_px as f32,
            id,
        });
    }

    pub fn push_area(&mut self, rect: Rect, id: usize) {
        self.targets.push(HitTarget::Area { rect, id });
    }

    /// The mark under `(x, y)`: an area that contains it, else the nearest point mark within
    /// `radius_px`. Ties go to the mark pushed last, which is the one drawn on top.
    pub fn nearest(&self, x: f64, y: f64, radius_px: f64) -> Option<usize> {
        if !(x.is_finite() && y.is_finite()) {
            return None;
        }
        let mut best: Option<(f64, usize)> = None;
        for target in &self.targets {
            let (distance_sq, id) = match *target {
                HitTarget::Area { rect, id } if rect.contains(x, y) => (0.0, id),
                HitTarget::Area { .. } => continue,
                HitTarget::Point { x_px, y_px, id } => {
                    let (dx, dy) = (f64::from(x_px) - x, f64::from(y_px) - y);
                    (dx * dx + dy * dy, id)
                }
            };
            if distance_sq <= radius_px * radius_px && best.is_none_or(|(d, _)| distance_sq <= d) {
                best = Some((distance_sq, id));
            }
        }
        best.map(|(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_point_within_the_radius_wins() {
        let mut layout = PlotLayout::default();
        layout.push_point(10.0, 10.0, 1);
        layout.push_point(20.0, 10.0, 2);
        assert_eq!(layout.nearest(14.0, 10.0, 12.0), Some(1));
        assert_eq!(layout.nearest(16.0, 11.0, 12.0), Some(2));
        assert_eq!(
            layout.nearest(100.0, 100.0, 12.0),
            None,
            "too far from every point"
        );
    }

    #[test]
    fn an_area_under_the_pointer_beats_a_nearby_point() {
        let mut layout = PlotLayout::default();
        layout.push_point(5.0, 5.0, 1);
        layout.push_area(Rect::new(0, 0, 50, 10), 7);
        assert_eq!(layout.nearest(6.0, 5.0, 12.0), Some(7));
        assert_eq!(
            layout.nearest(6.0, 14.0, 12.0),
            Some(1),
            "below the bar the point is nearest"
        );
    }

    #[test]
    fn ties_go_to_the_mark_drawn_last() {
        let mut layout = PlotLayout::default();
        layout.push_point(10.0, 10.0, 3);
        layout.push_point(10.0, 10.0, 4);
        assert_eq!(layout.nearest(10.0, 10.0, 1.0), Some(4));
    }

    #[test]
    fn a_non_finite_pointer_hits_nothing() {
        let mut layout = PlotLayout::default();
        layout.push_area(Rect::new(0, 0, 50, 50), 1);
        assert_eq!(layout.nearest(f64::NAN, 5.0, 12.0), None);
    }

    #[test]
    fn inset_never_inverts_a_rectangle() {
        let r = Rect::new(0, 0, 6, 100).inset(10);
        assert!(r.width() >= 0 && r.height() >= 0);
        assert_eq!(r, Rect::new(3, 10, 3, 90));
    }
}
