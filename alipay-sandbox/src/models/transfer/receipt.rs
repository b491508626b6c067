//! Electronic receipts (电子回单): `alipay.data.bill.ereceipt.apply` records a request
//! (a fund receipt must name a transfer of this gateway), `.query` reports it ready
//! with a link on the gateway, and the link serves a one-page PDF.

use super::{Receipt, Transfer, TransferBook};
use crate::call::Call;
use crate::env::Env;
use crate::reply::{Failure, Node, Page};

pub(super) fn apply(c: &Call<'_>) -> Result<Node, Failure> {
    let kind = c.required("type")?;
    let key = c.required("key")?;
    let mut st = c.env.lock();
    let now = c.env.now();
    let file_id = st.ledger.dated_no(now, 32);
    let book = st.parts.get_mut::<TransferBook>();
    if book
        .receipts
        .values()
        .any(|r| r.kind == kind && r.key == key)
    {
        return Err(Failure::business(
            "ERECEIPT_DUPLICATE_APPLY",
            "a receipt for this type and key was already asked for; query it with its file_id",
        ));
    }
    let transfer = book
        .orders
        .iter()
        .find(|t| t.order_id == key || t.pay_fund_order_id == key)
        .cloned();
    if kind == "FUND_DETAIL" && transfer.is_none() {
        return Err(Failure::business(
            "BIZ_ERROR",
            format!(
                "no fund order `{key}` to certify; give a transfer's order_id or pay_fund_order_id"
            ),
        ));
    }
    book.receipts.insert(
        file_id.clone(),
        Receipt {
            kind,
            key,
            transfer,
            made_at: now,
        },
    );
    let mut n = Node::success();
    n.set("file_id", file_id);
    Ok(n)
}

pub(super) fn query(c: &Call<'_>) -> Result<Node, Failure> {
    let file_id = c.required("file_id")?;
    let known = c
        .env
        .lock()
        .parts
        .get::<TransferBook>()
        .is_some_and(|b| b.receipts.contains_key(&file_id));
    if !known {
        return Err(c.invalid(
            "no receipt with this file_id; ask for one with alipay.data.bill.ereceipt.apply",
        ));
    }
    let mut n = Node::success();
    n.set("status", "SUCCESS");
    n.set(
        "download_url",
        format!("{}/sandbox/ereceipt/{file_id}", c.env.base_url),
    );
    Ok(n)
}

/// The PDF of a receipt, or a refusal for an unknown id.
pub(super) fn download(env: &Env, file_id: &str) -> Page {
    let lines = env
        .lock()
        .parts
        .get::<TransferBook>()
        .and_then(|b| b.receipts.get(file_id))
        .map(lines);
    match lines {
        Some(lines) => Page::File {
            content_type: "application/pdf".into(),
            attachment: true,
            bytes: bytes::Bytes::from(pdf(&lines)),
        },
        None => Page::Refused(404, "no such receipt".into()),
    }
}

/// What the receipt says, one line each.
fn lines(r: &Receipt) -> Vec<String> {
    let mut l = vec![
        "Sandbox electronic receipt (not issued by Alipay)".to_owned(),
        format!("Type: {}", r.kind),
        format!("Key: {}", r.key),
        format!("Made: {}", r.made_at),
    ];
    if let Some(t) = &r.transfer {
        l.extend(transfer_lines(t));
    }
    l
}

fn transfer_lines(t: &Transfer) -> [String; 3] {
    [
        format!("Order: {} / {}", t.order_id, t.pay_fund_order_id),
        format!("Amount: {} CNY to {}", t.amount, t.payee_user_id),
        format!("Paid: {}", t.paid_at),
    ]
}

/// A one-page PDF showing `lines` in Helvetica. Text outside printable ASCII, and
/// the characters PDF strings reserve, become `?` so the file stays well-formed.
fn pdf(lines: &[String]) -> Vec<u8> {
    let mut text = String::from("BT /F1 11 Tf 24 170 Td 14 TL");
    for l in lines {
        let safe: String = l
            .chars()
            .map(|ch| {
                if ch.is_ascii_graphic() && !"()\\".contains(ch) || ch == ' ' {
                    ch
                } else {
                    '?'
                }
            })
            .collect();
        text.push_str(&format!(" ({safe}) Tj T*"));
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_offsets_point_at_their_objects() {
        let bytes = pdf(&["a (b) \\ 中".to_owned()]);
        let s = String::from_utf8(bytes).unwrap();
        assert!(s.starts_with("%PDF-1.4\n") && s.ends_with("%%EOF\n"));
        assert!(s.contains("(a ?b? ? ?) Tj"));
        let xref = s.rfind("startxref\n").map(|i| &s[i + 10..]).unwrap();
        let at: usize = xref.lines().next().unwrap().parse().unwrap();
        assert!(s[at..].starts_with("xref\n0 6\n"));
        for (n, line) in s[at..].lines().skip(3).take(5).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                s[off..].starts_with(&format!("{} 0 obj", n + 1)),
                "object {}",
                n + 1
            );
        }
    }
}
