//! Large Arabic documents for the benchmarks, made from the Wojood sample in `tests/data/wojood/`: tokens joined
//! by spaces into sentences, five sentences a paragraph (a line), repeated until the wanted size.

#![allow(dead_code)]

pub fn sentences() -> Vec<String> {
    let raw = include_str!("../../tests/data/wojood/test.txt");
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in raw.lines() {
        match line.split_whitespace().next() {
            Some(token) => current.push(token),
            None if !current.is_empty() => {
                out.push(current.join(" "));
                current.clear();
            }
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// About `bytes` of Arabic running text, one paragraph a line.
pub fn arabic_text(bytes: usize) -> String {
    let sentences = sentences();
    let paragraphs: Vec<String> = sentences.chunks(5).map(|c| c.join(" ")).collect();
    let mut text = String::with_capacity(bytes + 4096);
    'outer: loop {
        for p in &paragraphs {
            text.push_str(p);
            text.push('\n');
            if text.len() >= bytes {
                break 'outer;
            }
        }
    }
    text
}
