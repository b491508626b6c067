//! The sandbox's only window on the spec (`alipay_api::schema`): which methods
//! exist and of what kind, whether a request is valid, and plausible answers for
//! methods without a behaviour model. When the runtime's schema API changes, this
//! module is the one to adapt.

mod notification;
mod synth;

use alipay_api::request::{CallKind, Placement};
use alipay_api::schema::{self, MethodSchema};
use serde_json::Value;

use crate::call::Params;
use crate::reply::{Failure, Node};

pub use notification::{
    notification_names, sample_notification, NotificationSigning, SampleNotification,
};
pub use synth::{sample_request, SampleRequest};

/// A method the spec describes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Method(&'static MethodSchema);

/// The spec's description of `name`, if it has one.
pub(crate) fn method(name: &str) -> Option<Method> {
    schema::method(name).map(Method)
}

impl Method {
    /// The method's name, e.g. `alipay.trade.query`.
    pub(crate) fn name(self) -> &'static str {
        self.0.meta.method
    }

    /// Whether the buyer's browser brings the request (page payments): answers are
    /// pages, not JSON.
    pub(crate) fn is_page(self) -> bool {
        self.0.meta.kind == CallKind::PageRedirect
    }

    /// Checks the business content and text parameters against the spec, and that
    /// every required file part is there.
    pub(crate) fn validate(self, biz: Option<&Value>, p: &Params) -> Result<(), Failure> {
        let method = self.name();
        if let Err(e) = schema::validate_params(self.0, biz, &|k| p.get(k).map(str::to_owned)) {
            let detail: Vec<String> = e.violations().iter().map(ToString::to_string).collect();
            return Err(Failure::invalid_param(method, &detail.join("; ")));
        }
        let missing_file = self
            .0
            .params
            .iter()
            .filter(|f| f.placement == Placement::File && f.required)
            .find(|f| !p.files.iter().any(|x| x.field == f.name));
        match missing_file {
            Some(f) => Err(Failure::invalid_param(
                method,
                &format!(
                    "`{}`: the file part is missing; send it as multipart/form-data",
                    f.name
                ),
            )),
            None => Ok(()),
        }
    }

    /// Whether the request parameter `field` accepts `#EMPTY#` to erase what is
    /// stored (`clearable` in the spec).
    pub(crate) fn clearable(self, field: &str) -> bool {
        self.0.params.iter().any(|f| f.name == field && f.clearable)
    }

    /// Whether the response has a field named `name`.
    pub(crate) fn answers_with(self, name: &str) -> bool {
        self.0.response.iter().any(|f| f.name == name)
    }

    /// A success node with a plausible value for every response field; fields
    /// named like a request parameter echo what `lookup` finds for that name.
    pub(crate) fn synthesized_answer(self, lookup: &dyn Fn(&str) -> Option<Value>) -> Node {
        let mut n = Node::success();
        for (k, v) in synth::response_fields(self.0, lookup) {
            n.set(&k, v);
        }
        n
    }
}
