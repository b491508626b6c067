// The Node half of the cross-SDK benchmark (scripts/bench-vs-node.sh runs both halves).
// Reads the keys and signed fixtures the Rust half wrote into WORKDIR and measures the
// same three jobs with the official SDK, the way its own `exec()` does them:
//   1. sign() + formatUrl() + form body for alipay.trade.query;
//   2. JSON.parse + checkResponseSign + camelcaseKeys of a signed response;
//   3. form decode + checkNotifySignV2 of a notification.
// Usage: node bench.mjs WORKDIR [--rounds N] [--scale N] [--compare RESULT_JSON]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlipaySdk } from 'alipay-sdk';
import camelcaseKeys from 'camelcase-keys';
import { sign } from './node_modules/alipay-sdk/dist/esm/util.js';

const args = process.argv.slice(2);
const workdir = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const rounds = Number(opt('--rounds', 11));
const scale = Number(opt('--scale', 1));
const read = f => readFileSync(join(workdir, f), 'utf8');
const params = JSON.parse(read('params.json'));

const sdk = new AlipaySdk({
  appId: params.app_id,
  privateKey: read('app_private_pkcs8.pem'),
  keyType: 'PKCS8',
  alipayPublicKey: read('alipay_public.pem'),
  gateway: params.gateway,
});
const response = read('response.json');
const notify = read('notify.txt');
const responseKey = 'alipay_trade_query_response';

function jobSign() {
  const data = sign('alipay.trade.query', { bizContent: { outTradeNo: params.out_trade_no } }, sdk.config);
  const { url, execParams } = sdk.formatUrl(sdk.config.gateway, data);
  return [url, new URLSearchParams(execParams).toString(), data];
}

function jobResponse() {
  const parsed = JSON.parse(response);
  const data = parsed[responseKey] ?? parsed.error_response;
  sdk.checkResponseSign(response, responseKey, parsed.sign, 'bench');
  return camelcaseKeys(data, { deep: true });
}

function jobNotify() {
  const post = Object.fromEntries(new URLSearchParams(notify));
  if (!sdk.checkNotifySignV2(post)) throw new Error('notification rejected');
  return post;
}

// Each job once, checked, so a broken path cannot look fast.
if (!jobSign()[2].sign) throw new Error('no signature');
if (jobResponse().outTradeNo !== params.out_trade_no) throw new Error('response not parsed');
if (jobNotify().out_trade_no !== params.out_trade_no) throw new Error('notification not parsed');

// ns per call: the median of `rounds` batches of `iters` calls, after a warm-up.
function measure(iters, f) {
  let sink = null;
  for (let i = 0; i < iters; i++) sink = f();
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) sink = f();
    per.push(Number(process.hrtime.bigint() - t) / iters);
  }
  if (sink === undefined) throw new Error('unreachable');
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)];
}

const n = base => Math.max(1, base * scale);
const ops = ns => 1e9 / ns;
const node = {
  impl: 'node',
  sign: ops(measure(n(300), jobSign)),
  response: ops(measure(n(3000), jobResponse)),
  notify: ops(measure(n(3000), jobNotify)),
};
const fmt = x => x.toFixed(0).padStart(10);
console.log(`node  build+sign alipay.trade.query      ${fmt(node.sign)} ops/s`);
console.log(`node  verify+parse response              ${fmt(node.response)} ops/s`);
console.log(`node  verify notification                ${fmt(node.notify)} ops/s`);
console.log(`RESULT ${JSON.stringify(node)}`);

const compare = opt('--compare', null);
if (compare) {
  const rust = JSON.parse(readFileSync(compare, 'utf8'));
  const names = { sign: 'build+sign alipay.trade.query', response: 'verify+parse response', notify: 'verify notification' };
  console.log('\njob                               rust ops/s    node ops/s   rust/node');
  let rustTotal = 0;
  let nodeTotal = 0;
  for (const k of ['sign', 'response', 'notify']) {
    console.log(`${names[k].padEnd(30)} ${fmt(rust[k])}    ${fmt(node[k])}    ${(rust[k] / node[k]).toFixed(2)}x`);
    rustTotal += 1 / rust[k];
    nodeTotal += 1 / node[k];
  }
  // One of each job in sequence: the time per mix, inverted.
  console.log(`${'all three, one each'.padEnd(30)} ${fmt(1 / rustTotal)}    ${fmt(1 / nodeTotal)}    ${(nodeTotal / rustTotal).toFixed(2)}x`);
  console.log('(goal: rust/node >= 2.5x; a measurement, not an assertion)');
  console.log('notes: the notification is V1-signed, as Alipay signs them; checkNotifySignV2 tries the');
  console.log('content with sign_type first, so it runs two RSA verifications where we run one. The SDK');
  console.log('parses its PEM keys on every sign/verify call; that is part of its cost as shipped.');
}
