//! Spec facts an outside review found wrong (issue 12, items 13–16): each test states
//! what the docs say, so a regression in the spec fails here.
#![cfg(all(
    feature = "trade",
    feature = "auth",
    feature = "shop",
    feature = "bill"
))]

use alipay_api::auth::{AlipaySystemOauthToken, OauthGrantType};
use alipay_api::bill::AlipayDataDataserviceBillDownloadurlQuery;
use alipay_api::shop::AlipayOfflineMaterialImageUpload;
use alipay_api::trade::{
    AlipayTradeCreate, AlipayTradePay, AlipayTradePayResponse, ExtUserInfo, GoodsDetail,
    OpenApiRoyaltyDetailInfoPojo, ProductCode, RoyaltyDetailInfos, RoyaltyInfo, SettleDetailInfo,
    SettleInfo,
};
use alipay_api::{Amount, FileUpload, Problem};
use serde_json::json;

fn pay() -> AlipayTradePay {
    AlipayTradePay::builder()
        .out_trade_no("20150320010101001")
        .total_amount("88.88")
        .subject("Iphone6 16G")
        .auth_code("28763443825664394")
}

fn fields(e: &alipay_api::ValidationError) -> Vec<&str> {
    e.fields().collect()
}

#[test]
fn pay_charge_info_list_is_one_object() {
    // Both official SDKs declare one ChargeInfo; a real answer carries an object.
    let r: AlipayTradePayResponse = serde_json::from_value(json!({
        "trade_no": "2013112011001004330000121536",
        "charge_info_list": {"charge_fee": "0.01", "charge_type": "trade"}
    }))
    .expect("a successful payment with fees parses");
    assert_eq!(
        r.charge_info_list.unwrap().charge_fee,
        Some(Amount::from_fen(1))
    );
}

#[test]
fn product_codes_are_per_method_and_open() {
    // alipay.trade.pay lists OFFLINE_PAYMENT among its codes…
    assert!(
        pay()
            .product_code(ProductCode::OfflinePayment)
            .build()
            .is_ok()
    );
    // …and the list is open: a code the docs do not name is Alipay's to refuse.
    assert!(pay().product_code("QUICK_WAP_WAY").build().is_ok());
    assert!(pay().product_code("SOMETHING_NEW").build().is_ok());
}

#[test]
fn smid_takes_twenty_characters_and_bill_types_are_open() {
    let q = AlipayDataDataserviceBillDownloadurlQuery::builder()
        .bill_type("trade")
        .bill_date("2024-01-02")
        .smid("2088".to_owned() + &"1".repeat(16))
        .build();
    assert!(q.is_ok(), "{q:?}");
    let q = AlipayDataDataserviceBillDownloadurlQuery::builder()
        .bill_type("a_new_bill_type")
        .bill_date("2024-01")
        .build();
    assert!(q.is_ok(), "{q:?}");
}

#[test]
fn trade_create_needs_no_buyer_id() {
    let c = AlipayTradeCreate::builder()
        .out_trade_no("20150320010101002")
        .total_amount("88.88")
        .subject("Iphone6 16G")
        .build();
    assert!(c.is_ok(), "{c:?}");
}

#[test]
fn amounts_have_their_documented_floors() {
    let goods = |price: &str| {
        pay()
            .goods_detail([GoodsDetail::new()
                .goods_id("apple-01")
                .goods_name("ipad")
                .quantity(1)
                .price(price)])
            .build()
    };
    // The docs give a goods line's unit price no floor, so the builder sets none.
    assert!(goods("0").is_ok());
    assert!(goods("-1.00").is_ok(), "{:?}", goods("-1.00"));

    let settle = |amount: &str| {
        pay()
            .settle_info(
                SettleInfo::new().settle_detail_infos([SettleDetailInfo::new()
                    .trans_in_type("defaultSettle")
                    .amount(amount)]),
            )
            .build()
    };
    assert!(settle("0.01").is_ok(), "{:?}", settle("0.01"));
    let err = settle("0.00").unwrap_err();
    assert_eq!(fields(&err), ["settle_info.settle_detail_infos[0].amount"]);
}

#[test]
fn one_settle_entry_and_royalty_receivers() {
    let entry = || {
        SettleDetailInfo::new()
            .trans_in_type("defaultSettle")
            .amount("1.00")
    };
    let err = pay()
        .settle_info(SettleInfo::new().settle_detail_infos([entry(), entry()]))
        .build()
        .unwrap_err();
    assert_eq!(
        err.violations()[0].problem,
        Problem::TooManyItems { max: 1, actual: 2 }
    );
    // A royalty entry names its receiving account, at most 28 characters.
    let err = pay()
        .royalty_info(
            RoyaltyInfo::new().royalty_detail_infos([RoyaltyDetailInfos::new()
                .amount_percentage("10")
                .trans_in("x".repeat(29))]),
        )
        .build()
        .unwrap_err();
    assert!(fields(&err).contains(&"royalty_info.royalty_detail_infos[0].trans_in"));
    let _ = OpenApiRoyaltyDetailInfoPojo::new();
}

#[test]
fn rules_stated_in_the_docs_are_checked() {
    // 5 MB upload cap.
    let err = AlipayOfflineMaterialImageUpload::builder()
        .image_type("jpg")
        .image_name("shop.jpg")
        .image_content(FileUpload::new("shop.jpg", vec![0; 5 * 1024 * 1024 + 1]))
        .build()
        .unwrap_err();
    assert!(matches!(
        err.violations()[0].problem,
        Problem::TooLarge { .. }
    ));
    // grant_type decides which credential is required.
    let err = AlipaySystemOauthToken::builder()
        .grant_type(OauthGrantType::RefreshToken)
        .build()
        .unwrap_err();
    assert_eq!(fields(&err), ["refresh_token"]);
    // fix_buyer = T needs the buyer's identity.
    let err = pay()
        .ext_user_info(ExtUserInfo::new().fix_buyer("T"))
        .build()
        .unwrap_err();
    let mut got = fields(&err);
    got.sort();
    assert_eq!(
        got,
        [
            "ext_user_info.cert_no",
            "ext_user_info.cert_type",
            "ext_user_info.name"
        ]
    );
}

/// Facts of the royalty and transfer families a later review corrected.
#[cfg(all(feature = "royalty", feature = "transfer"))]
mod royalty_and_transfer {
    use super::fields;
    use alipay_api::royalty::{
        AlipayTradeOrderSettleQuery, AlipayTradeRoyaltyRelationBind, RoyaltyEntity,
    };
    use alipay_api::transfer::AlipayFundAccountQuery;

    #[test]
    fn account_type_is_only_needed_for_the_balance_account() {
        // The docs mark account_type 特殊可选: a trusteeship query may leave it out.
        let q = AlipayFundAccountQuery::builder()
            .alipay_user_id("2088301409188095")
            .account_product_code("DING_ACCOUNT")
            .build();
        assert!(q.is_ok(), "{q:?}");
    }

    #[test]
    fn settle_query_takes_settle_no_alone_or_both_numbers() {
        let q = || AlipayTradeOrderSettleQuery::builder();
        let trade = "2015070921001004130000127422";
        // settle_no is enough, whatever else comes with it.
        assert!(
            q().settle_no("20210718002530070036530006474222")
                .build()
                .is_ok()
        );
        let both = q()
            .settle_no("20210718002530070036530006474222")
            .trade_no(trade)
            .build();
        assert!(both.is_ok(), "{both:?}");
        assert!(q().out_request_no("s1").trade_no(trade).build().is_ok());
        // Without settle_no, the merchant's number and the trade go together.
        let err = q().trade_no(trade).build().unwrap_err();
        assert_eq!(fields(&err), ["settle_no|out_request_no"]);
        let err = q().out_request_no("s1").build().unwrap_err();
        assert_eq!(fields(&err), ["settle_no|trade_no"]);
    }

    #[test]
    fn a_royalty_receiver_may_be_named_by_open_id() {
        // OpenIDs are longer than the 32 characters the table gives `account`.
        let open_id = "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5";
        let bind = AlipayTradeRoyaltyRelationBind::builder()
            .out_request_no("2019032200000001")
            .receiver_list([RoyaltyEntity::new().type_("openId").account(open_id)])
            .build();
        assert!(bind.is_ok(), "{bind:?}");
    }
}
