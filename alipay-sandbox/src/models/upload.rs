//! Image upload (`alipay.offline.material.image.upload`): a multipart file part,
//! kept and served back from `/sandbox/images/<id>`.

use std::collections::HashMap;

use crate::call::Call;
use crate::env::Env;
use crate::reply::{Answer, Failure, Node, Page};
use crate::store::Store;

/// Keeps uploaded images.
pub(crate) struct ImageModel;

/// An uploaded file.
#[derive(Debug, Clone)]
struct Upload {
    content_type: String,
    bytes: bytes::Bytes,
}

/// Uploaded images by id.
#[derive(Debug, Default)]
struct Images(HashMap<String, Upload>);

impl super::Model for ImageModel {
    fn methods(&self) -> &'static [&'static str] {
        &["alipay.offline.material.image.upload"]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        image_upload(c).map(Answer::Node)
    }

    fn pages(&self) -> &'static [&'static str] {
        &["images"]
    }

    fn page(&self, env: &Env, _segment: &str, id: &str) -> Page {
        match env.lock().parts.get::<Images>().and_then(|i| i.0.get(id)) {
            Some(u) => Page::File {
                content_type: u.content_type.clone(),
                attachment: false,
                bytes: u.bytes.clone(),
            },
            None => Page::Refused(404, "no such image".into()),
        }
    }
}

/// Whether `id` names an image uploaded to this gateway.
pub(super) fn is_uploaded(store: &Store, id: &str) -> bool {
    store
        .parts
        .get::<Images>()
        .is_some_and(|i| i.0.contains_key(id))
}

/// Where an uploaded image is served.
pub(super) fn image_url(env: &Env, id: &str) -> String {
    format!("{}/sandbox/images/{id}", env.base_url)
}

fn image_upload(c: &Call<'_>) -> Result<Node, Failure> {
    let part = c.file("image_content").ok_or_else(|| {
        Failure::invalid(
            "isv.invalid-parameter",
            "the file part `image_content` is missing; send the image as multipart/form-data",
        )
    })?;
    if part.bytes.is_empty() {
        return Err(Failure::invalid(
            "isv.upload-fail",
            "the uploaded file is empty",
        ));
    }
    let image_type = c.required("image_type")?.to_ascii_lowercase();
    let ext = part
        .file_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if part.file_name.contains('.') && ext != image_type && !(ext == "jpeg" && image_type == "jpg")
    {
        return Err(Failure::invalid(
            "isv.invalid-file-extension",
            format!("the file is `.{ext}` but image_type says `{image_type}`"),
        ));
    }
    let id = {
        let mut st = c.env.lock();
        let id = format!("SBX{:016}", st.ledger.next_seq());
        let upload = Upload {
            content_type: part
                .content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into()),
            bytes: part.bytes.clone(),
        };
        st.parts.get_mut::<Images>().0.insert(id.clone(), upload);
        id
    };
    let mut n = Node::success();
    n.set("image_id", id.as_str());
    n.set("image_url", image_url(c.env, &id));
    Ok(n)
}
