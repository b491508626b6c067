//! Bills (对账单): `alipay.data.dataservice.bill.downloadurl.query` answers with a URL
//! on this gateway serving a zip of GBK CSV files, laid out like Alipay's.

use std::collections::HashMap;
use std::io::Write as _;

use alipay_api::{Amount, BeijingDateTime};

use super::trade::TradeBook;
use crate::call::Call;
use crate::env::Env;
use crate::reply::{Answer, Failure, Node, Page};

/// Bills (对账单) built on request and served from `/sandbox/bill/<token>`.
pub(crate) struct BillModel;

/// The zips handed out so far, by download token.
#[derive(Debug, Default)]
struct Bills(HashMap<String, Vec<u8>>);

impl super::Model for BillModel {
    fn methods(&self) -> &'static [&'static str] {
        &["alipay.data.dataservice.bill.downloadurl.query"]
    }

    fn answer(&self, c: &Call<'_>) -> Result<Answer, Failure> {
        download_url(c).map(Answer::Node)
    }

    fn pages(&self) -> &'static [&'static str] {
        &["bill"]
    }

    fn page(&self, env: &Env, _segment: &str, token: &str) -> Page {
        match env.lock().parts.get::<Bills>().and_then(|b| b.0.get(token)) {
            Some(bytes) => Page::File {
                content_type: "application/zip".into(),
                attachment: true,
                bytes: bytes::Bytes::from(bytes.clone()),
            },
            None => Page::Refused(404, "no such bill".into()),
        }
    }
}

/// The period a bill covers: a day (`yyyy-MM-dd`) or a month (`yyyy-MM`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Period {
    Day(chrono::NaiveDate),
    Month(i32, u32),
}

impl Period {
    fn parse(s: &str) -> Option<Period> {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return (d.format("%Y-%m-%d").to_string() == s).then_some(Period::Day(d));
        }
        let d = chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok()?;
        use chrono::Datelike as _;
        (d.format("%Y-%m").to_string() == s).then_some(Period::Month(d.year(), d.month()))
    }

    fn contains(&self, t: BeijingDateTime) -> bool {
        use chrono::Datelike as _;
        let d = t.naive().date();
        match self {
            Period::Day(day) => d == *day,
            Period::Month(y, m) => d.year() == *y && d.month() == *m,
        }
    }

    fn starts_after(&self, today: chrono::NaiveDate) -> bool {
        use chrono::Datelike as _;
        match self {
            Period::Day(d) => *d > today,
            Period::Month(y, m) => (*y, *m) > (today.year(), today.month()),
        }
    }

    fn compact(&self) -> String {
        match self {
            Period::Day(d) => d.format("%Y%m%d").to_string(),
            Period::Month(y, m) => format!("{y}{m:02}"),
        }
    }
}

/// One line of the detail file.
struct Row {
    trade_no: String,
    out_trade_no: String,
    kind: &'static str,
    subject: String,
    created: String,
    finished: String,
    store_id: String,
    terminal_id: String,
    buyer: String,
    amount: Amount,
    negative: bool,
    refund_no: String,
}

fn rows(book: &TradeBook, period: &Period) -> Vec<Row> {
    let mut out = Vec::new();
    for t in book.trades.values() {
        if let Some(paid) = t.paid_at.filter(|p| period.contains(*p)) {
            out.push(Row {
                trade_no: t.trade_no.clone(),
                out_trade_no: t.out_trade_no.clone(),
                kind: "交易",
                subject: t.subject.clone(),
                created: t.created_at.to_string(),
                finished: paid.to_string(),
                store_id: t.store_id.clone().unwrap_or_default(),
                terminal_id: t.terminal_id.clone().unwrap_or_default(),
                buyer: t.buyer_logon_id.clone().unwrap_or_default(),
                amount: t.total_amount,
                negative: false,
                refund_no: String::new(),
            });
        }
    }
    for r in book
        .refunds
        .iter()
        .filter(|r| period.contains(r.refunded_at))
    {
        let t = book.trades.get(&r.out_trade_no);
        out.push(Row {
            trade_no: r.trade_no.clone(),
            out_trade_no: r.out_trade_no.clone(),
            kind: "退款",
            subject: t.map(|t| t.subject.clone()).unwrap_or_default(),
            created: t.map(|t| t.created_at.to_string()).unwrap_or_default(),
            finished: r.refunded_at.to_string(),
            store_id: t.and_then(|t| t.store_id.clone()).unwrap_or_default(),
            terminal_id: t.and_then(|t| t.terminal_id.clone()).unwrap_or_default(),
            buyer: t.and_then(|t| t.buyer_logon_id.clone()).unwrap_or_default(),
            amount: r.amount,
            negative: true,
            refund_no: r.out_request_no.clone(),
        });
    }
    out.sort_by(|a, b| a.finished.cmp(&b.finished));
    out
}

/// A CSV field: quoted when it holds a comma, quote or line break.
fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn signed(a: Amount, negative: bool) -> String {
    if negative && a.fen() != 0 {
        format!("-{a}")
    } else {
        a.to_string()
    }
}

fn detail_csv(seller: &str, period_text: &str, rows: &[Row]) -> String {
    let now = BeijingDateTime::now();
    let mut s = String::new();
    s.push_str("#支付宝业务明细查询\n");
    s.push_str(&format!("#账号：[{seller}0156]\n"));
    s.push_str(&format!("#起始日期：[{period_text}]\n"));
    s.push_str("#-----------------------------------------业务明细列表----------------------------------------\n");
    s.push_str("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注\n");
    for r in rows {
        let amount = signed(r.amount, r.negative);
        let fields = [
            r.trade_no.as_str(),
            r.out_trade_no.as_str(),
            r.kind,
            r.subject.as_str(),
            r.created.as_str(),
            r.finished.as_str(),
            r.store_id.as_str(),
            "",
            "",
            r.terminal_id.as_str(),
            r.buyer.as_str(),
            amount.as_str(),
            amount.as_str(),
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "",
            "0.00",
            "0.00",
            r.refund_no.as_str(),
            "0.00",
            "0.00",
            "",
        ];
        let line: Vec<String> = fields.iter().map(|f| csv(f)).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    s.push_str("#-----------------------------------------业务明细列表结束------------------------------------\n");
    let (n_pay, sum_pay) = totals(rows, false);
    let (n_ref, sum_ref) = totals(rows, true);
    s.push_str(&format!(
        "#交易合计：{n_pay}笔，商家实收共{sum_pay}元，退款合计：{n_ref}笔，退款共{sum_ref}元\n"
    ));
    s.push_str(&format!("#导出时间：[{now}]\n"));
    s
}

fn totals(rows: &[Row], refunds: bool) -> (usize, Amount) {
    rows.iter()
        .filter(|r| r.negative == refunds)
        .fold((0, Amount::ZERO), |(n, sum), r| {
            (n + 1, sum.checked_add(r.amount).unwrap_or(sum))
        })
}

fn summary_csv(seller: &str, period_text: &str, rows: &[Row]) -> String {
    let (n_pay, sum_pay) = totals(rows, false);
    let (n_ref, sum_ref) = totals(rows, true);
    let net = sum_pay.checked_sub(sum_ref).unwrap_or(Amount::ZERO);
    let mut s = String::new();
    s.push_str("#支付宝业务汇总查询\n");
    s.push_str(&format!("#账号：[{seller}0156]\n"));
    s.push_str(&format!("#起始日期：[{period_text}]\n"));
    s.push_str("门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）\n");
    s.push_str(&format!(
        "合计,,{n_pay},{n_ref},{sum_pay},{net},0.00,0.00,0.00,0.00,0.00,{net}\n"
    ));
    s.push_str(&format!("#导出时间：[{}]\n", BeijingDateTime::now()));
    s
}

fn account_csv(seller: &str, period_text: &str, rows: &[Row], opening: Amount) -> String {
    let mut s = String::new();
    s.push_str("#支付宝账务明细查询\n");
    s.push_str(&format!("#账号：[{seller}0156]\n"));
    s.push_str(&format!("#起始日期：[{period_text}]\n"));
    s.push_str("账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注\n");
    let mut balance = opening;
    for (i, r) in rows.iter().enumerate() {
        let (inc, out) = if r.negative {
            balance = balance.checked_sub(r.amount).unwrap_or(Amount::ZERO);
            ("0.00".to_owned(), format!("-{}", r.amount))
        } else {
            balance = balance.checked_add(r.amount).unwrap_or(balance);
            (format!("+{}", r.amount), "0.00".to_owned())
        };
        let line = [
            format!("{:020}", i + 1),
            r.trade_no.clone(),
            r.out_trade_no.clone(),
            r.subject.clone(),
            r.finished.clone(),
            r.buyer.clone(),
            inc,
            out,
            balance.to_string(),
            "支付宝".into(),
            if r.negative {
                "交易退款"
            } else {
                "在线支付"
            }
            .into(),
            String::new(),
        ];
        let line: Vec<String> = line.iter().map(|f| csv(f)).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    s.push_str(&format!("#导出时间：[{}]\n", BeijingDateTime::now()));
    s
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

fn zip(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(name.as_str(), opts)
            .map_err(|e| e.to_string())?;
        w.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(w.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Builds the bill and answers with the URL it is served at.
fn download_url(c: &Call<'_>) -> Result<Node, Failure> {
    let bill_type = c.text("bill_type").unwrap_or_else(|| "trade".into());
    let date_text = c.text("bill_date").unwrap_or_default();
    let period = Period::parse(&date_text)
        .ok_or_else(|| c.invalid("`bill_date` must be yyyy-MM-dd (a day) or yyyy-MM (a month)"))?;
    // Unlike Alipay, today's bill is available at once: tests should not wait a day.
    if period.starts_after(c.env.now().naive().date()) {
        return Err(Failure::business(
            "isp.bill_not_exist",
            "there is no bill for a date in the future",
        ));
    }
    let seller = c.env.config.seller_id.clone();
    let opening = c.env.config.seller_balance;
    let rows = {
        let mut st = c.env.lock();
        rows(st.parts.get_mut::<TradeBook>(), &period)
    };
    let stem = format!("{seller}_{}", period.compact());
    let files = if bill_type == "signcustomer" {
        vec![(
            format!("{stem}_账务明细.csv"),
            gbk(&account_csv(&seller, &date_text, &rows, opening)),
        )]
    } else {
        vec![
            (
                format!("{stem}_业务明细.csv"),
                gbk(&detail_csv(&seller, &date_text, &rows)),
            ),
            (
                format!("{stem}_业务明细(汇总).csv"),
                gbk(&summary_csv(&seller, &date_text, &rows)),
            ),
        ]
    };
    let bytes =
        zip(&files).map_err(|e| Failure::unavailable(format!("cannot build the bill: {e}")))?;
    let token = {
        let mut st = c.env.lock();
        let token = format!("{}{:012}", period.compact(), st.ledger.next_seq());
        st.parts.get_mut::<Bills>().0.insert(token.clone(), bytes);
        token
    };
    let mut n = Node::success();
    n.set(
        "bill_download_url",
        format!(
            "{}/sandbox/bill/{token}?bizType={bill_type}&downloadFileName={stem}.csv.zip",
            c.env.base_url
        ),
    );
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert!(matches!(Period::parse("2024-01-02"), Some(Period::Day(_))));
        assert_eq!(Period::parse("2024-02"), Some(Period::Month(2024, 2)));
        assert_eq!(Period::parse("2024-2-1"), None);
        assert_eq!(Period::parse("2024-13"), None);
        assert_eq!(Period::parse(""), None);
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
