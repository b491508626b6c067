//! The few HTML pages the buyer's browser sees (refusals, the cashier, receipts).

use crate::reply::Failure;

/// Text escaped for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A page with a title and an HTML body (already escaped by the caller).
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<h1>{}</h1>\n{body}\n</body></html>\n",
        esc(title),
        esc(title)
    )
}

/// What the browser sees when a page request is refused: the codes an app would
/// get, in elements tests can find by id.
pub(crate) fn error_page(f: &Failure) -> String {
    page(
        "Payment request rejected",
        &format!(
            "<p>code: <code id=\"code\">{}</code></p>\n<p>sub_code: <code id=\"sub_code\">{}</code></p>\n<p id=\"sub_msg\">{}</p>",
            esc(f.code),
            esc(&f.sub_code),
            esc(&f.sub_msg)
        ),
    )
}
