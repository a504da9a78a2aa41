# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Letter of Authorization documents: the local PDF checks and the two endpoints.

For internal collection use only: this is not a public interface and may change without notice.

Cloudflare has no endpoint that lists or describes LOA documents: only upload and download.
"""

import hashlib
import os

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import InputError

PDF_MAGIC = b"%PDF-"
MAX_LOA_BYTES = 10 * 1024 * 1024  # "Max file size 10MB, and supported filetype is pdf."


def loa_documents_path(client, *parts):
    return client.account_path("loa_documents", *parts)


def download_path(client, loa_document_id):
    return loa_documents_path(client, loa_document_id, "download")


def sha256_of(content):
    return hashlib.sha256(content).hexdigest()


def _read(path, option, size=-1):
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except (IOError, OSError) as error:
        raise InputError("%s %s cannot be read: %s." % (option, path, error.strerror or error))


def check_loa_file(path, option):
    """InputError unless path is a readable PDF of at most 10 MB; reads only its first bytes."""
    if not os.path.isfile(path):
        where = " (it is a directory)" if os.path.isdir(path) else " on this host"
        raise InputError("%s %s is not a file%s." % (option, path, where))
    size = os.path.getsize(path)
    if size > MAX_LOA_BYTES:
        raise InputError("%s %s has %d bytes; Cloudflare accepts LOA documents of at most 10 MB (%d bytes)."
                         % (option, path, size, MAX_LOA_BYTES))
    if not _read(path, option, len(PDF_MAGIC)).startswith(PDF_MAGIC):
        raise InputError("%s %s is not a PDF (it does not start with %%PDF-); Cloudflare accepts LOA documents as "
                         "PDF only." % (option, path))


def read_loa_file(path, option):
    """(file name, bytes, sha256) of a local LOA; InputError when it is not a readable PDF of at most 10 MB."""
    check_loa_file(path, option)
    content = _read(path, option)
    return os.path.basename(path), content, sha256_of(content)
