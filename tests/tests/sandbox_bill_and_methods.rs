//! Bills as real zipped GBK CSV files, and every specified method callable end to end.

mod sandbox_support;

use std::io::Read as _;

use alipay_api::bill::AlipayDataDataserviceBillDownloadurlQuery;
use alipay_api::request::CallKind;
use alipay_api::trade::{AlipayTradePay, AlipayTradeRefund};
use alipay_api::{schema, BeijingDateTime, Error, FileUpload, GenericRequest};
use alipay_sandbox::{sample_request, Sandbox};
use sandbox_support::{browser, form_fields, order_no, submit};

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut raw = Vec::new();
        f.read_to_end(&mut raw).unwrap();
        let (text, _, bad) = encoding_rs::GBK.decode(&raw);
        assert!(!bad, "the bill is GBK");
        out.push((f.name().unwrap().into_owned(), text.into_owned()));
    }
    out
}

#[tokio::test]
async fn bill_lists_the_days_payments_and_refunds() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let (a, b) = (order_no("billa"), order_no("billb"));
    for (out, amount) in [(&a, "12.34"), (&b, "50.00")] {
        c.execute(
            &AlipayTradePay::builder()
                .out_trade_no(out)
                .total_amount(amount)
                .subject("咖啡, 大杯")
                .auth_code("287951669891795468")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    }
    c.execute(
        &AlipayTradeRefund::builder()
            .out_trade_no(&b)
            .refund_amount("5.00")
            .out_request_no("rb1")
            .build()
            .unwrap(),
    )
    .await
    .unwrap();

    let today = BeijingDateTime::now()
        .naive()
        .date()
        .format("%Y-%m-%d")
        .to_string();
    let r = c
        .execute(
            &AlipayDataDataserviceBillDownloadurlQuery::builder()
                .bill_type("trade")
                .bill_date(&today)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let url = r.bill_download_url.unwrap();
    let zip_bytes = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    let files = unzip(&zip_bytes);
    assert_eq!(files.len(), 2);
    let (name, detail) = &files[0];
    assert!(name.ends_with("_业务明细.csv"), "{name}");
    assert!(files[1].0.ends_with("_业务明细(汇总).csv"));
    let rows: Vec<&str> = detail.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(rows[0].starts_with("支付宝交易号,商户订单号,业务类型"));
    let row_of = |out: &str, kind: &str| {
        rows.iter()
            .find(|r| r.contains(out) && r.contains(kind))
            .unwrap_or_else(|| panic!("no {kind} row for {out} in\n{detail}"))
            .to_string()
    };
    assert!(row_of(&a, "交易").contains(",12.34,12.34,"));
    assert!(
        row_of(&a, "交易").contains("\"咖啡, 大杯\""),
        "quoted CSV field"
    );
    assert!(row_of(&b, "交易").contains(",50.00,"));
    assert!(row_of(&b, "退款").contains(",-5.00,") && row_of(&b, "退款").contains("rb1"));
    assert_eq!(rows.len(), 4, "header, two payments, one refund");
    assert!(
        files[1].1.contains("合计,,2,1,62.34,57.34"),
        "{}",
        files[1].1
    );

    // The account flow bill and the month bill.
    let month = &today[..7];
    for (kind, date) in [("signcustomer", today.as_str()), ("trade", month)] {
        let r = c
            .execute(
                &AlipayDataDataserviceBillDownloadurlQuery::builder()
                    .bill_type(kind)
                    .bill_date(date)
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
        let files = unzip(
            &reqwest::get(r.bill_download_url.unwrap())
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap(),
        );
        assert!(files[0].1.contains(&b), "{kind} {date}");
    }
    // No bill for the future.
    let e = c
        .execute(
            &AlipayDataDataserviceBillDownloadurlQuery::builder()
                .bill_type("trade")
                .bill_date("2999-01-01")
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.api().unwrap().sub_code.as_deref(),
        Some("isp.bill_not_exist")
    );
}

/// Whether a signed refusal is a behaviour model's answer to well-formed input it does
/// not know (no such trade or verification, an authorisation code or token this
/// gateway never issued), not a protocol or validation failure.
fn is_model_refusal(e: &alipay_api::ApiError) -> bool {
    e.code == "40004"
        || matches!(
            e.sub_code.as_deref(),
            Some("isv.code-invalid" | "aop.invalid-auth-token")
        )
}

/// Methods the sandbox simulates; the others are answered from the spec.
fn has_behaviour_model(method: &str) -> bool {
    [
        "alipay.trade.",
        "alipay.user.agreement.",
        "alipay.fund.auth.",
        "alipay.user.certify.open.",
        "alipay.fund.trans.",
        "alipay.offline.",
    ]
    .iter()
    .any(|p| method.starts_with(p))
        || matches!(
            method,
            "alipay.data.dataservice.bill.downloadurl.query"
                | "alipay.open.app.alipaycert.download"
                | "alipay.fund.account.query"
                | "alipay.data.bill.ereceipt.apply"
                | "alipay.data.bill.ereceipt.query"
        )
        || matches!(
            method,
            "alipay.system.oauth.token"
                | "alipay.user.info.auth"
                | "alipay.user.info.share"
                | "alipay.open.auth.userauth.relationship.query"
        )
}

#[tokio::test]
async fn every_specified_method_is_callable() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let methods = schema::methods();
    assert!(
        methods.len() >= 15,
        "the spec lists {} methods",
        methods.len()
    );
    for m in methods {
        let name = m.meta.method;
        let sample = sample_request(name).unwrap();
        let (mut biz, text) = (sample.biz_content, sample.text);
        // The sample passes the spec's own validation.
        let lookup = |k: &str| text.iter().find(|(t, _)| t == k).map(|(_, v)| v.clone());
        schema::validate_params(m, biz.as_ref(), &lookup).unwrap_or_else(|e| panic!("{name}: {e}"));
        if matches!(
            m.meta.kind,
            CallKind::PageRedirect | CallKind::AppOrderString
        ) {
            // A fresh order: the sample's order number may be closed by now.
            if let Some(b) = biz.as_mut().and_then(|b| b.as_object_mut()) {
                b.insert("out_trade_no".into(), order_no("every").into());
            }
        }
        let mut req = GenericRequest::new(name).version(m.meta.version);
        if let Some(b) = &biz {
            req = req.biz_content(b);
        }
        for (k, v) in &text {
            req = req.text(k.clone(), v.clone());
        }
        for (k, v) in m.meta.fixed_params {
            req = req.protocol(*k, *v);
        }
        for f in m
            .params
            .iter()
            .filter(|f| f.placement == alipay_api::request::Placement::File)
        {
            req = req.file(
                f.name,
                FileUpload::new("sample.jpg", vec![0xFF, 0xD8, 0xFF, 0xD9]),
            );
        }
        match m.meta.kind {
            CallKind::Server | CallKind::Upload => match c.execute(&req).await {
                Ok(fields) if has_behaviour_model(name) => {
                    assert!(!fields.is_empty(), "{name}");
                }
                Ok(fields) => {
                    // Answered from the spec: every response field, typed.
                    for f in m.response.iter().filter(|f| f.deprecated.is_none()) {
                        assert!(
                            fields.contains_key(f.name),
                            "{name}: no `{}` in {fields:?}",
                            f.name
                        );
                    }
                }
                // A business refusal (e.g. no such trade, or the sample's code or token
                // unknown to this gateway) still went end to end.
                Err(Error::Api(e)) if e.signed && is_model_refusal(&e) => {}
                Err(e) => panic!("{name}: {e:?}"),
            },
            CallKind::PageRedirect => {
                let (action, fields) = form_fields(&c.page_form(&req).unwrap());
                let resp = submit(&action, &fields).send().await.unwrap();
                let status = resp.status();
                let html = resp.text().await.unwrap();
                if name.starts_with("alipay.trade.") {
                    assert!(html.contains("Paid"), "{name}: {html}");
                } else if name == "alipay.user.agreement.page.sign" {
                    // The simulated user signs at once.
                    assert!(html.contains("Agreement signed"), "{name}: {html}");
                } else {
                    // The user's browser got the next step, or a business refusal
                    // (the sample's id is unknown to this gateway).
                    let refused = html.contains("id=\"code\"");
                    assert!(
                        status.is_redirection()
                            || (status.is_success()
                                && (!refused || html.contains("<code id=\"code\">40004</code>"))),
                        "{name}: {status} {html}"
                    );
                }
            }
            CallKind::AppOrderString => {
                let order = c.app_order_string(&req).unwrap();
                let confirmed = match name {
                    "alipay.fund.auth.order.app.freeze" => {
                        gw.confirm_app_freeze(&order).await.map(drop)
                    }
                    _ => gw.pay_app_order(&order).await.map(drop),
                };
                confirmed.unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
    }
    let _ = browser();
}

#[tokio::test]
async fn typed_answers_for_methods_without_a_model() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let req = alipay_api::mycar::AlipayEcoMycarParkingParkinglotinfoQuery::builder()
        .out_parking_id("lot-1")
        .build()
        .unwrap();
    let r = c.execute(&req).await.unwrap();
    // Request fields are echoed; nested lists are typed.
    assert_eq!(r.out_parking_id.as_deref(), Some("lot-1"));
    assert!(r.parking_id.is_some() && r.charging_rule.is_some(), "{r:?}");
}

/// A spec-driven answer for `method`, through the generic request.
async fn generic_answer(
    c: &alipay_api::Client,
    method: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let m = schema::method(method).unwrap();
    let s = sample_request(method).unwrap();
    let mut req = GenericRequest::new(method).version(m.meta.version);
    if let Some(b) = &s.biz_content {
        req = req.biz_content(b);
    }
    for (k, v) in s.text {
        req = req.text(k, v);
    }
    for (k, v) in m.meta.fixed_params {
        req = req.protocol(*k, *v);
    }
    c.execute(&req).await.unwrap()
}

#[tokio::test]
async fn spec_driven_answers_match_the_typed_responses() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    let method = "alipay.eco.mycar.parking.parkinglotinfo.query";
    let lot = generic_answer(&c, method).await;
    let typed: alipay_api::mycar::AlipayEcoMycarParkingParkinglotinfoQueryResponse =
        serde_json::from_value(lot.clone().into()).unwrap();
    assert!(typed.extra.is_empty(), "unknown fields: {:?}", typed.extra);
    // Examples from the spec are used where it has them.
    let m = schema::method(method).unwrap();
    for f in m.response.iter().filter(|f| f.example.is_some()) {
        let ex: serde_json::Value = serde_json::from_str(f.example.unwrap())
            .unwrap_or_else(|_| serde_json::Value::String(f.example.unwrap().to_owned()));
        assert_eq!(lot[f.name], ex, "{}", f.name);
    }
}
