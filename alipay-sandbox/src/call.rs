//! A call as a behaviour model sees it: verified, decrypted and valid against the
//! spec, with typed accessors for what models need.

use std::collections::HashMap;

use alipay_api::{Amount, SignType};
use bytes::Bytes;
use serde_json::{Map, Value};

use crate::env::Env;
use crate::outbox::{Content, Notice};
use crate::reply::Failure;

/// A file part of a multipart request.
#[derive(Debug, Clone)]
pub(crate) struct FilePart {
    pub(crate) field: String,
    pub(crate) file_name: String,
    pub(crate) content_type: Option<String>,
    pub(crate) bytes: Bytes,
}

/// Every parameter of one request, decoded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    /// Text parameters in arrival order; names are unique.
    pub(crate) pairs: Vec<(String, String)>,
    index: HashMap<String, usize>,
    pub(crate) files: Vec<FilePart>,
    /// The charset the request was decoded with (its `charset` label, lowercase).
    pub(crate) charset: String,
}

impl Params {
    /// No parameters yet, decoded in `charset`.
    pub(crate) fn new(charset: String) -> Self {
        Params {
            charset,
            ..Params::default()
        }
    }

    /// Adds a text parameter. A repeated name is accepted when the value is the
    /// same; `Err` names a conflicting repeat.
    pub(crate) fn push(&mut self, k: String, v: String) -> Result<(), String> {
        match self.index.get(&k).and_then(|&i| self.pairs.get(i)) {
            Some((_, old)) if *old == v => Ok(()),
            Some(_) => Err(k),
            None => {
                self.index.insert(k.clone(), self.pairs.len());
                self.pairs.push((k, v));
                Ok(())
            }
        }
    }

    /// A text parameter.
    pub(crate) fn get(&self, k: &str) -> Option<&str> {
        let i = *self.index.get(k)?;
        self.pairs.get(i).map(|(_, v)| v.as_str())
    }

    /// A parameter that is present and not empty.
    pub(crate) fn non_empty(&self, k: &str) -> Option<&str> {
        self.get(k).filter(|v| !v.is_empty())
    }
}

/// One call being answered by a model.
pub(crate) struct Call<'a> {
    /// The gateway's shared world: settings, clock, state, outbox.
    pub(crate) env: &'a Env,
    /// The method, as the spec names it.
    pub(crate) method: &'a str,
    /// The request's top-level parameters and file parts.
    pub(crate) params: &'a Params,
    /// `biz_content`, parsed (empty when the method takes none).
    pub(crate) biz: &'a Map<String, Value>,
    /// How the request was signed; answers and notifications use the same.
    pub(crate) sign_type: SignType,
}

impl Call<'_> {
    /// A business parameter as text (strings as is, numbers printed), falling back
    /// to a top-level parameter of that name.
    pub(crate) fn text(&self, k: &str) -> Option<String> {
        match self.biz.get(k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => self.params.non_empty(k).map(str::to_owned),
        }
    }

    /// A required business parameter.
    pub(crate) fn required(&self, k: &str) -> Result<String, Failure> {
        self.text(k)
            .ok_or_else(|| self.invalid(&format!("`{k}` is required")))
    }

    /// A required amount.
    pub(crate) fn amount(&self, k: &str) -> Result<Amount, Failure> {
        self.text(k)
            .and_then(|t| t.parse::<Amount>().ok())
            .ok_or_else(|| self.invalid(&format!("`{k}` is missing or not an amount")))
    }

    /// The "invalid parameter" failure in the flavour of this method's product.
    pub(crate) fn invalid(&self, detail: &str) -> Failure {
        Failure::invalid_param(self.method, detail)
    }

    /// The app that made the call.
    pub(crate) fn app_id(&self) -> &str {
        self.params.non_empty("app_id").unwrap_or(&self.env.app_id)
    }

    /// Where notifications about what this call started go, if anywhere.
    pub(crate) fn notify_url(&self) -> Option<&str> {
        self.params.non_empty("notify_url")
    }

    /// Where the buyer's browser returns after a page flow.
    pub(crate) fn return_url(&self) -> Option<&str> {
        self.params.non_empty("return_url")
    }

    /// The request's charset: answers and notifications are encoded in it.
    pub(crate) fn charset(&self) -> &str {
        &self.params.charset
    }

    /// A file part by field name.
    pub(crate) fn file(&self, field: &str) -> Option<&FilePart> {
        self.params.files.iter().find(|f| f.field == field)
    }

    /// Posts a message notification (`msg_method`, fields in `biz_content`) to the
    /// app gateway, in this request's charset and signature type. Alipay sends
    /// messages only to an app gateway, never to a `notify_url`; without one
    /// configured nothing is sent.
    pub(crate) fn notify_message(&self, msg_method: &'static str, biz: serde_json::Value) {
        let Some(url) = self.env.app_gateway() else {
            return;
        };
        self.env.notify(Notice {
            url,
            charset: self.charset().to_owned(),
            sign_type: self.sign_type,
            content: Content::Message { msg_method, biz },
        });
    }
}
