"""Schemathesis hooks for .ci/schemathesis.sh: sign every request to the order API with SigV4 as the IAM user that
calls the route in production — the owner's admin user for `/admin/*` (local-admin / local-admin-secret), the
storefront's user for `/` and `/order` (local-storefront / local-storefront-secret); each user's policy allows only
its own routes (aws/template.yaml). The ECPay callbacks are public and go unsigned.

botocore's SigV4Auth (service execute-api, region ap-northeast-1) signs the prepared request: the exact body bytes
requests will send, the Host, and a query string rewritten in RFC 3986 form first so that what is sent is what was
signed (requests writes spaces as "+").
"""

import os
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import requests
import schemathesis
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = os.environ.get("SIGV4_REGION", "ap-northeast-1")
ADMIN = Credentials(
    os.environ.get("ADMIN_ACCESS_KEY_ID", "local-admin"), os.environ.get("ADMIN_SECRET_ACCESS_KEY", "local-admin-secret")
)
STOREFRONT = Credentials(
    os.environ.get("STOREFRONT_ACCESS_KEY_ID", "local-storefront"),
    os.environ.get("STOREFRONT_SECRET_ACCESS_KEY", "local-storefront-secret"),
)


def _rfc3986(value: str) -> str:
    return quote(value, safe="-_.~")


class SigV4ExecuteApi(requests.auth.AuthBase):
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in pairs)
        request.url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        signed = AWSRequest(method=request.method, url=request.url, data=body, headers={})
        credentials = ADMIN if parts.path.startswith("/admin/") else STOREFRONT
        SigV4Auth(credentials, "execute-api", REGION).add_auth(signed)
        for name in ("Authorization", "X-Amz-Date"):
            request.headers[name] = signed.headers[name]
        return request


schemathesis.auth.set_from_requests(SigV4ExecuteApi()).skip_for(path_regex="^/ecpay")
