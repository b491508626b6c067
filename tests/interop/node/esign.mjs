// One e签宝 call by the official Node SDK (alipay-sdk 4.14.0) against the local gateway,
// as the product's guide makes it: `target_app_id` 2021001101679589 and no app_auth_token.
// The answer is checked with `validateSign: true`. A call without `target_app_id` shows
// the gateway refusing it. Usage: node esign.mjs '<json config>' (gateway, appId,
// privateKey, alipayPublicKey, contentMd5). Prints one JSON object with what it saw.
import { alipay, cfg, report } from './scenario.mjs';

const bizContent = {
  content_md_5: cfg.contentMd5,
  content_type: 'application/pdf',
  file_name: '合同.pdf',
  convert_to_pdf: 'false',
};
await report(async (out) => {
  const r = await alipay.exec('alipay.eco.doc.template.create', {
    bizContent, targetAppId: '2021001101679589',
  }, { validateSign: true });
  out.template = { code: r.code, templateId: r.templateId, uploadUrl: r.uploadUrl };
  const missing = await alipay.exec('alipay.eco.doc.template.create', { bizContent }, { validateSign: true });
  out.withoutTarget = { code: missing.code, subCode: missing.subCode };
});
