//! PNG copies of the figures, for word processors: each SVG pact wrote, rasterised by `resvg`
//! with the DejaVu Sans fonts embedded in pact (`assets/fonts`, Bitstream Vera licence), so a
//! PNG looks the same on every machine whatever fonts it has. The SVG stays the figure of record
//! (`pact verify` checks it); the PNG is derived from it by `pact report --png`.

use resvg::{tiny_skia, usvg};
use std::sync::OnceLock;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut o = usvg::Options {
            font_family: "DejaVu Sans".into(),
            ..usvg::Options::default()
        };
        let db = o.fontdb_mut();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        o
    })
}

/// The SVG `svg` as a PNG `width` pixels wide (its height in proportion).
pub fn render(svg: &str, width: u32) -> Result<Vec<u8>, String> {
    let tree = usvg::Tree::from_str(svg, options()).map_err(|e| format!("not a figure: {e}"))?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| format!("cannot make a {width} × {height} image"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_renders_with_its_text() {
        let med = [(1920.0, 1.0), (1926.0, 2.0)];
        let with_text = crate::output::svg::TimeChart {
            title: "A title in words",
            ylabel: "Workers on strike (persons)",
            series: &[crate::output::svg::series("a", false, (&med, &med, &med))],
            marks: &[],
            result: "",
            note: "pact test",
        }
        .svg();
        let png = render(&with_text, 800).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // The same figure without its text renders to fewer bytes: the text was drawn (the
        // embedded font was found).
        let no_text: String = with_text
            .lines()
            .filter(|l| !l.contains("<text"))
            .collect::<Vec<_>>()
            .join("\n");
        let bare = render(&no_text, 800).unwrap();
        assert!(
            png.len() > bare.len() + 2_000,
            "{} vs {}",
            png.len(),
            bare.len()
        );
        assert!(render("not svg", 100).is_err());
    }
}
