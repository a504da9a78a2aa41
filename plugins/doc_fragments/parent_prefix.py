# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """How modules of a prefix's child resources (delegations, bindings, BGP prefixes) name the parent prefix."""

    DOCUMENTATION = r"""
options:
  prefix_cidr:
    description:
      - CIDR of the parent BYOIP prefix, for example C(203.0.113.0/24).
      - Mutually exclusive with O(prefix_id). One of them is required.
      - Given by CIDR, a child CIDR outside the prefix fails before any request is sent, and so does a prefix in
        address space that can never be announced on the Internet (see the
        O(cloudflare.addressing.byoip_prefix#module:cidr) option of the C(cloudflare.addressing.byoip_prefix)
        module).
      - In check mode, a parent prefix that does not exist yet (because an earlier task of the same dry run would
        add it) gives a predicted result instead of a failure, with a warning unless O(parent_planned=true). A real
        run fails.
      - With O(state=absent), a parent prefix that does not exist means there is nothing to delete.
      - Set to V(null) (for example by C("{{ item.cidr }}") for an entry without a CIDR), it is refused.
    type: str
  prefix_id:
    description:
      - Identifier (32 hexadecimal characters) of the parent BYOIP prefix.
      - Mutually exclusive with O(prefix_cidr).
      - A prefix id that names no prefix of the account fails, unless O(state=absent).
    type: str
  parent_planned:
    description:
      - Whether an earlier task of the same run adds the parent prefix named by O(prefix_cidr), as in an onboarding.
      - In check mode a parent prefix that does not exist yet is then predicted quietly, without the warning that
        a real run fails unless the prefix exists by then. A real run still fails when the prefix does not exist.
    type: bool
    default: false
    version_added: 0.2.0
"""
