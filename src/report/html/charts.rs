//! The two charts of the HTML report (findings by status and by severity), with coordinates
//! computed here so the template only draws.

use serde_json::{Value as Json, json};

use super::sections::{LABEL_ORDER, SEVERITY_ORDER, STATUS_ORDER, label_title, status_title};
use crate::finding::{Finding, Label, Severity, Status};
use crate::report::Report;

/// Bars for the two charts, with coordinates computed here so the template only draws.
pub(super) fn charts(report: &Report) -> Json {
    const WIDTH: f64 = 320.0;
    let count =
        |pred: &dyn Fn(&Finding) -> bool| report.findings.iter().filter(|f| pred(f)).count();
    let by_label: Vec<(Label, Vec<(Status, usize)>)> = LABEL_ORDER
        .iter()
        .map(|&l| {
            let counts = STATUS_ORDER
                .iter()
                .map(|&s| (s, count(&|f| f.label == l && f.status == s)))
                .collect();
            (l, counts)
        })
        .collect();
    let max = by_label
        .iter()
        .map(|(_, c)| c.iter().map(|(_, n)| n).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let label_rows: Vec<Json> = by_label
        .iter()
        .enumerate()
        .map(|(i, (l, counts))| {
            let mut x = 0.0;
            let total: usize = counts.iter().map(|(_, n)| n).sum();
            let segments: Vec<Json> = counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| {
                    let w = (*n as f64) * WIDTH / max;
                    let seg = json!({"status": s.as_str(), "title": status_title(*s), "count": n,
                                     "x": round1(x), "width": round1(w), "mid": round1(x + w / 2.0),
                                     "show": w >= 22.0});
                    x += w;
                    seg
                })
                .collect();
            let counts: Vec<Json> = counts
                .iter()
                .map(|(s, n)| json!({"status": s.as_str(), "title": status_title(*s), "count": n}))
                .collect();
            json!({"label": l.as_str(), "title": label_title(*l), "y": i * 40, "total": total,
                   "end": round1(x), "segments": segments, "counts": counts})
        })
        .collect();
    let sev: Vec<(Severity, usize, usize)> = SEVERITY_ORDER
        .iter()
        .map(|&s| {
            (
                s,
                count(&|f| f.severity == s && f.status == Status::Fail),
                count(&|f| f.severity == s && f.status == Status::Unknown),
            )
        })
        .collect();
    let smax = sev.iter().map(|(_, a, b)| a + b).max().unwrap_or(0).max(1) as f64;
    let severity_rows: Vec<Json> = sev
        .iter()
        .enumerate()
        .map(|(i, (s, fail, unknown))| {
            let wf = (*fail as f64) * WIDTH / smax;
            let wu = (*unknown as f64) * WIDTH / smax;
            json!({"severity": s.as_str(), "y": i * 32, "fail": fail, "unknown": unknown,
                   "fail_width": round1(wf), "unknown_width": round1(wu),
                   "fail_mid": round1(wf / 2.0), "unknown_mid": round1(wf + wu / 2.0),
                   "show_fail": wf >= 22.0, "show_unknown": wu >= 22.0,
                   "end": round1(wf + wu), "total": fail + unknown})
        })
        .collect();
    json!({"by_label": label_rows, "by_severity": severity_rows, "width": WIDTH})
}

pub(super) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
