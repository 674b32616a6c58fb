//! Line breaks and glyph positions compared with headless Chromium given the same fonts, size and width.
//!
//! Chromium lays each paragraph out in a `dir="auto"` block inside a right-to-left page, `white-space: pre-wrap`,
//! `overflow-wrap: anywhere`, with the bundled fonts loaded through `@font-face`; a script measures every code
//! point's box. The same paragraphs go through `warraq::cli::layout_document` (the `layout` command), at four sizes
//! (16–28 px) and four widths (300–800 px). The test prints a report and fails if any line break differs or any
//! cluster is more than a pixel away from Chromium's.
//!
//! Skipped (with a message) when Chromium is not installed, unless `WARRAQ_REQUIRE_CHROMIUM=1` (as `.ci/run` sets).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use warraq::cli::layout_document;
use warraq::model::Document;

const SAMPLE: &str = include_str!("../assets/sample-article-ar.txt");

const OWN: &[&str] = &[
    "منذ عام 2015، تلقى الجانب الأميركي ستة مقترحات (بشأن منع الحوادث) من John Smith وJane Doe في 3/7/2021.",
    "قال الرئيس: \"لا إجابة حتى الآن\" - وأضاف [كما يزعم] أن 45% من الهجمات كانت في عام 2020 - 35 هجمة.",
    "مُحَمَّدٌ رَسُولُ اللَّهِ وَالَّذِينَ مَعَهُ، والقاهرة وبالقاهرة وللقاهرة.",
    "یہ اردو زبان کا ایک جملہ ہے۔ گھر بہت خوبصورت ہے اور ہم وہاں جاتے ہیں۔",
    "كلمة طويلة جدا: ممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممممم انتهى.",
    "The UN Security Council met in New York (USA) on 28 July 2021 to discuss الأمن السيبراني with Russia.",
];

/// Harder paragraphs: numbers with units and separators, phone numbers, URLs and e-mail addresses, nested «» and
/// "", brackets around Latin words, Quranic marks, Persian ZWNJ, a left-to-right paragraph with Arabic inside.
const HARD: &[&str] = &[
    "بلغت درجة الحرارة 45°م يوم 12/08/2023، وانخفضت إلى −3 درجات ليلاً، وسجل المقياس 1,250.75 ملم و3.5 كغ و100 كم/ساعة.",
    "للتواصل: هاتف ‎+966 11 234 5678‎ أو 0501234567، والبريد info@example.com، والموقع https://www.example.org/ar/news?id=42.",
    "قال «إن \"الوقت\" قد حان» ثم أضاف: «لا تقل \"غداً\"، بل قل «الآن»».",
    "ذكرت (Reuters) و[BBC] و{CNN} أن شركة (Apple Inc.) ستفتتح فرعاً في (دبي).",
    "ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ هُدًى لِّلْمُتَّقِينَ ۝٢ ٱلَّذِينَ يُؤْمِنُونَ بِٱلْغَيْبِ وَيُقِيمُونَ ٱلصَّلَوٰةَ ۚ وَمِمَّا رَزَقْنَٰهُمْ يُنفِقُونَ ۝٣",
    "می‌خواهم به کتاب‌خانه بروم و کتاب‌ها را ببینم؛ این‌ها خیلی خوب‌اند.",
    "The meeting in Riyadh (الرياض) discussed الأمن السيبراني and the 2030 vision, said Dr. Smith on 5 May.",
    "قائمة المهام: ✓ تم التسليم ★ مهم ● عاجل ■ مؤجل، والنتيجة x ≤ 5 و y ≠ 0 → مقبول.",
    "سعر السهم ارتفع بنسبة 12.5% إلى 1٬234٫56 ريال، أي ما يعادل $329.20 أو €305، حسب تقرير Q3-2024.",
];

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(str::to_owned)
}

fn html(paragraphs: &[&str], width: f32, font_size: f32, fonts: &Path) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p dir=\"auto\">{}</p>\n", esc(p)))
        .collect();
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><style>
@font-face {{ font-family: 'WNaskh'; src: url('file://{fonts}/NotoNaskhArabic-Regular.ttf'); }}
@font-face {{ font-family: 'WSans'; src: url('file://{fonts}/NotoSans-Regular.ttf'); }}
@font-face {{ font-family: 'WMath'; src: url('file://{fonts}/NotoSansMath-Regular.ttf'); }}
@font-face {{ font-family: 'WSym'; src: url('file://{fonts}/NotoSansSymbols2-Regular.ttf'); }}
body {{ margin: 0; }}
#box {{ width: {width}px; font: {font_size}px 'WNaskh', 'WSans', 'WMath', 'WSym'; white-space: pre-wrap; overflow-wrap: anywhere; }}
p {{ margin: 0; min-height: 1px; }}
</style></head><body dir="rtl"><div id="box">{body}</div>
<script>
document.fonts.ready.then(() => {{
  const out = [];
  const box = document.getElementById('box').getBoundingClientRect();
  for (const p of document.querySelectorAll('p')) {{
    const t = p.firstChild; const chars = [];
    if (t) {{ let i = 0; const s = t.data;
      while (i < s.length) {{ const c = s.codePointAt(i); const n = c > 0xffff ? 2 : 1;
        const r = document.createRange(); r.setStart(t, i); r.setEnd(t, i + n);
        const rs = r.getClientRects(); const b = rs.length ? rs[rs.length - 1] : null;
        chars.push(b ? [b.left - box.left, b.width, b.top - box.top] : null);
        i += n; }} }}
    out.push(chars);
  }}
  const pre = document.createElement('pre'); pre.id = 'out';
  pre.textContent = JSON.stringify({{fonts: [...document.fonts].map(f => f.status), paras: out}});
  document.body.appendChild(pre);
}});
</script></body></html>"#,
        fonts = fonts.display()
    )
}

type Boxes = Vec<Vec<Option<(f32, f32, f32)>>>;

fn chromium_boxes(browser: &str, paragraphs: &[&str], width: f32, font_size: f32) -> Boxes {
    let dir = tempfile::tempdir().unwrap();
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    let page = dir.path().join("page.html");
    std::fs::write(&page, html(paragraphs, width, font_size, &fonts)).unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("<pre id=\"out\">")
        .expect("chromium ran the measuring script")
        + "<pre id=\"out\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["fonts"].as_array().unwrap().iter().all(|s| s == "loaded"),
        "the bundled fonts loaded in Chromium: {}",
        v["fonts"]
    );
    v["paras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    c.as_array().map(|a| {
                        (
                            a[0].as_f64().unwrap() as f32,
                            a[1].as_f64().unwrap() as f32,
                            a[2].as_f64().unwrap() as f32,
                        )
                    })
                })
                .collect()
        })
        .collect()
}

/// What one comparison found, summed over widths and sizes.
#[derive(Default)]
struct Tally {
    paragraphs: usize,
    identical: usize,
    clusters: usize,
    close: usize,
    worst: f32,
    breaks: Vec<String>,
    far: Vec<String>,
}

/// Lays `paragraphs` out at `width` and `font_size` in Chromium and in Warraq and tallies line starts and cluster
/// positions.
fn compare(browser: &str, paragraphs: &[&str], width: f32, font_size: f32, tally: &mut Tally) {
    let theirs = chromium_boxes(browser, paragraphs, width, font_size);
    let doc = Document::new(paragraphs.join("\n"));
    let ours = layout_document(&doc, width, font_size);
    let mut by_para: BTreeMap<usize, Vec<_>> = BTreeMap::new();
    for line in &ours.lines {
        by_para.entry(line.paragraph).or_default().push(line);
    }
    for (p, lines) in &by_para {
        tally.paragraphs += 1;
        let boxes = &theirs[*p];
        // Chromium's line of each code point, from the distinct tops of the boxes.
        let mut tops: Vec<f32> = boxes.iter().flatten().map(|b| b.2.round()).collect();
        tops.sort_by(f32::total_cmp);
        tops.dedup();
        let line_of =
            |cp: usize| boxes[cp].map(|b| tops.iter().position(|t| *t == b.2.round()).unwrap());
        // Line starts: where the line index increases (a space hanging at a line end belongs to that line).
        let mut chromium_starts = vec![0usize];
        let mut last = 0;
        for cp in 0..boxes.len() {
            if let Some(l) = line_of(cp)
                && l > last
            {
                last = l;
                chromium_starts.push(cp);
            }
        }
        let our_starts: Vec<usize> = lines.iter().map(|l| l.start).collect();
        if our_starts != chromium_starts {
            tally.breaks.push(format!(
                "size {font_size}, width {width}, paragraph {p}: line starts {our_starts:?}, Chromium {chromium_starts:?}"
            ));
            continue;
        }
        tally.identical += 1;
        for line in lines {
            for c in &line.clusters {
                let text: String = paragraphs[*p]
                    .chars()
                    .skip(c.start)
                    .take(c.end - c.start)
                    .collect();
                if text.trim().is_empty() {
                    continue;
                }
                let Some(left) = (c.start..c.end)
                    .filter_map(|cp| boxes[cp])
                    .map(|b| b.0)
                    .reduce(f32::min)
                else {
                    continue;
                };
                let dx = (left - c.x).abs();
                tally.clusters += 1;
                tally.worst = tally.worst.max(dx);
                if dx <= 1.0 {
                    tally.close += 1;
                } else {
                    tally.far.push(format!(
                        "size {font_size}, width {width}, paragraph {p}, cluster {}..{} {text:?}: x {:.2}, Chromium {left:.2}",
                        c.start, c.end, c.x
                    ));
                }
            }
        }
    }
}

#[test]
fn line_breaks_and_positions_match_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("WARRAQ_REQUIRE_CHROMIUM").is_err(),
            "Chromium is required here but not installed"
        );
        eprintln!("chromium comparison skipped: no Chromium installed (apt-get install chromium)");
        return;
    };
    let mut paragraphs: Vec<&str> = SAMPLE.lines().filter(|l| !l.trim().is_empty()).collect();
    paragraphs.extend_from_slice(OWN);
    paragraphs.extend_from_slice(HARD);
    let mut tally = Tally::default();
    for font_size in [16.0f32, 20.0, 24.0, 28.0] {
        for width in [300.0f32, 430.0, 600.0, 800.0] {
            compare(&browser, &paragraphs, width, font_size, &mut tally);
        }
    }
    println!(
        "{}/{} paragraph layouts break into identical lines; {}/{} clusters within 1 px of Chromium; largest difference {:.2} px",
        tally.identical, tally.paragraphs, tally.close, tally.clusters, tally.worst
    );
    for f in tally.breaks.iter().chain(tally.far.iter().take(100000)) {
        println!("  {f}");
    }
    assert!(
        tally.breaks.is_empty(),
        "line breaks differ from Chromium:\n{:#?}",
        tally.breaks
    );
    assert!(
        tally.far.is_empty(),
        "{} clusters more than 1 px from Chromium",
        tally.far.len()
    );
}
