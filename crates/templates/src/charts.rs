//! Charts drawn as SVG, server-side, with no script: horizontal bars with their value written
//! beside each bar, so the chart reads without colour and prints. Every chart sits next to a
//! table with the same numbers (the accessible source of truth); the SVG itself has a title and
//! a description, and `role="img"`, so a screen reader announces it once instead of every shape.

use std::fmt::Write;

/// One bar: its label, its length (`None` draws no bar: suppressed or no data) and the text
/// written beside it (the formatted value, or "suppressed", "no data"...).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub shown: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart. `id` must be unique in the page (it names the title and description);
/// `title` and `description` are already translated. Bars are scaled to the largest value, or
/// to `max` when given (100 for percentages). Colours have at least 4.5:1 contrast on white.
pub fn bar_chart(
    id: &str,
    title: &str,
    description: &str,
    bars: &[Bar],
    max: Option<f64>,
) -> String {
    const LABEL_W: f64 = 200.0;
    const BAR_W: f64 = 320.0;
    const ROW_H: f64 = 28.0;
    const VALUE_W: f64 = 160.0;
    let largest = bars.iter().filter_map(|b| b.value).fold(0.0f64, f64::max);
    let scale_max = max.unwrap_or(largest).max(largest);
    let height = ROW_H * bars.len().max(1) as f64 + 8.0;
    let width = LABEL_W + BAR_W + VALUE_W;
    let id = escape(id);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 4.0 + ROW_H * i as f64;
        let text_y = y + ROW_H * 0.65;
        let _ = write!(
            svg,
            r##"<text x="{}" y="{text_y}" text-anchor="end" font-size="14" fill="#1b1b1b">{}</text>"##,
            LABEL_W - 8.0,
            escape(&bar.label)
        );
        let length = match bar.value {
            Some(v) if scale_max > 0.0 && v > 0.0 => (v / scale_max * BAR_W).max(1.0),
            _ => 0.0,
        };
        if length > 0.0 {
            let _ = write!(
                svg,
                r##"<rect x="{LABEL_W}" y="{}" width="{length:.1}" height="{}" fill="#005ea5"/>"##,
                y + 4.0,
                ROW_H - 8.0
            );
        } else {
            // An empty bar is drawn as an outline so "no bar" is not mistaken for a missing row.
            let _ = write!(
                svg,
                r##"<rect x="{LABEL_W}" y="{}" width="2" height="{}" fill="#505a5f"/>"##,
                y + 4.0,
                ROW_H - 8.0
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{}" y="{text_y}" font-size="14" fill="#1b1b1b">{}</text>"##,
            LABEL_W + length + 6.0,
            escape(&bar.shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_labelled_and_escaped() {
        let bars = vec![
            Bar {
                label: "Otxarkoaga".into(),
                value: Some(50.0),
                shown: "50.0%".into(),
            },
            Bar {
                label: "<b>".into(),
                value: Some(25.0),
                shown: "25.0%".into(),
            },
            Bar {
                label: "Txurdinaga".into(),
                value: None,
                shown: "suppressed".into(),
            },
        ];
        let svg = bar_chart("c1", "Rate & more", "By neighbourhood", &bars, Some(100.0));
        assert!(
            svg.starts_with(
                "<svg class=\"chart\" role=\"img\" aria-labelledby=\"c1-title c1-desc\""
            )
        );
        assert!(svg.contains("<title id=\"c1-title\">Rate &amp; more</title>"));
        assert!(
            svg.contains("width=\"160.0\""),
            "50 of 100 is half of 320: {svg}"
        );
        assert!(svg.contains("width=\"80.0\""));
        assert!(svg.contains("&lt;b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains(">suppressed</text>"));
        assert_eq!(svg.matches("<rect").count(), 3);
    }
}
