//! Human text by default, one JSON document with `--json`.

use std::process::ExitCode;

use serde::Serialize;

/// What a command found, printable both ways.
pub trait Report: Serialize {
    /// The text a person reads.
    fn human(&self) -> String;

    /// The exit code: 0 when the command's check came out positive, otherwise
    /// [`crate::error::EXIT_NEGATIVE`] (or another code of [`crate::error`]).
    fn exit_code(&self) -> u8 {
        0
    }
}

/// Prints a report and returns its exit code.
pub fn emit(report: &impl Report, json: bool) -> ExitCode {
    let text = if json {
        serde_json::to_string_pretty(report)
            // Our reports are plain data; this cannot fail, but never panic.
            .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
    } else {
        report.human().trim_end().to_owned()
    };
    print_line(&text);
    ExitCode::from(report.exit_code())
}

/// Writes a line to stdout; a closed pipe (`alipay … | head`) is not an error.
pub fn print_line(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Indents every line of `text` by two spaces.
pub fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
