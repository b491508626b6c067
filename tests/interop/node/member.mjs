// Drives the sandbox gateway's member and identity products with the official Node SDK
// (alipay-sdk 4.14.0); every answer is checked with `validateSign: true`.
// Usage: node member.mjs '<json config>'  (gateway, appId, privateKey, alipayPublicKey,
// authCode: a code the test had the sandbox user approve, orderNo). Prints one JSON object.
import { alipay, cfg, signed, pick, report } from './scenario.mjs';


await report(async (out) => {
  // APP login: the code the app got becomes tokens, the token reads the profile.
  const token = await alipay.exec('alipay.system.oauth.token', {
    grantType: 'authorization_code', code: cfg.authCode,
  }, signed);
  out.token = pick(token, ['userId', 'accessToken']);
  out.share = pick(await alipay.exec('alipay.user.info.share', { authToken: token.accessToken }, signed),
    ['userId', 'nickName']);
  out.badToken = pick(await alipay.exec('alipay.user.info.share', { authToken: 'not-a-token' }, signed), []);
  // Trade security: a spec-answered call.
  out.risk = pick(await alipay.exec('alipay.security.risk.customerrisk.send', {
    bizContent: { process_code: '01', trade_no: '2024010122001400000000000001' },
  }, signed), []);
  // Identity verification: initialize, the GET URL the user opens, pass, query.
  const init = await alipay.exec('alipay.user.certify.open.initialize', {
    bizContent: {
      outer_order_no: cfg.orderNo,
      biz_code: 'FACE',
      identity_param: { identity_type: 'CERT_INFO', cert_type: 'IDENTITY_CARD', cert_name: '张三', cert_no: '260104197909275964' },
      merchant_config: { return_url: 'https://merchant.example/certify/done' },
    },
  }, signed);
  out.init = pick(init, ['certifyId']);
  const url = alipay.pageExec('alipay.user.certify.open.certify', 'GET', {
    bizContent: { certify_id: init.certifyId },
  });
  const page = await fetch(url);
  out.checkPage = page.status;
  const pass = (await page.text()).match(/id="pass" href="([^"]+)"/)?.[1]?.replaceAll('&amp;', '&');
  out.passPage = (await fetch(pass, { redirect: 'manual' })).status;
  out.query = pick(await alipay.exec('alipay.user.certify.open.query', {
    bizContent: { certify_id: init.certifyId },
  }, signed), ['passed']);
});
