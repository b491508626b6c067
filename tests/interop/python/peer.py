"""Peer driver for the interop tests: runs the official Alipay Python SDK
(alipay-sdk-python, pinned in requirements.txt) on whatever the Rust test sends.

One JSON object per line on stdin, one answer per line on stdout:
{"id": n, "ok": {...}} or {"id": n, "err": "..."}. Exits when stdin closes.
It calls the SDK's own helpers; it never re-implements what it is testing.
"""
import json
import sys
import traceback
from urllib.parse import parse_qsl

from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.constant.CommonConstants import THREAD_LOCAL
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.request.AlipayTradeAppPayRequest import AlipayTradeAppPayRequest
from alipay.aop.api.util import EncryptUtils
from alipay.aop.api.util.WebUtils import url_encode
from alipay.aop.api.util.SignatureUtils import (
    get_sign_content,
    sign_with_rsa,
    sign_with_rsa2,
    verify_with_rsa,
)

KEYS = {}


class _Py3Bytes:
    """The SDK's AES helpers hand `str` values (IV and padded text) to the cipher, which
    Python 3's pycryptodome refuses. This adapter encodes them as the charset they were
    built from and leaves everything else (padding, IV choice, base64) to the SDK."""

    block_size = 16
    MODE_CBC = None

    def __init__(self, real):
        self._real = real
        self.MODE_CBC = real.MODE_CBC
        self.block_size = real.block_size

    def new(self, key, mode, iv):
        iv = iv.encode("latin-1") if isinstance(iv, str) else iv
        cipher = self._real.new(key, mode, iv)
        return _Py3Cipher(cipher)


class _Py3Cipher:
    def __init__(self, cipher):
        self._c = cipher

    def encrypt(self, data):
        return self._c.encrypt(data.encode("utf-8") if isinstance(data, str) else data)

    def decrypt(self, data):
        return self._c.decrypt(data)


def _client(sign_type="RSA2", alipay_public=None):
    cfg = AlipayClientConfig()
    cfg.app_id = KEYS["app_id"]
    cfg.app_private_key = KEYS["app_private_pkcs1"]
    cfg.alipay_public_key = alipay_public or KEYS["alipay_public"]
    cfg.sign_type = sign_type
    return DefaultAlipayClient(cfg)


def op_init(a):
    KEYS.update(a)
    return {"sdk": "alipay-sdk-python"}


def op_verify_request(a):
    """Our signed request: the SDK's join + its verifier with the app public key; also the
    SDK re-signs the same content, to compare with our deterministic signature. Both
    work on the content's bytes in `charset` (default utf-8), as the SDK's client does."""
    params = dict(a["params"])
    charset = a.get("charset", "utf-8")
    sign = params.pop("sign")
    content = get_sign_content(params)
    non_empty = get_sign_content({k: v for k, v in params.items() if v != ""})
    signer = sign_with_rsa if params.get("sign_type") == "RSA" else sign_with_rsa2
    return {"joined_ok": _verify(KEYS["app_public"], content, sign, charset),
            "joined_non_empty_ok": _verify(KEYS["app_public"], non_empty, sign, charset),
            "sign_content": content,
            "resigned_sign": signer(KEYS["app_private_pkcs1"], content, charset)}


def _verify(public_key, content, sign, charset="utf-8"):
    # The SDK's verifier raises on a bad signature instead of returning False.
    try:
        return bool(verify_with_rsa(public_key, content.encode(charset), sign))
    except Exception:
        return False


def op_url_encode(a):
    """The SDK's form/query encoding (`WebUtils.url_encode`) of ordered pairs in `charset`."""
    return {"encoded": url_encode(dict(a["pairs"]), a["charset"])}


def op_sdk_execute(a):
    """The SDK signs an APP pay request through its client and returns the order string."""
    client = _client(a.get("sign_type", "RSA2"))
    req = AlipayTradeAppPayRequest()
    req.biz_content = a["biz"]
    if a.get("notify_url"):
        req.notify_url = a["notify_url"]
    for k, v in a.get("text", []):
        req.add_other_text_param(k, v)
    return {"order_string": client.sdk_execute(req)}


def op_check_notify(a):
    """A notification body, form-decoded once as a web framework would, checked the way the
    SDK's documentation shows: drop `sign` (and `sign_type` for V1), join, verify."""
    post = dict(parse_qsl(a["body"], keep_blank_values=True, encoding="utf-8", errors="strict"))
    sign = post.pop("sign", "")
    out = {}
    v2 = get_sign_content(post)
    post.pop("sign_type", None)
    v1 = get_sign_content(post)
    for name, content in (("v1", v1), ("v2", v2)):
        out[name] = _verify(KEYS["alipay_public"], content, sign)
    return out


def op_sign_notify(a):
    """The SDK's join and signer with the platform key, over V1 content."""
    params = dict(a["params"])
    signer = sign_with_rsa if params.get("sign_type") == "RSA" else sign_with_rsa2
    content = get_sign_content({k: v for k, v in params.items() if k not in ("sign", "sign_type")})
    params["sign"] = signer(KEYS["alipay_private_pkcs1"], content, "utf-8")
    return {"params": params}


def op_parse_response(a):
    """A signed response body through the client's own extraction and verification."""
    client = _client(a.get("sign_type", "RSA2"))
    # execute() sets these per call before parsing; the parser logs through them.
    THREAD_LOCAL.logger = None
    THREAD_LOCAL.uuid = "interop"
    parse = getattr(client, "_DefaultAlipayClient__parse_response")
    try:
        return {"verified": True, "node": parse(a["body"].encode("utf-8"))}
    except Exception as e:
        return {"verified": False, "error": str(e)}


def op_aes_encrypt(a):
    return {"ciphertext": EncryptUtils.aes_encrypt_content(a["plaintext"], a["key"], "utf-8")}


def op_aes_decrypt(a):
    return {"plaintext": EncryptUtils.aes_decrypt_content(a["ciphertext"], a["key"], "utf-8")}


def op_aes_unpatched(a):
    """Runs the SDK's AES helper without the adapter, to show whether it still fails."""
    saved = EncryptUtils.AES
    EncryptUtils.AES = _REAL_AES
    try:
        EncryptUtils.aes_encrypt_content(a["plaintext"], a["key"], "utf-8")
        return {"works": True}
    except Exception as e:
        return {"works": False, "error": "%s: %s" % (type(e).__name__, e)}
    finally:
        EncryptUtils.AES = saved


_REAL_AES = EncryptUtils.AES
EncryptUtils.AES = _Py3Bytes(_REAL_AES)

OPS = {k[3:]: v for k, v in globals().items() if k.startswith("op_")}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        msg_id = None
        try:
            msg = json.loads(line)
            msg_id = msg.get("id")
            fn = OPS.get(msg.get("op"))
            if fn is None:
                raise ValueError("unknown op %r" % msg.get("op"))
            out = {"id": msg_id, "ok": fn(msg.get("args") or {})}
        except Exception:
            out = {"id": msg_id, "err": traceback.format_exc()}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
