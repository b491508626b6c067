//! Signing flows: creation (both API forms), query, signing addresses, downloads,
//! revoking and archiving, the signers' actions a test drives, and e签宝's callbacks.

use alipay_api::models::{EsignFlowStatus, EsignSignStatus};
use serde_json::{json, Map, Value};

use super::book::{EsignBook, Flow, Signer};
use super::{esign_failure, files, ids, invalid, required, SEG_DOC, SEG_PREVIEW, SEG_SIGN};
use crate::call::Call;
use crate::env::Env;
use crate::outbox::{Content, Notice};
use crate::reply::{Failure, Node};

/// A JSON value as non-empty text (numbers printed).
fn text(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An array field of the request (empty when absent).
fn list<'a>(v: &'a Map<String, Value>, k: &str) -> &'a [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Which API form created the flow: `contract.signflows.create` names signers by
/// the merchant's ids in a list of signing areas, `sign.flow.create` has one area per
/// file and names the signer by identity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Contract,
    Simple,
}

/// The signers of one signing area: none for the platform's seal.
fn area_signer(form: Form, area: &Value) -> Result<Option<Signer>, String> {
    let signer = area.get("signer").cloned().unwrap_or(Value::Null);
    let (person, org) = match form {
        Form::Contract => {
            if text(area, "sign_field_type").as_deref() == Some("platform") {
                return Ok(None);
            }
            let org = signer
                .get("org")
                .and_then(|o| text(o, "third_party_user_id"));
            if text(area, "sign_field_type").as_deref() == Some("org") && org.is_none() {
                return Err("an `org` signing area needs `signer.org.third_party_user_id`".into());
            }
            (text(&signer, "third_party_user_id"), org)
        }
        Form::Simple => {
            if text(area, "auto_execute").as_deref() == Some("true") {
                return Ok(None);
            }
            let id = ["user_id", "id_number", "mobile", "email", "name"]
                .iter()
                .find_map(|k| text(&signer, k));
            (id, None)
        }
    };
    let person = person.ok_or("a signing area names no signer (`signer.third_party_user_id`)")?;
    Ok(Some(Signer {
        third_party_user_id: person,
        org_third_party_user_id: org,
        status: EsignSignStatus::Waiting,
        order: 0,
    }))
}

/// The signing areas of one file, in either form.
fn areas(form: Form, info: &Value) -> Vec<Value> {
    match (form, info.get("signfields")) {
        (Form::Contract, Some(Value::Array(a))) => a.clone(),
        (Form::Simple, Some(v @ Value::Object(_))) => vec![v.clone()],
        _ => Vec::new(),
    }
}

/// The files and signers of a new flow, checked against the templates.
fn parties(
    c: &Call<'_>,
    form: Form,
    book: &EsignBook,
) -> Result<(Vec<String>, Vec<Signer>), Failure> {
    let infos = list(c.biz, "template_infos");
    if infos.is_empty() {
        return Err(invalid("`template_infos` names no template"));
    }
    let (mut documents, mut signers) = (Vec::new(), Vec::<Signer>::new());
    for info in infos {
        let template_id = text(info, "template_id")
            .ok_or_else(|| invalid("`template_infos.template_id` is required"))?;
        let template = book
            .templates
            .get(&template_id)
            .ok_or_else(|| files::no_template(&template_id))?;
        if !template.uploaded {
            let msg = format!("the file of template `{template_id}` has not been uploaded");
            return Err(esign_failure("TEMPLATE_NOT_UPLOADED", msg));
        }
        documents.push(text(info, "name").unwrap_or_else(|| template.file_name.clone()));
        for area in areas(form, info) {
            let signer = area_signer(form, &area).map_err(|m| invalid(&m))?;
            let Some(mut s) = signer else { continue };
            let known = signers.iter().any(|x| {
                x.third_party_user_id == s.third_party_user_id
                    && x.org_third_party_user_id == s.org_third_party_user_id
            });
            if !known {
                s.order = signers.len() + 1;
                signers.push(s);
            }
        }
    }
    Ok((documents, signers))
}

pub(super) fn create(c: &Call<'_>, form: Form) -> Result<Node, Failure> {
    let config = c.biz.get("config_info").cloned().unwrap_or(Value::Null);
    let mut st = c.env.lock();
    let seq = st.ledger.next_seq();
    let book = st.parts.get_mut::<EsignBook>();
    let (documents, signers) = parties(c, form, book)?;
    let attachments = list(c.biz, "attachments")
        .iter()
        .map(|a| {
            let id =
                text(a, "file_id").ok_or_else(|| invalid("`attachments.file_id` is required"))?;
            files::uploaded_file(book, &id).map(|_| id)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let flow = Flow {
        flow_id: ids::flow(seq),
        business_scene: c.text("business_scene").unwrap_or_default(),
        status: EsignFlowStatus::Signing,
        description: "签署中".into(),
        signers,
        notice_url: text(&config, "notice_developer_url"),
        auto_archive: config
            .get("auto_archive")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        documents,
        attachments,
        contract_validity: config.get("contract_validity").and_then(Value::as_i64),
        started: c.env.now(),
        ended: None,
    };
    let flow_id = flow.flow_id.clone();
    let flow = book.flows.entry(flow_id.clone()).or_insert(flow);
    // Only the platform's seal: the flow is signed as soon as it exists.
    if flow.signers.is_empty() && flow.auto_archive {
        end(c.env, flow, EsignFlowStatus::Completed, "完成");
    }
    let mut n = Node::success();
    n.set("flow_id", flow_id);
    Ok(n)
}

fn no_flow(flow_id: &str) -> Failure {
    esign_failure("FLOW_NOT_EXIST", format!("flow `{flow_id}` does not exist"))
}

fn wrong_state(flow: &Flow, what: &str) -> Failure {
    let msg = format!("flow `{}` is {:?}: {what}", flow.flow_id, flow.status);
    esign_failure("FLOW_STATUS_ERROR", msg)
}

/// Runs `f` on the flow the call names.
fn with_flow<T>(
    c: &Call<'_>,
    f: impl FnOnce(&mut Flow) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let flow_id = required(c, "flow_id")?;
    let mut st = c.env.lock();
    let flow = st
        .parts
        .get_mut::<EsignBook>()
        .flows
        .get_mut(&flow_id)
        .ok_or_else(|| no_flow(&flow_id))?;
    f(flow)
}

fn millis(t: alipay_api::BeijingDateTime) -> i64 {
    t.to_utc().timestamp_millis()
}

pub(super) fn query(c: &Call<'_>) -> Result<Node, Failure> {
    with_flow(c, |f| {
        let mut n = Node::success();
        n.set("business_scene", f.business_scene.as_str());
        n.opt("contract_validity", f.contract_validity);
        n.set("flow_desc", f.description.as_str());
        n.opt("flow_end_time", f.ended.map(millis));
        n.set("flow_id", f.flow_id.as_str());
        n.set("flow_start_time", millis(f.started));
        n.set(
            "flow_status",
            f.status.as_str().parse::<i64>().unwrap_or_default(),
        );
        n.opt("notice_developer_url", f.notice_url.clone());
        let signers: Vec<Value> = f.signers.iter().map(signer_json).collect();
        n.set("signers", Value::Array(signers));
        Ok(n)
    })
}

fn signer_json(s: &Signer) -> Value {
    let mut v = json!({
        "sign_status": s.status.as_str().parse::<i64>().unwrap_or_default(),
        "signer_account_type": if s.org_third_party_user_id.is_some() { 1 } else { 0 },
        "third_party_user_id": s.third_party_user_id,
    });
    if let Some(org) = &s.org_third_party_user_id {
        v["org_third_party_user_id"] = json!(org);
    }
    v
}

pub(super) fn urls(c: &Call<'_>) -> Result<Node, Failure> {
    let who = required(c, "third_party_user_id")?;
    let org = c.text("org_third_party_user_id");
    with_flow(c, |f| {
        let signer = f.signers.iter().find(|s| {
            s.third_party_user_id == who && (org.is_none() || s.org_third_party_user_id == org)
        });
        if signer.is_none() {
            return Err(esign_failure(
                "SIGNER_NOT_EXIST",
                format!("`{who}` is not a signer of flow `{}`", f.flow_id),
            ));
        }
        let task = format!(
            "{}~{}",
            f.flow_id,
            percent_encoding::utf8_percent_encode(&who, percent_encoding::NON_ALPHANUMERIC)
        );
        let base = &c.env.base_url;
        let mut n = Node::success();
        n.set(
            "preview_short_url",
            format!("{base}/sandbox/{SEG_PREVIEW}/{task}"),
        );
        n.set(
            "preview_url",
            format!("{base}/sandbox/{SEG_PREVIEW}/{task}"),
        );
        n.set(
            "sign_short_url",
            format!("{base}/sandbox/{SEG_SIGN}/{task}"),
        );
        n.set("sign_url", format!("{base}/sandbox/{SEG_SIGN}/{task}"));
        Ok(n)
    })
}

pub(super) fn detail(c: &Call<'_>) -> Result<Node, Failure> {
    let (flow_id, document, attachment) = with_flow(c, |f| {
        if f.status != EsignFlowStatus::Completed {
            return Err(wrong_state(
                f,
                "its files can be downloaded once it is completed",
            ));
        }
        Ok((
            f.flow_id.clone(),
            f.documents.first().cloned().unwrap_or_default(),
            f.attachments.first().cloned(),
        ))
    })?;
    let mut n = Node::success();
    if let Some(file_id) = attachment {
        let name = c
            .env
            .lock()
            .parts
            .get_mut::<EsignBook>()
            .files
            .get(&file_id)
            .map(|f| f.file_name.clone());
        n.set(
            "attachments",
            json!({
                "code": "",
                "file_name": name.unwrap_or_default(),
                "file_url": files::file_url(c.env, &file_id),
            }),
        );
    }
    n.set(
        "docs",
        json!({
            "file_name": format!("{document}.pdf"),
            "file_url": format!("{}/sandbox/{SEG_DOC}/{flow_id}", c.env.base_url),
        }),
    );
    Ok(n)
}

pub(super) fn cancel(c: &Call<'_>) -> Result<Node, Failure> {
    let reason = c.text("revoke_reason").unwrap_or_else(|| "撤销".into());
    with_flow(c, |f| {
        if f.status != EsignFlowStatus::Signing {
            return Err(wrong_state(f, "only a flow in signing can be revoked"));
        }
        end(c.env, f, EsignFlowStatus::Revoked, &reason);
        Ok(Node::success())
    })
}

pub(super) fn finish(c: &Call<'_>) -> Result<Node, Failure> {
    with_flow(c, |f| {
        if f.status != EsignFlowStatus::Signing || !f.all_signed() {
            return Err(wrong_state(
                f,
                "only a flow whose signers have all signed can be archived",
            ));
        }
        end(c.env, f, EsignFlowStatus::Completed, "完成");
        Ok(Node::success())
    })
}

/// Why a test's action on a flow was refused.
pub(crate) enum Refusal {
    NoFlow,
    NoSigner,
    FlowState(EsignFlowStatus),
    SignerState(EsignSignStatus),
}

/// A flow that is still signing, for a test's action on it.
fn signing<'a>(book: &'a mut EsignBook, flow_id: &str) -> Result<&'a mut Flow, Refusal> {
    let flow = book.flows.get_mut(flow_id).ok_or(Refusal::NoFlow)?;
    if flow.status != EsignFlowStatus::Signing {
        return Err(Refusal::FlowState(flow.status.clone()));
    }
    Ok(flow)
}

/// What a signer does in the plugin (or on the signing page), as a test drives it.
#[derive(Clone, Copy)]
pub(crate) enum Act<'a> {
    Sign,
    Refuse(&'a str),
}

/// A signer signs or refuses; the callbacks follow.
pub(crate) fn signer_acts(
    env: &Env,
    flow_id: &str,
    who: &str,
    act: Act<'_>,
) -> Result<super::EsignFlow, Refusal> {
    let mut st = env.lock();
    let flow = signing(st.parts.get_mut::<EsignBook>(), flow_id)?;
    let url = flow.notice_url.clone();
    let signer = flow.signer_mut(who).ok_or(Refusal::NoSigner)?;
    if signer.status.is_final() {
        return Err(Refusal::SignerState(signer.status.clone()));
    }
    let (status, result, text) = match act {
        Act::Sign => (EsignSignStatus::Signed, 2, "签署完成"),
        Act::Refuse(reason) => (EsignSignStatus::Refused, 4, reason),
    };
    signer.status = status;
    let update = signer_update(env, flow_id, signer, result, text);
    callback(env, url.as_deref(), "SIGN_FLOW_UPDATE", update);
    match act {
        Act::Refuse(reason) => end(env, flow, EsignFlowStatus::Refused, reason),
        Act::Sign if flow.all_signed() && flow.auto_archive => {
            end(env, flow, EsignFlowStatus::Completed, "完成")
        }
        Act::Sign => {}
    }
    Ok(super::EsignFlow::from(&*flow))
}

/// The signing deadline passes.
pub(crate) fn expire(env: &Env, flow_id: &str) -> Result<super::EsignFlow, Refusal> {
    let mut st = env.lock();
    let flow = signing(st.parts.get_mut::<EsignBook>(), flow_id)?;
    end(env, flow, EsignFlowStatus::Expired, "过期");
    Ok(super::EsignFlow::from(&*flow))
}

/// Ends a flow in `status` and sends the flow-finished callback.
fn end(env: &Env, flow: &mut Flow, status: EsignFlowStatus, description: &str) {
    let now = env.now();
    flow.status = status;
    flow.description = description.to_owned();
    flow.ended = Some(now);
    let body = json!({
        "action": "SIGN_FLOW_FINISH",
        "flowId": flow.flow_id,
        "businessScence": flow.business_scene,
        "flowStatus": flow.status.as_str(),
        "statusDescription": description,
        "createTime": flow.started.to_string(),
        "endTime": now.to_string(),
        "timestamp": millis(now),
    });
    callback(env, flow.notice_url.as_deref(), "SIGN_FLOW_FINISH", body);
}

/// The signer callback's body.
fn signer_update(env: &Env, flow_id: &str, s: &Signer, result: i64, description: &str) -> Value {
    let account = format!("sbx{}", ids::account(&s.third_party_user_id));
    let authorized = match &s.org_third_party_user_id {
        Some(org) => format!("sbx{}", ids::account(org)),
        None => account.clone(),
    };
    let now = env.now();
    json!({
        "action": "SIGN_FLOW_UPDATE",
        "flowId": flow_id,
        "accountId": account,
        "authorizedAccountId": authorized,
        "thirdPartyUserId": s.third_party_user_id,
        "order": s.order,
        "signTime": now.to_string(),
        "signResult": result,
        "resultDescription": description,
        "timestamp": millis(now),
    })
}

/// Posts an e签宝 callback when the flow has a callback address.
fn callback(env: &Env, url: Option<&str>, action: &'static str, body: Value) {
    let Some(url) = url else { return };
    env.notify(Notice {
        url: url.to_owned(),
        charset: "utf-8".into(),
        sign_type: alipay_api::SignType::Rsa2,
        content: Content::Json { action, body },
    });
}

/// A completed flow's signed contract, for download (a minimal PDF naming the flow).
pub(super) fn document(env: &Env, flow_id: &str) -> crate::reply::Page {
    use crate::reply::Page;
    let st = env.lock();
    let flow = st
        .parts
        .get::<EsignBook>()
        .and_then(|b| b.flows.get(flow_id));
    match flow {
        Some(f) if f.status == EsignFlowStatus::Completed => Page::File {
            content_type: "application/pdf".into(),
            attachment: true,
            bytes: bytes::Bytes::from(format!(
                "%PDF-1.4\n% sandbox contract of flow {} ({} signer(s), all signed)\n%%EOF\n",
                f.flow_id,
                f.signers.len()
            )),
        },
        Some(_) => Page::Refused(409, "the flow is not completed".into()),
        None => Page::Refused(404, "no such flow".into()),
    }
}

/// A signer's signing or preview page: where the flow and the signer are. The
/// sandbox's signers act through the test hooks (`Sandbox::esign_sign`, …).
pub(super) fn task_page(env: &Env, signing: bool, task: &str) -> crate::reply::Page {
    use crate::html::esc;
    use crate::reply::Page;
    let Some((flow_id, who)) = task.split_once('~') else {
        return Page::Refused(404, "no such signing task".into());
    };
    let st = env.lock();
    let flow = st
        .parts
        .get::<EsignBook>()
        .and_then(|b| b.flows.get(flow_id));
    let Some(signer) = flow.and_then(|f| f.signers.iter().find(|s| s.third_party_user_id == who))
    else {
        return Page::Refused(404, "no such signing task".into());
    };
    let (title, status) = (
        if signing {
            "e签宝 signing"
        } else {
            "e签宝 preview"
        },
        flow.map(|f| &f.status),
    );
    let body = format!(
        "<p>Flow <code>{}</code> is {:?}; signer <code>{}</code> is {:?}.</p>",
        esc(flow_id),
        status,
        esc(who),
        signer.status
    );
    Page::Html(crate::html::page(title, &body))
}

/// A flow as a test sees it.
pub(crate) fn flow(env: &Env, flow_id: &str) -> Option<super::EsignFlow> {
    let st = env.lock();
    let f = st.parts.get::<EsignBook>()?.flows.get(flow_id)?;
    Some(super::EsignFlow::from(f))
}
