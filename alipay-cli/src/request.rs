//! `alipay sign` and `alipay call`: any method by name, checked against the spec
//! when the spec has it, signed by the same client the SDK uses.

use alipay_api::config::parse_gateway;
use alipay_api::{schema, BeijingDateTime, CallOptions, Client, GenericRequest};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{CliError, EXIT_NEGATIVE, EXIT_OUTCOME_UNKNOWN};
use crate::output::{indent, Report};
use crate::settings::Loaded;

/// Protocol parameters: the runtime puts these in the URL query, every other
/// parameter in the body.
const PROTOCOL_PARAMS: &[&str] = &[
    "notify_url",
    "return_url",
    "app_auth_token",
    "auth_token",
    "target_app_id",
];

/// The local gateway's address for `--gateway local` (`alipay gateway --port 8080`).
pub const LOCAL_PORT: u16 = 8080;

/// The largest `--biz` file read.
const MAX_BIZ: usize = 4 << 20;

/// What to send.
#[derive(Debug, clap::Args)]
pub struct RequestArgs {
    /// The method, e.g. alipay.trade.query.
    pub method: String,
    /// biz_content: JSON text, @FILE, or - for stdin.
    #[arg(long, value_name = "JSON")]
    pub biz: Option<String>,
    /// Another parameter, repeatable. notify_url, return_url, app_auth_token,
    /// auth_token and target_app_id go in the URL query; others in the body.
    #[arg(long = "param", value_name = "K=V", value_parser = parse_kv)]
    pub params: Vec<(String, String)>,
    /// production, sandbox, local (127.0.0.1:8080), local:PORT or a URL; default:
    /// the configured gateway.
    #[arg(long)]
    pub gateway: Option<String>,
}

fn parse_kv(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not K=V")),
    }
}

/// A gateway setting with the command line's extra `local[:PORT]`.
pub fn gateway_url(text: &str) -> Result<String, CliError> {
    let local = |port: &str| -> Result<String, CliError> {
        let port: u16 = port.parse().map_err(|_| {
            CliError::input(format!("`{port}` is not a port in --gateway local:PORT"))
        })?;
        Ok(format!("http://127.0.0.1:{port}/gateway.do"))
    };
    match text.trim() {
        "local" => local(&LOCAL_PORT.to_string()),
        t => match t.strip_prefix("local:") {
            Some(port) => local(port),
            None => Ok(parse_gateway(t)?.url().to_owned()),
        },
    }
}

fn biz_text(arg: &str) -> Result<String, CliError> {
    let raw = match arg.strip_prefix('@') {
        Some(path) => crate::error::read_input(path, MAX_BIZ)?,
        None if arg == "-" => crate::error::read_input("-", MAX_BIZ)?,
        None => return Ok(arg.trim().to_owned()),
    };
    String::from_utf8(raw)
        .map(|s| s.trim().to_owned())
        .map_err(|_| CliError::input("--biz: the file is not UTF-8 text"))
}

/// The request, checked against the spec when the method is in it.
pub struct Prepared {
    /// The request.
    pub request: GenericRequest,
    /// Per-call protocol parameters.
    pub options: CallOptions,
    /// Whether the spec knows the method (and the request passed its checks).
    pub in_spec: bool,
}

/// Builds and checks the request; nothing is signed or sent.
pub fn prepare(args: &RequestArgs) -> Result<Prepared, CliError> {
    let m = &args.method;
    if m.is_empty()
        || !m
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_')
    {
        return Err(CliError::input(format!(
            "`{m}` is not a method name (e.g. alipay.trade.query)"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some((k, _)) = args.params.iter().find(|(k, _)| !seen.insert(k.as_str())) {
        return Err(CliError::input(format!("--param {k} is given twice")));
    }
    let biz = match &args.biz {
        None => None,
        Some(arg) => {
            let text = biz_text(arg)?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| CliError::input(format!("--biz is not JSON ({e})")))?;
            if !value.is_object() {
                return Err(CliError::input("--biz must be a JSON object ({…})"));
            }
            Some((text, value))
        }
    };
    let mut request = GenericRequest::new(m.clone());
    let mut options = CallOptions::new();
    let spec = schema::method(m);
    if let Some(s) = spec {
        let lookup = |name: &str| {
            args.params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        schema::validate_params(s, biz.as_ref().map(|(_, v)| v), &lookup)?;
        request = request.version(s.meta.version).encrypt(s.meta.encryptable);
        for code in s.meta.extra_success_result_codes {
            request = request.success_result_code(*code);
        }
        for (k, v) in s.meta.fixed_params {
            options = options.param(k, *v);
        }
    }
    if let Some((text, _)) = biz {
        // Sent exactly as given: the string to sign is then the one the user wrote.
        request = request.biz_content_text(text);
    }
    for (k, v) in &args.params {
        if PROTOCOL_PARAMS.contains(&k.as_str()) {
            options = options.param(k, v.clone());
        } else {
            request = request.text(k.clone(), v.clone());
        }
    }
    Ok(Prepared {
        request,
        options,
        in_spec: spec.is_some(),
    })
}

/// The client for `loaded`, with the command line's gateway and clock.
pub fn client(
    loaded: &Loaded,
    gateway: Option<&str>,
    timestamp: Option<BeijingDateTime>,
) -> Result<Client, CliError> {
    let mut b = loaded.config.builder()?;
    if let Some(g) = gateway {
        b = b.gateway_url(gateway_url(g)?);
    }
    if let Some(t) = timestamp {
        b = b.clock(move || t);
    }
    Ok(b.build()?)
}

/// `alipay sign` options.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// The timestamp to sign ("yyyy-MM-dd HH:mm:ss", Beijing time) instead of now,
    /// to compare with another SDK's output.
    #[arg(long)]
    pub timestamp: Option<String>,
}

/// What `alipay sign` prints.
#[derive(Debug, Serialize)]
pub struct SignReport {
    /// The method.
    pub method: String,
    /// Whether the spec knows the method (its rules were checked).
    pub checked_against_spec: bool,
    /// `sign_type`.
    pub sign_type: String,
    /// The exact string that was signed.
    pub string_to_sign: String,
    /// The signature (base64), as sent in `sign`.
    pub signature: String,
    /// The POST URL (protocol parameters in the query).
    pub url: String,
    /// The form body (`application/x-www-form-urlencoded`).
    pub body: String,
}

/// `alipay sign`.
pub fn sign(loaded: &Loaded, args: &SignArgs) -> Result<SignReport, CliError> {
    let prepared = prepare(&args.request)?;
    let timestamp = args
        .timestamp
        .as_deref()
        .map(|t| {
            t.parse::<BeijingDateTime>().map_err(|e| {
                CliError::input(format!("--timestamp: {e} (write yyyy-MM-dd HH:mm:ss)"))
            })
        })
        .transpose()?;
    let client = client(loaded, args.request.gateway.as_deref(), timestamp)?;
    let signed = client
        .sign_request(&prepared.request, &prepared.options)
        .map_err(CliError::call)?;
    let param = |k: &str| {
        signed
            .all_params()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default()
    };
    Ok(SignReport {
        method: args.request.method.clone(),
        checked_against_spec: prepared.in_spec,
        sign_type: param("sign_type"),
        signature: param("sign"),
        url: signed.url(client.gateway()),
        body: signed.form_body(),
        string_to_sign: signed.sign_content.clone(),
    })
}

impl Report for SignReport {
    fn human(&self) -> String {
        format!(
            "{} ({}; {})\n\nString to sign:\n{}\n\nSignature:\n{}\n\nPOST {}\nContent-Type: application/x-www-form-urlencoded;charset=utf-8\n\n{}\n",
            self.method,
            self.sign_type,
            if self.checked_against_spec {
                "parameters checked against the spec"
            } else {
                "not in the spec: parameters sent unchecked"
            },
            indent(&self.string_to_sign),
            indent(&self.signature),
            self.url,
            self.body
        )
    }
}

/// What `alipay call` prints.
#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum CallReport {
    /// Verified and successful: the response node without code/msg.
    Success {
        /// The method.
        method: String,
        /// The verified response fields.
        response: Map<String, Value>,
    },
    /// Alipay answered with a signed, verified failure (an unsigned one is an error:
    /// its outcome is unknown).
    Declined {
        /// The method.
        method: String,
        /// `code`.
        code: String,
        /// `msg`.
        msg: String,
        /// `sub_code`.
        sub_code: Option<String>,
        /// `sub_msg`.
        sub_msg: Option<String>,
        /// Whether the call may still have taken effect (query before retrying).
        outcome_unknown: bool,
    },
}

/// `alipay call`.
pub fn call(loaded: &Loaded, args: &RequestArgs) -> Result<CallReport, CliError> {
    let prepared = prepare(args)?;
    let client = client(loaded, args.gateway.as_deref(), None)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the async runtime ({e})")))?;
    let method = args.method.clone();
    match runtime.block_on(client.execute_with(&prepared.request, &prepared.options)) {
        Ok(response) => Ok(CallReport::Success { method, response }),
        Err(e) => match e.api() {
            Some(api) => Ok(CallReport::Declined {
                method,
                // The error's own rule (not only the API code): it knows which
                // answers leave the outcome open.
                outcome_unknown: e.outcome_unknown(),
                code: api.code.clone(),
                msg: api.msg.clone(),
                sub_code: api.sub_code.clone(),
                sub_msg: api.sub_msg.clone(),
            }),
            None => Err(CliError::call(e)),
        },
    }
}

impl Report for CallReport {
    fn human(&self) -> String {
        match self {
            CallReport::Success { method, response } => format!(
                "{method}: success (signature verified)\n{}\n",
                serde_json::to_string_pretty(response).unwrap_or_default()
            ),
            CallReport::Declined {
                method,
                code,
                msg,
                sub_code,
                sub_msg,
                outcome_unknown,
            } => {
                let mut s = format!(
                    "{method}: declined: {code} {msg}\n  sub_code: {}\n  sub_msg:  {}\n",
                    sub_code.as_deref().unwrap_or("-"),
                    sub_msg.as_deref().unwrap_or("-")
                );
                if *outcome_unknown {
                    s.push_str(
                        "The outcome is unknown: the call may have taken effect. Query before retrying.\n",
                    );
                }
                s
            }
        }
    }

    fn exit_code(&self) -> u8 {
        match self {
            CallReport::Success { .. } => 0,
            CallReport::Declined {
                outcome_unknown: true,
                ..
            } => EXIT_OUTCOME_UNKNOWN,
            CallReport::Declined { .. } => EXIT_NEGATIVE,
        }
    }
}
