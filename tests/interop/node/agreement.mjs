// Drives the agreement, fund-authorisation and face-payment methods of the local
// sandbox gateway with the official Node SDK (alipay-sdk 4.14.0); every answer is
// checked with `validateSign: true` against the gateway's platform key.
// Usage: node agreement.mjs '<json config>'  (gateway, appId, privateKey, alipayPublicKey,
// prefix). Prints one JSON object with what it saw.
import { alipay, cfg, signed, pick, report } from './scenario.mjs';

const exec = (method, bizContent) => alipay.exec(method, { bizContent }, signed);
const fields = (r, ...keys) => pick(r, keys);

await report(async (out) => {
  // Signing in the user's browser: the SDK's page URL, opened without following the redirect.
  const external = `${cfg.prefix}A`;
  const sign = { personal_product_code: 'GENERAL_WITHHOLDING_P', product_code: 'GENERAL_WITHHOLDING',
    access_params: { channel: 'ALIPAYAPP' }, sign_scene: 'INDUSTRY|CARRENTAL', external_agreement_no: external };
  const url = alipay.pageExec('alipay.user.agreement.page.sign', 'GET',
    { bizContent: sign, returnUrl: 'https://merchant.example/back' });
  const browser = await fetch(url, { redirect: 'manual' });
  out.sign = { status: browser.status, location: browser.headers.get('location') };
  out.query = fields(await exec('alipay.user.agreement.query', { personal_product_code: 'GENERAL_WITHHOLDING_P',
    sign_scene: 'INDUSTRY|CARRENTAL', external_agreement_no: external }), 'agreementNo', 'status');
  out.deduct = fields(await exec('alipay.trade.pay', { out_trade_no: `${cfg.prefix}D`, total_amount: '12.30',
    subject: '代扣 & 续费', product_code: 'GENERAL_WITHHOLDING',
    agreement_params: { agreement_no: out.query.agreementNo } }), 'tradeNo', 'totalAmount', 'buyerUserId');
  out.unsign = fields(await exec('alipay.user.agreement.unsign', { agreement_no: out.query.agreementNo }));
  out.gone = fields(await exec('alipay.user.agreement.query', { agreement_no: out.query.agreementNo }));

  // An in-person freeze, part of it released, the rest paid with COMPLETE.
  const order = `${cfg.prefix}F`;
  out.freeze = fields(await exec('alipay.fund.auth.order.freeze', { auth_code: '287951669891795468',
    auth_code_type: 'bar_code', out_order_no: order, out_request_no: `${order}-1`, order_title: '押金',
    amount: '100.00', product_code: 'PRE_AUTH' }), 'authNo', 'status', 'amount');
  out.unfreeze = fields(await exec('alipay.fund.auth.order.unfreeze', { auth_no: out.freeze.authNo,
    out_request_no: `${order}-2`, amount: '20.00', remark: '部分退还' }), 'status', 'amount');
  out.pay = fields(await exec('alipay.trade.pay', { out_trade_no: `${cfg.prefix}P`, total_amount: '30.00',
    subject: '租金', product_code: 'PRE_AUTH', auth_no: out.freeze.authNo, auth_confirm_mode: 'COMPLETE' }),
  'totalAmount');
  out.detail = fields(await exec('alipay.fund.auth.operation.detail.query', { auth_no: out.freeze.authNo,
    out_request_no: `${order}-1` }), 'orderStatus', 'totalPayAmount', 'restAmount');

  // An app freeze order string, handed back for the Rust side to confirm as the Alipay app.
  out.appFreeze = alipay.sdkExecute('alipay.fund.auth.order.app.freeze', { bizContent: {
    out_order_no: `${cfg.prefix}AF`, out_request_no: `${cfg.prefix}AF-1`, order_title: '充电宝押金',
    amount: '99.00', product_code: 'PRE_AUTH_ONLINE' } });

  // A face-payment initialisation, answered from the spec.
  out.face = fields(await exec('zoloz.authentication.smilepay.initialize', { zim_ver: '1.0.0',
    apdid_token: 'device-1' }), 'zimId');
});
