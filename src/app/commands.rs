//! Every command of the application, listed once: its name, its shortcut and the menu it lives in. Menus, key
//! handling and the README's shortcut table are all derived from this table, so they cannot disagree.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Menu {
    File,
    Edit,
    Tools,
    Curation,
    View,
}

impl Menu {
    /// The menu's title in the interface language.
    #[must_use]
    pub fn title(self) -> std::borrow::Cow<'static, str> {
        crate::i18n::tr(match self {
            Menu::File => "File",
            Menu::Edit => "Edit",
            Menu::Tools => "Tools",
            Menu::Curation => "Curation",
            Menu::View => "View",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Open,
    OpenFolder,
    OpenSample,
    Save,
    SaveAs,
    Export,
    Import,
    Quit,
    NextDocument,
    PreviousDocument,
    MarkFinished,
    Undo,
    Redo,
    Copy,
    SelectAll,
    DeleteAnnotation,
    AnnotationDetails,
    TagAll,
    Find,
    FindNext,
    FindPrevious,
    NextAnnotation,
    PreviousAnnotation,
    NextSuggestion,
    PreviousSuggestion,
    Preannotate,
    SuggestLearned,
    SuggestWhileAnnotating,
    SuggestionModel,
    LoadLinkTable,
    Agreement,
    Curate,
    TakeFirst,
    TakeSecond,
    TakeThird,
    TakeAll,
    TakeNeither,
    NextDisagreement,
    PreviousDisagreement,
    EditTags,
    AnnotatorName,
    TogglePanel,
    MenuBar,
    SnapToWord,
    GoToStart,
    GoToEnd,
    SelectToStart,
    SelectToEnd,
    CliticWords,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    TextLarger,
    TextSmaller,
    ToggleTheme,
}

impl Command {
    /// All commands in menu order.
    pub const ALL: &'static [Command] = &[
        Command::Open,
        Command::OpenFolder,
        Command::OpenSample,
        Command::Save,
        Command::SaveAs,
        Command::Export,
        Command::Import,
        Command::Quit,
        Command::NextDocument,
        Command::PreviousDocument,
        Command::MarkFinished,
        Command::Undo,
        Command::Redo,
        Command::Copy,
        Command::SelectAll,
        Command::DeleteAnnotation,
        Command::AnnotationDetails,
        Command::TagAll,
        Command::Find,
        Command::FindNext,
        Command::FindPrevious,
        Command::NextAnnotation,
        Command::PreviousAnnotation,
        Command::NextSuggestion,
        Command::PreviousSuggestion,
        Command::Preannotate,
        Command::SuggestLearned,
        Command::SuggestWhileAnnotating,
        Command::SuggestionModel,
        Command::LoadLinkTable,
        Command::Agreement,
        Command::Curate,
        Command::TakeFirst,
        Command::TakeSecond,
        Command::TakeThird,
        Command::TakeAll,
        Command::TakeNeither,
        Command::NextDisagreement,
        Command::PreviousDisagreement,
        Command::EditTags,
        Command::AnnotatorName,
        Command::TogglePanel,
        Command::MenuBar,
        Command::SnapToWord,
        Command::GoToStart,
        Command::GoToEnd,
        Command::SelectToStart,
        Command::SelectToEnd,
        Command::CliticWords,
        Command::ZoomIn,
        Command::ZoomOut,
        Command::ZoomReset,
        Command::TextLarger,
        Command::TextSmaller,
        Command::ToggleTheme,
    ];

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Command::Open => "Open…",
            Command::OpenFolder => "Open Folder…",
            Command::NextDocument => "Next Document",
            Command::PreviousDocument => "Previous Document",
            Command::MarkFinished => "Mark as Finished",
            Command::OpenSample => "Open the Sample Article",
            Command::Save => "Save Annotations",
            Command::SaveAs => "Save Annotations As…",
            Command::Export => "Export…",
            Command::Import => "Import…",
            Command::Quit => "Quit",
            Command::Undo => "Undo",
            Command::Redo => "Redo",
            Command::DeleteAnnotation => "Delete Annotation",
            Command::TagAll => "Tag All Occurrences",
            Command::Find => "Find…",
            Command::FindNext => "Find Next",
            Command::FindPrevious => "Find Previous",
            Command::Preannotate => "Pre-annotate from List…",
            Command::SuggestLearned => "Suggest from Annotations",
            Command::SuggestWhileAnnotating => "Suggest While Annotating",
            Command::SuggestionModel => "Suggestion Model…",
            Command::LoadLinkTable => "Load Link Table…",
            Command::AnnotatorName => "Annotator Name…",
            Command::Agreement => "Agreement…",
            Command::Curate => "Curate…",
            Command::TakeFirst => "Take the First Annotator's Version",
            Command::TakeSecond => "Take the Second Annotator's Version",
            Command::TakeThird => "Take the Third Annotator's Version",
            Command::TakeAll => "Take All Versions",
            Command::TakeNeither => "Take Neither",
            Command::NextDisagreement => "Next Disagreement",
            Command::PreviousDisagreement => "Previous Disagreement",
            Command::NextAnnotation => "Next Annotation",
            Command::PreviousAnnotation => "Previous Annotation",
            Command::NextSuggestion => "Next Suggestion",
            Command::PreviousSuggestion => "Previous Suggestion",
            Command::EditTags => "Tags…",
            Command::TogglePanel => "Annotation Panel",
            Command::MenuBar => "Menu Bar",
            Command::SnapToWord => "Snap Selection to Words",
            Command::GoToStart => "Go to Start",
            Command::GoToEnd => "Go to End",
            Command::SelectToStart => "Select to Start",
            Command::SelectToEnd => "Select to End",
            Command::CliticWords => "Clitics as Words",
            Command::AnnotationDetails => "Annotation Details",
            Command::Copy => "Copy",
            Command::SelectAll => "Select All",
            Command::ZoomIn => "Zoom In",
            Command::ZoomOut => "Zoom Out",
            Command::ZoomReset => "Actual Size",
            Command::TextLarger => "Larger Text",
            Command::TextSmaller => "Smaller Text",
            Command::ToggleTheme => "Dark Theme",
        }
    }

    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Command::Open => "Open a text file",
            Command::OpenFolder => {
                "Work through a folder of documents: listed beside the text with their counts"
            }
            Command::NextDocument => "Open the next document of the folder",
            Command::PreviousDocument => "Open the previous document of the folder",
            Command::MarkFinished => {
                "Mark this document finished (or not); kept with its annotations"
            }
            Command::OpenSample => "Open the bundled Arabic sample article",
            Command::Save => {
                "Write the annotations to the sidecar file next to the text (the text itself is never written)"
            }
            Command::SaveAs => "Write the annotations to a file you choose",
            Command::Export => {
                "Write the annotations as tagged notes, CSV, JSONL, brat, CoNLL or W3C"
            }
            Command::Import => "Bring in annotations from brat, CoNLL or JSONL",
            Command::Quit => "Close the window",
            Command::Undo => "Undo the last change to the annotations or tags",
            Command::Redo => "Redo what was undone",
            Command::DeleteAnnotation => "Delete the selected annotation",
            Command::TagAll => {
                "Review every other mention of the selected (or just made) annotation's text to tag it too"
            }
            Command::Find => "Search the text, ignoring harakat and letter variants",
            Command::FindNext => "Go to the next match",
            Command::FindPrevious => "Go to the previous match",
            Command::Preannotate => {
                "Propose annotations for every name in a list (NAME<TAB>TAG a line)"
            }
            Command::SuggestLearned => {
                "Suggest each text already tagged in this folder's documents wherever it occurs here unannotated"
            }
            Command::SuggestWhileAnnotating => {
                "Learned suggestions follow your annotations, acceptances and rejections as you make them"
            }
            Command::SuggestionModel => {
                "Run a named-entity model from a folder on disk (as a model hub gives it) over this document"
            }
            Command::LoadLinkTable => {
                "A knowledge-base table (ID<TAB>LABEL<TAB>ALIASES a line) to link annotations to its entries"
            }
            Command::AnnotatorName => "The name recorded on every annotation you make",
            Command::Agreement => {
                "Agreement between annotators' folders: span F1, Cohen's kappa, Krippendorff's alpha"
            }
            Command::Curate => {
                "Make the curated version from annotators' copies: agreed annotations merged, disagreements decided one by one"
            }
            Command::TakeFirst => "Keep the first annotator's version of this disagreement",
            Command::TakeSecond => "Keep the second annotator's version of this disagreement",
            Command::TakeThird => "Keep the third annotator's version of this disagreement",
            Command::TakeAll => "Keep every annotator's version of this disagreement (both)",
            Command::TakeNeither => "Keep none of this disagreement's versions",
            Command::NextDisagreement => "Go to the next disagreement not decided yet",
            Command::PreviousDisagreement => "Go to the previous disagreement not decided yet",
            Command::NextAnnotation => "Select the next annotation in the text and scroll to it",
            Command::PreviousAnnotation => {
                "Select the previous annotation in the text and scroll to it"
            }
            Command::NextSuggestion => "Select the next suggestion's text (a tag key then tags it)",
            Command::PreviousSuggestion => "Select the previous suggestion's text",
            Command::EditTags => "Add, rename, recolour, rekey and reorder tags",
            Command::TogglePanel => "Show or hide the list of annotations",
            Command::MenuBar => {
                "Move the keyboard to the menu bar: Left and Right go from menu to menu, Enter opens one, Escape goes back to the text"
            }
            Command::SnapToWord => "Extend a selection to whole words before tagging it",
            Command::GoToStart => "Move the caret to the beginning of the document",
            Command::GoToEnd => "Move the caret to the end of the document",
            Command::SelectToStart => "Extend the selection to the beginning of the document",
            Command::SelectToEnd => "Extend the selection to the end of the document",
            Command::CliticWords => {
                "Ctrl+Shift+arrow stops after a leading و ف ب ك ل or the article ال, to select a name without it"
            }
            Command::AnnotationDetails => {
                "Open the selected annotation's details: tag, note, attributes, links (Escape closes)"
            }
            Command::Copy => "Copy the selected text",
            Command::SelectAll => "Select the whole document",
            Command::ZoomIn => "Make everything larger",
            Command::ZoomOut => "Make everything smaller",
            Command::ZoomReset => "Reset the zoom to 100%",
            Command::TextLarger => "Increase the document's text size",
            Command::TextSmaller => "Decrease the document's text size",
            Command::ToggleTheme => "Switch between light and dark",
        }
    }

    #[must_use]
    pub fn shortcuts(self) -> Vec<KeyboardShortcut> {
        const CMD: Modifiers = Modifiers::COMMAND;
        let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        match self {
            Command::Open => vec![KeyboardShortcut::new(CMD, Key::O)],
            Command::OpenFolder => vec![KeyboardShortcut::new(cmd_shift, Key::O)],
            Command::NextDocument => vec![KeyboardShortcut::new(CMD, Key::PageDown)],
            Command::PreviousDocument => vec![KeyboardShortcut::new(CMD, Key::PageUp)],
            Command::Save => vec![KeyboardShortcut::new(CMD, Key::S)],
            Command::SaveAs => vec![KeyboardShortcut::new(cmd_shift, Key::S)],
            Command::Export => vec![KeyboardShortcut::new(CMD, Key::E)],
            Command::Import => vec![KeyboardShortcut::new(CMD, Key::I)],
            Command::Undo => vec![KeyboardShortcut::new(CMD, Key::Z)],
            Command::Redo => vec![
                KeyboardShortcut::new(cmd_shift, Key::Z),
                KeyboardShortcut::new(CMD, Key::Y),
            ],
            Command::DeleteAnnotation => vec![KeyboardShortcut::new(Modifiers::NONE, Key::Delete)],
            Command::TagAll => vec![KeyboardShortcut::new(CMD, Key::T)],
            Command::TogglePanel => vec![KeyboardShortcut::new(Modifiers::NONE, Key::F9)],
            Command::MenuBar => vec![KeyboardShortcut::new(Modifiers::NONE, Key::F10)],
            Command::Find => vec![KeyboardShortcut::new(CMD, Key::F)],
            Command::FindNext => vec![KeyboardShortcut::new(Modifiers::NONE, Key::F3)],
            Command::FindPrevious => vec![KeyboardShortcut::new(Modifiers::SHIFT, Key::F3)],
            Command::NextAnnotation => vec![
                KeyboardShortcut::new(Modifiers::NONE, Key::Tab),
                KeyboardShortcut::new(Modifiers::NONE, Key::F4),
            ],
            Command::PreviousAnnotation => vec![
                KeyboardShortcut::new(Modifiers::SHIFT, Key::Tab),
                KeyboardShortcut::new(Modifiers::SHIFT, Key::F4),
            ],
            Command::NextSuggestion => vec![KeyboardShortcut::new(Modifiers::NONE, Key::F6)],
            Command::PreviousSuggestion => vec![KeyboardShortcut::new(Modifiers::SHIFT, Key::F6)],
            Command::Quit => vec![KeyboardShortcut::new(CMD, Key::Q)],
            Command::Copy => vec![KeyboardShortcut::new(CMD, Key::C)],
            Command::SelectAll => vec![KeyboardShortcut::new(CMD, Key::A)],
            Command::ZoomIn => vec![
                KeyboardShortcut::new(CMD, Key::Equals),
                KeyboardShortcut::new(CMD, Key::Plus),
            ],
            Command::ZoomOut => vec![KeyboardShortcut::new(CMD, Key::Minus)],
            Command::ZoomReset => vec![KeyboardShortcut::new(CMD, Key::Num0)],
            Command::TextLarger => vec![KeyboardShortcut::new(cmd_shift, Key::Period)],
            Command::TextSmaller => vec![KeyboardShortcut::new(cmd_shift, Key::Comma)],
            Command::GoToStart => vec![KeyboardShortcut::new(CMD, Key::Home)],
            Command::GoToEnd => vec![KeyboardShortcut::new(CMD, Key::End)],
            Command::SelectToStart => vec![KeyboardShortcut::new(cmd_shift, Key::Home)],
            Command::SelectToEnd => vec![KeyboardShortcut::new(cmd_shift, Key::End)],
            Command::AnnotationDetails => vec![KeyboardShortcut::new(Modifiers::NONE, Key::Enter)],
            Command::TakeFirst => vec![KeyboardShortcut::new(Modifiers::ALT, Key::Num1)],
            Command::TakeSecond => vec![KeyboardShortcut::new(Modifiers::ALT, Key::Num2)],
            Command::TakeThird => vec![KeyboardShortcut::new(Modifiers::ALT, Key::Num3)],
            Command::TakeAll => vec![KeyboardShortcut::new(Modifiers::ALT, Key::A)],
            Command::TakeNeither => vec![KeyboardShortcut::new(Modifiers::ALT, Key::N)],
            Command::NextDisagreement => vec![KeyboardShortcut::new(Modifiers::NONE, Key::F7)],
            Command::PreviousDisagreement => {
                vec![KeyboardShortcut::new(Modifiers::SHIFT, Key::F7)]
            }
            Command::OpenSample
            | Command::ToggleTheme
            | Command::EditTags
            | Command::SnapToWord
            | Command::Preannotate
            | Command::SuggestLearned
            | Command::SuggestWhileAnnotating
            | Command::SuggestionModel
            | Command::LoadLinkTable
            | Command::Agreement
            | Command::Curate
            | Command::MarkFinished
            | Command::CliticWords
            | Command::AnnotatorName => Vec::new(),
        }
    }

    #[must_use]
    pub fn menu(self) -> Menu {
        match self {
            Command::Open
            | Command::OpenSample
            | Command::Save
            | Command::SaveAs
            | Command::Export
            | Command::Import
            | Command::Quit
            | Command::OpenFolder
            | Command::NextDocument
            | Command::PreviousDocument
            | Command::MarkFinished => Menu::File,
            Command::Undo
            | Command::Redo
            | Command::Copy
            | Command::SelectAll
            | Command::DeleteAnnotation
            | Command::AnnotationDetails
            | Command::TagAll
            | Command::Find
            | Command::FindNext
            | Command::FindPrevious
            | Command::EditTags
            | Command::AnnotatorName => Menu::Edit,
            Command::Preannotate
            | Command::SuggestLearned
            | Command::SuggestWhileAnnotating
            | Command::SuggestionModel
            | Command::LoadLinkTable
            | Command::Agreement
            | Command::NextAnnotation
            | Command::PreviousAnnotation
            | Command::NextSuggestion
            | Command::PreviousSuggestion
            | Command::Curate => Menu::Tools,
            Command::TakeFirst
            | Command::TakeSecond
            | Command::TakeThird
            | Command::TakeAll
            | Command::TakeNeither
            | Command::NextDisagreement
            | Command::PreviousDisagreement => Menu::Curation,
            _ => Menu::View,
        }
    }

    /// The command's name in the interface language.
    #[must_use]
    pub fn title(self) -> std::borrow::Cow<'static, str> {
        crate::i18n::tr(self.label())
    }

    /// What the command does, in the interface language.
    #[must_use]
    pub fn explanation(self) -> std::borrow::Cow<'static, str> {
        crate::i18n::tr(self.description())
    }

    /// The first shortcut as text for menus ("Ctrl+O").
    #[must_use]
    pub fn shortcut_text(self, ctx: &egui::Context) -> Option<String> {
        self.shortcuts().first().map(|s| ctx.format_shortcut(s))
    }
}

/// The shortcut table in Markdown, as the README shows it.
#[must_use]
pub fn markdown_table() -> String {
    let mut out = String::from("| Command | Keys | Menu |\n|---|---|---|\n");
    for c in Command::ALL {
        let keys: Vec<String> = c
            .shortcuts()
            .iter()
            .map(|s| {
                s.format(
                    &egui::ModifierNames {
                        is_short: true,
                        ..egui::ModifierNames::NAMES
                    },
                    false,
                )
            })
            .collect();
        let keys = if keys.is_empty() {
            "—".to_owned()
        } else {
            keys.join(", ")
        };
        out.push_str(&format!(
            "| {} | {} | {:?} |\n",
            c.label().trim_end_matches('…'),
            keys,
            c.menu()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Command, Menu};

    #[test]
    fn every_command_and_menu_has_arabic() {
        let mut missing: Vec<&str> = Vec::new();
        for c in Command::ALL {
            missing.extend(
                [c.label(), c.description()]
                    .into_iter()
                    .filter(|s| crate::i18n::arabic(s).is_none()),
            );
        }
        for m in ["File", "Edit", "Tools", "Curation", "View"] {
            if crate::i18n::arabic(m).is_none() {
                missing.push(m);
            }
        }
        let _ = Menu::File.title();
        assert!(missing.is_empty(), "no Arabic for: {missing:#?}");
    }
    #[test]
    fn readme_lists_every_shortcut_from_the_table() {
        let readme = include_str!("../../README.md");
        let table = super::markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's shortcut table is out of date; paste this:\n{table}"
        );
    }
}
