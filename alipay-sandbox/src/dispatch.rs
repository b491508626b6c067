//! Who answers a verified, spec-valid call: the product model that declares the
//! method, or else the spec (typed, plausible values; request fields echoed).

use serde_json::Value;

use crate::call::Call;
use crate::html;
use crate::reply::{Answer, Failure, Page};
use crate::spec;

/// Answers a call with its model, or from the spec when no model declares it.
pub(crate) fn answer(call: &Call<'_>, method: spec::Method) -> Result<Answer, Failure> {
    if let Some(model) = crate::models::for_method(call.method) {
        return model.answer(call);
    }
    if method.is_page() {
        // A page flow without a model has no buyer to simulate; say so in the browser.
        return Ok(Answer::Page(Page::Html(html::page(
            "Request accepted",
            &format!(
                "<p>The sandbox has no behaviour model for <code>{}</code>; the request was valid.</p>",
                html::esc(call.method)
            ),
        ))));
    }
    let lookup = |k: &str| {
        call.biz
            .get(k)
            .cloned()
            .or_else(|| call.params.get(k).map(|v| Value::String(v.to_owned())))
    };
    Ok(Answer::Node(method.synthesized_answer(&lookup)))
}
