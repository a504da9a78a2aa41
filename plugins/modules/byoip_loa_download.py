#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_loa_download
short_description: Download the Letter of Authorization of a BYOIP prefix to a file
version_added: 0.2.0
description:
  - Downloads the Letter of Authorization (LOA) of a bring-your-own-IP prefix, the PDF Cloudflare wrote for it
    (C(delegate_loa_creation=true)) or the one uploaded for it, to O(dest).
  - Like M(ansible.builtin.get_url) with a checksum, the module compares the SHA-256 of the downloaded bytes with
    the file already at O(dest), and writes (atomically) only when they differ; RV(ignore:changed) is true only
    when the file changes (or its mode or ownership do).
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
  - ansible.builtin.files
options:
  prefix_cidr:
    description:
      - The prefix whose LOA to download, for example C(203.0.113.0/24).
      - Exactly one of O(prefix_cidr), O(prefix_id) and O(loa_document_id) is required.
    type: str
  prefix_id:
    description:
      - Identifier (32 hexadecimal characters) of the prefix whose LOA to download.
    type: str
  loa_document_id:
    description:
      - Identifier (32 hexadecimal characters) of the LOA document itself, for example as returned by
        M(cloudflare.addressing.byoip_loa_document). Saves the request that reads the prefix.
    type: str
  dest:
    description:
      - The file to write, on the host that runs the module (usually the control node, C(localhost)). Its directory
        must exist.
    type: path
    required: true
notes:
  - Two requests by prefix (the prefix, then the download), one by O(loa_document_id). The download is a read, so
    check mode downloads too, to predict whether the file would change, and writes nothing.
  - A prefix without an LOA (its C(loa_document_id) is null) fails with an explanation.
seealso:
  - module: cloudflare.addressing.byoip_loa_document
  - module: cloudflare.addressing.byoip_prefix_info
  - name: Cloudflare API reference for LOA documents
    description: The download endpoint this module calls.
    link: https://developers.cloudflare.com/api/resources/addressing/subresources/loa_documents/
"""

EXAMPLES = r"""
- name: Keep a copy of the LOA Cloudflare wrote for the prefix
  cloudflare.addressing.byoip_loa_download:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    prefix_cidr: 203.0.113.0/24
    dest: /srv/byoip/loa-203.0.113.0-24.pdf
    mode: "0640"
  register: loa_copy

- name: Show its checksum
  ansible.builtin.debug:
    msg: "{{ loa_copy.dest }} has SHA-256 {{ loa_copy.sha256 }}"
"""

RETURN = r"""
dest:
  description: The file written (or that would be written, in check mode).
  returned: always
  type: str
  sample: /srv/byoip/loa-203.0.113.0-24.pdf
loa_document_id:
  description: The id of the downloaded LOA document.
  returned: always
  type: str
  sample: b9ff4afe312246a8b2e7324d98f40b23
sha256:
  description: SHA-256 of the downloaded document.
  returned: always
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
sha256_before:
  description: SHA-256 of the file at O(dest) before the run, V(null) when there was none.
  returned: always
  type: str
  sample: null
size:
  description: Size of the downloaded document in bytes.
  returned: always
  type: int
  sample: 84213
"""

import os
import tempfile

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    InputError,
    check_identifier,
    check_onboardable,
    find_prefix_by_cidr,
    get_prefix,
    parse_network,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._loa import download_path, sha256_of


def check_input(params):
    """The prefix network (or None); every problem at once."""
    problems, network = [], None
    for option in ("prefix_id", "loa_document_id"):
        try:
            check_identifier(params[option], option)
        except InputError as error:
            problems.append(str(error))
    if params["prefix_cidr"] is not None:
        try:
            network = check_onboardable(parse_network(params["prefix_cidr"], "prefix_cidr"), "prefix_cidr")
        except InputError as error:
            problems.append(str(error))
    problems.extend(dest_problems(params["dest"]))
    if problems:
        raise InputError(" ".join(problems))
    return network


def dest_problems(dest):
    if os.path.isdir(dest):
        return ["dest %s is a directory; name the file to write, for example %s." % (
            dest, os.path.join(dest, "loa.pdf"))]
    directory = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(directory):
        return ["dest %s: its directory %s does not exist." % (dest, directory)]
    return []


def file_sha256(path):
    """SHA-256 of an existing file, or None when there is none."""
    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        return sha256_of(handle.read())


def loa_document_id(module, network):
    """The id of the LOA to download: given, or read from the prefix (one request)."""
    params = module.params
    if params["loa_document_id"]:
        return params["loa_document_id"]
    if params["prefix_id"]:
        prefix = get_prefix(module.client, params["prefix_id"])
        named = "prefix id %s" % params["prefix_id"]
    else:
        prefix = find_prefix_by_cidr(module.client, network)
        named = "prefix %s" % network
    if prefix is None:
        module.fail_json(msg="The %s does not exist in account %s, so it has no LOA to download."
                             % (named, params["account_id"]))
    if not prefix.get("loa_document_id"):
        module.fail_json(msg="Prefix %s has no LOA document (loa_document_id is null): it was added without one "
                             "and without delegate_loa_creation." % prefix.get("cidr"), prefix=prefix)
    return prefix["loa_document_id"]


def write_atomically(module, dest, content):
    """Write content next to dest, then move it over dest, so that dest is never half-written."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(dest)), prefix=".loa-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        module.atomic_move(temporary, dest, unsafe_writes=module.params["unsafe_writes"])
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def main():
    module = AddressingModule(
        argument_spec=dict(
            prefix_cidr=dict(type="str"),
            prefix_id=dict(type="str"),
            loa_document_id=dict(type="str"),
            dest=dict(type="path", required=True),
        ),
        mutually_exclusive=[("prefix_cidr", "prefix_id", "loa_document_id")],
        required_one_of=[("prefix_cidr", "prefix_id", "loa_document_id")],
        add_file_common_args=True,
    )
    network = module.input_check(check_input, module.params)
    dest = module.params["dest"]

    def run():
        document_id = loa_document_id(module, network)
        client = module.client
        content = module.call_api("download the LOA document %s" % document_id, client.download,
                                  download_path(client, document_id))
        before = file_sha256(dest)
        after = sha256_of(content)
        changed = before != after
        if changed and not module.check_mode:
            write_atomically(module, dest, content)
        if os.path.exists(dest):
            changed = module.set_fs_attributes_if_different(module.load_file_common_arguments(module.params),
                                                            changed)
        result = dict(changed=changed, dest=dest, loa_document_id=document_id, sha256=after, sha256_before=before,
                      size=len(content))
        if module._diff:
            result["diff"] = dict(before=dict(sha256=before) if before else {}, after=dict(sha256=after))
        module.exit_json(**result)

    module.run(run)


if __name__ == "__main__":
    main()
