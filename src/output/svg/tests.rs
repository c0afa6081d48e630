//! Unit tests of the figures' layout: ticks, labels, time axes, wrapping, event keys, legend
//! placement, band strips.

use super::*;

#[test]
fn ticks_are_nice_and_cover_the_range() {
    let (t, d) = nice_ticks(0.0, 1.12);
    assert_eq!(t, vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.25]);
    assert_eq!(d, 2);
    let (t, d) = nice_ticks(0.0, 51_600.0);
    assert_eq!(t, vec![0.0, 20_000.0, 40_000.0, 60_000.0]);
    assert_eq!(d, 0);
    let (t, _) = nice_ticks(0.0, 0.38);
    assert_eq!(t.len(), 5, "{t:?}");
    assert!((t[4] - 0.4).abs() < 1e-12);
    // A degenerate range still gives an axis.
    assert!(nice_ticks(3.0, 3.0).0.len() >= 2);
}

#[test]
fn tick_labels_group_thousands() {
    assert_eq!(tick_label(50_000.0, 0), "50,000");
    assert_eq!(tick_label(1_234_567.5, 1), "1,234,567.5");
    assert_eq!(tick_label(-2_500.0, 0), "-2,500");
    assert_eq!(tick_label(0.25, 2), "0.25");
    assert_eq!(number(0.12345), "0.123");
    assert_eq!(number(1921.1205), "1,921");
    assert_eq!(number(12.5), "12.5");
    assert_eq!(number(5.0), "5");
    assert_eq!(number(0.1), "0.1");
}

#[test]
fn time_axes_show_years_or_quarters() {
    let long = time_ticks(1920.0, 1926.0);
    assert_eq!(long.first().unwrap().1, "1920");
    assert_eq!(long.len(), 7);
    let short = time_ticks(1921.0, 1922.0);
    let labels: Vec<&str> = short.iter().map(|t| t.1.as_str()).collect();
    assert_eq!(
        labels,
        ["Jan 1921", "Apr 1921", "Jul 1921", "Oct 1921", "Jan 1922"]
    );
}

#[test]
fn wrap_keeps_lines_short_and_words_whole() {
    let lines = wrap("one two three four five six", 9);
    assert_eq!(lines, ["one two", "three", "four five", "six"]);
}

#[test]
fn close_events_are_numbered_on_separate_rows_and_keyed() {
    let med = [(1920.0, 1.0), (1926.0, 2.0)];
    let marks = [
        Mark::Line {
            x: 1921.2,
            label: "NEP".into(),
        },
        Mark::Line {
            x: 1921.21,
            label: "markets open".into(),
        },
    ];
    let svg = TimeChart {
        title: "t",
        ylabel: "y",
        series: &[series("a", false, (&med, &med, &med))],
        marks: &marks,
        result: "",
        note: "pact test",
    }
    .svg();
    assert!(
        svg.contains("(1) 1921-03-15 NEP; (2) 1921-03-19 markets open"),
        "{svg}"
    );
    // The two markers are on different rows (different circle heights).
    let cys: Vec<&str> = svg
        .match_indices("<circle cx=")
        .map(|(i, _)| {
            svg[i..]
                .split("cy=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(cys.len(), 2);
    assert_ne!(cys[0], cys[1]);
    assert!(svg.contains("pact test"));
}

#[test]
fn the_legend_avoids_the_data() {
    // Data high on the right: the legend goes to the top left.
    let med: Vec<(f64, f64)> = (0..100).map(|i| (f64::from(i), f64::from(i))).collect();
    let svg = TimeChart {
        title: "t",
        ylabel: "y",
        series: &[series("a", false, (&med, &med, &med))],
        marks: &[],
        result: "",
        note: "",
    }
    .svg();
    let legend = svg.split("fill-opacity=\"0.9\"").next().unwrap();
    let x: f64 = legend
        .rsplit("<rect x=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(x < W / 2.0, "legend at x = {x}");
}

#[test]
fn a_band_strip_places_values_in_their_band_and_counts_those_inside() {
    let rows: Vec<BandRow> = vec![
        ("two".into(), (1.0, 3.0), vec![2.0, 4.0, f64::NAN, 100.0]),
        ("one".into(), (5.0, f64::INFINITY), vec![5.0, 50.0]),
    ];
    let svg = band_strip("t", &rows, "r", "n");
    assert!(svg.contains(">1/3</text>"), "{svg}");
    assert!(svg.contains(">2/2</text>"), "{svg}");
    // 2 is the middle of [1, 3]: half way between the axis positions of 0 and 1.
    let x = |u: f64| {
        let label_w = 60.0;
        let (x0, x1) = (label_w, W - R - 44.0);
        x0 + (u + 1.0) / 3.0 * (x1 - x0)
    };
    assert!(svg.contains(&format!("cx=\"{:.2}\"", x(0.5))), "{svg}");
    // 100 is off the axis: an arrow at its right edge; 50 against a one-sided band too.
    assert_eq!(svg.matches("(off the axis)").count(), 2, "{svg}");
    assert_eq!(svg.matches("<circle").count(), 3);
}
