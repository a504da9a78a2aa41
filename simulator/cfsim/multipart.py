"""Read the parts of a multipart/form-data body with the email package (the cgi module is gone in 3.13)."""

import email.parser
import email.policy

from . import errors


def parts(content_type, body):
    """Return {field name: (filename or None, bytes)}; raises a 400 ApiError for a body that is not multipart."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        raise errors.ApiError(400, errors.MULTIPART_INVALID, "Request body must be multipart/form-data with a "
                              "loa_document part")
    head = b"MIME-Version: 1.0\r\nContent-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise errors.ApiError(400, errors.MULTIPART_INVALID, "Malformed multipart/form-data body")
    found = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            found[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return found
