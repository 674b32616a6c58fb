//! Team work on files: annotators' copies of the same documents paired (for `warraq agree` and curation), and a
//! curated copy of a document made from them.
//!
//! A curated copy is an ordinary document in a folder of its own (the text copied there, never written over), whose
//! sidecar also records where the annotators' copies are and which groups were decided
//! ([`crate::model::curation::Record`]). Opening it again — from the curation window, the folder list, Open Recent —
//! reads the annotators' copies again and asks only what is still undecided.

use crate::tr;
use std::path::{Component, Path, PathBuf};

use crate::model::curation::{self, Choice, Group, Record};
use crate::model::{Annotation, AnnotationSet, Decision};
use crate::store;

/// Documents found in every source, with their file in each; and what could not be paired.
#[derive(Debug, Clone, Default)]
pub struct Paired {
    /// The path inside the sources, and the file in each source (in the sources' order).
    pub documents: Vec<(PathBuf, Vec<PathBuf>)>,
    pub problems: Vec<String>,
}

/// The annotated text files of a source: a folder (walked) or one file; with their path inside it.
pub fn annotated_documents(source: &Path) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    if source.is_file() {
        let name = PathBuf::from(source.file_name().unwrap_or_default());
        return Ok(vec![(name, source.to_owned())]);
    }
    if !source.is_dir() {
        return Err(tr!(
            "%{path}: no such file or folder",
            path = source.display()
        ));
    }
    let files = super::corpus::files(source, super::corpus::is_annotated)?;
    Ok(files
        .into_iter()
        .map(|path| (path.strip_prefix(source).unwrap_or(&path).to_owned(), path))
        .collect())
}

/// Pairs the documents of annotators' sources (folders, by the path inside them; single files in order). The
/// first source is the reference: a document missing elsewhere, or only elsewhere, is named in `problems`.
pub fn pair(sources: &[PathBuf]) -> Result<Paired, String> {
    let lists: Vec<Vec<(PathBuf, PathBuf)>> = sources
        .iter()
        .map(|s| annotated_documents(s))
        .collect::<Result<_, _>>()?;
    distinct(sources)?;
    let single = sources.iter().all(|s| s.is_file());
    let mut out = Paired::default();
    for (source, list) in sources.iter().zip(&lists) {
        if list.is_empty() {
            out.problems.push(format!(
                "{}: no annotated documents (text files with a .warraq.ron beside them)",
                source.display()
            ));
        }
    }
    let Some(first) = lists.first() else {
        return Ok(out);
    };
    'documents: for (relative, reference) in first {
        let mut files = vec![reference.clone()];
        for (k, list) in lists.iter().enumerate().skip(1) {
            let found = if single {
                list.first().map(|(_, p)| p.clone())
            } else {
                list.iter()
                    .find(|(r, _)| r == relative)
                    .map(|(_, p)| p.clone())
            };
            match found {
                Some(p) => files.push(p),
                None => {
                    out.problems.push(format!(
                        "{}: missing in {}; left out",
                        relative.display(),
                        sources[k].display()
                    ));
                    continue 'documents;
                }
            }
        }
        out.documents.push((relative.clone(), files));
    }
    if !single {
        for (k, list) in lists.iter().enumerate().skip(1) {
            for (relative, _) in list {
                if !first.iter().any(|(r, _)| r == relative) {
                    out.problems.push(format!(
                        "{}: in {} but not in the reference {}; left out",
                        relative.display(),
                        sources[k].display(),
                        sources[0].display()
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// The annotators' copies of one document, read.
#[derive(Debug, Clone)]
pub struct Annotators {
    pub files: Vec<PathBuf>,
    /// A name for each: the annotator name most of their annotations carry, else their folder's name.
    pub names: Vec<String>,
    /// Each one's placed annotations.
    pub annotations: Vec<Vec<Annotation>>,
}

/// A path with its links resolved (as far as it exists), for telling whether two paths are the same place.
fn resolved(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => resolved(parent).join(name),
        _ => std::path::absolute(p).unwrap_or_else(|_| p.to_owned()),
    }
}

/// Refuses annotators' copies that cannot be curated or compared: fewer than two, the same file twice (the same
/// annotator would agree with themself), or the curated document itself among them.
pub fn check_sources(files: &[PathBuf], curated: Option<&Path>) -> Result<(), String> {
    if files.len() < 2 {
        return Err(tr!(
            "%{n} annotators' copies: two or more are needed",
            n = files.len()
        ));
    }
    distinct(files)?;
    let own = curated.map(resolved);
    if let Some(f) = files.iter().find(|f| own.as_ref() == Some(&resolved(f))) {
        return Err(tr!(
            "%{path}: the curated document itself is named as an annotator's copy",
            path = f.display()
        ));
    }
    Ok(())
}

/// Refuses the same place given twice (links resolved): an annotator's copy compared with itself agrees fully.
fn distinct(paths: &[PathBuf]) -> Result<(), String> {
    let mut seen: Vec<PathBuf> = Vec::new();
    for p in paths {
        let r = resolved(p);
        if seen.contains(&r) {
            return Err(tr!(
                "%{path}: given twice (an annotator's copy cannot be compared with itself)",
                path = p.display()
            ));
        }
        seen.push(r);
    }
    Ok(())
}

/// Makes `folder` and the folders above it.
fn make_folder(folder: &Path) -> Result<(), String> {
    std::fs::create_dir_all(folder).map_err(|e| {
        tr!(
            "%{path}: cannot be made a folder (%{error})",
            path = folder.display(),
            error = e
        )
    })
}

/// Why nothing was written at `target`: a link takes it to `real`, outside the curated folder.
fn leads_outside(target: &Path, real: &Path) -> String {
    tr!(
        "%{path}: leads to %{real} through a link, outside the curated folder or into an annotator's; nothing was written there",
        path = target.display(),
        real = real.display()
    )
}

/// Reads every annotator's copy of one document (`files`, the first the reference): its text, from the first, and
/// each one's annotations — an error naming the copy that cannot be read or whose text differs.
pub fn read_document(files: &[PathBuf]) -> Result<(Annotators, crate::model::Document), String> {
    let first = files.first().ok_or("no annotators' copies")?;
    // The first copy is read once: its text is the reference, its annotations the first annotator's.
    let opened = store::open(first, None).map_err(|e| e.to_string())?;
    let set = opened.annotations.map_err(|e| e.to_string())?.0;
    let whose = tr!("the copy %{path}", path = first.display());
    let annotators = read_copies(files, opened.doc.text(), &whose, Some(set))?;
    Ok((annotators, opened.doc))
}

/// Reads the annotators' copies of a document whose text is `text` (`whose`: where that text comes from, for the
/// message). A copy whose sidecar cannot be read, or whose text differs, is an error naming it (curating against
/// another text would place annotations wrongly).
pub fn read_annotators(files: &[PathBuf], text: &str, whose: &str) -> Result<Annotators, String> {
    read_copies(files, text, whose, None)
}

/// [`read_annotators`], with the first copy already open (its annotations taken from `first`).
fn read_copies(
    files: &[PathBuf],
    text: &str,
    whose: &str,
    mut first: Option<AnnotationSet>,
) -> Result<Annotators, String> {
    let mut out = Annotators {
        files: files.to_vec(),
        names: Vec::new(),
        annotations: Vec::new(),
    };
    for f in files {
        let set = match first.take() {
            Some(set) => set,
            None => {
                let opened = store::open(f, None).map_err(|e| e.to_string())?;
                if opened.doc.text() != text {
                    return Err(tr!(
                        "%{path}: its text differs from %{whose}, so the two cannot be compared",
                        path = f.display(),
                        whose = whose
                    ));
                }
                opened.annotations.map_err(|e| e.to_string())?.0
            }
        };
        out.names
            .push(most_common_annotator(&set).unwrap_or_default());
        out.annotations.push(set.into_items());
    }
    // Names must tell the annotators apart: folder names when annotator names do not, then numbers.
    let unique = |names: &[String]| {
        names.iter().all(|n| !n.is_empty())
            && names.iter().collect::<std::collections::HashSet<_>>().len() == names.len()
    };
    if !unique(&out.names) {
        out.names = folder_names(files);
    }
    if !unique(&out.names) {
        out.names = (1..=files.len())
            .map(|k| format!("annotator {k}"))
            .collect();
    }
    Ok(out)
}

/// The names of the folders that tell the files apart: for `alice/news/a.txt` and `bob/news/a.txt`, alice and
/// bob (the nearest folder, going up, whose names all differ).
fn folder_names(files: &[PathBuf]) -> Vec<String> {
    let parts: Vec<Vec<String>> = files
        .iter()
        .map(|f| {
            resolved(f)
                .parent()
                .map(|p| {
                    p.components()
                        .rev()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let depth = parts.iter().map(Vec::len).min().unwrap_or(0);
    for k in 0..depth {
        let names: Vec<String> = parts.iter().map(|p| p[k].clone()).collect();
        if names.iter().collect::<std::collections::HashSet<_>>().len() == names.len() {
            return names;
        }
    }
    Vec::new()
}

fn most_common_annotator(set: &AnnotationSet) -> Option<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for a in set.items() {
        if !a.annotator.is_empty() {
            *counts.entry(a.annotator.as_str()).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(name, n)| (*n, std::cmp::Reverse(*name)))
        .map(|(name, _)| name.to_owned())
}

/// A curation under way on an open document: the annotators, the groups, and the disagreement looked at.
#[derive(Debug, Clone)]
pub struct Curation {
    pub names: Vec<String>,
    pub files: Vec<PathBuf>,
    /// Agreed annotations and disagreements, in text order.
    pub groups: Vec<Group>,
    /// Which of the groups are disagreements (indices, in text order).
    pub disagreements: Vec<usize>,
    /// What every annotator has (pieces and tag): an answer never removes these from the curated copy.
    agreed: std::collections::HashSet<(Vec<crate::model::Span>, String)>,
    /// The group looked at (an index into `groups`).
    pub current: Option<usize>,
    /// [`Curation::progress`] for an annotations' revision: the panel shows it every frame.
    progress_cache: std::cell::Cell<Option<(u64, Progress)>>,
}

impl Curation {
    /// The groups of the annotators' copies (linear in their annotations, then sorts), nothing looked at yet.
    #[must_use]
    pub fn new(annotators: Annotators) -> Self {
        let lists: Vec<&[Annotation]> = annotators.annotations.iter().map(Vec::as_slice).collect();
        let groups = curation::groups(&lists);
        let disagreements = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.is_disagreement())
            .map(|(i, _)| i)
            .collect();
        let agreed = groups
            .iter()
            .filter(|g| !g.is_disagreement())
            .flat_map(|g| &g.candidates)
            .map(|c| (c.annotation.pieces(), c.annotation.tag.clone()))
            .collect();
        Self {
            names: annotators.names,
            files: annotators.files,
            groups,
            disagreements,
            agreed,
            current: None,
            progress_cache: std::cell::Cell::new(None),
        }
    }
}

/// Where a curation stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub agreed: usize,
    pub disagreements: usize,
    pub decided: usize,
}

impl Curation {
    /// Counts of agreed annotations, disagreements, and disagreements decided.
    #[must_use]
    pub fn progress(&self, record: &Record) -> Progress {
        let decided = self
            .disagreements
            .iter()
            .filter(|&&i| record.is_decided(self.groups[i].key))
            .count();
        Progress {
            agreed: self.groups.len() - self.disagreements.len(),
            disagreements: self.disagreements.len(),
            decided,
        }
    }

    /// [`Self::progress`] for the annotations at `revision`, counted once per revision.
    #[must_use]
    pub fn progress_at(&self, record: &Record, revision: u64) -> Progress {
        if let Some((r, p)) = self.progress_cache.get()
            && r == revision
        {
            return p;
        }
        let p = self.progress(record);
        self.progress_cache.set(Some((revision, p)));
        p
    }

    /// The next (or previous) undecided disagreement after `from` (from the start when `None`), round the end.
    #[must_use]
    pub fn next_undecided(
        &self,
        record: &Record,
        from: Option<usize>,
        forward: bool,
    ) -> Option<usize> {
        let n = self.groups.len();
        if n == 0 {
            return None;
        }
        let start = match (from, forward) {
            (Some(i), _) => i,
            (None, true) => n - 1,
            (None, false) => 0,
        };
        (1..=n)
            .map(|k| {
                if forward {
                    (start + k) % n
                } else {
                    (start + n - k % n) % n
                }
            })
            .find(|&i| self.groups[i].is_disagreement() && !record.is_decided(self.groups[i].key))
    }
}

/// The folders of the sources (a file's own folder), links resolved: no curated copy may be written in them.
fn source_folders(sources: &[PathBuf]) -> Vec<PathBuf> {
    sources
        .iter()
        .map(|s| {
            let r = resolved(s);
            if r.is_file() {
                r.parent().map(Path::to_owned).unwrap_or_default()
            } else {
                r
            }
        })
        .collect()
}

/// Refuses a curated folder that is not a folder, or is one of the sources, inside one, or holds one: the curated
/// copies would be taken for an annotator's documents (or written over them).
pub fn check_into(sources: &[PathBuf], into: &Path) -> Result<(), String> {
    if into.exists() && !into.is_dir() {
        return Err(tr!("%{path}: a file, not a folder", path = into.display()));
    }
    if into.symlink_metadata().is_ok() && !into.exists() {
        return Err(tr!(
            "%{path}: a link to nothing (its target does not exist)",
            path = into.display()
        ));
    }
    let target = resolved(into);
    for (s, folder) in sources.iter().zip(source_folders(sources)) {
        if target.starts_with(&folder) || folder.starts_with(&target) {
            return Err(tr!(
                "%{path}: the curated folder must be apart from the annotators' (%{other} is one of them, or in or around it)",
                path = into.display(),
                other = s.display()
            ));
        }
    }
    Ok(())
}

/// Copies the text of a document (`from`, an annotator's copy) into the curated folder at its path inside the
/// sources, unless it is there already; returns where it is. Nothing is ever written over; a path that would leave
/// the folder — by its name or through a link inside it — or lead into one of the `forbidden` folders (the
/// annotators', links resolved) is refused.
pub fn prepare(
    into: &Path,
    relative: &Path,
    from: &Path,
    forbidden: &[PathBuf],
) -> Result<PathBuf, String> {
    if relative.as_os_str().is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(tr!(
            "%{path}: not a path inside the curated folder",
            path = relative.display()
        ));
    }
    let target = into.join(relative);
    let parent = target.parent().unwrap_or(into);
    // The curated folder itself (checked apart from the annotators' by `check_into`); then where the folders under
    // it would be made, links followed, before any is made: the deepest one that exists.
    make_folder(into)?;
    let mut existing = parent;
    while !existing.exists() {
        match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => existing = p,
            _ => break,
        }
    }
    let real_folder = resolved(existing);
    if !real_folder.starts_with(resolved(into))
        || forbidden.iter().any(|f| real_folder.starts_with(f))
    {
        return Err(leads_outside(&target, &real_folder));
    }
    make_folder(parent)?;
    // Where the copy really goes, links inside the curated folder followed.
    let real = resolved(&target);
    let escapes =
        !real.starts_with(resolved(into)) || forbidden.iter().any(|f| real.starts_with(f));
    if escapes {
        return Err(leads_outside(&target, &real));
    }
    if target.exists() {
        return Ok(target);
    }
    let bytes = store::read_bytes(from).map_err(|e| e.to_string())?;
    store::write::write_new(&target, &bytes).map_err(|e| format!("{}: {e}", target.display()))?;
    Ok(target)
}

/// `to` as seen from the folder `from` (both made absolute first): `../alice/doc.txt`; `to` itself when there is
/// no relative way (another drive).
#[must_use]
pub fn relative_path(from: &Path, to: &Path) -> String {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let (from, to) = (absolute(from), absolute(to));
    let (a, b): (Vec<Component<'_>>, Vec<Component<'_>>) =
        (from.components().collect(), to.components().collect());
    if a.first() != b.first() {
        return to.display().to_string();
    }
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out.display().to_string()
}

impl super::OpenDocument {
    /// Makes this document the curated copy of `files` (the annotators' copies), recorded in its sidecar.
    pub fn start_curation(&mut self, files: &[PathBuf]) {
        let folder = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(Path::to_owned)
            .unwrap_or_default();
        let sources = files.iter().map(|f| relative_path(&folder, f)).collect();
        self.annotations.start_curation(sources);
    }

    /// The annotators' copies named in this document's curation record, found from its folder.
    #[must_use]
    pub fn curation_files(&self) -> Option<Vec<PathBuf>> {
        let record = self.annotations.curation()?;
        let folder = self.path.as_ref()?.parent()?;
        Some(record.sources.iter().map(|s| folder.join(s)).collect())
    }

    /// Takes the annotators' copies in (their groups made by [`Curation::new`], on a worker for a book): what all
    /// agree on that was not decided before is added (one undoable step; quick when it was merged before). Returns
    /// how many annotations were merged now.
    pub fn begin_curation(&mut self, mut c: Curation) -> usize {
        let record = self.annotations.curation().cloned().unwrap_or_default();
        let agreed: Vec<(u64, Vec<&Annotation>)> = c
            .groups
            .iter()
            .filter(|g| !g.is_disagreement() && !record.is_decided(g.key))
            .map(|g| (g.key, g.chosen(Choice::All)))
            .collect();
        let decisions: Vec<Decision<'_>> = agreed
            .iter()
            .map(|(key, keep)| Decision {
                key: *key,
                keep,
                drop: &[],
            })
            .collect();
        let doc = self.doc.clone();
        let (merged, _) = self.annotations.decide(&doc, &decisions);
        let record = self.annotations.curation().cloned().unwrap_or_default();
        c.current = c.next_undecided(&record, None, true);
        self.curation = Some(Ok(c));
        merged
    }

    /// After someone else's changes were merged in (another window, `warraq curate` run again): the annotators'
    /// copies may have changed too, so a curation under way reads them again before another question is answered.
    pub(crate) fn after_merge(&mut self, taken: usize) {
        if taken > 0 && self.curation.is_some() {
            self.curation = None;
        }
    }

    /// Reads the annotators' copies named in the curation record on a worker; [`Self::begin_curation`] follows.
    /// Does nothing when this is not a curated copy, or they are being read or were read.
    pub fn load_curation(&mut self, waker: &super::job::Waker) {
        if self.curation.is_some() || self.is_running(super::Work::ReadingAnnotators) {
            return;
        }
        let Some(files) = self.curation_files() else {
            return;
        };
        let doc = self.doc.clone();
        let own = self.path.clone();
        self.spawn(super::Work::ReadingAnnotators, waker, move || {
            let read = check_sources(&files, own.as_deref())
                .and_then(|()| read_annotators(&files, doc.text(), &tr!("the curated document")))
                .map(Curation::new);
            Box::new(move |d: &mut super::OpenDocument| match read {
                Ok(a) => {
                    let merged = d.begin_curation(a);
                    (merged > 0).then(|| {
                        format!(
                            "{}: {merged} annotations all annotators agree on were merged",
                            d.name
                        )
                    })
                }
                Err(e) => {
                    let message = tr!(
                        "%{name}: the annotators' copies could not be read: %{error}",
                        name = d.name,
                        error = e
                    );
                    d.curation = Some(Err(e));
                    Some(message)
                }
            })
        });
    }

    /// Answers disagreement `group` (the curated copy then holds exactly the versions chosen among the group's: a
    /// new answer replaces an earlier one) and moves to the next undecided one; returns (added, removed).
    pub fn decide(&mut self, group: usize, choice: Choice) -> (usize, usize) {
        let Some(Ok(c)) = &self.curation else {
            return (0, 0);
        };
        let Some(g) = c.groups.get(group) else {
            return (0, 0);
        };
        let doc = self.doc.clone();
        let (keep, mut drop) = g.split(choice);
        // What the curated copy holds where the disagreement is — an earlier answer (perhaps to versions that
        // have changed since), an edit — gives way to the answer, except what every annotator agrees on.
        let kept: std::collections::HashSet<(Vec<crate::model::Span>, String)> =
            keep.iter().map(|a| (a.pieces(), a.tag.clone())).collect();
        for a in self.annotations.overlapping(g.span) {
            let identity = (a.pieces(), a.tag.clone());
            if !kept.contains(&identity) && !c.agreed.contains(&identity) {
                drop.push(a);
            }
        }
        // Never what every annotator has (an annotator who made it twice leaves a copy in the disagreement).
        drop.retain(|a| !c.agreed.contains(&(a.pieces(), a.tag.clone())));
        let drop: Vec<Annotation> = drop.into_iter().cloned().collect();
        let drop: Vec<&Annotation> = drop.iter().collect();
        let done = self.annotations.decide(
            &doc,
            &[Decision {
                key: g.key,
                keep: &keep,
                drop: &drop,
            }],
        );
        let record = self.annotations.curation().cloned().unwrap_or_default();
        if let Some(Ok(c)) = &mut self.curation {
            c.current = c.next_undecided(&record, Some(group), true).or(Some(group));
        }
        done
    }
}

/// What [`curate_all`] did for one document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Curated {
    /// The curated copy.
    pub path: PathBuf,
    /// Its path inside the sources.
    pub relative: PathBuf,
    /// Agreed annotations merged now.
    pub merged: usize,
    pub disagreements: usize,
    pub decided: usize,
}

/// What [`curate_all`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CurateReport {
    pub documents: Vec<Curated>,
    /// Documents left out and why (missing on one side, unreadable, another text).
    pub problems: Vec<String>,
    /// How many documents all sources have could not be curated (their reasons are among the problems).
    pub refused: usize,
}

impl CurateReport {
    /// One line: documents, merged, left to decide.
    #[must_use]
    pub fn summary(&self, into: &Path) -> String {
        let merged: usize = self.documents.iter().map(|d| d.merged).sum();
        let total: usize = self.documents.iter().map(|d| d.disagreements).sum();
        let left: usize = self
            .documents
            .iter()
            .map(|d| d.disagreements - d.decided)
            .sum();
        format!(
            "{} curated into {}: {merged} agreed annotations merged, {left} of {total} disagreements left to decide",
            crate::i18n::counted(self.documents.len(), "document"),
            into.display()
        )
    }
}

/// Makes or brings up to date the curated copy of every document all `sources` have, in `into`: the text copied
/// there (the annotators' files are only read), the curation recorded, what all agree on and was not decided before
/// merged, and saved through the workspace like any document (lock, merge with a window that has it open).
/// `annotator` is recorded as who saved it.
pub fn curate_all(
    sources: &[PathBuf],
    into: &Path,
    annotator: &str,
) -> Result<CurateReport, String> {
    curate_all_with_progress(sources, into, annotator, |_, _| {})
}

/// [`curate_all`], calling `progress(done, total)` after each document.
pub fn curate_all_with_progress(
    sources: &[PathBuf],
    into: &Path,
    annotator: &str,
    mut progress: impl FnMut(usize, usize),
) -> Result<CurateReport, String> {
    check_into(sources, into)?;
    let paired = pair(sources)?;
    if paired.documents.is_empty() {
        return Err(format!(
            "no document is in every one of the sources{}",
            if paired.problems.is_empty() {
                String::new()
            } else {
                format!(" ({})", paired.problems.join("; "))
            }
        ));
    }
    let forbidden = source_folders(sources);
    let mut report = CurateReport {
        documents: Vec::new(),
        problems: paired.problems,
        refused: 0,
    };
    let total = paired.documents.len();
    for (done, (relative, files)) in paired.documents.iter().enumerate() {
        progress(done, total);
        // The annotators' copies first: nothing is copied for a document that cannot be curated.
        let (annotators, reference) = match read_document(files) {
            Ok(r) => r,
            Err(e) => {
                report.refused += 1;
                report.problems.push(tr!(
                    "%{path}: left out: %{error}",
                    path = relative.display(),
                    error = e
                ));
                continue;
            }
        };
        let target = prepare(into, relative, &files[0], &forbidden)?;
        let mut d = super::OpenDocument::open(&target, None).map_err(|e| e.to_string())?;
        let refused = if d.broken_sidecar.is_some() {
            Some(d.sidecar_error.clone().unwrap_or_default())
        } else if d.annotations.curation().is_none()
            && !(d.annotations.items().is_empty() && d.annotations.unplaced.is_empty())
        {
            Some(tr!(
                "%{path}: has annotations of its own and is not a curated copy",
                path = target.display()
            ))
        } else if d.doc.text() != reference.text() {
            Some(tr!(
                "%{path}: its text differs from the annotators' copies",
                path = target.display()
            ))
        } else {
            None
        };
        if let Some(why) = refused {
            report.refused += 1;
            report.problems.push(format!("{why}; left as it was"));
            continue;
        }
        if let Some(earlier) = d.curation_files() {
            let same = earlier.len() == files.len()
                && earlier
                    .iter()
                    .zip(files)
                    .all(|(a, b)| resolved(a) == resolved(b));
            if !same {
                report.refused += 1;
                report.problems.push(format!(
                    "{}: was curated from other annotators' copies ({}); left as it was (curate into another folder)",
                    target.display(),
                    earlier
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            }
        }
        d.annotations.annotator = annotator.to_owned();
        d.start_curation(files);
        let merged = d.begin_curation(Curation::new(annotators));
        let progress = match (&d.curation, d.annotations.curation()) {
            (Some(Ok(c)), Some(r)) => c.progress(r),
            _ => continue,
        };
        if d.is_dirty() {
            d.save_now().map_err(|e| match e {
                super::SaveError::Failed(e) => format!(
                    "{}: could not save the curated annotations: {e}; the sidecar on disk was left as it was",
                    target.display()
                ),
                other => other.to_string(),
            })?;
        }
        report.documents.push(Curated {
            path: target,
            relative: relative.clone(),
            merged,
            disagreements: progress.disagreements,
            decided: progress.decided,
        });
    }
    Ok(report)
}

/// How annotators' copies of one document differ: the agreement window's difference view.
#[derive(Debug, Clone)]
pub struct Differences {
    pub names: Vec<String>,
    /// The text, for quoting.
    pub doc: std::sync::Arc<crate::model::Document>,
    /// Agreed annotations (counted, not listed).
    pub agreed: usize,
    /// The disagreements, in text order.
    pub disagreements: Vec<Group>,
}

/// Reads the annotators' copies of one document (`files`, the first the reference) and groups what they disagree on.
pub fn differences(files: &[PathBuf]) -> Result<Differences, String> {
    let (annotators, doc) = read_document(files)?;
    let lists: Vec<&[Annotation]> = annotators.annotations.iter().map(Vec::as_slice).collect();
    let (disagreements, agreed): (Vec<Group>, Vec<Group>) = curation::groups(&lists)
        .into_iter()
        .partition(Group::is_disagreement);
    Ok(Differences {
        names: annotators.names,
        doc: std::sync::Arc::new(doc),
        agreed: agreed.len(),
        disagreements,
    })
}
