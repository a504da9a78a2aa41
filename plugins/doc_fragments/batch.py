# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Batch mode of the resource modules (one run, a list of objects) and the concurrency option."""

    # The concurrency option alone, for modules without a batch mode.
    CONCURRENCY = r"""
options:
  concurrency:
    description:
      - How many prefixes the module works on at the same time, from V(1) (one after the other) to V(8).
      - Only matters when the module handles several prefixes. Objects of one prefix are always handled one after
        the other. Working side by side saves time, not requests.
    type: int
    default: 4
    version_added: 0.2.0
"""

    # The concurrency option and how a batch runs; each module documents its own list option. (Fragments are plain
    # strings, so the option is written out again here.)
    DOCUMENTATION = r"""
options:
  concurrency:
    description:
      - How many prefixes the module works on at the same time, from V(1) (one after the other) to V(8).
      - Only matters when the module handles several prefixes. Objects of one prefix are always handled one after
        the other. Working side by side saves time, not requests.
    type: int
    default: 4
    version_added: 0.2.0
notes:
  - "Batch mode, a list of objects in one run: every element is checked before the first request and every problem
    is reported at once, named like C(bindings[3].cidr) (elements count from 0). Two elements for the same object
    are an error. An empty list changes nothing and sends no request."
  - Batch mode reads the account's prefix list once and the delegations, bindings or BGP prefixes of each named
    prefix once; an element that is already as requested costs no further request. Elements of different prefixes
    are handled side by side (O(concurrency)), elements of the same prefix one after the other, in the given order.
  - In batch mode, when an element fails no new element is started and those already running finish; the module
    then fails, naming the element, Cloudflare's codes and messages, and what was already done, and returns
    RV(results). Running the task again converges.
  - In batch mode, check mode predicts every element as the real run would leave it, including what earlier elements
    of the same prefix would do. In diff mode the diff is a list with one before/after per changed element.
"""
