//! The tag set: the entity types a person can tag with, their Arabic labels, colours and keys.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The name exported to other tools ("PER").
    pub name: String,
    /// The name shown to an Arabic reader ("شخص").
    #[serde(default)]
    pub label: String,
    /// Highlight colour, RGB; chosen to read in light and dark themes.
    pub color: [u8; 3],
    /// The key that applies it ('1'..'9'), if any.
    #[serde(default)]
    pub key: Option<char>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagSet {
    pub tags: Vec<Tag>,
}

/// Colours for new tags, in order: distinct hues of medium lightness.
pub const PALETTE: &[[u8; 3]] = &[
    [66, 133, 244],
    [52, 168, 83],
    [234, 134, 0],
    [171, 71, 188],
    [0, 172, 193],
    [219, 68, 55],
    [124, 179, 66],
    [255, 112, 67],
    [92, 107, 192],
    [141, 110, 99],
];

impl Default for TagSet {
    /// A common Arabic NER scheme: person, location, organisation, geo-political entity, date, other.
    fn default() -> Self {
        let names = [
            ("PER", "شخص"),
            ("LOC", "مكان"),
            ("ORG", "منظمة"),
            ("GPE", "كيان سياسي"),
            ("DATE", "تاريخ"),
            ("MISC", "أخرى"),
        ];
        Self {
            tags: names
                .iter()
                .enumerate()
                .map(|(i, (name, label))| Tag {
                    name: (*name).to_owned(),
                    label: (*label).to_owned(),
                    color: PALETTE[i],
                    key: char::from_digit(i as u32 + 1, 10),
                })
                .collect(),
        }
    }
}

impl TagSet {
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.name == name)
    }

    #[must_use]
    pub fn by_key(&self, key: char) -> Option<&Tag> {
        self.tags.iter().find(|t| t.key == Some(key))
    }

    #[must_use]
    pub fn color_of(&self, name: &str) -> [u8; 3] {
        self.get(name).map_or([128, 128, 128], |t| t.color)
    }

    /// Adds a tag with the next free colour and key, if no tag has that name.
    pub fn ensure(&mut self, name: &str) {
        if self.get(name).is_none() {
            self.ensure_all(std::iter::once(name));
        }
    }

    /// [`ensure`](Self::ensure) for many names at once, linear in their number.
    pub fn ensure_all<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        let mut have: std::collections::HashSet<String> =
            self.tags.iter().map(|t| t.name.clone()).collect();
        let mut used_keys: std::collections::HashSet<char> =
            self.tags.iter().filter_map(|t| t.key).collect();
        for name in names {
            if !have.insert(name.to_owned()) {
                continue;
            }
            let key = ('1'..='9').find(|k| !used_keys.contains(k));
            used_keys.extend(key);
            let color = PALETTE[self.tags.len() % PALETTE.len()];
            self.tags.push(Tag {
                name: name.to_owned(),
                label: String::new(),
                color,
                key,
            });
        }
    }
}
