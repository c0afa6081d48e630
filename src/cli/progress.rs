//! The progress bar: drawn on a terminal, hidden otherwise (one line is printed when done).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// A progress bar for the library's [`pact::experiment::Progress`].
#[derive(Default)]
pub struct Bar(Mutex<Option<ProgressBar>>);

impl pact::experiment::Progress for Bar {
    fn start(&self, total: u64, label: &str) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}% {per_sec} ETA {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        pb.set_message(label.to_string());
        *self.0.lock().expect("progress lock") = Some(pb);
    }

    fn advance(&self, n: u64) {
        if let Some(pb) = self.0.lock().expect("progress lock").as_ref() {
            pb.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(pb) = self.0.lock().expect("progress lock").take() {
            pb.finish_and_clear();
        }
    }
}
