// Drives the sandbox gateway's royalty (商家分账) and transfer (转账到支付宝账户)
// products with the official Node SDK (alipay-sdk 4.14.0); every answer is checked
// with `validateSign: true`, and the message notifications the test collected are
// checked with the SDK's own notification verifier.
// Usage: node funds.mjs '<json config>'  (gateway, appId, privateKey, alipayPublicKey,
// orderPrefix, receiver: a user id the gateway knows, messages: verified-as-posted
// message notifications to check, as objects of their form fields). Prints one JSON object.
import { alipay, cfg, signed, pick, report } from './scenario.mjs';


await report(async (out) => {
  if (cfg.messages) {
    // Phase two: the messages the gateway posted, as the app gateway received them.
    out.messages = cfg.messages.map((m) => alipay.checkNotifySignV2(m));
    out.forged = alipay.checkNotifySignV2({ ...cfg.messages[0], biz_content: '{"forged":true}' });
  } else {
    const pay = await alipay.exec('alipay.trade.pay', {
      bizContent: { out_trade_no: `${cfg.orderPrefix}-split`, total_amount: '50.00', subject: '分账商品', auth_code: '287951669891795468', scene: 'bar_code' },
    }, signed);
    out.bind = pick(await alipay.exec('alipay.trade.royalty.relation.bind', {
      bizContent: { out_request_no: `${cfg.orderPrefix}b`, receiver_list: [{ type: 'userId', account: cfg.receiver, memo: '合作方' }] },
    }, signed), ['resultCode']);
    const settle = await alipay.exec('alipay.trade.order.settle', {
      bizContent: {
        out_request_no: `${cfg.orderPrefix}s`,
        trade_no: pay.tradeNo,
        royalty_parameters: [{ trans_in_type: 'userId', trans_in: cfg.receiver, amount: '5.00', desc: '平台服务费' }],
        royalty_mode: 'async',
      },
    }, signed);
    out.settle = pick(settle, ['settleNo', 'tradeNo']);
    out.settleQuery = pick(await alipay.exec('alipay.trade.order.settle.query', {
      bizContent: { settle_no: settle.settleNo },
    }, signed), ['outRequestNo', 'royaltyDetailList']);
    out.unsettled = pick(await alipay.exec('alipay.trade.order.onsettle.query', {
      bizContent: { trade_no: pay.tradeNo },
    }, signed), ['unsettledAmount']);
    out.transfer = pick(await alipay.exec('alipay.fund.trans.uni.transfer', {
      bizContent: {
        out_biz_no: `${cfg.orderPrefix}t`, trans_amount: '8.88', product_code: 'TRANS_ACCOUNT_NO_PWD',
        biz_scene: 'DIRECT_TRANSFER', order_title: '佣金 & 奖励',
        payee_info: { identity: cfg.receiver, identity_type: 'ALIPAY_USER_ID' },
      },
    }, signed), ['orderId', 'status']);
    out.transferQuery = pick(await alipay.exec('alipay.fund.trans.common.query', {
      bizContent: { order_id: out.transfer.orderId },
    }, signed), ['transAmount', 'status']);
    out.balance = pick(await alipay.exec('alipay.fund.account.query', {
      bizContent: { alipay_user_id: cfg.sellerId, account_type: 'ACCTRANS_ACCOUNT' },
    }, signed), ['availableAmount']);
    out.unknownPayee = pick(await alipay.exec('alipay.fund.trans.uni.transfer', {
      bizContent: {
        out_biz_no: `${cfg.orderPrefix}x`, trans_amount: '1.00', product_code: 'TRANS_ACCOUNT_NO_PWD',
        payee_info: { identity: '2088999999999999', identity_type: 'ALIPAY_USER_ID' },
      },
    }, signed), []);
  }
});
