// Opens a Koubei store on the local sandbox gateway with the official Node SDK
// (alipay-sdk 4.14.0), every answer checked with `validateSign: true`: a multipart
// picture upload, the category tree, a store create, a create with an image id that
// was never uploaded, and the apply-order query.
// Usage: node shop.mjs '<json config>'  (gateway, appId, privateKey, alipayPublicKey,
// notifyUrl, category). Prints one JSON object with what it saw.
import { AlipayFormData } from 'alipay-sdk';
import { alipay, cfg, signed, report } from './scenario.mjs';

const store = (requestId, image) => ({
  request_id: requestId,
  store_id: `node-${requestId}`,
  category_id: cfg.category,
  main_shop_name: '海底捞 & 100%',
  province_code: '330000',
  city_code: '330100',
  district_code: '330106',
  address: '万塘路18号黄龙时代广场',
  main_image: image,
  audit_images: image,
  licence: image,
  licence_code: 'H001232',
  operate_notify_url: cfg.notifyUrl,
  op_role: 'ISV',
  biz_version: '2.0',
});

await report(async (out) => {
  const form = new AlipayFormData();
  form.addField('imageType', 'jpg');
  form.addField('imageName', '门头');
  form.addFile('imageContent', 'front.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 0xff, 0xd9]));
  const up = await alipay.exec('alipay.offline.material.image.upload', {}, { ...signed, formData: form });
  out.upload = { code: up.code, imageId: up.imageId };
  const cats = await alipay.exec('alipay.offline.market.shop.category.query', { bizContent: {} }, signed);
  out.categories = cats.shopCategoryConfigInfos.length;
  const created = await alipay.exec('alipay.offline.market.shop.create', { bizContent: store('node-1', up.imageId) }, signed);
  out.create = { code: created.code, applyId: created.applyId, auditStatus: created.auditStatus };
  const bad = await alipay.exec('alipay.offline.market.shop.create', {
    bizContent: store('node-2', '1T8Pp00AT7eo9NoAJkMR3AAAACMAAQEC'),
  }, signed);
  out.unknownImage = { code: bad.code, subCode: bad.subCode };
  const orders = await alipay.exec('alipay.offline.market.applyorder.batchquery', {
    bizContent: { apply_ids: [created.applyId] },
  }, signed);
  out.order = { status: orders.bizOrderInfos[0].status, action: orders.bizOrderInfos[0].action };
});
