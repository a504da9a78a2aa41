"""Ownership proof by hand: the role prints what to publish and waits until Cloudflare sees it.

The simulator's `manual` outcome resolves IRR and RPKI but keeps ownership `pending` until the token is published
through its control API (standing in for the cf-validation remark of the IRR route object or the TXT records).
"""

import threading
import time

from conftest import plain_prefix

PLAIN = "198.51.100.0/24"


def wait_for(predicate, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("gave up after %d s" % seconds)


def test_the_role_waits_for_the_published_token_and_then_finishes(sim, runner):
    sim.control("POST", "/reset")
    sim.control("POST", "/validation-outcomes", dict(cidr=PLAIN, outcome="manual"))
    results = {}
    onboarding = threading.Thread(target=lambda: results.update(run=runner.run(
        "onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)], byoip_onboard_validation_timeout=120))))
    onboarding.start()

    mark = sim.mark()

    def role_polls_while_ownership_is_all_that_is_missing():
        polls = [entry for entry in sim.requests_since(mark)
                 if entry["method"] == "GET" and "cloudflare.addressing" in entry["user_agent"]]
        prefix = sim.prefix(PLAIN)
        if len(polls) >= 4 and prefix and prefix["rpki_validation_state"] == "valid":
            return prefix
        return None

    waiting = wait_for(role_polls_while_ownership_is_all_that_is_missing)
    assert waiting["ownership_validation_state"] == "pending" and waiting["approved"] == "P"
    assert sim.children(PLAIN, "bindings") == [], "nothing is bound before the prefix is approved"
    published = sim.control("POST", "/ownership-tokens", dict(cidr=PLAIN))  # the user adds the IRR remark
    onboarding.join(timeout=300)

    run = results["run"]
    assert run.returncode == 0, run.output
    instructions = "\n".join(line for record in run.tasks("Say what to publish")
                             for result in record["result"].get("results", []) for line in result.get("msg", []))
    token = published["ownership_validation_token"]
    assert "cf-validation: " + token in instructions
    assert 'cf-validation.100.51.198.in-addr.arpa. IN TXT "%s"' % token in instructions
    assert sim.prefix(PLAIN)["approved"] == "V"
    assert [binding["provisioning"]["state"] for binding in sim.children(PLAIN, "bindings")] == ["active"]
