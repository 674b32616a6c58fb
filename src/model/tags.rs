//! The tag set: the entity types a person can tag with (their Arabic labels, colours, keys and the attributes each
//! may carry) and the relation types that may link them.

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
    /// What an annotation with this tag may say besides its tag (Negated, Certainty…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeDef>,
}

/// An attribute a tag declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub name: String,
    pub kind: AttributeKind,
}

/// What values an attribute takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttributeKind {
    /// Set or not (stored as `"true"` when set, absent otherwise).
    Flag,
    /// One of these values.
    Choice(Vec<String>),
    /// Free text.
    Text,
}

/// Attributes written on one line, as the Tags dialog edits them: `Negated; Certainty=High|Low; Comment=*` — a name
/// alone is a flag, `name=a|b` one of those values, `name=*` free text.
pub fn parse_attributes(spec: &str) -> Result<Vec<AttributeDef>, String> {
    let mut out: Vec<AttributeDef> = Vec::new();
    for item in spec.split(';').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, values) = match item.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (item, None),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!(
                "\"{item}\": an attribute name needs letters and no spaces"
            ));
        }
        if out.iter().any(|d| d.name == name) {
            return Err(format!("attribute {name} is given twice"));
        }
        let kind = match values {
            None => AttributeKind::Flag,
            Some("*") => AttributeKind::Text,
            Some(v) => {
                let values: Vec<String> = v
                    .split('|')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect();
                if values.is_empty() {
                    return Err(format!(
                        "\"{item}\": give values as name=a|b, or name=* for free text"
                    ));
                }
                AttributeKind::Choice(values)
            }
        };
        out.push(AttributeDef {
            name: name.to_owned(),
            kind,
        });
    }
    Ok(out)
}

/// The one-line form of attributes that [`parse_attributes`] reads.
#[must_use]
pub fn attributes_spec(defs: &[AttributeDef]) -> String {
    defs.iter()
        .map(|d| match &d.kind {
            AttributeKind::Flag => d.name.clone(),
            AttributeKind::Text => format!("{}=*", d.name),
            AttributeKind::Choice(v) => format!("{}={}", d.name, v.join("|")),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A relation type: its name, colour, and the tags each end may carry (empty: any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationType {
    pub name: String,
    #[serde(default)]
    pub label: String,
    pub color: [u8; 3],
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// Symmetric (A–B is B–A) rather than directed.
    #[serde(default)]
    pub symmetric: bool,
}

impl RelationType {
    /// Whether a relation of this type may go from a `from`-tagged annotation to a `to`-tagged one.
    #[must_use]
    pub fn allows(&self, from: &str, to: &str) -> bool {
        let fits = |list: &[String], tag: &str| list.is_empty() || list.iter().any(|t| t == tag);
        (fits(&self.from, from) && fits(&self.to, to))
            || (self.symmetric && fits(&self.from, to) && fits(&self.to, from))
    }
}

/// The tags and relation types of a document or a folder.
///
/// Written as the bare list of tags when there are no relation types (as format 1 did), otherwise as
/// `(tags: [...], relations: [...])`; both are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSet {
    pub tags: Vec<Tag>,
    pub relations: Vec<RelationType>,
}

#[derive(Serialize, Deserialize)]
struct TagSetFields {
    tags: Vec<Tag>,
    #[serde(default)]
    relations: Vec<RelationType>,
}

impl Serialize for TagSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.relations.is_empty() {
            self.tags.serialize(serializer)
        } else {
            TagSetFields {
                tags: self.tags.clone(),
                relations: self.relations.clone(),
            }
            .serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for TagSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = TagSet;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of tags, or (tags: [...], relations: [...])")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<TagSet, A::Error> {
                let tags =
                    Vec::<Tag>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(TagSet {
                    tags,
                    relations: Vec::new(),
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TagSet, A::Error> {
                let f =
                    TagSetFields::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(TagSet {
                    tags: f.tags,
                    relations: f.relations,
                })
            }
        }
        deserializer.deserialize_any(Either)
    }
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
                    attributes: Vec::new(),
                })
                .collect(),
            relations: Vec::new(),
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
                attributes: Vec::new(),
            });
        }
    }

    #[must_use]
    pub fn relation(&self, name: &str) -> Option<&RelationType> {
        self.relations.iter().find(|r| r.name == name)
    }

    /// Adds a relation type (any tags at either end, directed) if none has that name.
    pub fn ensure_relation(&mut self, name: &str) {
        if self.relation(name).is_none() {
            let color = PALETTE[(self.relations.len() + 3) % PALETTE.len()];
            self.relations.push(RelationType {
                name: name.to_owned(),
                label: String::new(),
                color,
                from: Vec::new(),
                to: Vec::new(),
                symmetric: false,
            });
        }
    }

    /// The attribute `name` declared by tag `tag`.
    #[must_use]
    pub fn attribute(&self, tag: &str, name: &str) -> Option<&AttributeDef> {
        self.get(tag)?.attributes.iter().find(|a| a.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_written_and_read_on_one_line() {
        let defs = parse_attributes(" Negated; Certainty = High | Low ;Comment=*;").unwrap();
        assert_eq!(
            defs,
            vec![
                AttributeDef {
                    name: "Negated".into(),
                    kind: AttributeKind::Flag
                },
                AttributeDef {
                    name: "Certainty".into(),
                    kind: AttributeKind::Choice(vec!["High".into(), "Low".into()])
                },
                AttributeDef {
                    name: "Comment".into(),
                    kind: AttributeKind::Text
                },
            ]
        );
        assert_eq!(
            attributes_spec(&defs),
            "Negated; Certainty=High|Low; Comment=*"
        );
        assert_eq!(parse_attributes(&attributes_spec(&defs)).unwrap(), defs);
        assert!(parse_attributes("Two words").is_err());
        assert!(parse_attributes("A; A").is_err());
        assert!(parse_attributes("A=|").is_err());
        assert_eq!(parse_attributes("").unwrap(), vec![]);
    }

    #[test]
    fn a_tag_set_without_relation_types_is_written_as_before_and_both_shapes_read() {
        let plain = TagSet::default();
        let text = ron::to_string(&plain).unwrap();
        assert!(text.starts_with("[("), "{text}");
        assert_eq!(ron::from_str::<TagSet>(&text).unwrap(), plain);
        let mut with = TagSet::default();
        with.relations.push(RelationType {
            name: "EmployedBy".into(),
            label: "يعمل لدى".into(),
            color: [1, 2, 3],
            from: vec!["PER".into()],
            to: vec!["ORG".into(), "GPE".into()],
            symmetric: false,
        });
        with.tags[0].attributes.push(AttributeDef {
            name: "Certainty".into(),
            kind: AttributeKind::Choice(vec!["High".into(), "Low".into()]),
        });
        for text in [
            ron::to_string(&with).unwrap(),
            ron::ser::to_string_pretty(&with, ron::ser::PrettyConfig::default()).unwrap(),
        ] {
            assert_eq!(ron::from_str::<TagSet>(&text).unwrap(), with, "{text}");
            let sidecar_like = format!("(tags: Some({text}))");
            #[derive(Deserialize)]
            struct Holder {
                tags: Option<TagSet>,
            }
            let h: Holder = ron::from_str(&sidecar_like).unwrap();
            assert_eq!(h.tags, Some(with.clone()));
        }
        let rel = with.relation("EmployedBy").unwrap();
        assert!(rel.allows("PER", "GPE") && !rel.allows("GPE", "PER") && !rel.allows("PER", "PER"));
    }
}
