//! Reading a sidecar in the layout Warraq writes — a short header, then one annotation a line — without the general
//! RON parser, which takes over a second for 100 000 annotations. Anything that is not exactly that layout (a file
//! edited by hand, an older or newer writer) returns `None`, and the caller parses the file with ron as before; so
//! this reader only ever gives the same result ron would, faster (a property test holds it to that).

use std::collections::BTreeMap;

use super::sidecar::Sidecar;
use crate::model::Annotation;
use crate::model::annotations::Link;

/// The fields a line may have after `modified` (format 2): read by ron, since they are rare and short.
#[derive(serde::Deserialize)]
struct Extras {
    #[serde(default)]
    fragments: Vec<(usize, usize)>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    #[serde(default)]
    links: Vec<Link>,
    #[serde(default)]
    annotator: String,
    #[serde(default)]
    suggested: Option<crate::model::annotations::Suggested>,
}

/// The lists, in the order the writer puts them.
const LISTS: [&str; 4] = ["annotations", "unplaced", "suggestions", "rejected"];

/// The sidecar in `text`, if it is in the writer's layout; `None` means "parse it with ron".
#[must_use]
pub fn parse(text: &str) -> Option<Sidecar> {
    let first = "\n  annotations: [\n";
    let at = text.find(first)?;
    // The header (format, source, tags) is small: ron reads it, with the lists left empty.
    let mut header = String::with_capacity(at + 32);
    header.push_str(&text[..=at]);
    header.push_str("  annotations: [],\n)\n");
    // A header that names another list (a file written by hand or by another tool) is left to ron: the lists
    // below would replace it, or ron would refuse the file for naming a field twice.
    if LISTS[1..].iter().any(|name| text[..at].contains(name)) {
        return None;
    }
    let mut sidecar: Sidecar = ron::from_str(&header).ok()?;
    let mut rest = &text[at + 1..];
    let mut lists: [Vec<Annotation>; 4] = Default::default();
    let mut next = 0;
    while let Some(line_end) = rest.find('\n') {
        let opening = &rest[..line_end];
        let Some(k) = LISTS[next..].iter().position(|name| {
            opening
                .strip_prefix("  ")
                .and_then(|o| o.strip_prefix(name))
                == Some(": [")
        }) else {
            break;
        };
        let k = next + k;
        rest = &rest[line_end + 1..];
        let list = &mut lists[k];
        list.reserve(rest.len() / 300);
        loop {
            if let Some(after) = rest.strip_prefix("  ],\n") {
                rest = after;
                break;
            }
            let (a, after) = annotation(rest)?;
            list.push(a);
            rest = after;
        }
        next = k + 1;
    }
    // The end of the file: the closing parenthesis and nothing but white space.
    // Only white space ron also skips; anything else is left to ron.
    let tail = rest.strip_prefix(')')?;
    if tail.trim_matches([' ', '\t', '\n', '\r']).is_empty() && next > 0 {
        let [annotations, unplaced, suggestions, rejected] = lists;
        sidecar.annotations = annotations;
        sidecar.unplaced = unplaced;
        sidecar.suggestions = suggestions;
        sidecar.rejected = rejected;
        return Some(sidecar);
    }
    None
}

/// One line `    (id: N, start: N, end: N, tag: "…", text: "…", prefix: "…", suffix: "…", note: "…", created: "…",
/// modified: "…"),` (with `fragments`, `attributes` and `links` after `modified` when it has them) and what
/// follows it.
fn annotation(s: &str) -> Option<(Annotation, &str)> {
    let s = s.strip_prefix("    (id: ")?;
    let (id, s) = number(s)?;
    let (start, s) = number(s.strip_prefix(", start: ")?)?;
    let (end, s) = number(s.strip_prefix(", end: ")?)?;
    let (tag, s) = string(s.strip_prefix(", tag: ")?)?;
    let (text, s) = string(s.strip_prefix(", text: ")?)?;
    let (prefix, s) = string(s.strip_prefix(", prefix: ")?)?;
    let (suffix, s) = string(s.strip_prefix(", suffix: ")?)?;
    let (note, s) = string(s.strip_prefix(", note: ")?)?;
    let (created, s) = string(s.strip_prefix(", created: ")?)?;
    let (modified, s) = string(s.strip_prefix(", modified: ")?)?;
    let (extras, s) = match s.strip_prefix("),\n") {
        Some(s) => (None, s),
        None => {
            // The writer escapes line breaks inside strings, so the line ends at the first one.
            let line_end = s.find('\n')?;
            let inner = s[..line_end].strip_prefix(", ")?.strip_suffix("),")?;
            let extras: Extras = ron::from_str(&format!("({inner})")).ok()?;
            (Some(extras), &s[line_end + 1..])
        }
    };
    let extras = extras.unwrap_or(Extras {
        fragments: Vec::new(),
        attributes: BTreeMap::new(),
        links: Vec::new(),
        annotator: String::new(),
        suggested: None,
    });
    Some((
        Annotation {
            id,
            start: usize::try_from(start).ok()?,
            end: usize::try_from(end).ok()?,
            tag,
            text,
            prefix,
            suffix,
            note,
            created,
            modified,
            fragments: extras.fragments,
            attributes: extras.attributes,
            links: extras.links,
            annotator: extras.annotator,
            suggested: extras.suggested,
        },
        s,
    ))
}

/// Decimal digits (no sign, no separators, no leading zeros but `0` itself), as ron writes them.
fn number(s: &str) -> Option<(u64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 20 || (digits > 1 && s.starts_with('0')) {
        return None;
    }
    Some((s[..digits].parse().ok()?, &s[digits..]))
}

/// A quoted string with the escapes the writer uses (`\"`, `\\`, `\n`, `\r`, `\t`, `\u{…}` for other control
/// characters); a raw control character or any other escape is not this layout.
fn string(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let bytes = body.as_bytes();
    // The common case: no escapes before the closing quote.
    let plain = bytes
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20 || b == 0x7f)?;
    if bytes[plain] == b'"' {
        return Some((body[..plain].to_owned(), &body[plain + 1..]));
    }
    let mut out = String::with_capacity(plain + 16);
    let mut rest = body;
    loop {
        let i = rest
            .bytes()
            .position(|b| b == b'"' || b == b'\\' || b < 0x20 || b == 0x7f)?;
        out.push_str(&rest[..i]);
        match rest.as_bytes()[i] {
            b'"' => return Some((out, &rest[i + 1..])),
            b'\\' => {
                let esc = &rest[i + 1..];
                let (c, used) = match esc.as_bytes().first()? {
                    b'"' => ('"', 1),
                    b'\\' => ('\\', 1),
                    b'n' => ('\n', 1),
                    b'r' => ('\r', 1),
                    b't' => ('\t', 1),
                    b'u' => {
                        let inner = esc.strip_prefix("u{")?;
                        let close = inner.find('}')?;
                        let hex = &inner[..close];
                        if hex.is_empty()
                            || hex.len() > 6
                            || !hex.bytes().all(|b| b.is_ascii_hexdigit())
                        {
                            return None;
                        }
                        let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                        (c, 2 + close + 1)
                    }
                    _ => return None,
                };
                out.push(c);
                rest = &esc[used..];
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sidecar::{Fingerprint, to_ron};
    use proptest::prelude::*;

    fn sidecar(lists: [Vec<Annotation>; 4], tags: bool) -> Sidecar {
        let [annotations, unplaced, suggestions, rejected] = lists;
        Sidecar {
            format: 1,
            source: Fingerprint::of("نص".as_bytes(), "UTF-8"),
            tags: tags.then(crate::model::TagSet::default),
            annotations,
            unplaced,
            suggestions,
            rejected,
            relations: Vec::new(),
            finished: false,
            annotator: String::new(),
            curation: None,
        }
    }

    fn any_string() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,12}",
            "[\"\\\\\n\r\t\u{0}-\u{1f}\u{7f}a ب]{0,12}",
            Just(String::new()),
        ]
    }

    fn any_annotation() -> impl Strategy<Value = Annotation> {
        (
            any::<u64>(),
            any::<usize>(),
            0usize..100,
            any_string(),
            any_string(),
            any_string(),
            any_string(),
            proptest::collection::vec((0usize..50, 0usize..50), 0..3),
            proptest::collection::btree_map(any_string(), any_string(), 0..3),
            proptest::collection::vec((any_string(), any_string(), any_string()), 0..2),
            proptest::option::of((0usize..3, 0.0f32..=1.0)),
        )
            .prop_map(
                |(
                    id,
                    start,
                    end,
                    tag,
                    text,
                    note,
                    created,
                    fragments,
                    attributes,
                    links,
                    suggested,
                )| {
                    use crate::model::annotations::{Source, Suggested};
                    Annotation {
                        id,
                        start,
                        end,
                        prefix: text.chars().rev().collect(),
                        suffix: tag.clone(),
                        tag,
                        text,
                        note,
                        modified: created.clone(),
                        created,
                        fragments,
                        attributes,
                        annotator: links.first().map(|l| l.0.clone()).unwrap_or_default(),
                        links: links
                            .into_iter()
                            .map(|(db, id, label)| Link { db, id, label })
                            .collect(),
                        suggested: suggested.map(|(k, score)| Suggested {
                            source: [Source::List, Source::Learned, Source::Model][k],
                            score,
                        }),
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever the writer writes, this reader reads back exactly, as ron does.
        #[test]
        fn reads_what_the_writer_writes_as_ron_does(
            lists in proptest::array::uniform4(proptest::collection::vec(any_annotation(), 0..6)),
            tags in any::<bool>(),
            relations in proptest::collection::vec(
                (any::<u64>(), any_string(), any::<u64>(), any::<u64>(), any_string()),
                0..4,
            ),
        ) {
            let mut s = sidecar(lists, tags);
            s.relations = relations
                .into_iter()
                .map(|(id, kind, from, to, note)| crate::model::Relation {
                    id,
                    kind,
                    from,
                    to,
                    created: note.chars().rev().collect(),
                    note,
                    modified: String::new(),
                })
                .collect();
            let text = to_ron(&s);
            let fast = parse(&text);
            prop_assert_eq!(fast.as_ref(), Some(&s));
            let slow: Sidecar = ron::from_str(&text).unwrap();
            prop_assert_eq!(Some(&slow), fast.as_ref());
        }

        /// After any change to the text, this reader either declines or agrees with ron.
        #[test]
        fn never_reads_differently_from_ron(
            lists in proptest::array::uniform4(proptest::collection::vec(any_annotation(), 0..4)),
            at in any::<prop::sample::Index>(),
            cut in 0usize..4,
            insert in prop_oneof![
                Just(String::new()),
                "[ ,:()\\[\\]\"\\\\n0-9a-z\n]{1,4}",
                Just("\u{a0}".to_owned()),
                Just("unplaced: [(id: 9, start: 0, end: 1, tag: \"PER\", text: \"x\")],\n".to_owned()),
            ],
        ) {
            let text = to_ron(&sidecar(lists, false));
            let mut chars: Vec<char> = text.chars().collect();
            let i = at.index(chars.len() + 1);
            let end = (i + cut).min(chars.len());
            chars.splice(i..end, insert.chars());
            let edited: String = chars.into_iter().collect();
            if let Some(fast) = parse(&edited) {
                let slow = ron::from_str::<Sidecar>(&edited);
                prop_assert!(slow.is_ok(), "ron refuses what this reader read: {:?}", edited);
                prop_assert_eq!(slow.unwrap(), fast);
            }
        }
    }

    #[test]
    fn a_text_written_in_several_pieces_reads_back_whole() {
        let long = "نص طويل ".repeat(40);
        let list: Vec<Annotation> = (0..5000)
            .map(|i| Annotation {
                id: i,
                start: i as usize,
                end: i as usize + 3,
                tag: "PER".into(),
                text: long.clone(),
                prefix: String::new(),
                suffix: String::new(),
                note: format!("{i}"),
                created: String::new(),
                modified: String::new(),
                ..Annotation::default()
            })
            .collect();
        let s = sidecar([list.clone(), Vec::new(), list.clone(), list], true);
        let text = to_ron(&s);
        assert!(text.len() > 2 << 20, "more than one piece");
        assert_eq!(parse(&text), Some(s));
    }

    #[test]
    fn other_layouts_are_left_to_ron() {
        let s = sidecar(Default::default(), true);
        let pretty = ron::ser::to_string_pretty(&s, ron::ser::PrettyConfig::default()).unwrap();
        assert_eq!(parse(&pretty), None);
        assert_eq!(parse("(format: 1)"), None);
        assert_eq!(parse(""), None);
        // A list named in the header (written by hand): ron keeps it, so this reader must not replace it.
        let text = to_ron(&s).replacen(
            "(\n",
            "(\n  unplaced: [(id: 9, start: 0, end: 1, tag: \"PER\", text: \"x\")],\n",
            1,
        );
        assert_eq!(ron::from_str::<Sidecar>(&text).unwrap().unplaced.len(), 1);
        assert_eq!(parse(&text), None);
        // White space ron does not skip after the end.
        let text = to_ron(&s) + "\u{a0}";
        assert!(ron::from_str::<Sidecar>(&text).is_err());
        assert_eq!(parse(&text), None);
    }
}
