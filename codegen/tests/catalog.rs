//! The committed facts-only catalogue (`catalog/` at the repository root): it loads (which
//! checks that every model reference resolves, every model is reachable, every navigation
//! product named by a method exists and the counts add up) and is in canonical form, so a
//! rebuild or refresh shows only real changes.

use std::path::{Path, PathBuf};

use alipay_codegen::catalog::{self, FieldType, MethodKind, NavMatch};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog")
}

#[test]
fn committed_catalogue_is_consistent_and_canonical() {
    let cat = catalog::load(&dir()).unwrap_or_else(|e| panic!("{e}"));
    for (file, text) in cat.render() {
        let on_disk = std::fs::read_to_string(dir().join(file)).unwrap();
        assert!(
            on_disk == text,
            "catalog/{file} is not in canonical form; rebuild it with `cargo xtask catalog build`"
        );
    }
    assert_eq!(cat.source.format, catalog::FORMAT);
    assert!(cat.source.upstreams.contains_key(&cat.source.primary));
    // Every navigation product holds something: a method, a notification or a named gap.
    for (name, p) in &cat.nav {
        let methods = cat.methods_of_product(name);
        assert!(
            !methods.is_empty() || !p.notifications.is_empty() || !p.unmatched.is_empty(),
            "{name} is empty"
        );
    }
}

#[test]
fn known_facts_of_the_payment_methods() {
    let cat = catalog::load(&dir()).unwrap();
    let query = cat
        .method("alipay.trade.query")
        .expect("alipay.trade.query");
    assert_eq!(query.biz_model.as_deref(), Some("AlipayTradeQueryModel"));
    assert_eq!(query.response.root_key, "alipay_trade_query_response");
    assert!(query.nav.iter().any(|n| n.quality == NavMatch::Exact));
    let status = query
        .response
        .fields
        .iter()
        .find(|f| f.name == "trade_status")
        .expect("trade_status");
    let values = &status.hints.enum_values.as_ref().expect("enum hint").value;
    assert!(values.iter().any(|v| v == "WAIT_BUYER_PAY"), "{values:?}");
    let fund_bills = query
        .response
        .fields
        .iter()
        .find(|f| f.name == "fund_bill_list")
        .expect("fund_bill_list");
    assert!(fund_bills.list && fund_bills.ty == FieldType::Object);
    assert_eq!(fund_bills.reference.as_deref(), Some("TradeFundBill"));

    let pay = cat.request_fields("alipay.trade.pay");
    let total = pay
        .iter()
        .find(|f| f.name == "total_amount")
        .expect("total_amount");
    assert!(total.hints.amount.is_some(), "{total:?}");

    let page = cat.method("alipay.trade.page.pay").expect("page pay");
    assert_eq!(
        page.hints.kind.as_ref().map(|k| k.value),
        Some(MethodKind::Page)
    );
    let app = cat.method("alipay.trade.app.pay").expect("app pay");
    assert_eq!(
        app.hints.kind.as_ref().map(|k| k.value),
        Some(MethodKind::App)
    );
    assert!(cat
        .methods_of_product("支付 / 当面付")
        .contains(&"alipay.trade.pay"));
}
