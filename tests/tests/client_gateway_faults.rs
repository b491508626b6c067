//! The runtime client against a gateway that misbehaves after processing a call:
//! every failure is typed, and the ones after which the payment may have gone
//! through say so (`outcome_unknown`), so the merchant queries before retrying.

mod sandbox_support;

use std::time::Duration;

use alipay_api::error::{HttpErrorKind, SignatureError};
use alipay_api::trade::{AlipayTradePay, AlipayTradeQuery};
use alipay_api::{Client, Error};
use alipay_sandbox::{Fault, Sandbox, TradeStatus};
use sandbox_support::order_no;

fn pay(out: &str) -> alipay_api::Validated<AlipayTradePay> {
    AlipayTradePay::builder()
        .out_trade_no(out)
        .total_amount("10.00")
        .subject("Fault")
        .auth_code("287951669891795468")
        .build()
        .unwrap()
}

/// Pays under `fault`; checks the payment went through anyway and a query settles it.
async fn paid_despite(gw: &Sandbox, c: &Client, fault: Fault) -> Error {
    let out = order_no("fault");
    gw.inject_fault(Some("alipay.trade.pay"), fault.clone());
    let err = c.execute(&pay(&out)).await.unwrap_err();
    assert!(
        err.outcome_unknown(),
        "{fault:?}: {err:?} must be 'outcome unknown'"
    );
    assert_eq!(gw.trade(&out).unwrap().status, TradeStatus::TradeSuccess);
    let q = c
        .execute(
            &AlipayTradeQuery::builder()
                .out_trade_no(&out)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(q.out_trade_no.as_deref(), Some(out.as_str()));
    err
}

#[tokio::test]
async fn lost_or_garbled_answers_are_typed_and_flag_an_unknown_outcome() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw
        .client_builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();

    match paid_despite(&gw, &c, Fault::SystemError).await {
        Error::Api(e) => {
            assert_eq!(
                (e.code.as_str(), e.sub_code.as_deref()),
                ("20000", Some("isp.unknow-error"))
            );
            assert!(e.signed);
        }
        other => panic!("{other:?}"),
    }
    match paid_despite(&gw, &c, Fault::Delay(Duration::from_secs(3))).await {
        Error::Http(e) => assert_eq!(e.kind, HttpErrorKind::Timeout, "{e:?}"),
        other => panic!("{other:?}"),
    }
    match paid_despite(&gw, &c, Fault::HttpStatus(502)).await {
        Error::Http(e) => assert_eq!((e.kind, e.status), (HttpErrorKind::Status, Some(502))),
        other => panic!("{other:?}"),
    }
    match paid_despite(&gw, &c, Fault::Unsigned).await {
        Error::Signature(SignatureError::Missing(_)) => {}
        other => panic!("{other:?}"),
    }
    match paid_despite(&gw, &c, Fault::BadSignature).await {
        Error::Signature(SignatureError::Invalid(_)) => {}
        other => panic!("{other:?}"),
    }
    match paid_despite(&gw, &c, Fault::Truncated).await {
        Error::Decode(_) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn faults_target_one_method_and_are_used_once() {
    let gw = Sandbox::start().await.unwrap();
    let c = gw.client().unwrap();
    gw.inject_fault(Some("alipay.trade.refund"), Fault::HttpStatus(503));
    gw.inject_fault(None, Fault::Unsigned);
    let query = AlipayTradeQuery::builder()
        .out_trade_no("none")
        .build()
        .unwrap();
    // The query takes the catch-all fault: an unsigned refusal is reported as
    // unverified, with an unknown outcome. The refund fault stays armed.
    let e = c.execute(&query).await.unwrap_err();
    assert!(!e.unverified_api().unwrap().signed, "{e:?}");
    assert!(e.outcome_unknown());
    let e = c.execute(&query).await.unwrap_err();
    assert_eq!(
        e.api().unwrap().sub_code.as_deref(),
        Some("ACQ.TRADE_NOT_EXIST")
    );
    assert!(e.api().unwrap().signed);
    let refund = alipay_api::trade::AlipayTradeRefund::builder()
        .out_trade_no("none")
        .refund_amount("1.00")
        .build()
        .unwrap();
    let e = c.execute(&refund).await.unwrap_err();
    assert!(
        matches!(&e, Error::Http(h) if h.status == Some(503)),
        "{e:?}"
    );
}
