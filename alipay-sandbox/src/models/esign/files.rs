//! Templates and files: `alipay.eco.doc.template.create`,
//! `alipay.eco.doctemplate.settingurl.query`, `alipay.eco.file.path.query`, and the
//! direct-upload addresses they hand out, which check `Content-Type` and
//! `Content-MD5` as e签宝's storage does.

use base64::Engine as _;
use md5::{Digest as _, Md5};

use super::book::{EsignBook, StoredFile, Template, UploadSlot, UploadTarget};
use super::{esign_failure, ids, required, SEG_FILE, SEG_TEMPLATE, SEG_UPLOAD};
use crate::call::Call;
use crate::env::Env;
use crate::models::Put;
use crate::reply::{Failure, Node, Page};

/// What the storage answers an accepted upload with (the form the product's guide
/// reads: `errCode` 0).
const UPLOADED: &str = r#"{"errCode":0,"msg":"success"}"#;

/// A file announced for upload (`file_name`, `content_type`, `content_md_5`).
struct Announced {
    file_name: String,
    content_type: String,
    content_md5: String,
}

/// Records what the call announces (`record` stores it under a fresh id and says where
/// its bytes go) and answers the id under `id_key` with a new upload address.
fn announce(
    c: &Call<'_>,
    id_key: &str,
    record: impl FnOnce(&mut EsignBook, u64, &Announced) -> (String, UploadTarget),
) -> Result<Node, Failure> {
    let file = Announced {
        file_name: required(c, "file_name")?,
        content_type: required(c, "content_type")?,
        content_md5: required(c, "content_md_5")?,
    };
    let (id, upload_url) = {
        let mut st = c.env.lock();
        let seq = st.ledger.next_seq();
        let book = st.parts.get_mut::<EsignBook>();
        let (id, target) = record(book, seq, &file);
        let slot = UploadSlot {
            target,
            content_type: file.content_type,
            content_md5: file.content_md5,
        };
        let token = ids::token(seq);
        book.uploads.insert(token.clone(), slot);
        // Shaped like a pre-signed storage address: its query is the credential.
        let url = format!(
            "{}/sandbox/{SEG_UPLOAD}/{token}?Expires={}&Signature={}",
            c.env.base_url,
            c.env.now().to_utc().timestamp() + 3600,
            ids::signature(seq)
        );
        (id, url)
    };
    let mut n = Node::success();
    n.set(id_key, id);
    n.set("upload_url", upload_url);
    Ok(n)
}

pub(super) fn template_create(c: &Call<'_>) -> Result<Node, Failure> {
    announce(c, "template_id", |book, seq, file| {
        let id = ids::template(seq);
        let template = Template {
            file_name: file.file_name.clone(),
            uploaded: false,
        };
        book.templates.insert(id.clone(), template);
        (id.clone(), UploadTarget::Template(id))
    })
}

pub(super) fn setting_url(c: &Call<'_>) -> Result<Node, Failure> {
    let template_id = required(c, "template_id")?;
    let known = c
        .env
        .lock()
        .parts
        .get_mut::<EsignBook>()
        .templates
        .contains_key(&template_id);
    if !known {
        return Err(no_template(&template_id));
    }
    let mut n = Node::success();
    n.set(
        "setting_url",
        format!("{}/sandbox/{SEG_TEMPLATE}/{template_id}", c.env.base_url),
    );
    Ok(n)
}

pub(super) fn file_path(c: &Call<'_>) -> Result<Node, Failure> {
    announce(c, "file_id", |book, seq, file| {
        let id = ids::file(seq);
        let stored = StoredFile {
            file_name: file.file_name.clone(),
            content_type: file.content_type.clone(),
            bytes: None,
        };
        book.files.insert(id.clone(), stored);
        (id.clone(), UploadTarget::File(id))
    })
}

pub(super) fn no_template(template_id: &str) -> Failure {
    esign_failure(
        "TEMPLATE_NOT_EXIST",
        format!("template `{template_id}` does not exist"),
    )
}

/// An OSS-style refusal: `403` for headers that differ from the announced ones (they
/// are part of what the address signs), `400` for a body whose digest is not the
/// header's.
fn storage_error(status: u16, code: &str, message: &str) -> Page {
    Page::Refused(
        status,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"),
    )
}

/// Checks an upload against what its address was issued for.
fn check_upload(slot: &UploadSlot, upload: &Put<'_>) -> Result<(), Page> {
    if upload.content_type.map(str::trim) != Some(slot.content_type.as_str()) {
        let msg = "Content-Type differs from the content_type announced for this address";
        return Err(storage_error(403, "SignatureDoesNotMatch", msg));
    }
    let Some(md5) = upload.content_md5.map(str::trim) else {
        return Err(storage_error(
            403,
            "SignatureDoesNotMatch",
            "Content-MD5 is missing",
        ));
    };
    if md5 != slot.content_md5 {
        let msg = "Content-MD5 differs from the content_md_5 announced for this address";
        return Err(storage_error(403, "SignatureDoesNotMatch", msg));
    }
    let digest = base64::engine::general_purpose::STANDARD.encode(Md5::digest(upload.body));
    if digest != md5 {
        let msg = "the Content-MD5 you specified did not match what was received";
        return Err(storage_error(400, "InvalidDigest", msg));
    }
    Ok(())
}

/// `PUT` to an upload address: stores the bytes when the headers match.
pub(super) fn put(env: &Env, token: &str, upload: &Put<'_>) -> Page {
    let mut st = env.lock();
    let book = st.parts.get_mut::<EsignBook>();
    let Some(slot) = book.uploads.get(token).cloned() else {
        return storage_error(404, "NoSuchUpload", "no upload address with this token");
    };
    if let Err(refused) = check_upload(&slot, upload) {
        return refused;
    }
    match &slot.target {
        UploadTarget::Template(id) => {
            if let Some(t) = book.templates.get_mut(id) {
                t.uploaded = true;
            }
        }
        UploadTarget::File(id) => {
            if let Some(f) = book.files.get_mut(id) {
                f.bytes = Some(bytes::Bytes::copy_from_slice(upload.body));
            }
        }
    }
    Page::File {
        content_type: "application/json".into(),
        attachment: false,
        bytes: bytes::Bytes::from_static(UPLOADED.as_bytes()),
    }
}

/// The template settings page (components and signing areas are taken as placed).
pub(super) fn template_page(env: &Env, template_id: &str) -> Page {
    let book = env.lock();
    let Some(t) = book
        .parts
        .get::<EsignBook>()
        .and_then(|b| b.templates.get(template_id))
    else {
        return Page::Refused(404, "no such template".into());
    };
    let state = if t.uploaded {
        "uploaded; ready for flows"
    } else {
        "waiting for its file"
    };
    let body = format!(
        "<p>Template <code>{}</code> ({}): {state}.</p><p>The sandbox takes every input component and signing area a flow names as placed.</p>",
        crate::html::esc(template_id),
        crate::html::esc(&t.file_name)
    );
    Page::Html(crate::html::page("e签宝 template settings", &body))
}

/// An uploaded attachment, for download.
pub(super) fn file_page(env: &Env, file_id: &str) -> Page {
    let book = env.lock();
    let file = book
        .parts
        .get::<EsignBook>()
        .and_then(|b| b.files.get(file_id));
    match file.and_then(|f| f.bytes.clone().map(|b| (f.content_type.clone(), b))) {
        Some((content_type, bytes)) => Page::File {
            content_type,
            attachment: true,
            bytes,
        },
        None => Page::Refused(404, "no such uploaded file".into()),
    }
}

/// A file announced and uploaded, by id (for attachments of a flow).
pub(super) fn uploaded_file(book: &EsignBook, file_id: &str) -> Result<String, Failure> {
    match book.files.get(file_id) {
        Some(f) if f.bytes.is_some() => Ok(f.file_name.clone()),
        Some(_) => Err(esign_failure(
            "FILE_NOT_UPLOADED",
            format!("file `{file_id}` was announced but never uploaded"),
        )),
        None => Err(esign_failure(
            "FILE_NOT_EXIST",
            format!("file `{file_id}` does not exist"),
        )),
    }
}

/// Links to a file: SEG_FILE, kept here with the other file routes.
pub(super) fn file_url(env: &Env, file_id: &str) -> String {
    format!("{}/sandbox/{SEG_FILE}/{file_id}", env.base_url)
}
