#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_loa_document
short_description: Upload a Letter of Authorization for a BYOIP prefix that is yet to be added
version_added: 0.2.0
description:
  - Uploads a Letter of Authorization (LOA), a signed PDF, for the prefix O(prefix_cidr), and returns the new
    document's id for the O(cloudflare.addressing.byoip_prefix#module:loa_document_id) option of
    M(cloudflare.addressing.byoip_prefix).
  - Only needed when Cloudflare does not write the LOA itself (C(delegate_loa_creation=false)).
  - B(How the upload stays idempotent.) Cloudflare has no endpoint that lists or describes LOA documents, so an
    uploaded document cannot be found again by its content or name. The module therefore ties the upload to the
    prefix that will use it. When a prefix with O(prefix_cidr) exists, its LOA is in place, and the module returns
    the prefix's RV(loa_document_id) and uploads nothing. Only when the prefix does not exist yet does it upload
    the file. A re-run after the prefix was added changes nothing.
  - The module does not change the LOA of an existing prefix (Cloudflare's API offers no way to).
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  path:
    description:
      - The LOA, a PDF file of at most 10 MB, on the host that runs the module (usually the control node,
        C(localhost)).
      - The module checks that it exists, is readable, is not empty, starts like a PDF (C(%PDF-)) and is at most
        10 MB before it sends any request.
    type: path
    required: true
  prefix_cidr:
    description:
      - The prefix the LOA is for, for example C(203.0.113.0/24), in the spelling that
        M(cloudflare.addressing.byoip_prefix) will add it with (any spelling of the same network matches).
    type: str
    required: true
notes:
  - One request (the list of prefixes) when the prefix exists; one more (the upload) when it does not.
  - An upload that is not followed by the prefix (for example because adding the prefix failed) leaves an unused
    LOA document behind, and the next run uploads the file again. Unused LOA documents do no harm, and Cloudflare
    offers no way to delete them.
  - When the connection drops after the file was sent, the module uploads it once more (an upload whose outcome
    is unknown cannot be looked up); the first copy, if it arrived, stays unused.
  - In check mode nothing is uploaded; a new document is predicted with RV(loa_document.id=null).
seealso:
  - module: cloudflare.addressing.byoip_prefix
  - module: cloudflare.addressing.byoip_loa_download
  - name: Cloudflare Letter of Authorization
    description: What the LOA must contain.
    link: https://developers.cloudflare.com/byoip/concepts/loa/
  - name: Cloudflare API reference for LOA documents
    description: The upload endpoint this module calls.
    link: https://developers.cloudflare.com/api/resources/addressing/subresources/loa_documents/
"""

EXAMPLES = r"""
- name: Upload the signed LOA, unless the prefix already exists
  cloudflare.addressing.byoip_loa_document:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    path: files/loa-203.0.113.0-24.pdf
    prefix_cidr: 203.0.113.0/24
  register: loa

- name: Add the prefix with that LOA
  cloudflare.addressing.byoip_prefix:
    cidr: 203.0.113.0/24
    asn: 13335
    # In check mode nothing is uploaded and the id is null: the dry run predicts the prefix without it.
    loa_document_id: "{{ loa.loa_document_id | default(omit, true) }}"
    delegate_loa_creation: false
"""

RETURN = r"""
loa_document_id:
  description:
    - The id of the LOA for O(prefix_cidr) - the existing prefix's C(loa_document_id), or the id of the document
      just uploaded.
    - V(null) in check mode when a document would be uploaded, and when an existing prefix has no LOA.
  returned: always
  type: str
  sample: b9ff4afe312246a8b2e7324d98f40b23
uploaded:
  description: Whether the run uploaded the file (would upload it, in check mode).
  returned: always
  type: bool
  sample: true
loa_document:
  description:
    - The uploaded document as Cloudflare describes it (predicted in check mode); empty when nothing was uploaded.
  returned: always
  type: dict
  contains:
    id:
      description: Identifier of the document.
      type: str
      sample: b9ff4afe312246a8b2e7324d98f40b23
    account_id:
      description: The account the document belongs to.
      type: str
      sample: 023e105f4ecef8ad9ca31a8372d0c353
    filename:
      description: The file name, as uploaded.
      type: str
      sample: loa-203.0.113.0-24.pdf
    size_bytes:
      description: The size of the document.
      type: int
      sample: 84213
    auto_generated:
      description: Whether Cloudflare wrote the document (always V(false) for an upload).
      type: bool
      sample: false
    verified:
      description: Whether Cloudflare staff verified the document.
      type: bool
      sample: false
    verified_at:
      description: When it was verified (RFC 3339), or V(null).
      type: str
      sample: null
    created:
      description: When it was uploaded (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
sha256:
  description: SHA-256 of the local file O(path).
  returned: always
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._address_space import unannounceable_reason
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import OutcomeUnknownError
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    InputError,
    check_onboardable,
    find_prefix_by_cidr,
    parse_network,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._loa import (
    loa_documents_path,
    read_loa_file,
)


def check_input(params):
    """(network, (file name, bytes, sha256)); every problem at once."""
    problems, network, document = [], None, None
    try:
        network = check_onboardable(parse_network(params["prefix_cidr"], "prefix_cidr"), "prefix_cidr")
    except InputError as error:
        problems.append(str(error))
    reason = unannounceable_reason(network) if network is not None else None
    if reason:
        problems.append("prefix_cidr %s %s and can never be a BYOIP prefix." % (network, reason))
    try:
        document = read_loa_file(params["path"], "path")
    except InputError as error:
        problems.append(str(error))
    if problems:
        raise InputError(" ".join(problems))
    return network, document


def predicted_document(account_id, document):
    """The document Cloudflare would create, with what only Cloudflare knows set to None."""
    name, content, _sha256 = document
    return dict(id=None, account_id=account_id, filename=name, size_bytes=len(content), auto_generated=False,
                verified=False, verified_at=None, created=None)


def upload(module, document, network):
    """POST the file as multipart/form-data; repeated once when the first outcome is unknown."""
    client = module.client
    name, content, _sha256 = document
    files = {"loa_document": (name, content, "application/pdf")}

    def post():
        try:
            return client.post(loa_documents_path(client), files=files)
        except OutcomeUnknownError as error:
            module.warn("The connection failed after the LOA was sent (%s); uploaded it once more. If the first "
                        "upload arrived, that copy stays unused." % error.describe())
            return client.post(loa_documents_path(client), files=files)

    return module.call_api("upload the LOA %s for prefix %s" % (module.params["path"], network), post)


def main():
    module = AddressingModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            prefix_cidr=dict(type="str", required=True),
        ),
    )
    network, document = module.input_check(check_input, module.params)

    def run():
        result = dict(sha256=document[2], loa_document={}, uploaded=False, loa_document_id=None)
        prefix = find_prefix_by_cidr(module.client, network)
        if prefix is not None:
            result["loa_document_id"] = prefix.get("loa_document_id")
            if not result["loa_document_id"]:
                module.warn("Prefix %s exists without an LOA document (loa_document_id is null); nothing was "
                            "uploaded, because Cloudflare's API cannot attach an LOA to an existing prefix."
                            % prefix.get("cidr"))
            module.exit_json(changed=False, **result)
        if module.check_mode:
            result.update(uploaded=True, loa_document=predicted_document(module.params["account_id"], document))
        else:
            created = upload(module, document, network)
            result.update(uploaded=True, loa_document=created, loa_document_id=created.get("id"))
        if module._diff:
            result["diff"] = dict(before={}, after=dict(filename=document[0], sha256=document[2],
                                                        prefix_cidr=str(network)))
        module.exit_json(changed=True, **result)

    module.run(run)


if __name__ == "__main__":
    main()
