// Drives the local sandbox gateway with the official Node SDK (alipay-sdk 4.14.0):
// every answer is checked with `validateSign: true` against the gateway's platform key.
// Usage: node gateway.mjs '<json config>'  (gateway, appId, privateKey, alipayPublicKey,
// wrongAlipayPublicKey, wrongPrivateKey, orderPrefix). Prints one JSON object with what it saw.
import { AlipaySdk } from 'alipay-sdk';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const sdk = (publicKey, privateKey = cfg.privateKey) => new AlipaySdk({
  appId: cfg.appId,
  privateKey,
  keyType: 'PKCS8',
  alipayPublicKey: publicKey,
  gateway: cfg.gateway,
  timeout: 10000,
});
const alipay = sdk(cfg.alipayPublicKey);
const signed = { validateSign: true };
const out = {};
const pick = (r) => ({
  code: r.code, subCode: r.subCode, tradeNo: r.tradeNo, outTradeNo: r.outTradeNo,
  tradeStatus: r.tradeStatus, totalAmount: r.totalAmount, refundFee: r.refundFee,
  fundChange: r.fundChange, refundStatus: r.refundStatus, qrCode: r.qrCode,
});

try {
  const paid = `${cfg.orderPrefix}-paid`;
  const unpaid = `${cfg.orderPrefix}-unpaid`;
  out.pay = pick(await alipay.exec('alipay.trade.pay', {
    bizContent: { out_trade_no: paid, total_amount: '66.60', subject: '测试商品 & 100% off', auth_code: '287951669891795468', scene: 'bar_code' },
  }, signed));
  out.query = pick(await alipay.exec('alipay.trade.query', { bizContent: { out_trade_no: paid } }, signed));
  out.refund = pick(await alipay.exec('alipay.trade.refund', {
    bizContent: { out_trade_no: paid, refund_amount: '6.60', out_request_no: 'node-r1' },
  }, signed));
  out.refundQuery = pick(await alipay.exec('alipay.trade.fastpay.refund.query', {
    bizContent: { out_trade_no: paid, out_request_no: 'node-r1' },
  }, signed));
  out.precreate = pick(await alipay.exec('alipay.trade.precreate', {
    bizContent: { out_trade_no: unpaid, total_amount: '1.00', subject: 'unpaid' },
  }, signed));
  out.close = pick(await alipay.exec('alipay.trade.close', { bizContent: { out_trade_no: unpaid } }, signed));
  // A business failure is signed too.
  out.missing = pick(await alipay.exec('alipay.trade.query', { bizContent: { out_trade_no: `${cfg.orderPrefix}-none` } }, signed));
  // Signed with a key the gateway does not know: the (signed) refusal names the
  // string the gateway verified, under the method's own node.
  const bad = await sdk(cfg.alipayPublicKey, cfg.wrongPrivateKey).exec('alipay.trade.query', { bizContent: { out_trade_no: paid } }, signed);
  out.badSignature = { ...pick(bad), subMsg: bad.subMsg };
  // A client trusting another key must reject the gateway's answer.
  try {
    await sdk(cfg.wrongAlipayPublicKey).exec('alipay.trade.query', { bizContent: { out_trade_no: paid } }, signed);
    out.wrongKey = 'accepted';
  } catch (e) {
    out.wrongKey = e.message.includes('验签失败') ? 'rejected' : `error: ${e.message}`;
  }
} catch (e) {
  out.error = `${e.name}: ${e.message}`;
}
process.stdout.write(JSON.stringify(out) + '\n');
