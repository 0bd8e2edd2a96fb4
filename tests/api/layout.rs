//! What people see, measured in a real Chromium at a phone's and a desktop's width: the page
//! never scrolls sideways, the sponsors of one tier sit on one grid (equal widths, rows that
//! line up), and no two pieces of text overlap. Runs where chromedriver is installed.

use serde_json::Value;

use crate::accessibility::browser_at;
use crate::browser::{chromedriver, start_driver};
use crate::helpers::{spawn_app_with, Backend};

/// Everything the page measures, in one script: its width, each tier's sponsor boxes, and
/// every pair of text boxes that overlap (text nodes of different elements, by their client
/// rectangles, more than a pixel each way).
const MEASURE: &str = r#"
const grids = [...document.querySelectorAll('ul.sponsors')].map(ul =>
  [...ul.children].map(li => { const r = li.getBoundingClientRect();
    return [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)]; }));
const boxes = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.textContent.trim()) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  for (const r of range.getClientRects()) {
    if (r.width < 1 || r.height < 1) continue;
    boxes.push({text: node.textContent.trim().slice(0, 40), parent: node.parentElement,
                l: r.left, t: r.top, r: r.right, b: r.bottom});
  }
}
const overlaps = [];
for (let i = 0; i < boxes.length; i++) {
  for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.parent === b.parent) continue;
    const w = Math.min(a.r, b.r) - Math.max(a.l, b.l);
    const h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
    if (w > 1 && h > 1) overlaps.push(a.text + ' / ' + b.text);
  }
}
return {width: document.documentElement.scrollWidth, grids, overlaps: overlaps.slice(0, 10)};
"#;

/// The sponsors of one list: every box as wide as the others, and the boxes of a row at the
/// same top with the same height.
fn grid_problems(grid: &[Value]) -> Vec<String> {
    let boxes: Vec<[i64; 4]> = grid
        .iter()
        .filter_map(|b| {
            let b = b.as_array()?;
            Some([
                b.first()?.as_i64()?,
                b.get(1)?.as_i64()?,
                b.get(2)?.as_i64()?,
                b.get(3)?.as_i64()?,
            ])
        })
        .collect();
    let mut problems = Vec::new();
    let Some(first) = boxes.first() else {
        return problems;
    };
    for b in &boxes {
        if (b[2] - first[2]).abs() > 1 {
            problems.push(format!("widths differ: {} and {}", first[2], b[2]));
        }
        for other in boxes.iter().filter(|o| (o[1] - b[1]).abs() <= 1) {
            if (other[3] - b[3]).abs() > 1 {
                problems.push(format!("a row of unequal heights at top {}", b[1]));
            }
        }
        if boxes
            .iter()
            .any(|o| (o[1] - b[1]).abs() > 1 && (o[1] - b[1]).abs() < b[3].min(o[3]))
        {
            problems.push(format!("rows out of line at top {}", b[1]));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[actix_web::test]
async fn the_public_pages_sit_on_their_grid_at_390_and_1280_px() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("COFFER_PUBLIC_URL", "http://coffer.test")],
    )
    .await
    .expect("app");
    app.seed_demo();
    app.settled().await;
    let driver = start_driver(driver_path).await;
    let mut found = Vec::new();
    for width in [390_u32, 1280] {
        let profile = tempfile::tempdir().expect("profile dir");
        let browser = browser_at(&driver, profile.path(), width).await;
        for path in ["/", "/donate", "/transparency"] {
            browser.goto(&app.url(path)).await.unwrap();
            let measured = browser.execute(MEASURE, vec![]).await.expect("measure");
            let page_width = measured["width"].as_u64().unwrap_or(u64::MAX);
            if page_width > u64::from(width) {
                found.push(format!(
                    "{width}px {path}: the page is {page_width} px wide"
                ));
            }
            let grids = measured["grids"].as_array().cloned().unwrap_or_default();
            if path == "/" && grids.len() < 3 {
                found.push(format!("{width}px {path}: {} sponsor grids", grids.len()));
            }
            for (i, grid) in grids.iter().enumerate() {
                let grid = grid.as_array().cloned().unwrap_or_default();
                for problem in grid_problems(&grid) {
                    found.push(format!("{width}px {path}: tier {i}: {problem}"));
                }
            }
            for overlap in measured["overlaps"].as_array().cloned().unwrap_or_default() {
                found.push(format!("{width}px {path}: text overlaps: {overlap}"));
            }
        }
        browser.close().await.expect("close the browser");
    }
    drop(driver);
    assert!(found.is_empty(), "layout:\n{}", found.join("\n"));
}
