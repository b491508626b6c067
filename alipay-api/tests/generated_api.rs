//! Behaviour of the generated bindings for the real spec: builders report every
//! violation at once by wire name, payloads are byte-exact (official vectors where
//! they exist), responses and notifications parse leniently and round-trip.
#![cfg(all(
    feature = "trade",
    feature = "auth",
    feature = "shop",
    feature = "bill"
))]

use alipay_api::auth::{AlipaySystemOauthToken, OauthGrantType};
use alipay_api::request::{CommonParam, Placement};
use alipay_api::schema;
use alipay_api::shop::{AlipayOfflineMarketShopModify, AlipayOfflineMaterialImageUpload};
use alipay_api::trade::{
    AlipayTradeAppPay, AlipayTradePagePay, AlipayTradePay, AlipayTradeQuery,
    AlipayTradeQueryResponse, AlipayTradeRefund, GoodsDetail, OpenApiRoyaltyDetailInfoPojo,
    TradeStatus, TradeStatusSync,
};
use alipay_api::types::Input;
use alipay_api::{
    AlipayRequest, Amount, BeijingDateTime, CallKind, FileUpload, Method, OpenEnum, Problem,
    Violation,
};
use serde_json::{Value, json};

fn v(field: &str, problem: Problem) -> Violation {
    Violation {
        field: field.to_owned(),
        problem,
    }
}

fn goods(id: &str, price: &str) -> GoodsDetail {
    GoodsDetail::new()
        .goods_id(id)
        .goods_name("iPhone")
        .quantity(1)
        .price(price)
}

#[test]
fn a_valid_payment_builds_and_sends_sorted_biz_content() {
    let req = AlipayTradePay::builder()
        .out_trade_no("20150320010101001")
        .total_amount("88.88")
        .subject("Iphone6 16G")
        .auth_code("28763443825664394")
        .scene("bar_code")
        .goods_detail([goods("apple-01", "88.88")])
        .time_expire("2024-01-02 03:04:05")
        .notify_url("https://example.com/notify")
        .app_auth_token("token")
        .build()
        .expect("valid request");
    // The validated request reads like the builder it came from.
    assert_eq!(req.out_trade_no.as_deref(), Some("20150320010101001"));
    assert_eq!(
        req.total_amount.as_ref().and_then(Input::get),
        Some(&Amount::from_fen(8888))
    );
    assert_eq!(req.auth_code.as_deref(), Some("28763443825664394"));
    let p = req.payload();
    assert_eq!(
        p.biz_content.as_deref(),
        Some(concat!(
            r#"{"auth_code":"28763443825664394","goods_detail":[{"goods_id":"apple-01","goods_name":"iPhone","price":"88.88","quantity":1}],"#,
            r#""out_trade_no":"20150320010101001","scene":"bar_code","subject":"Iphone6 16G","#,
            r#""time_expire":"2024-01-02 03:04:05","total_amount":"88.88"}"#
        ))
    );
    assert_eq!(
        p.protocol,
        [
            ("notify_url", "https://example.com/notify".to_owned()),
            ("app_auth_token", "token".to_owned())
        ]
    );
    assert!(p.text.is_empty() && p.files.is_empty());
    // Keys are sorted at every level, as the text was sent (a parsed `Value` would
    // sort them itself, so the order is read from the text).
    assert_keys_sorted(p.biz_content.as_deref().unwrap());
}

/// Fails unless every object in `json` lists its keys in sorted order.
fn assert_keys_sorted(json: &str) {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
            let mut last: Option<String> = None;
            while let Some(k) = m.next_key::<String>()? {
                assert!(last.as_deref() < Some(k.as_str()), "`{k}` after `{last:?}`");
                m.next_value_seed(KeysSeed)?;
                last = Some(k);
            }
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
            while s.next_element_seed(KeysSeed)?.is_some() {}
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
    }
    struct KeysSeed;
    impl<'de> serde::de::DeserializeSeed<'de> for KeysSeed {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(Keys)
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    de.deserialize_any(Keys).unwrap();
    let _ = IgnoredAny;
}

#[test]
fn the_key_order_check_can_fail() {
    let unsorted = std::panic::catch_unwind(|| assert_keys_sorted(r#"{"b":1,"a":2}"#));
    assert!(unsorted.is_err());
    let nested = std::panic::catch_unwind(|| assert_keys_sorted(r#"{"a":[{"z":1,"y":2}]}"#));
    assert!(nested.is_err());
    assert_keys_sorted(r#"{"a":[{"y":1,"z":2}],"b":"x"}"#);
}

#[test]
fn every_violation_is_reported_at_once_with_paths() {
    let err = AlipayTradePay::builder()
        .total_amount("1.234")
        .subject("x".repeat(257))
        .auth_code("28763443825664394")
        .goods_detail([
            goods(&"g".repeat(33), "1.00"),
            GoodsDetail::new().goods_id("b").goods_name("n").quantity(1),
            goods("c", "abc"),
        ])
        .time_expire("2024/01/02 03:04:05")
        .discountable_amount("0.00")
        .build()
        .expect_err("invalid request");
    assert_eq!(err.request(), "alipay.trade.pay");
    assert_eq!(
        err.violations(),
        [
            v("out_trade_no", Problem::Missing),
            v(
                "total_amount",
                Problem::BadAmount {
                    raw: "1.234".into()
                }
            ),
            v(
                "subject",
                Problem::TooLong {
                    max: 256,
                    actual: 257
                }
            ),
            v(
                "goods_detail[0].goods_id",
                Problem::TooLong {
                    max: 32,
                    actual: 33
                }
            ),
            v("goods_detail[1].price", Problem::Missing),
            v(
                "goods_detail[2].price",
                Problem::BadAmount { raw: "abc".into() }
            ),
            v(
                "time_expire",
                Problem::BadDateTime {
                    raw: "2024/01/02 03:04:05".into()
                }
            ),
            v(
                "discountable_amount",
                Problem::AmountOutOfRange {
                    value: Amount::ZERO,
                    min: Some(Amount::from_fen(1)),
                    max: Some(Amount::from_fen(10_000_000_000)),
                }
            ),
        ]
    );
    let text = err.to_string();
    assert!(text.contains("(8 problems)"), "{text}");
    assert!(
        text.contains("`goods_detail[2].price`: `abc` is not an amount"),
        "{text}"
    );
}

#[test]
fn amount_range_bounds_are_inclusive() {
    let base = || {
        AlipayTradePay::builder()
            .out_trade_no("1")
            .subject("s")
            .auth_code("28763443825664394")
    };
    assert!(base().total_amount("0.01").build().is_ok());
    assert!(base().total_amount("100000000").build().is_ok());
    let err = base().total_amount("100000000.01").build().unwrap_err();
    assert_eq!(
        err.violations(),
        [v(
            "total_amount",
            Problem::AmountOutOfRange {
                value: Amount::from_fen(10_000_000_001),
                min: Some(Amount::from_fen(1)),
                max: Some(Amount::from_fen(10_000_000_000)),
            }
        )]
    );
    // Typed values are accepted as well as text.
    assert!(base().total_amount(Amount::from_fen(1)).build().is_ok());
}

#[test]
fn integer_range_inside_a_list_of_models() {
    let refund = |pct: i64| {
        AlipayTradeRefund::builder()
            .out_trade_no("o1")
            .refund_amount("1.00")
            .refund_royalty_parameters([OpenApiRoyaltyDetailInfoPojo::new().amount_percentage(pct)])
            .build()
    };
    assert!(refund(1).is_ok());
    assert!(refund(100).is_ok());
    for bad in [0, 101] {
        let err = refund(bad).unwrap_err();
        assert_eq!(
            err.violations(),
            [v(
                "refund_royalty_parameters[0].amount_percentage",
                Problem::OutOfRange {
                    value: bad,
                    min: Some(1),
                    max: Some(100)
                }
            )]
        );
    }
}

#[test]
fn exactly_one_and_text_params() {
    let ok = AlipaySystemOauthToken::builder()
        .grant_type(OauthGrantType::AuthorizationCode)
        .code("4b203fe6c11548bcabd8da5bb087a83b")
        .build()
        .unwrap();
    let p = ok.payload();
    assert_eq!(p.biz_content, None, "text-only methods send no biz_content");
    assert_eq!(
        p.text,
        [
            ("grant_type", "authorization_code".to_owned()),
            ("code", "4b203fe6c11548bcabd8da5bb087a83b".to_owned())
        ]
    );
    // Each grant type needs its own credential (conditional rules from the docs).
    let cases: [(OauthGrantType, &str, &'static [&'static str]); 2] = [
        (
            OauthGrantType::AuthorizationCode,
            "code",
            &["authorization_code"],
        ),
        (
            OauthGrantType::RefreshToken,
            "refresh_token",
            &["refresh_token"],
        ),
    ];
    for (grant, field, equals) in cases {
        let err = AlipaySystemOauthToken::builder()
            .grant_type(grant)
            .build()
            .unwrap_err();
        assert_eq!(
            err.violations(),
            [v(
                field,
                Problem::RequiredWhen {
                    when: "grant_type",
                    equals
                }
            )]
        );
    }
    // `grant_type` is closed (the docs name the error for any other value).
    let err = AlipaySystemOauthToken::builder()
        .grant_type("password")
        .code("x".repeat(41))
        .build()
        .unwrap_err();
    assert_eq!(
        err.violations(),
        [
            v(
                "grant_type",
                Problem::NotInEnum {
                    value: "password".into(),
                    allowed: OauthGrantType::KNOWN
                }
            ),
            v(
                "code",
                Problem::TooLong {
                    max: 40,
                    actual: 41
                }
            )
        ]
    );
    assert_eq!(
        <AlipaySystemOauthToken as Method>::META.common_params,
        [CommonParam::AppAuthToken]
    );
}

#[test]
fn clearable_fields_send_the_marker() {
    let req = AlipayOfflineMarketShopModify::builder()
        .shop_id("2015051100077000000000000300")
        .clear_avg_price()
        .branch_shop_name("West Lake")
        .build();
    let req = match req {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let biz: Value = serde_json::from_str(req.payload().biz_content.as_deref().unwrap()).unwrap();
    assert_eq!(biz["avg_price"], "#EMPTY#");
    assert_eq!(biz["branch_shop_name"], "West Lake");
    assert_eq!(req.avg_price, Some(alipay_api::Clearable::Clear));

    // A clearable amount takes text like any amount setter; build() parses it.
    let set = AlipayOfflineMarketShopModify::builder()
        .avg_price("56")
        .build()
        .unwrap();
    let biz: Value = serde_json::from_str(set.payload().biz_content.as_deref().unwrap()).unwrap();
    assert_eq!(biz["avg_price"], "56.00");
    let bad = AlipayOfflineMarketShopModify::builder()
        .avg_price("fifty")
        .build();
    assert!(bad.unwrap_err().to_string().contains("avg_price"));
}

#[test]
fn uploads_carry_text_and_file_parts() {
    let req = AlipayOfflineMaterialImageUpload::builder()
        .image_type("jpg")
        .image_name("shop.jpg")
        .image_content(FileUpload::new("shop.jpg", vec![0xff, 0xd8, 0xff]))
        .build()
        .unwrap();
    let p = req.payload();
    assert_eq!(p.biz_content, None);
    assert_eq!(
        p.text,
        [
            ("image_type", "jpg".to_owned()),
            ("image_name", "shop.jpg".to_owned())
        ]
    );
    assert_eq!(p.files.len(), 1);
    assert_eq!(p.files[0].0, "image_content");
    assert_eq!(p.files[0].1.bytes, [0xff, 0xd8, 0xff]);
    assert_eq!(
        <AlipayOfflineMaterialImageUpload as Method>::META.kind,
        CallKind::Upload
    );
    let err = AlipayOfflineMaterialImageUpload::builder()
        .build()
        .unwrap_err();
    let fields: Vec<&str> = err.fields().collect();
    assert_eq!(fields, ["image_type", "image_name", "image_content"]);
}

#[test]
fn official_vectors_biz_content() {
    // inputs.json of the official Node SDK vectors.
    let q = AlipayTradeQuery::builder()
        .out_trade_no("20240102030405001")
        .build()
        .unwrap();
    assert_eq!(
        q.payload().biz_content.as_deref(),
        Some(r#"{"out_trade_no":"20240102030405001"}"#)
    );

    // `product_code` is fixed for page pay: no setter, always sent.
    let page = AlipayTradePagePay::builder()
        .out_trade_no("20240102030405002")
        .subject("测试商品 \"Q\" & a=b+c/100%")
        .total_amount("88.88")
        .notify_url("https://example.com/notify?x=1&y=2")
        .return_url("https://example.com/return")
        .build()
        .unwrap();
    let p = page.payload();
    assert_eq!(
        p.biz_content.as_deref(),
        Some(
            r#"{"out_trade_no":"20240102030405002","product_code":"FAST_INSTANT_TRADE_PAY","subject":"测试商品 \"Q\" & a=b+c/100%","total_amount":"88.88"}"#
        )
    );
    assert_eq!(
        p.protocol,
        [
            (
                "notify_url",
                "https://example.com/notify?x=1&y=2".to_owned()
            ),
            ("return_url", "https://example.com/return".to_owned())
        ]
    );
    assert_eq!(
        <AlipayTradePagePay as Method>::META.kind,
        CallKind::PageRedirect
    );

    // `product_code` defaults for app pay.
    let app = AlipayTradeAppPay::builder()
        .out_trade_no("20240102030405003")
        .subject("App 测试 a+b")
        .total_amount("0.01")
        .build()
        .unwrap();
    // The default is filled into the wire form, not into the typed field.
    assert_eq!(app.product_code, None);
    assert_eq!(
        app.payload().biz_content.as_deref(),
        Some(
            r#"{"out_trade_no":"20240102030405003","product_code":"QUICK_MSECURITY_PAY","subject":"App 测试 a+b","total_amount":"0.01"}"#
        )
    );
}

#[test]
fn meta_is_filled_from_the_spec() {
    let m = <AlipayTradePay as Method>::META;
    assert_eq!(m.method, "alipay.trade.pay");
    assert_eq!(m.version, "1.0");
    assert_eq!(m.response_key, "alipay_trade_pay_response");
    assert_eq!(m.extra_success_result_codes, ["10003"]);
    assert_eq!(m.group, "trade");
    assert_eq!(m.kind, CallKind::Server);
    assert_eq!(m.v3.map(|r| r.path), Some("/v3/alipay/trade/pay"));
    assert!(m.doc_url.starts_with("https://opendocs.alipay.com/"));
}

#[test]
fn responses_are_lenient_and_round_trip() {
    let body = json!({
        "trade_no": 2013112011001004u64,
        "out_trade_no": "6823789339978248",
        "trade_status": "TRADE_SOMETHING_NEW",
        "total_amount": 88.8,
        "receipt_amount": "",
        "send_pay_date": "2014-11-27 15:45:57",
        "fund_bill_list": [{"fund_channel": "ALIPAYACCOUNT", "amount": "10.00", "brand_new": true}],
        "brand_new_field": {"nested": [1, 2]}
    });
    let r: AlipayTradeQueryResponse = serde_json::from_value(body).unwrap();
    assert_eq!(r.trade_no.as_deref(), Some("2013112011001004"));
    assert_eq!(
        r.trade_status,
        Some(TradeStatus::Unknown("TRADE_SOMETHING_NEW".into()))
    );
    assert_eq!(r.total_amount, Some(Amount::from_fen(8880)));
    assert_eq!(r.receipt_amount, None, "blank amounts read as absent");
    assert_eq!(
        r.send_pay_date,
        Some("2014-11-27 15:45:57".parse::<BeijingDateTime>().unwrap())
    );
    let bills = r.fund_bill_list.as_deref().unwrap();
    assert_eq!(bills[0].extra["brand_new"], json!(true));
    assert_eq!(r.extra["brand_new_field"], json!({"nested": [1, 2]}));

    let back = serde_json::to_value(&r).unwrap();
    assert_eq!(back["trade_status"], "TRADE_SOMETHING_NEW");
    assert_eq!(back["total_amount"], "88.80");
    assert_eq!(back["brand_new_field"], json!({"nested": [1, 2]}));
    assert_eq!(back["fund_bill_list"][0]["brand_new"], json!(true));
    // Unset fields serialise as `null` and read back as unset.
    assert!(back["receipt_amount"].is_null());
    let again: AlipayTradeQueryResponse = serde_json::from_value(back).unwrap();
    assert_eq!(again, r);
}

#[test]
fn form_notification_parses_from_text_values() {
    // The `notify` form of the official vectors' inputs.json.
    let mut form = json!({
        "gmt_create": "2024-01-02 03:04:05",
        "charset": "utf-8",
        "seller_email": "seller@example.com",
        "subject": "测试 notify",
        "sign_type": "RSA2",
        "buyer_id": "2088102177846880",
        "invoice_amount": "88.88",
        "notify_id": "2024010200222030405012345678901234",
        "fund_bill_list": "[{\"amount\":\"88.88\",\"fundChannel\":\"ALIPAYACCOUNT\"}]",
        "notify_type": "trade_status_sync",
        "trade_status": "TRADE_SUCCESS",
        "receipt_amount": "88.88",
        "app_id": "2021000000000001",
        "buyer_pay_amount": "88.88",
        "seller_id": "2088102177958114",
        "gmt_payment": "2024-01-02 03:04:06",
        "notify_time": "2024-01-02 03:04:07",
        "version": "1.0",
        "out_trade_no": "20240102030405002",
        "total_amount": "88.88",
        "trade_no": "2024010222001446880500000001",
        "auth_app_id": "2021000000000001",
        "buyer_logon_id": "csq***@sandbox.com",
        "point_amount": "0.00",
        "passback_params": ""
    });
    form["brand_new_param"] = json!("kept");
    let n: TradeStatusSync = serde_json::from_value(form).unwrap();
    assert_eq!(TradeStatusSync::NOTIFY_TYPE, "trade_status_sync");
    assert_eq!(n.trade_status, Some(TradeStatus::TradeSuccess));
    assert_eq!(n.total_amount, Some(Amount::from_fen(8888)));
    assert_eq!(
        n.gmt_payment,
        Some("2024-01-02 03:04:06".parse::<BeijingDateTime>().unwrap())
    );
    let bills = n.fund_bill_list.as_deref().unwrap();
    assert_eq!(bills[0].fund_channel.as_deref(), Some("ALIPAYACCOUNT"));
    assert_eq!(bills[0].amount, Some(Amount::from_fen(8888)));
    assert_eq!(n.passback_params, None, "blank text reads as absent");
    // Fields the spec does not list survive.
    assert_eq!(n.extra["brand_new_param"], "kept");
}

#[test]
fn open_enums() {
    assert_eq!(
        TradeStatus::from("WAIT_BUYER_PAY"),
        TradeStatus::WaitBuyerPay
    );
    assert_eq!(TradeStatus::WaitBuyerPay.to_string(), "WAIT_BUYER_PAY");
    assert!(TradeStatus::WaitBuyerPay.is_known());
    let new: TradeStatus = "LATER".parse().unwrap();
    assert_eq!(new, TradeStatus::Unknown("LATER".into()));
    assert!(!new.is_known());
    assert_eq!(new.as_str(), "LATER");
    assert!(TradeStatus::KNOWN.contains(&"TRADE_SUCCESS"));
    assert_eq!(serde_json::to_string(&new).unwrap(), r#""LATER""#);
}

#[test]
fn models_are_plain_values_passed_to_setters() {
    let g = goods("a", "1.50");
    assert_eq!(g.price, Some(Input::Valid(Amount::from_fen(150))));
    assert_eq!(g.quantity, Some(1));
    // A model is checked where the request carries it, by path.
    let err = AlipayTradePay::builder()
        .out_trade_no("1")
        .total_amount("1.50")
        .subject("s")
        .auth_code("28763443825664394")
        .goods_detail([GoodsDetail::new().goods_id("a")])
        .build()
        .unwrap_err();
    let fields: Vec<&str> = err.fields().collect();
    assert_eq!(
        fields,
        [
            "goods_detail[0].goods_name",
            "goods_detail[0].quantity",
            "goods_detail[0].price"
        ]
    );
}

#[test]
fn schema_tables_describe_the_same_rules() {
    let names: Vec<&str> = schema::methods().iter().map(|m| m.meta.method).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let pay = schema::method("alipay.trade.pay").unwrap();
    assert_eq!(pay.title, "统一收单交易支付接口");
    let out = pay.param("out_trade_no").unwrap();
    assert!(out.required);
    let total = pay.param("total_amount").unwrap();
    assert_eq!(total.placement, Placement::BizContent);
    assert!(schema::method("alipay.no.such").is_none());
    assert!(
        schema::notifications()
            .iter()
            .any(|n| n.name == "TradeStatusSync")
    );

    // A payload the builder produced passes the JSON validator.
    let req = AlipayTradePay::builder()
        .out_trade_no("1")
        .total_amount("1.50")
        .subject("s")
        .auth_code("28763443825664394")
        .goods_detail([goods("a", "1.50")])
        .build()
        .unwrap();
    let biz: Value = serde_json::from_str(req.payload().biz_content.as_deref().unwrap()).unwrap();
    assert_eq!(schema::validate_params(pay, Some(&biz), &|_| None), Ok(()));

    // The validator reports what the builder would, plus JSON type mismatches.
    let bad = json!({
        "total_amount": "1.234",
        "subject": "x".repeat(257),
        "auth_code": "28763443825664394",
        "goods_detail": [{"goods_id": "g", "goods_name": "n", "quantity": "1", "price": "1.00"}, {}],
        "time_expire": "2024/01/02",
        "is_async_pay": "yes"
    });
    let err = schema::validate_params(pay, Some(&bad), &|_| None).unwrap_err();
    assert_eq!(
        err.violations(),
        [
            v("out_trade_no", Problem::Missing),
            v(
                "total_amount",
                Problem::BadAmount {
                    raw: "1.234".into()
                }
            ),
            v(
                "subject",
                Problem::TooLong {
                    max: 256,
                    actual: 257
                }
            ),
            v(
                "goods_detail[0].quantity",
                Problem::WrongType {
                    expected: "an integer"
                }
            ),
            v("goods_detail[1].goods_id", Problem::Missing),
            v("goods_detail[1].goods_name", Problem::Missing),
            v("goods_detail[1].quantity", Problem::Missing),
            v("goods_detail[1].price", Problem::Missing),
            v(
                "time_expire",
                Problem::BadDateTime {
                    raw: "2024/01/02".into()
                }
            ),
            v(
                "is_async_pay",
                Problem::WrongType {
                    expected: "`true` or `false`"
                }
            ),
        ]
    );

    // Text parameters are looked up by name and parsed from their text form.
    let oauth = schema::method("alipay.system.oauth.token").unwrap();
    let form = |k: &str| match k {
        "grant_type" => Some("authorization_code".to_owned()),
        "code" => Some("abc".to_owned()),
        _ => None,
    };
    assert_eq!(schema::validate_params(oauth, None, &form), Ok(()));
    let err = schema::validate_params(oauth, None, &|_| None).unwrap_err();
    let fields: Vec<&str> = err.fields().collect();
    assert_eq!(fields, ["grant_type"]);
    let not_object = schema::validate_params(pay, Some(&json!([1])), &|_| None).unwrap_err();
    assert_eq!(not_object.violations()[0].field, "biz_content");
}
