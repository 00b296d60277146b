//! The verdict of a run: what each side holds against what was sent and the server's order.

use std::collections::BTreeSet;

/// What one run found.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) sent: usize,
    /// Messages missing from at least one side.
    pub(crate) lost: usize,
    /// Messages held more than once by at least one side.
    pub(crate) duplicated: usize,
    /// Sides whose order differs from the server's.
    pub(crate) misordered: usize,
    pub(crate) faults: usize,
    /// SDK sends that rejected and were checked before sending again.
    pub(crate) sdk_rejections: u64,
    /// Something other than the property failed (a side never converged, the peer died).
    pub(crate) error: Option<String>,
    pub(crate) detail: Vec<String>,
}

impl Outcome {
    pub(crate) fn ok(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.misordered == 0 && self.error.is_none()
    }
}

/// Counts what each side got wrong against what was sent and against the server's order.
pub(crate) fn judge(
    outcome: &mut Outcome,
    rust: &[String],
    sdk: &[String],
    views: &[(&str, &Vec<String>)],
) {
    let mut lost = BTreeSet::new();
    let mut duplicated = BTreeSet::new();
    let server = views[0].1;
    for (side, view) in views {
        for body in rust.iter().chain(sdk) {
            match view.iter().filter(|b| *b == body).count() {
                0 => {
                    lost.insert(body.clone());
                    outcome.detail.push(format!("{side} lacks {body}"));
                }
                1 => {}
                n => {
                    duplicated.insert(body.clone());
                    outcome.detail.push(format!("{side} holds {body} {n} times"));
                }
            }
        }
        let in_order = |mine: &[String]| {
            let seen: Vec<&String> = view.iter().filter(|b| mine.contains(b)).collect();
            let mut deduped = seen.clone();
            deduped.dedup();
            deduped.iter().zip(mine).all(|(a, b)| *a == b)
        };
        if !in_order(rust) || !in_order(sdk) || (*view != server && view.len() == server.len()) {
            outcome.misordered += 1;
            outcome.detail.push(format!("{side} order: {view:?}"));
        }
    }
    outcome.lost = lost.len();
    outcome.duplicated = duplicated.len();
}
