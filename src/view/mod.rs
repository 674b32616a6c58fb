//! egui widgets on the text engine. Every piece of Arabic text the user sees is drawn by these, never by
//! `egui::Label` or `egui::TextEdit` (egui has no bidi and no right-to-left paragraph layout).
//!
//! - [`chrome`]: interface strings in egui's widgets (buttons, menus, titles) laid out by the engine.
//! - [`text_kit`]: the engine, glyph atlas and egui texture shared by all widgets of a window.
//! - [`document_view`]: the scrolling document with mouse selection.
//! - [`rtl_label`]: a label for short Arabic (or mixed) strings in panels and the status bar.
//! - [`rtl_input`]: a single- or multi-line text input (caret, selection, typing, clipboard).

pub mod arcs;
pub mod chrome;
pub mod document_view;
pub mod highlights;
pub mod rtl_input;
pub mod rtl_label;
pub mod text_kit;

pub use document_view::{Dispute, DocumentView, Overlay, Version, ViewResponse};
pub use rtl_input::{RtlInput, RtlInputState};
pub use rtl_label::RtlLabel;
pub use text_kit::TextKit;
