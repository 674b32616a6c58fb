//! The interface language: which one is in use, the Arabic catalog, and how numbers are written.
//!
//! Strings are written in English in the code and looked up with [`tr!`](crate::tr) in the catalog
//! `locales/app.yml` (read at compile time by rust-i18n). English needs no lookup; in Arabic a string missing from
//! the catalog would show in English, and a unit test fails when any `tr!` string in the sources has no Arabic.
//! Placeholders are written `%{name}`.
//!
//! The language is process-wide: the window, the CLI's messages and the notes report read it. No egui here.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use serde::{Deserialize, Serialize};

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    English,
    Arabic,
}

impl Language {
    /// The language's own name, as offered in View ▸ Language.
    #[must_use]
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Arabic => "العربية",
        }
    }

    #[must_use]
    pub fn is_rtl(self) -> bool {
        self == Language::Arabic
    }

    const fn code(self) -> u8 {
        match self {
            Language::English => 0,
            Language::Arabic => 1,
        }
    }
}

static LANGUAGE: AtomicU8 = AtomicU8::new(0);
static ARABIC_DIGITS: AtomicBool = AtomicBool::new(false);

/// The language in use.
#[must_use]
pub fn language() -> Language {
    if LANGUAGE.load(Ordering::Relaxed) == Language::Arabic.code() {
        Language::Arabic
    } else {
        Language::English
    }
}

pub fn set_language(language: Language) {
    LANGUAGE.store(language.code(), Ordering::Relaxed);
}

/// Whether the interface is right to left (Arabic).
#[must_use]
pub fn rtl() -> bool {
    language().is_rtl()
}

/// Whether numbers in the interface are written with Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩).
#[must_use]
pub fn arabic_digits() -> bool {
    ARABIC_DIGITS.load(Ordering::Relaxed)
}

pub fn set_arabic_digits(on: bool) {
    ARABIC_DIGITS.store(on, Ordering::Relaxed);
}

/// The language the environment asks for: the first set of `LC_ALL`, `LC_MESSAGES`, `LANG` (POSIX order);
/// a value starting with `ar` is Arabic, anything else English.
#[must_use]
pub fn from_env() -> Language {
    from_locale_vars(|name| std::env::var(name).ok())
}

/// [`from_env`] with the variables given by `var` (testable without touching the process environment).
#[must_use]
pub fn from_locale_vars(var: impl Fn(&str) -> Option<String>) -> Language {
    let value = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(var)
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    if value.to_ascii_lowercase().starts_with("ar") {
        Language::Arabic
    } else {
        Language::English
    }
}

/// The string for `english` in the language in use.
#[must_use]
pub fn tr(english: &str) -> Cow<'_, str> {
    match language() {
        Language::English => Cow::Borrowed(english),
        Language::Arabic => arabic(english).map_or(Cow::Borrowed(english), Cow::Owned),
    }
}

/// The Arabic catalog's entry for `english`, if it has one.
#[must_use]
pub fn arabic(english: &str) -> Option<String> {
    crate::_rust_i18n_try_translate("ar", english).map(Cow::into_owned)
}

/// Fills `%{name}` placeholders. Values that are numbers are written with the chosen digits. In the Arabic
/// interface a value with letters (a file name, a tag, an error) is a bidi isolate (FSI … PDI), so that a path such
/// as `/tmp/نص.txt` keeps its own order inside the right-to-left sentence.
#[must_use]
pub fn fill(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        let value = value.to_string();
        let value = if is_number(&value) {
            digits(&value)
        } else if rtl() && value.chars().any(char::is_alphabetic) {
            format!("\u{2068}{value}\u{2069}")
        } else {
            value
        };
        out = out.replace(&format!("%{{{name}}}"), &value);
    }
    out
}

fn is_number(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '–' | '%' | '+'))
}

/// `s` with its ASCII digits as Arabic-Indic digits when that option is on (and `.` as the Arabic decimal
/// separator ٫ between digits); unchanged otherwise.
#[must_use]
pub fn digits(s: &str) -> String {
    if arabic_digits() {
        arabic_indic(s)
    } else {
        s.to_owned()
    }
}

/// `s` with its ASCII digits as Arabic-Indic digits, whatever the option says.
#[must_use]
pub fn arabic_indic(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() * 2);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '0'..='9' => out.push(char::from_u32(0x0660 + (c as u32 - '0' as u32)).unwrap_or(c)),
            '.' if i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit) =>
            {
                out.push('٫');
            }
            _ => out.push(c),
        }
    }
    out
}

/// `n` and an English noun, singular for one: `counted(1, "document")` is "1 document", `counted(3, "document")`
/// "3 documents" (the command line's reports, which are in English).
#[must_use]
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A number in the interface's digits.
#[must_use]
pub fn number(n: impl std::fmt::Display) -> String {
    digits(&n.to_string())
}

/// The template for `english` filled with `values`: the catalog's entry in the language in use; in English, when
/// the count `n` is 1 and the catalog has an `en-one` form (`%{n} line` for `%{n} lines`), that form. (The Arabic
/// entries put the count after a label, "الأسطر: ٣", which needs no plural forms.)
#[must_use]
pub fn tr_filled(english: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let one = language() == Language::English
        && values
            .iter()
            .any(|(name, value)| *name == "n" && value.to_string() == "1");
    let singular = if one {
        crate::_rust_i18n_try_translate("en-one", english).map(Cow::into_owned)
    } else {
        None
    };
    match singular {
        Some(template) => fill(&template, values),
        None => fill(&tr(english), values),
    }
}

/// Translates a string of the interface: `tr!("Save")`, or with placeholders
/// `tr!("%{n} annotations", n = count)` (a count named `n` picks the English singular form when it is 1).
#[macro_export]
macro_rules! tr {
    ($english:expr) => {
        $crate::i18n::tr($english)
    };
    ($english:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::tr_filled($english, &[$((stringify!($name), &$value as &dyn std::fmt::Display)),+])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_variables_in_posix_order() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            from_locale_vars(vars(&[("LANG", "ar_EG.UTF-8")])),
            Language::Arabic
        );
        assert_eq!(
            from_locale_vars(vars(&[
                ("LANG", "ar_EG.UTF-8"),
                ("LC_MESSAGES", "en_GB.UTF-8")
            ])),
            Language::English
        );
        assert_eq!(
            from_locale_vars(vars(&[("LC_ALL", "ar"), ("LC_MESSAGES", "en_GB.UTF-8")])),
            Language::Arabic
        );
        assert_eq!(
            from_locale_vars(vars(&[("LC_ALL", ""), ("LANG", "ar_SA")])),
            Language::Arabic
        );
        assert_eq!(
            from_locale_vars(vars(&[("LANG", "C.UTF-8")])),
            Language::English
        );
        assert_eq!(from_locale_vars(vars(&[])), Language::English);
    }

    #[test]
    fn placeholders_and_digits() {
        assert_eq!(
            fill(
                "%{a} of %{b} in %{name}",
                &[("a", &3), ("b", &12), ("name", &"2024.txt")]
            ),
            "3 of 12 in 2024.txt"
        );
        assert_eq!(arabic_indic("3.5 of 120, v1.x"), "٣٫٥ of ١٢٠, v١.x");
        assert!(
            is_number("12.5%") && is_number("3–7") && !is_number("2024.txt") && !is_number("-")
        );
    }

    /// A count of one takes the English singular form; other counts and strings with no such form are unchanged.
    #[test]
    fn english_counts_of_one_are_singular() {
        if rtl() {
            return; // another test chose Arabic for this process
        }
        assert_eq!(crate::tr!("%{n} lines", n = 1), "1 line");
        assert_eq!(crate::tr!("%{n} lines", n = 2), "2 lines");
        assert_eq!(crate::tr!("%{n} lines", n = 0), "0 lines");
        assert_eq!(crate::tr!("Take %{n}", n = 1), "Take 1");
    }

    /// Every string the sources pass to `tr!` has an Arabic translation in the catalog.
    #[test]
    fn every_interface_string_has_arabic() {
        let mut missing = Vec::new();
        let mut seen = 0;
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source: String = std::fs::read_to_string(&path)
                        .unwrap()
                        .lines()
                        .filter(|l| !l.trim_start().starts_with("//"))
                        .map(|l| format!("{l}\n"))
                        .collect();
                    for key in tr_literals(&source) {
                        seen += 1;
                        if arabic(&key).is_none_or(|a| a.trim().is_empty()) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(seen > 100, "only {seen} tr! strings found");
        assert!(missing.is_empty(), "no Arabic for:\n{}", missing.join("\n"));
    }

    /// Strings translated where they are not literals (`tr!(what)`): activities, formats, line endings.
    #[test]
    fn strings_passed_by_value_have_arabic() {
        let mut strings: Vec<&str> = vec![
            "searching",
            "indexing for search",
            "matching names",
            "saving",
            "laying out",
            "re-anchoring annotations",
            "reading",
            "mixed",
            "Open a folder of documents",
            "An annotator's folder",
            "The folder for the curated copies",
        ];
        strings.extend(crate::export::Format::ALL.iter().map(|f| f.label()));
        use crate::model::curation::Kind;
        strings.extend([Kind::Missing, Kind::Tag, Kind::Boundaries].map(Kind::label));
        let missing: Vec<&&str> = strings.iter().filter(|s| arabic(s).is_none()).collect();
        assert!(missing.is_empty(), "no Arabic for {missing:?}");
    }

    /// Every Arabic entry keeps the placeholders of its English key, no more and no fewer.
    #[test]
    fn translations_keep_their_placeholders() {
        let catalog = include_str!("../locales/app.yml");
        let placeholders = |s: &str| {
            let mut found: Vec<String> = s
                .match_indices("%{")
                .filter_map(|(i, _)| s[i..].find('}').map(|j| s[i..i + j + 1].to_owned()))
                .collect();
            found.sort();
            found.dedup();
            found
        };
        let mut keys = 0;
        for line in catalog.lines().filter(|l| l.starts_with('"')) {
            let key: String = serde_json::from_str(line.trim_end_matches(':')).unwrap();
            let ar = arabic(&key).unwrap_or_else(|| panic!("{key} has no Arabic"));
            assert_eq!(placeholders(&key), placeholders(&ar), "{key} → {ar}");
            keys += 1;
        }
        assert!(keys > 200, "{keys} keys read");
    }

    /// The string literals that follow `tr!(` in `source`, on the same line or the next (escapes `\"` and `\\`
    /// undone).
    fn tr_literals(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = source;
        // (Spelt in two pieces so that this line is not taken for a use.)
        let needle = concat!("tr", "!(");
        while let Some(at) = rest.find(needle) {
            let word_before = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            rest = rest[at + 4..].trim_start();
            if word_before || !rest.starts_with('"') {
                continue;
            }
            rest = &rest[1..];
            let mut key = String::new();
            let mut chars = rest.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            match n {
                                'n' => key.push('\n'),
                                // \u{HEX}
                                'u' => {
                                    let hex: String = chars
                                        .by_ref()
                                        .map(|(_, c)| c)
                                        .take_while(|c| *c != '}')
                                        .filter(char::is_ascii_hexdigit)
                                        .collect();
                                    key.extend(
                                        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32),
                                    );
                                }
                                other => key.push(other),
                            }
                        }
                    }
                    '"' => {
                        rest = &rest[i..];
                        break;
                    }
                    _ => key.push(c),
                }
            }
            out.push(key);
        }
        out
    }
}
