//! The overview at `/console`: the same numbers as `/v1/admin/stats` for the last 24 hours and
//! 7 days, SVG bars, the machinery, and the audit only on request (with the CSRF token).

use super::Console;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_overview_shows_the_windows_numbers_and_runs_the_audit_only_on_request() {
    let app = spawn_app().await;
    super::stats::seed(&app).await;
    let console = Console::sign_in(&app).await;
    let (status, page) = console.get("/console").await;
    assert_eq!(status, 200, "{page}");
    for want in [
        "Last 24 hours",
        "Last 7 days",
        // paystablecoin: six created (both merchants), four paid, USD only.
        "<td>paystablecoin</td><td class=\"num\">6</td><td class=\"num\">4</td><td class=\"num\">66.7 %</td><td>USD 135.50 (paid 85.50)</td>",
        // The hosted BDT payment nobody picked a method for.
        "<td>(not chosen yet)</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0.0 %</td><td>BDT 1500.00 (paid 0.00)</td>",
        "0 of 1 (0.0 %)",
        "1 × USD 25.00",
        "<svg class=\"chart\"",
        "4/6",
        "Not run.",
        "gateway_call_duration_seconds",
    ] {
        assert!(page.contains(want), "missing {want}: {page}");
    }
    // Each window shows the rows: all of it happened in the last 24 hours.
    assert_eq!(
        page.matches("<td>paystablecoin</td><td class=\"num\">6</td>")
            .count(),
        2
    );
    assert!(!page.contains("<script"));
    let res = console.post_raw("/console/audit", &[]).await;
    assert_eq!(res.status(), 403);
    let res = console.post("/console/audit", &[]).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("Clean: no invariant is broken."), "{page}");
}
