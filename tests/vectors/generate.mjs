// Regenerates official-node-sdk-4.14.0.jsonl: runs the official Alipay Node SDK (alipay-sdk
// 4.14.0, installed by `bash tests/interop/setup.sh --node-only`) on inputs.json with the clock
// frozen at inputs.now_ms (Asia/Shanghai), a fixed nonce and no network (the SDK's HTTP client
// is replaced by a stub that records the request and answers as Alipay would), and prints one
// JSON object per case on stdout, byte for byte the committed file:
//
//   node tests/vectors/generate.mjs | cmp - tests/vectors/official-node-sdk-4.14.0.jsonl
//
// Only the SDK computes the outputs; this script supplies inputs and, where Alipay would sign
// something (responses, notifications), signs it with the throwaway "alipay" key in keys/.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const here = new URL('./', import.meta.url);
const peer = new URL('../interop/node/node_modules/', import.meta.url);
const text = (rel) => readFileSync(new URL(rel, here), 'utf8');
const inputs = JSON.parse(text('inputs.json'));

// Freeze what the SDK reads from the environment before it is loaded.
process.env.TZ = inputs.tz;
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length) super(...args);
    else super(inputs.now_ms);
  }
  static now() {
    return inputs.now_ms;
  }
};
crypto.randomUUID = () => inputs.nonce;
syncBuiltinESMExports();

const load = (rel) => import(new URL(rel, peer)).catch((e) => {
  console.error(`cannot load the Node peer (${e.message}); run: bash tests/interop/setup.sh --node-only`);
  process.exit(1);
});
const { AlipaySdk } = await load('alipay-sdk/dist/esm/index.js');
const { sign, aesEncryptText, aesDecryptText } = await load('alipay-sdk/dist/esm/util.js');
const { getSN } = await load('alipay-sdk/dist/esm/antcertutil.js');
const urllib = (await load('urllib/dist/esm/index.js')).default;
const sdkPackage = JSON.parse(readFileSync(new URL('alipay-sdk/package.json', peer), 'utf8'));

const keys = {
  appPkcs1: text('keys/app_private_pkcs1.pem'),
  alipayPkcs8: text('keys/alipay_private_pkcs8.pem'),
  alipayPublic: text('keys/alipay_public.pem'),
  aes: text('keys/aes_key.txt').trim(),
  appCert: text('keys/appCertPublicKey.crt'),
  alipayCert: text('keys/alipayCertPublicKey_RSA2.crt'),
  rootCert: text('keys/alipay_root_cert.crt'),
};
const rsa2 = (content) => crypto.createSign('RSA-SHA256').update(content, 'utf8').sign(keys.alipayPkcs8, 'base64');

const base = { appId: inputs.app_id, privateKey: keys.appPkcs1, keyType: 'PKCS1' };
const keyMode = new AlipaySdk({ ...base, alipayPublicKey: keys.alipayPublic, encryptKey: keys.aes });
const certMode = new AlipaySdk({
  ...base,
  appCertContent: keys.appCert,
  alipayPublicCertContent: keys.alipayCert,
  alipayRootCertContent: keys.rootCert,
});

// The string the SDK signs: its parameters sorted by name, `sign` left out.
const signString = (params) => Object.keys(params).filter((k) => k !== 'sign').sort()
  .map((k) => `${k}=${params[k]}`).join('&');

// The HTTP stub: records the request the SDK built and answers a signed v3 response.
let seen = null;
urllib.request = async (url, options) => {
  seen = { url, method: options.method, headers: { ...options.headers }, body: options.content };
  const data = JSON.stringify({ out_trade_no: inputs.v3.body.out_trade_no, trade_status: 'TRADE_SUCCESS', total_amount: '88.88' });
  const body = options.headers['alipay-encrypt-type'] ? aesEncryptText(data, keys.aes) : data;
  const [timestamp, nonce] = [String(inputs.now_ms), inputs.nonce];
  const headers = {
    'alipay-trace-id': 'trace-0001',
    'alipay-timestamp': timestamp,
    'alipay-nonce': nonce,
    'alipay-signature': rsa2(`${timestamp}\n${nonce}\n${body}\n`),
  };
  return { status: 200, headers, data: body };
};

const cases = [];
const add = (name, fields) => cases.push({ case: name, ...fields });

add('meta', {
  sdk: sdkPackage.name,
  version: sdkPackage.version,
  sdk_version_field: keyMode.version,
  timestamp_expected: inputs.timestamp,
  tz: inputs.tz,
  now_ms: inputs.now_ms,
  nonce: inputs.nonce,
});

// v2 request signing.
for (const [name, extra] of [['v2_sign_query', {}], ['v2_sign_query_with_format', { format: 'json' }]]) {
  const params = sign(inputs.query.method, { ...extra, bizContent: inputs.query.biz_content }, keyMode.config);
  add(name, { method: inputs.query.method, sign_string: signString(params), alg: 'RSA-SHA256', params });
}
{
  const params = sign(inputs.query.method, { bizContent: inputs.query.biz_content, needEncrypt: true }, keyMode.config);
  add('v2_sign_query_encrypted', { sign_string: signString(params), params });
}
{
  const plaintext = JSON.stringify(inputs.aes_plain);
  const ciphertext = aesEncryptText(plaintext, keys.aes);
  add('aes', { key_b64: keys.aes, plaintext, ciphertext_b64: ciphertext, roundtrip: aesDecryptText(ciphertext, keys.aes) === plaintext });
}

// Page pay (form and URL) and the app order string.
{
  const p = inputs.page_pay;
  const fields = { bizContent: p.biz_content, returnUrl: p.return_url, notifyUrl: p.notify_url };
  const signed = sign(p.method, { alipaySdk: keyMode.version, ...fields }, keyMode.config);
  add('page_pay_post', { sign_string: signString(signed), html: keyMode.pageExec(p.method, 'POST', fields) });
  add('page_pay_get', { sign_string: signString(signed), url: keyMode.pageExec(p.method, 'GET', fields) });
}
for (const [name, extra] of [['app_pay_order_string', {}], ['app_pay_order_string_with_format', { format: 'json' }]]) {
  const p = inputs.app_pay;
  const params = { notifyUrl: p.notify_url, ...extra, bizContent: p.biz_content };
  add(name, { sign_string: signString(sign(p.method, params, keyMode.config)), order_string: keyMode.sdkExecute(p.method, params) });
}

// v3 requests through the stub.
const v3 = async (name, client, options) => {
  seen = null;
  const result = await client.curl(inputs.v3.http_method, inputs.v3.path, { body: inputs.v3.body, ...options });
  const authorization = seen.headers.authorization;
  const auth = authorization.slice(authorization.indexOf(' ') + 1, authorization.lastIndexOf(',sign='));
  const target = new URL(seen.url);
  const token = options.appAuthToken ? `${options.appAuthToken}\n` : '';
  const sign_string = `${auth}\n${seen.method}\n${target.pathname}${target.search}\n${seen.body}\n${token}`;
  add(name, { sign_string, authorization, request: seen, response_verified: true, result });
};
await v3('v3_key_mode', keyMode, {});
await v3('v3_key_mode_app_auth_token', keyMode, { appAuthToken: inputs.v3.app_auth_token });
await v3('v3_key_mode_query_params', keyMode, { query: { a: 'x y', b: '中' } });
await v3('v3_key_mode_encrypted', keyMode, { needEncrypt: true });
await v3('v3_cert_mode', certMode, {});

// Signed v2 responses in four layouts, checked by the SDK.
{
  const key = `${inputs.query.method.replaceAll('.', '_')}_response`;
  const biz = inputs.response_biz;
  const sig = rsa2(biz);
  const layouts = [
    ['response_verify_compact', `{"${key}":${biz},"sign":"${sig}"}`],
    ['response_verify_with_cert_sn', `{"${key}":${biz},"alipay_cert_sn":"0123abcd","sign":"${sig}"}`],
    ['response_verify_whitespace', `{ "${key}" : ${biz} ,\n "sign" : "${sig}" }`],
    ['response_verify_sign_first', `{"sign":"${sig}","${key}":${biz}}`],
  ];
  for (const [name, raw] of layouts) {
    const extracted = keyMode.getSignStr(raw, key);
    const out = { raw, extracted, extracted_equals_signed: extracted === biz };
    try {
      keyMode.checkResponseSign(raw, key, sig);
      out.verified = true;
    } catch (e) {
      out.verified = false;
      out.error = e.message.slice(0, 120);
    }
    add(name, out);
  }
}

// Notifications signed by "Alipay", checked by both SDK entry points.
{
  const check = (f) => {
    try {
      return f();
    } catch (e) {
      return `throws ${e.name}: ${e.message}`;
    }
  };
  const notify = (name, changes, { withSignType = false, tamper = null } = {}) => {
    const post = { ...inputs.notify, ...changes };
    const signed = withSignType ? post : Object.fromEntries(Object.entries(post).filter(([k]) => k !== 'sign_type'));
    const signed_content = signString(signed);
    post.sign = rsa2(signed_content);
    Object.assign(post, tamper);
    add(name, {
      signed_content,
      post,
      checkNotifySign: check(() => keyMode.checkNotifySign({ ...post })),
      checkNotifySignV2: check(() => keyMode.checkNotifySignV2({ ...post })),
    });
  };
  notify('notify_v1_signed', {});
  notify('notify_v2_signed_incl_sign_type', {}, { withSignType: true });
  notify('notify_tampered', {}, { tamper: { total_amount: '0.01' } });
  notify('notify_v1_value_with_percent_escape', { subject: 'a%2Bb' });
  notify('notify_v1_value_with_bare_percent', { subject: '100% off' });
}

// Certificate mode: serial numbers of the files in keys/ and of each certificate in them.
{
  const pems = (bundle) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g);
  const [rootRsa, rootEc, rootRsa2] = pems(keys.rootCert);
  const [leaf, intermediate] = pems(keys.alipayCert);
  const per = [['root_rsa.pem', rootRsa], ['root_ec.pem', rootEc], ['root_rsa2.pem', rootRsa2],
    ['intermediate.pem', intermediate], ['alipay_leaf.pem', leaf]];
  add('cert_sn_fixtures', {
    files: { app_cert: 'appCertPublicKey.crt', alipay_public_cert: 'alipayCertPublicKey_RSA2.crt', alipay_root_cert: 'alipay_root_cert.crt' },
    app_cert_sn: certMode.config.appCertSn,
    alipay_cert_sn: certMode.config.alipayCertSn,
    alipay_root_cert_sn: certMode.config.alipayRootCertSn,
    alipay_public_key_from_cert: certMode.config.alipayPublicKey,
    per_cert: per.map(([file, pem]) => ({ file, sn_as_leaf: getSN(pem, false), sn_as_root: getSN(pem, true) })),
  });
  const params = sign(inputs.query.method, { bizContent: inputs.query.biz_content }, certMode.config);
  add('cert_mode_v2_sign_query', { sign_string: signString(params), params });
}

// One case per line, in the layout of Python's json.dumps(ensure_ascii=False) (", " and ": ").
const dump = (v) => {
  if (Array.isArray(v)) return `[${v.map(dump).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${dump(x)}`).join(', ')}}`;
  return JSON.stringify(v);
};
process.stdout.write(cases.map((c) => `${dump(c)}\n`).join(''));
