# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Attributes shared by the collection's modules: check and diff mode, platform, action group."""

    # Modules that change objects: full check mode (no write, predicted result) and full diff mode.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Check mode sends no write request and returns the object as the real run would leave it; in batch
      mode, every object, taking the earlier objects of the same prefix into account.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details: The diff shows the managed fields of the object before and after; credentials never appear in it. In
      batch mode the diff is a list with one before/after per changed object.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
    details: The module is Python and talks to the Cloudflare API over HTTPS from the host it runs on, usually
      C(localhost); that host needs the C(requests) library. It does not run on Windows hosts.
"""

    # Read-only modules.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: This module only reads, so it runs the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: N/A
    details: This module only reads.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
    details: The module is Python and talks to the Cloudflare API over HTTPS from the host it runs on, usually
      C(localhost); that host needs the C(requests) library. It does not run on Windows hosts.
"""

    ACTIONGROUP_BYOIP = r"""
attributes:
  action_group:
    description: Use C(group/cloudflare.addressing.byoip) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudflare.addressing.byoip
"""
