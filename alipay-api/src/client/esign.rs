//! The client's e签宝 helpers: uploading files to the addresses e签宝 issues, and
//! confirming e签宝's callbacks with a signed query. See [`crate::esign_upload`] and
//! [`crate::esign_callback`].

use crate::FileUpload;
use crate::error::{Error, EsignError};
use crate::esign::{AlipayEcoDocTemplateCreate, AlipayEcoFilePathQuery, AlipayEcoSignFlowQuery};
use crate::esign_callback::{self, ConfirmedEsignCallback};
use crate::esign_upload::{self, MAX_ANSWER};
use crate::models::PdfConversion;

use super::{Client, http_error, mime_for};

/// The name upload failures are reported under (the upload is no Alipay method).
const UPLOAD: &str = "e签宝 file upload";

impl Client {
    /// Uploads a file's bytes to a direct-upload address e签宝 issued (`upload_url` of
    /// `alipay.eco.file.path.query` or `alipay.eco.doc.template.create`) with `PUT`,
    /// sending `Content-Type` and `Content-MD5` as given: both must equal the values
    /// announced in that call, or the storage refuses the upload
    /// ([`EsignError::UploadRefused`]). Repeating an upload is harmless.
    ///
    /// Only `https` addresses (or plain `http` to a loopback host) are used, redirects
    /// are not followed, and the address (which carries credentials) stays out of
    /// errors and logs.
    pub async fn put_esign_file(
        &self,
        upload_url: &str,
        content_type: &str,
        content_md5: &str,
        bytes: &[u8],
    ) -> Result<(), Error> {
        let url = esign_upload::check_address(upload_url)?;
        let resp = self
            .http
            .put(url)
            .timeout(self.settings.timeout)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header("Content-MD5", content_md5)
            .body(bytes.to_vec())
            .send()
            .await
            .map_err(|e| http_error(UPLOAD, e, false))?;
        let status = resp.status().as_u16();
        let mut resp = resp;
        let mut answer = Vec::new();
        // The answer is empty or a short status: read no more than MAX_ANSWER of it.
        while answer.len() < MAX_ANSWER {
            match resp
                .chunk()
                .await
                .map_err(|e| http_error(UPLOAD, e, true))?
            {
                Some(chunk) => answer.extend_from_slice(&chunk),
                None => break,
            }
        }
        Ok(esign_upload::read_answer(status, &answer)?)
    }

    /// Attaches a file to e签宝: announces it with `alipay.eco.file.path.query` (name,
    /// MIME type, size and [`content_md5`](esign_upload::content_md5)), uploads its bytes
    /// to the address returned, and returns the `file_id` to give in a flow's
    /// `attachments`. The MIME type is the file's own, or guessed from its name.
    pub async fn upload_esign_attachment(&self, file: &FileUpload) -> Result<String, Error> {
        const METHOD: &str = "alipay.eco.file.path.query";
        let (content_type, md5) = (mime_for(file), esign_upload::content_md5(&file.bytes));
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        let announce = AlipayEcoFilePathQuery::builder()
            .content_md_5(md5.as_str())
            .content_type(content_type.as_str())
            .file_name(file.file_name.as_str())
            .file_size(size)
            .build()?;
        let answer = self.execute(&announce).await?;
        let url = required(METHOD, "upload_url", answer.upload_url)?;
        let file_id = required(METHOD, "file_id", answer.file_id)?;
        self.put_esign_file(&url, &content_type, &md5, &file.bytes)
            .await?;
        Ok(file_id)
    }

    /// Creates a contract template from a Word or PDF file: announces it with
    /// `alipay.eco.doc.template.create`, uploads its bytes to the address returned, and
    /// returns the `template_id`. Convert Word files to PDF
    /// ([`PdfConversion::True`]); keep PDFs as they are ([`PdfConversion::False`]).
    pub async fn create_esign_template(
        &self,
        file: &FileUpload,
        convert: PdfConversion,
    ) -> Result<String, Error> {
        const METHOD: &str = "alipay.eco.doc.template.create";
        let (content_type, md5) = (mime_for(file), esign_upload::content_md5(&file.bytes));
        let create = AlipayEcoDocTemplateCreate::builder()
            .content_md_5(md5.as_str())
            .content_type(content_type.as_str())
            .convert_to_pdf(convert)
            .file_name(file.file_name.as_str())
            .build()?;
        let answer = self.execute(&create).await?;
        let url = required(METHOD, "upload_url", answer.upload_url)?;
        let template_id = required(METHOD, "template_id", answer.template_id)?;
        self.put_esign_file(&url, &content_type, &md5, &file.bytes)
            .await?;
        Ok(template_id)
    }

    /// Reads an e签宝 callback body (exactly as posted to `notice_developer_url`) and
    /// confirms it: the flow it names is queried with `alipay.eco.sign.flow.query`
    /// (signed and verified), and the callback is returned with that state only when
    /// the state shows what the callback claims (the flow ended in the status claimed;
    /// the signer named signed, failed or refused). Anything else is an error and
    /// nothing to act on: [`EsignError::Unconfirmed`] for a claim the state does not
    /// show, a decode error for a body that is not a callback.
    pub async fn confirm_esign_callback(
        &self,
        body: &[u8],
    ) -> Result<ConfirmedEsignCallback, Error> {
        let callback = esign_callback::parse(body)?;
        let Some(flow_id) = callback.flow_id().filter(|id| !id.is_empty()) else {
            return Err(crate::error::DecodeError::new(
                "e签宝 callback",
                "the callback names no flow (`flowId`)",
                String::from_utf8_lossy(body).into_owned(),
            )
            .into());
        };
        let query = AlipayEcoSignFlowQuery::builder().flow_id(flow_id).build()?;
        let flow = self.execute(&query).await?;
        esign_callback::confirm(&callback, &flow)?;
        Ok(ConfirmedEsignCallback { callback, flow })
    }
}

/// A field the upload needs from a verified answer.
fn required(
    method: &'static str,
    field: &'static str,
    v: Option<String>,
) -> Result<String, EsignError> {
    v.filter(|s| !s.is_empty())
        .ok_or(EsignError::Incomplete { method, field })
}
