//! Facts mined from the official descriptions: small, conservative hints for the
//! importer and the reviewer. Each hint names its evidence in a word; the description
//! itself is never stored. When the evidence is ambiguous (two different lengths, a
//! required flag with a condition), no hint is given.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use alipay_codegen::catalog::{FieldHints, FieldType, MethodKind, Valued};
use regex::Regex;

/// What the miner looks at for one field.
pub struct FieldFacts<'a> {
    /// Wire name.
    pub name: &'a str,
    /// Wire type.
    pub ty: FieldType,
    /// JSON array.
    pub list: bool,
    /// The SDK's array item hint.
    pub item: Option<&'a str>,
    /// The official description (may be empty).
    pub desc: &'a str,
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("miner patterns are valid")
}

static YUAN: LazyLock<Regex> =
    LazyLock::new(|| re(r"单位\s*[为是]?\s*[：:]?\s*(?:人民币)?\s*[（(]?\s*元|[（(]元[）)]"));
static FEN: LazyLock<Regex> =
    LazyLock::new(|| re(r"单位\s*[为是]?\s*[：:]?\s*分|以分为单位|[（(]分[）)]"));
static AMOUNT_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"(?:amount|fee|price|money)$"));
static DATETIME: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)yyyy-mm-dd\s*hh:mm:ss"));
static DATE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)yyyy-mm-dd(\s*'?t|\s*hh)?"));
// Date and time patterns hold upper-case letters that are not values (MM, HH, …).
static FORMAT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)y{2,4}[-/]?m{1,2}[-/]?d{1,2}(?:[\s'T]*h{1,2}:?m{1,2}(?::?s{1,2})?'?Z?'?)?|h{1,2}:m{1,2}(?::s{1,2})?",
    )
});
// `VALUE（meaning）`, `VALUE：meaning`, `VALUE-meaning`: an upper-case wire value
// directly followed by its explanation.
static VALUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^A-Za-z0-9_])([A-Z][A-Z0-9_]*[A-Z0-9]|[A-Z])\s*([（(：:]|-|—)"));
// `1：已签约`, `0（未知）`: a short digit code followed by a Chinese meaning.
static CODE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^\d.:\-/A-Za-z_例第])(\d{1,3})\s*[（(：:=\-—]\s*\p{Han}"));
const NOT_VALUES: [&str; 38] = [
    "JSON", "URL", "URI", "HTTP", "HTTPS", "ID", "API", "SDK", "UTF", "GBK", "MD5", "SHA", "RSA",
    "RSA2", "AES", "XML", "HTML", "NULL", "PID", "UID", "APPID", "OPENID", "SKU", "SPU", "ISV",
    "POI", "GMT", "UTC", "ISO", "CNY", "ASCII", "MM", "HH", "DD", "SS", "YY", "YYYY", "TODO",
];
static LENGTH: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
    vec![
        (re(r"最大长度\s*[为是]?\s*[：:]?\s*(\d+)"), "最大长度"),
        (
            re(r"长度\s*(?:限制|范围|为)?\s*[：:]?\s*\d+\s*[~～\-到至]\s*(\d+)"),
            "长度范围",
        ),
        (
            re(
                r"长度\s*(?:不(?:能|得|可|要)?超过|不大于|最大为?|最多|上限为?|小于等于|<=|≤)\s*(\d+)",
            ),
            "长度不超过",
        ),
        (
            re(r"不(?:能|得|可|要)?超过\s*(\d+)\s*个?(?:字符|字节|汉字|字)"),
            "不超过",
        ),
        (re(r"最多\s*(\d+)\s*个?(?:字符|汉字|字)"), "最多"),
        (re(r"(\d+)\s*个?(?:字符|汉字|字)以内"), "以内"),
    ]
});
static ITEMS: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
    let unit = r"(\d+)\s*(?:个|条|项|张|组|笔)(字)?";
    vec![
        (
            re(&format!(
                r"最多\s*(?:支持|可传|传|允许|可以|可|能)?\s*(?:传入|上传|设置|添加|配置|填写)?\s*{unit}"
            )),
            "最多",
        ),
        (re(&format!(r"不(?:能|得|可)?超过\s*{unit}")), "不超过"),
        (re(&format!(r"(?:上限|最大)\s*[为是]?\s*{unit}")), "上限"),
    ]
});
static SENTENCE: LazyLock<Regex> = LazyLock::new(|| re(r"[。；;\n!！]+"));
// Words that make a requirement conditional (`当…时`, `若…`, `…场景下`, `二选一`, …).
static CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"时|当|若|如果|如|则|场景|情况|或|否则|仅|只有|只要|之一|至少|下|模式|选|非|不")
});
static MONTH: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)yyyy-?mm(?:[^-]|$)"));
static CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"[，,。；;、:：（）()【】\[\]\s!！?？"“”]+"#));
static URL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"https?://(?:opendocs\.alipay\.com|docs\.open\.alipay\.com)/[A-Za-z0-9_./?=&%#-]*")
});
static URL_METHOD: LazyLock<Regex> =
    LazyLock::new(|| re(r"/(?:api_\d+/|[0-9a-f]{6,}_)([a-z]+(?:\.[a-z0-9]+)+)"));

/// The hints for one field.
pub fn field_hints(f: &FieldFacts) -> FieldHints {
    let scalar_text = f.ty == FieldType::String && !f.list;
    let mut h = FieldHints {
        amount: amount(f),
        ..FieldHints::default()
    };
    if matches!(f.ty, FieldType::String | FieldType::Long) {
        h.enum_values = enum_values(f.desc);
    }
    // A format stated for one of several values is not the field's own.
    if h.enum_values.is_none() {
        (h.datetime, h.date) = time_format(f, scalar_text);
    }
    if scalar_text {
        h.max_length = limit(f.desc, &LENGTH);
    }
    if f.list {
        h.max_items = limit(f.desc, &ITEMS);
    }
    h.required = required(f.desc);
    h
}

/// `(datetime, date)` evidence: a stated `yyyy-MM-dd HH:mm:ss`, a plain `yyyy-MM-dd`
/// (not next to a month format like `yyyy-MM`), or a list of `date` items.
fn time_format(f: &FieldFacts, scalar_text: bool) -> (Option<String>, Option<String>) {
    if f.list && f.item == Some("date") {
        (Some("item:date".into()), None)
    } else if scalar_text && DATETIME.is_match(f.desc) {
        (Some("yyyy-MM-dd HH:mm:ss".into()), None)
    } else if scalar_text
        && !MONTH.is_match(f.desc)
        && DATE.captures_iter(f.desc).any(|c| c.get(1).is_none())
    {
        (None, Some("yyyy-MM-dd".into()))
    } else {
        (None, None)
    }
}

fn amount(f: &FieldFacts) -> Option<String> {
    if f.list && f.item == Some("price") {
        return Some("item:price".into());
    }
    if f.ty != FieldType::String || f.list || FEN.is_match(f.desc) {
        return None;
    }
    if YUAN.is_match(f.desc) {
        Some("单位为元".into())
    } else if AMOUNT_NAME.is_match(f.name) && f.desc.contains("金额") {
        Some("金额".into())
    } else {
        None
    }
}

/// Upper-case values (or, failing that, digit codes) named with a meaning; at least two.
fn enum_values(desc: &str) -> Option<Valued<Vec<String>>> {
    let text = FORMAT.replace_all(desc, " ");
    let mut values: Vec<String> = Vec::new();
    for c in VALUE.captures_iter(&text) {
        let (token, delim) = (&c[1], &c[2]);
        let after = &text[c.get(2).map_or(0, |m| m.end())..];
        let url = (delim == ":" || delim == "：") && after.starts_with("//");
        let letter_dash = token.len() == 1 && !matches!(delim, "（" | "(" | "：" | ":");
        if url || letter_dash || NOT_VALUES.contains(&token) || values.iter().any(|v| v == token) {
            continue;
        }
        values.push(token.to_owned());
    }
    if values.len() < 2 {
        values.clear();
        for c in CODE.captures_iter(&text) {
            if !values.iter().any(|v| v == &c[1]) {
                values.push(c[1].to_owned());
            }
        }
    }
    (values.len() >= 2).then(|| Valued {
        value: values,
        from: "desc".into(),
    })
}

/// One number stated by the patterns; none when the description states several.
fn limit(desc: &str, patterns: &[(Regex, &str)]) -> Option<Valued<u32>> {
    let mut found: BTreeMap<u32, &str> = BTreeMap::new();
    for (pattern, word) in patterns {
        for c in pattern.captures_iter(desc) {
            // `10个字` after a count of items is a length, not a count.
            if c.get(2).is_some() {
                continue;
            }
            if let Ok(n) = c[1].parse::<u32>() {
                if n > 0 {
                    found.entry(n).or_insert(word);
                }
            }
        }
    }
    match found.len() {
        1 => found.into_iter().next().map(|(value, word)| Valued {
            value,
            from: word.to_owned(),
        }),
        _ => None,
    }
}

/// `必填` standing alone as a clause (`该参数必填。`, `（必填）`) in a sentence without
/// any condition.
fn required(desc: &str) -> Option<String> {
    SENTENCE
        .split(desc)
        .filter(|s| !CONDITION.is_match(s))
        .find_map(required_clause)
}

fn required_clause(sentence: &str) -> Option<String> {
    const WORDS: [&str; 7] = [
        "必填",
        "必选",
        "必传",
        "必须填写",
        "必须传入",
        "必须填",
        "必须传",
    ];
    const PREFIXES: [&str; 10] = [
        "该参数",
        "此参数",
        "该字段",
        "此字段",
        "本字段",
        "本参数",
        "此项",
        "该项",
        "为",
        "是",
    ];
    const SUFFIXES: [&str; 5] = ["项", "参数", "字段", "入参", "的"];
    for clause in CLAUSE.split(sentence) {
        let mut c = clause;
        while let Some(rest) = PREFIXES.iter().find_map(|p| c.strip_prefix(p)) {
            c = rest;
        }
        while let Some(rest) = SUFFIXES.iter().find_map(|s| c.strip_suffix(s)) {
            c = rest;
        }
        if let Some(word) = WORDS.iter().find(|w| **w == c) {
            return Some((*word).to_owned());
        }
    }
    None
}

/// Page, app or upload, from the SDK's upload flag or the method name's last two
/// segments (`….page.pay`, `….wap.pay`, `….app.pay`, `….app.freeze`).
pub fn method_kind(name: &str, upload: bool) -> Option<Valued<MethodKind>> {
    if upload {
        return Some(Valued {
            value: MethodKind::Upload,
            from: "upload".into(),
        });
    }
    let segs: Vec<&str> = name.split('.').collect();
    let [.., how, verb] = segs[..] else {
        return None;
    };
    let kind = match how {
        "page" | "wap" => MethodKind::Page,
        "app" => MethodKind::App,
        _ => return None,
    };
    matches!(verb, "pay" | "sign" | "freeze").then(|| Valued {
        value: kind,
        from: format!("name:{how}.{verb}"),
    })
}

/// For each method of `methods`, the official docs page naming it, found in any of
/// `descs`: the most frequent URL, ties broken by the smaller text.
pub fn docs_urls<'a>(
    descs: impl Iterator<Item = &'a str>,
    methods: &BTreeSet<&str>,
) -> BTreeMap<String, String> {
    let mut seen: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for desc in descs {
        for url in URL.find_iter(desc) {
            let url = url.as_str();
            for c in URL_METHOD.captures_iter(url) {
                let (whole, method) = (c.get(0).expect("match"), &c[1]);
                if let Some(m) = methods.get(method) {
                    let page = format!("{}{}", &url[..whole.start()], whole.as_str());
                    *seen.entry(m).or_default().entry(page).or_insert(0) += 1;
                }
            }
        }
    }
    seen.into_iter()
        .filter_map(|(m, urls)| {
            let best = urls
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
            Some((m.to_owned(), best.0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(name: &str, ty: FieldType, list: bool, desc: &str) -> FieldHints {
        field_hints(&FieldFacts {
            name,
            ty,
            list,
            item: None,
            desc,
        })
    }

    fn text(name: &str, desc: &str) -> FieldHints {
        hints(name, FieldType::String, false, desc)
    }

    #[test]
    fn amounts_in_yuan_only() {
        let h = text("total_amount", "订单总金额，单位为元，精确到小数点后两位");
        assert_eq!(h.amount.as_deref(), Some("单位为元"));
        assert_eq!(
            text("discount_amount", "平台优惠金额").amount.as_deref(),
            Some("金额")
        );
        assert_eq!(
            text("avg_price", "人均消费价格，单位元").amount.as_deref(),
            Some("单位为元")
        );
        // Cents, a rate, a name that is not an amount: no hint.
        assert_eq!(text("total_fee", "订单金额，单位为分").amount, None);
        assert_eq!(
            text("rate", "转化率，取小数点后两位，单位为百分比").amount,
            None
        );
        assert_eq!(text("amount_type", "金额类型").amount, None);
        let price_list = field_hints(&FieldFacts {
            name: "prices",
            ty: FieldType::String,
            list: true,
            item: Some("price"),
            desc: "",
        });
        assert_eq!(price_list.amount.as_deref(), Some("item:price"));
    }

    #[test]
    fn dates_and_times() {
        let h = text("gmt_create", "创建时间，格式为yyyy-MM-dd HH:mm:ss");
        assert_eq!(h.datetime.as_deref(), Some("yyyy-MM-dd HH:mm:ss"));
        assert_eq!(h.date, None);
        assert_eq!(h.enum_values, None, "MM and HH are not values");
        let d = text("birth", "生日，格式 yyyy-MM-dd");
        assert_eq!((d.date.as_deref(), d.datetime), (Some("yyyy-MM-dd"), None));
        let iso = text("t", "UTC时间，格式为：yyyy-MM-dd'T'HH:mm:ss'Z'");
        assert_eq!((iso.date, iso.datetime), (None, None));
        assert_eq!(text("t", "格式yyyy-MM-dd HH:mm").date, None);
    }

    #[test]
    fn enum_values_from_value_meaning_pairs() {
        let h = text(
            "trade_status",
            "交易状态：WAIT_BUYER_PAY（交易创建，等待买家付款）、TRADE_CLOSED（未付款交易超时关闭）、TRADE_SUCCESS（交易支付成功）",
        );
        let v = h.enum_values.unwrap();
        assert_eq!(v.value, ["WAIT_BUYER_PAY", "TRADE_CLOSED", "TRADE_SUCCESS"]);
        assert_eq!(v.from, "desc");
        let codes = text("result_status", "订单支付状态。 0：未知 1：成功 2：失败");
        assert_eq!(codes.enum_values.unwrap().value, ["0", "1", "2"]);
        let stars = text(
            "biz_type",
            "枚举支持： *JF：公共事业缴纳。 *WUYE：物业缴费。",
        );
        assert_eq!(stars.enum_values.unwrap().value, ["JF", "WUYE"]);
        // One value, acronyms, a URL: no enum.
        assert_eq!(
            text("x", "传 JSON 格式（见文档），例如 ABC：说明").enum_values,
            None
        );
        assert_eq!(
            text("x", "见 HTTPS://example.com 和 URL：地址").enum_values,
            None
        );
        assert_eq!(text("t", "10:00（开始）到 12:30（结束）").enum_values, None);
    }

    #[test]
    fn lengths_and_counts() {
        let one = |d| text("x", d).max_length.map(|v| (v.value, v.from));
        assert_eq!(
            one("人群名称 最大长度为15个字符"),
            Some((15, "最大长度".into()))
        );
        assert_eq!(one("64个字符以内，仅支持字母"), Some((64, "以内".into())));
        assert_eq!(one("长度限制 3~30 个字符"), Some((30, "长度范围".into())));
        assert_eq!(one("不得超过14个字"), Some((14, "不超过".into())));
        assert_eq!(one("最多2位小数"), None, "digits are not a length");
        assert_eq!(
            one("最大长度64，不超过32个字符"),
            None,
            "two lengths: ambiguous"
        );
        let items = |d| {
            hints("l", FieldType::String, true, d)
                .max_items
                .map(|v| v.value)
        };
        assert_eq!(items("单次传入最多 20 个信息"), Some(20));
        assert_eq!(items("最多可配置10个，限1-8个中文字符"), Some(10));
        assert_eq!(items("最多10个字"), None, "a length, not a count");
        assert_eq!(text("x", "最多 20 个").max_items, None, "not a list");
    }

    #[test]
    fn required_only_when_unconditional() {
        assert_eq!(
            text("x", "会员卡卡号，该参数必填。").required.as_deref(),
            Some("必填")
        );
        assert_eq!(
            text("x", "回传时间。为必传入参。").required.as_deref(),
            Some("必传")
        );
        for conditional in [
            "服务商调用必传",
            "直付通模式下必传。",
            "type为ABSOLUTE时该字段必填",
            "非必填",
            "out_agreement_no与credit_agreement_id必填一个",
        ] {
            assert_eq!(text("x", conditional).required, None, "{conditional}");
        }
    }

    #[test]
    fn method_kinds_from_evidence() {
        let kind = |n, up| method_kind(n, up).map(|v| (v.value, v.from));
        assert_eq!(
            kind("alipay.trade.page.pay", false),
            Some((MethodKind::Page, "name:page.pay".into()))
        );
        assert_eq!(
            kind("alipay.trade.wap.pay", false),
            Some((MethodKind::Page, "name:wap.pay".into()))
        );
        assert_eq!(
            kind("alipay.user.agreement.page.sign", false),
            Some((MethodKind::Page, "name:page.sign".into()))
        );
        assert_eq!(
            kind("alipay.fund.auth.order.app.freeze", false),
            Some((MethodKind::App, "name:app.freeze".into()))
        );
        assert_eq!(
            kind("alipay.offline.material.image.upload", true),
            Some((MethodKind::Upload, "upload".into()))
        );
        for server in [
            "alipay.iservice.ccm.role.page.query",
            "alipay.open.app.qrcode.create",
            "alipay.open.auth.token.app",
        ] {
            assert_eq!(kind(server, false), None, "{server}");
        }
    }

    #[test]
    fn docs_urls_name_known_methods() {
        let methods = BTreeSet::from(["alipay.open.agent.create", "alipay.trade.query"]);
        let descs = [
            "见 https://opendocs.alipay.com/apis/api_50/alipay.open.agent.create/ 说明",
            "https://docs.open.alipay.com/api_50/alipay.open.agent.create接口",
            "https://opendocs.alipay.com/apis/api_50/alipay.open.agent.create?pathHash=1",
            "https://opendocs.alipay.com/open/01hd83 and https://opendocs.alipay.com/apis/api_1/alipay.other.method",
        ];
        let urls = docs_urls(descs.into_iter(), &methods);
        assert_eq!(
            urls,
            BTreeMap::from([(
                "alipay.open.agent.create".to_owned(),
                "https://opendocs.alipay.com/apis/api_50/alipay.open.agent.create".to_owned()
            )])
        );
    }
}
