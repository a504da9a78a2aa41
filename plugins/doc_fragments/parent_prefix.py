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
        add it) gives a warning and a predicted result instead of a failure. A real run fails.
      - With O(state=absent), a parent prefix that does not exist means there is nothing to delete.
    type: str
  prefix_id:
    description:
      - Identifier (32 hexadecimal characters) of the parent BYOIP prefix.
      - Mutually exclusive with O(prefix_cidr).
      - A prefix id that names no prefix of the account fails, unless O(state=absent).
    type: str
"""
