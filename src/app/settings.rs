//! Settings kept across restarts through eframe's storage: reading comfort and the recent files.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const STORAGE_KEY: &str = "warraq-settings";
pub const MAX_RECENT: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub font_size: f32,
    pub line_spacing: f32,
    pub max_line_width: f32,
    pub dark: bool,
    pub zoom: f32,
    /// Extend selections to whole words before tagging.
    pub snap_to_word: bool,
    /// Show the annotation panel.
    pub show_panel: bool,
    /// Ctrl+Shift+arrows stop after a leading clitic or the article (View ▸ Clitics as Words).
    pub clitic_words: bool,
    /// The knowledge-base table links are looked up in (Tools ▸ Load Link Table…).
    pub link_table: Option<PathBuf>,
    /// The name recorded on every annotation made in the window (Edit ▸ Annotator Name…).
    pub annotator: String,
    /// The interface language chosen in View ▸ Language; `None` follows the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
    pub language: Option<crate::i18n::Language>,
    /// Numbers in the interface written with Arabic-Indic digits.
    pub arabic_digits: bool,
    /// Learned suggestions follow the annotations as they are made (Tools ▸ Suggest While Annotating).
    pub learn_live: bool,
    /// The suggestion model's folder (Tools ▸ Suggestion Model…).
    pub model_folder: Option<PathBuf>,
    /// The panel lists suggestions least certain first (otherwise in text order).
    pub suggestions_by_score: bool,
    /// Accept Above in the panel accepts the suggestions scoring at least this.
    pub accept_threshold: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            font_size: 22.0,
            line_spacing: 1.2,
            max_line_width: 760.0,
            dark: false,
            zoom: 1.0,
            snap_to_word: true,
            show_panel: true,
            clitic_words: false,
            link_table: None,
            annotator: system_user(),
            language: None,
            arabic_digits: false,
            learn_live: true,
            model_folder: None,
            suggestions_by_score: false,
            accept_threshold: 0.9,
        }
    }
}

/// The user's login name, the default annotator name (empty when the system does not say).
#[must_use]
pub fn system_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

impl Settings {
    /// Puts a file at the top of the recent list (at most [`MAX_RECENT`], no duplicates).
    pub fn remember(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(MAX_RECENT);
    }

    #[must_use]
    pub fn load(storage: &dyn eframe::Storage) -> Option<Self> {
        eframe::get_value(storage, STORAGE_KEY)
    }

    pub fn save(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, self);
    }
}
