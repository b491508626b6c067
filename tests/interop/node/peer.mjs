// Peer driver for the interop tests: runs the official Alipay Node SDK (alipay-sdk, pinned in
// package.json) on whatever the Rust test sends, one JSON object per line on stdin, and answers
// one JSON object per line on stdout: {"id": n, "ok": {...}} or {"id": n, "err": "..."}.
// It exits when stdin closes. It only calls the SDK; it never re-implements what it is testing.
import { createInterface } from 'node:readline';
import { AlipaySdk } from 'alipay-sdk';
// `sign` and the AES helpers are not in the package's export map; load them from the
// installed file so the very code the SDK runs is what gets tested.
import { sign as sdkSign, aesEncryptText, aesDecryptText } from './node_modules/alipay-sdk/dist/esm/util.js';
import { getSN } from './node_modules/alipay-sdk/dist/esm/antcertutil.js';

let keys = null;
// The SDK as a merchant app: signs with the app key, checks Alipay's signatures.
let app = null;
// The SDK configured the other way round, so its checking helpers verify what an app signed.
let gateway = null;
// The SDK as a signer of notifications: `sign` with the platform ("Alipay") key.
let platform = null;

function sdk(appId, privateKey, publicKey, extra = {}) {
  return new AlipaySdk({ appId, privateKey, alipayPublicKey: publicKey, ...extra });
}

function baseConfig(client, signType) {
  // `sign` reads the finished config an AlipaySdk instance builds (key formatting, defaults).
  return { ...client.config, signType };
}

const ops = {
  init(a) {
    keys = a;
    app = sdk(a.app_id, a.app_private_pkcs1, a.alipay_public, { keyType: 'PKCS1' });
    gateway = sdk(a.app_id, a.app_private_pkcs1, a.app_public, { keyType: 'PKCS1' });
    platform = sdk(a.app_id, a.alipay_private_pkcs8, a.alipay_public, { keyType: 'PKCS8' });
    return { sdk_version: app.version };
  },

  // Our signed request: the SDK joins the parameters its own way and checks our `sign`
  // with the app public key; it also re-signs the same parameters and reports whether the
  // (deterministic) signatures match.
  verify_request(a) {
    const params = { ...a.params };
    const ourSign = params.sign;
    delete params.sign;
    const signType = params.sign_type || 'RSA2';
    const joinedOk = gateway.notifyRSACheck(params, ourSign, signType, true);
    const nonEmpty = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ''));
    const joinedNonEmptyOk = gateway.notifyRSACheck(nonEmpty, ourSign, signType, true);
    if (a.encrypted) return { joined_ok: joinedOk, joined_non_empty_ok: joinedNonEmptyOk };
    // Re-sign: common parameters come from the config, everything else from the request.
    const common = new Set(['method', 'app_id', 'charset', 'version', 'sign_type']);
    const rest = {};
    for (const [k, v] of Object.entries(params)) {
      if (common.has(k)) continue;
      rest[k] = k === 'biz_content' ? JSON.parse(v) : v;
    }
    const config = { ...baseConfig(app, signType), appId: params.app_id, charset: params.charset, version: params.version };
    const resigned = sdkSign(params.method, rest, config, { bizContentAutoSnakeCase: false });
    return { joined_ok: joinedOk, joined_non_empty_ok: joinedNonEmptyOk, resigned_sign: resigned.sign, resigned_params: resigned };
  },

  // The SDK signs a request (APP order string) → the Rust side verifies it.
  sdk_execute(a) {
    // Pairs, so the caller controls the insertion order the SDK's output follows.
    const params = {};
    for (const [k, v] of a.params) params[k] = k === 'biz_content' ? JSON.parse(v) : v;
    const client = a.sign_type === 'RSA' ? sdk(keys.app_id, keys.app_private_pkcs1, keys.alipay_public, { keyType: 'PKCS1', signType: 'RSA' }) : app;
    return { order_string: client.sdkExecute(a.method, params, { bizContentAutoSnakeCase: false }) };
  },

  // Page pay (电脑网站支付) as a GET URL or a POST form.
  page_exec(a) {
    const client = sdk(keys.app_id, keys.app_private_pkcs1, keys.alipay_public, { keyType: 'PKCS1', gateway: a.gateway });
    const fields = {};
    for (const [k, v] of a.fields) fields[k] = k === 'biz_content' ? JSON.parse(v) : v;
    return { out: client.pageExec(a.method, a.http_method, fields) };
  },

  // A notification body as a web framework would hand it over (form-decoded once).
  check_notify(a) {
    const post = Object.fromEntries(new URLSearchParams(a.body));
    let v1;
    try {
      v1 = { ok: app.checkNotifySign(post) };
    } catch (e) {
      v1 = { threw: String(e && e.message || e) };
    }
    return { check_notify_sign: v1, check_notify_sign_v2: app.checkNotifySignV2(post) };
  },

  // The SDK signs a notification with the platform key → the Rust side verifies it.
  sign_notify(a) {
    const config = { ...baseConfig(platform, a.sign_type || 'RSA2'), appId: a.params.app_id ?? keys.app_id };
    const signed = sdkSign(a.method, a.params, config, { bizContentAutoSnakeCase: false });
    return { params: signed };
  },

  // A signed response body → the SDK's own extraction and check (it throws on a bad one).
  check_response(a) {
    try {
      app.checkResponseSign(a.body, a.response_key, a.sign, 'interop');
      return { verified: true, sign_str: app.getSignStr(a.body, a.response_key) };
    } catch (e) {
      return { verified: false, error: String(e && e.message || e) };
    }
  },

  // A certificate's SN (app_cert_sn / alipay_cert_sn) or a root bundle's, as the SDK
  // computes it.
  cert_sn(a) {
    return { sn: getSN(a.pem, Boolean(a.is_root)) };
  },

  aes_encrypt(a) {
    return { ciphertext: aesEncryptText(a.plaintext, a.key) };
  },

  aes_decrypt(a) {
    return { plaintext: aesDecryptText(a.ciphertext, a.key) };
  },
};

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', line => {
  if (!line.trim()) return;
  let id = null;
  let out;
  try {
    const msg = JSON.parse(line);
    id = msg.id;
    const op = ops[msg.op];
    if (!op) throw new Error(`unknown op ${msg.op}`);
    out = { id, ok: op(msg.args || {}) };
  } catch (e) {
    out = { id, err: String(e && e.stack || e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
rl.on('close', () => process.exit(0));
