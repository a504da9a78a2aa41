# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Connection, credential and retry options shared by every module of the collection."""

    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - A Cloudflare API token, sent in the C(Authorization) header as a bearer token.
      - "Changes need the C(IP Prefixes: Write) permission (reads need C(IP Prefixes: Read)); advertising also
        accepts C(IP Prefixes: BGP On Demand Write)."
      - If not set, the value of the E(CLOUDFLARE_API_TOKEN) environment variable is used.
      - Mutually exclusive with O(api_key). One of O(api_token) and O(api_key) is required.
      - Credentials set on the task win over credentials from the environment. When only the environment holds
        credentials and it holds both a token and a key, the token is used.
    type: str
  api_email:
    description:
      - Email address of the Cloudflare user whose Global API key is O(api_key).
      - If not set, the value of the E(CLOUDFLARE_EMAIL) environment variable is used.
      - Required together with O(api_key).
    type: str
  api_key:
    description:
      - The Global API key of the user O(api_email), sent as C(X-Auth-Key). Prefer a scoped O(api_token).
      - If not set, the value of the E(CLOUDFLARE_API_KEY) environment variable is used.
    type: str
  account_id:
    description:
      - Identifier (32 hexadecimal characters) of the Cloudflare account that owns the prefixes.
      - If not set, the value of the E(CLOUDFLARE_ACCOUNT_ID) environment variable is used. One of them is required.
    type: str
  base_url:
    description:
      - Base URL of the Cloudflare API.
      - Point it at the bundled simulator (C(cfsim)) to rehearse, for example C(http://127.0.0.1:8787/client/v4).
      - If not set, the value of the E(CLOUDFLARE_BASE_URL) environment variable is used, and if that is unset too,
        the default.
    type: str
    default: https://api.cloudflare.com/client/v4
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(base_url). Only disable it against a test endpoint.
      - V(false) turns verification off even when the E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) environment
        variable is set.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a file of CA certificates in PEM format that signs the certificate of O(base_url), for example
        the CA of a TLS-inspecting proxy or of a test endpoint.
      - If not set, the E(REQUESTS_CA_BUNDLE) environment variable, else the E(CURL_CA_BUNDLE) environment
        variable, names the CA file; if neither is set, the CA certificates that come with C(requests) are used.
        O(ca_path) wins over both variables.
      - Ignored when O(validate_certs=false).
    type: path
  request_timeout:
    description:
      - Seconds to wait for the answer to each single HTTP request, once connected.
      - This is not the time budget of a wait for validation or provisioning; the roles own those.
    type: float
    default: 30
  connect_timeout:
    description:
      - Seconds to wait for a connection to O(base_url) (TCP and TLS), for each attempt.
      - A request that gets no answer at all (no connection, or no answer within O(request_timeout)) is retried
        once, and then only while its next attempt would end within three times O(connect_timeout) of its first
        attempt. With the defaults, an unreachable API fails within 30 seconds.
      - A refused connection and a TLS certificate that does not verify fail at once.
    type: float
    default: 10
  retries:
    description:
      - How many times a request is retried after HTTP 429, 500, 502, 503 or 504, or a connection failure
        (within the limit that O(connect_timeout) describes). A refused connection and a TLS certificate that
        does not verify are not retried.
      - Waits honour the C(Retry-After) header, otherwise back off exponentially with jitter.
      - A create whose outcome is unknown (the connection dropped after the request was sent, or a 5xx answer)
        is never repeated blindly; the module reads the collection first and adopts the object if it was
        created. A create answered with HTTP 409 is read again too, and an object that matches what the task
        asks for (created by an earlier attempt or by a concurrent run) is adopted; only a real conflict fails.
    type: int
    default: 10
  retry_max_wait:
    description:
      - Upper bound, in seconds, of the time one module run spends waiting between retries, summed over all of
        its requests.
      - When Cloudflare asks to wait longer than what is left (for example during the 15-minute advertisement
        toggle hold), the module fails at once and says when to retry.
    type: float
    default: 120
notes:
  - The modules talk to the Cloudflare API from the host they run on, usually C(localhost).
  - The modules pace themselves by Cloudflare's rate-limit headers (C(Ratelimit), C(Ratelimit-Policy)). Cloudflare
    allows 1200 requests per 5 minutes per user and blocks every call for the rest of the window when they are
    used up; so when less than a fifth of the quota is left, requests are spread evenly over the rest of the
    window, and when none is left they wait for the window to reset. These waits are not retries and do not count
    against O(retry_max_wait); the module warns when it waited.
  - Credentials are never printed, also not with C(-vvv) or in diffs.
  - An empty E(CLOUDFLARE_API_TOKEN), E(CLOUDFLARE_EMAIL), E(CLOUDFLARE_API_KEY), E(CLOUDFLARE_ACCOUNT_ID) or
    E(CLOUDFLARE_BASE_URL) environment variable counts as unset. AWX sets a variable to an empty string for
    every optional field of a credential left blank.
requirements:
  - requests
seealso:
  - name: Cloudflare API reference for IP address management
    description: The addressing endpoints these modules call.
    link: https://developers.cloudflare.com/api/resources/addressing/
"""
