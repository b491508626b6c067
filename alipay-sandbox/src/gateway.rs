//! The v2 gateway pipeline, transport-free: protocol checks ([`crate::verify`]),
//! spec validation, the answer ([`crate::dispatch`]), then the signed (and under
//! AES encrypted) JSON body, or a page for the buyer's browser.

use alipay_api::SignType;
use serde_json::Map;

use crate::call::{Call, Params};
use crate::env::Env;
use crate::html;
use crate::reply::{self, Answer, Failure, Node, Page, Signing};
use crate::verify::{self, AppKeys};

/// What the transport sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A JSON gateway answer, sent in the request's charset (`utf-8` or `gbk`).
    Json(String, &'static str),
    /// Something for a browser: a redirect, a page, a file, a refusal.
    Page(Page),
}

/// One gateway: the app it serves and the world its models share.
pub(crate) struct Gateway {
    /// The shared world of the models.
    pub(crate) env: Env,
    app: AppKeys,
}

/// How a JSON answer is wrapped: which node, signed or not, encrypted or not.
struct Wrap<'a> {
    charset: &'a str,
    key: &'a str,
    sign_type: SignType,
    signed: bool,
    encrypted: bool,
}

impl Gateway {
    /// A gateway for `app` over `env`.
    pub(crate) fn new(env: Env, app: AppKeys) -> Self {
        Gateway { env, app }
    }

    /// Answers one gateway request.
    pub(crate) fn process(&self, p: &Params) -> Outcome {
        let page = p
            .non_empty("method")
            .and_then(crate::spec::method)
            .is_some_and(|m| m.is_page());
        let refuse = |f: &Failure, wrap: Wrap<'_>| {
            if page {
                Outcome::Page(Page::Html(html::error_page(f)))
            } else {
                self.json(&Node::failure(f), wrap)
            }
        };
        let checked = match verify::check(&self.app, p) {
            Ok(c) => c,
            Err(r) => {
                let wrap = Wrap {
                    charset: &p.charset,
                    key: r.key.as_deref().unwrap_or("error_response"),
                    sign_type: r.sign_type,
                    signed: r.signed,
                    encrypted: false,
                };
                return refuse(&r.failure, wrap);
            }
        };
        let method = checked.method;
        let key = reply::response_key(method.name());
        let wrap = || Wrap {
            charset: &p.charset,
            key: &key,
            sign_type: checked.sign_type,
            signed: true,
            encrypted: checked.encrypted,
        };
        if let Err(f) = method.validate(checked.biz.as_ref(), p) {
            return refuse(&f, wrap());
        }
        let empty = Map::new();
        let call = Call {
            env: &self.env,
            method: method.name(),
            params: p,
            biz: checked
                .biz
                .as_ref()
                .and_then(|b| b.as_object())
                .unwrap_or(&empty),
            sign_type: checked.sign_type,
        };
        match crate::dispatch::answer(&call, method) {
            Ok(Answer::Node(n)) => self.json(&n, wrap()),
            Ok(Answer::Page(pg)) => Outcome::Page(pg),
            Err(f) => refuse(&f, wrap()),
        }
    }

    /// A signed `20000` answer under the method's node (or `error_response`): the
    /// platform failed after the call took effect.
    pub(crate) fn system_error(&self, p: &Params) -> Outcome {
        let key = p
            .non_empty("method")
            .and_then(crate::spec::method)
            .map_or_else(
                || "error_response".to_owned(),
                |m| reply::response_key(m.name()),
            );
        let sign_type = p
            .non_empty("sign_type")
            .and_then(SignType::from_wire)
            .unwrap_or(SignType::Rsa2);
        let f = Failure::unavailable("the service is busy; query the outcome before retrying");
        self.json(
            &Node::failure(&f),
            Wrap {
                charset: &p.charset,
                key: &key,
                sign_type,
                signed: true,
                encrypted: false,
            },
        )
    }

    fn json(&self, node: &Node, w: Wrap<'_>) -> Outcome {
        let charset = crate::charset::canonical(w.charset);
        if !w.signed {
            return Outcome::Json(reply::body(w.key, node, None), charset);
        }
        let platform = self.env.platform();
        let signing = Signing {
            signer: platform.signer.as_ref(),
            sign_type: w.sign_type,
            cert_sn: platform.cert_sn.as_deref(),
            aes: if w.encrypted {
                self.app.aes.as_ref()
            } else {
                None
            },
            charset: w.charset,
        };
        Outcome::Json(reply::body(w.key, node, Some(&signing)), charset)
    }
}
