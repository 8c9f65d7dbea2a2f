//! Charts drawn on the server as inline SVG: no script, no chart library.
//! Each chart is an image with a title and a description that say in words
//! what it shows, and every page that shows one also lists its numbers as
//! text; shapes and labels, not colour, carry the meaning.

use maud::{html, Markup};

use crate::domain::insights::Share;

/// One point of a share over time.
pub struct TrendPoint {
    pub label: String,
    pub share: Share,
}

const WIDTH: f64 = 240.0;
const HEIGHT: f64 = 72.0;
const PAD_X: f64 = 10.0;
const PAD_TOP: f64 = 8.0;
const PAD_BOTTOM: f64 = 14.0;

fn y_of(percent: i64) -> f64 {
    let plot = HEIGHT - PAD_TOP - PAD_BOTTOM;
    PAD_TOP + plot * (100 - percent.clamp(0, 100)) as f64 / 100.0
}

/// A small line chart of one look-for's share at each visit, 0–100%, with
/// a dashed line at `reference` percent (the district's "weak" threshold).
pub fn trend(id: &str, title: &str, points: &[TrendPoint], reference: Option<i64>) -> Markup {
    let measured: Vec<(usize, i64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.share.percent().map(|pct| (i, pct)))
        .collect();
    let step = if points.len() > 1 {
        (WIDTH - 2.0 * PAD_X) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if points.len() > 1 {
            PAD_X + step * i as f64
        } else {
            WIDTH / 2.0
        }
    };
    let line: String = measured
        .iter()
        .map(|(i, pct)| format!("{:.1},{:.1}", x_of(*i), y_of(*pct)))
        .collect::<Vec<_>>()
        .join(" ");
    let description = points
        .iter()
        .map(|p| format!("{}: {}", p.label, p.share.in_words()))
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width=(WIDTH) height=(HEIGHT)
            aria-labelledby=(format!("{id}-t {id}-d")) {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (description) }
            // The axis: 0% and 100%.
            line.axis x1=(PAD_X) x2=(WIDTH - PAD_X) y1=(y_of(0)) y2=(y_of(0)) {}
            line.grid x1=(PAD_X) x2=(WIDTH - PAD_X) y1=(y_of(100)) y2=(y_of(100)) {}
            @if let Some(reference) = reference {
                line.reference x1=(PAD_X) x2=(WIDTH - PAD_X)
                    y1=(format!("{:.1}", y_of(reference))) y2=(format!("{:.1}", y_of(reference))) {}
            }
            @if measured.len() > 1 {
                polyline.series points=(line) {}
            }
            @for (i, pct) in &measured {
                circle.point cx=(format!("{:.1}", x_of(*i))) cy=(format!("{:.1}", y_of(*pct))) r="3.5" {}
            }
            @if let Some((i, pct)) = measured.last() {
                text.value x=(format!("{:.1}", (x_of(*i) - 4.0).max(PAD_X))) y=(format!("{:.1}", (y_of(*pct) - 5.0).max(9.0))) text-anchor="end" { (pct) "%" }
            }
            text.tick x=(PAD_X) y=(HEIGHT - 2.0) { (points.first().map(|p| p.label.as_str()).unwrap_or("")) }
            @if points.len() > 1 {
                text.tick x=(WIDTH - PAD_X) y=(HEIGHT - 2.0) text-anchor="end" { (points.last().map(|p| p.label.as_str()).unwrap_or("")) }
            }
        }
    }
}

/// One bar of a bar chart.
pub struct Bar {
    pub label: String,
    pub share: Share,
}

/// Horizontal bars of shares, labelled with their values, weakest first as
/// given.
pub fn bars(id: &str, title: &str, bars: &[Bar]) -> Markup {
    let row = 26.0;
    let label_width = 70.0;
    let plot = 300.0;
    let height = row * bars.len().max(1) as f64 + 4.0;
    let width = label_width + plot + 70.0;
    let description = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.share.in_words()))
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        svg.chart.bars xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height)
            aria-labelledby=(format!("{id}-t {id}-d")) {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (description) }
            @for (i, bar) in bars.iter().enumerate() {
                @let y = 2.0 + row * i as f64;
                @let pct = bar.share.percent();
                text.tick x="0" y=(format!("{:.1}", y + 17.0)) { (bar.label) }
                rect.track x=(label_width) y=(format!("{:.1}", y + 4.0)) width=(plot) height="16" {}
                @if let Some(pct) = pct {
                    rect.bar x=(label_width) y=(format!("{:.1}", y + 4.0)) width=(format!("{:.1}", plot * pct as f64 / 100.0)) height="16" {}
                }
                text.value x=(format!("{:.1}", label_width + plot + 6.0)) y=(format!("{:.1}", y + 17.0)) {
                    @match pct { Some(pct) => { (pct) "%" }, None => { "n/a" } }
                }
            }
        }
    }
}
