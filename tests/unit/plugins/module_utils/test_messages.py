"""Messages echo what the user gave only in part: a 10,000-character value never comes back whole."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import SHOWN_LIMIT, shorten_echoes, shown
from ansible_collections.cloudflare.addressing.plugins.modules import (
    byoip_binding,
    byoip_delegation,
    byoip_prefix,
    byoip_prefix_info,
)

LONG = "1" * 10000
LIMIT = 600  # a message may be long, but not as long as the value


def test_short_values_are_shown_whole_and_quoted():
    assert shown("203.0.113.0/24") == "'203.0.113.0/24'"
    assert shown("CDN", quoted=False) == "CDN"
    assert shown(13335) == "13335"  # other values as Python writes them
    assert shown(["203.0.113.0/24"]) == "['203.0.113.0/24']"


def test_long_values_are_cut_and_say_how_long_they_are():
    assert shown(LONG) == "'%s'... (10000 characters)" % ("1" * SHOWN_LIMIT)
    assert shown(LONG, quoted=False) == "%s... (10000 characters)" % ("1" * SHOWN_LIMIT)


def test_shorten_echoes_cuts_every_copy_of_a_long_value_and_any_overlong_word():
    message = "got %s, and again: '%s'; also %s" % (LONG, LONG, "x" * 5000)
    shortened = shorten_echoes(message, [LONG])
    assert len(shortened) < LIMIT
    assert shortened.count("(10000 characters)") == 2 and "(5000 characters)" in shortened


def test_shorten_echoes_leaves_ordinary_messages_alone():
    message = "Prefix 203.0.113.0/24 already exists in account 023e105f4ecef8ad9ca31a8372d0c353."
    assert shorten_echoes(message, ["short"]) == message


@pytest.mark.parametrize("module,args", [
    (byoip_prefix, dict(cidr=LONG + "/24", asn=13335)),
    (byoip_prefix, dict(cidr="203.0.113.0/24", asn=13335, loa_document_id=LONG)),
    (byoip_prefix, dict(cidr="203.0.113.0/24", asn=13335, state=LONG)),  # ansible-core's own check
    (byoip_prefix, dict(cidr="203.0.113.0/24", asn="x" * 10000)),  # ansible-core's own type conversion
    (byoip_prefix, dict(cidr="203.0.113.0/24", asn=13335, account_id=LONG)),
    (byoip_prefix, dict(cidr="203.0.113.0/24", asn=13335, base_url=LONG)),
    (byoip_prefix, dict(cidr="203.0.113.0/24", asn=13335, ca_path="/" + LONG)),
    (byoip_delegation, dict(prefix_cidr="203.0.113.0/24", cidr=LONG, delegated_account_id="0" * 32)),
    (byoip_delegation, dict(prefix_cidr="203.0.113.0/24", delegated_account_id=LONG)),
    (byoip_binding, dict(prefix_cidr=LONG, service="CDN")),
    (byoip_prefix_info, dict(cidr=LONG)),
])
def test_no_message_echoes_a_long_value_whole(run_module, sent_requests, module, args):
    result, failed = run_module(module, args)
    assert failed and sent_requests == []
    assert len(result["msg"]) < LIMIT, result["msg"][:300]
    assert "characters)" in result["msg"]
