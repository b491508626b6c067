// What the scripts that drive the local gateway with the official Node SDK share:
// their config (the JSON in argv[2]), one SDK client for it, the options that make the
// SDK verify every answer, and how a script reports (one JSON object on stdout, with
// `error` when a step threw).
import { AlipaySdk } from 'alipay-sdk';

export const cfg = JSON.parse(process.argv[2] ?? '{}');
export const alipay = new AlipaySdk({
  appId: cfg.appId,
  privateKey: cfg.privateKey,
  keyType: 'PKCS8',
  alipayPublicKey: cfg.alipayPublicKey,
  gateway: cfg.gateway,
  timeout: 10000,
});
export const signed = { validateSign: true };

/** `code`, `subCode` and the named fields of an SDK result. */
export const pick = (r, keys = []) => Object.fromEntries(['code', 'subCode', ...keys].map((k) => [k, r[k]]));

/** Runs the steps, then prints what they recorded in `out` as one JSON line. */
export async function report(steps) {
  const out = {};
  try {
    await steps(out);
  } catch (e) {
    out.error = `${e.name}: ${e.message}`;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
