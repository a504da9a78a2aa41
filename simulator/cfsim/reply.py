"""A successful API answer as the handlers build it; app.py turns it into bytes."""

from . import errors


def result_info(count):
    """The page-based result_info of an unpaginated list: everything on page 1."""
    return {"count": count, "page": 1, "per_page": count, "total_count": count, "total_pages": 1}


class Reply:
    """A JSON envelope (201/202/200) or raw bytes (LOA download)."""

    def __init__(self, status=200, result=None, with_result=True, info=None, raw=None, content_type=None,
                 headers=None):
        self.status = status
        self.result = result
        self.with_result = with_result
        self.info = info
        self.raw = raw
        self.content_type = content_type
        self.headers = headers or {}

    def envelope(self):
        return errors.success(self.result, self.info, self.with_result)


def listing(result):
    """A whole list with the page-based result_info the definition gives this operation."""
    return Reply(result=result, info=result_info(len(result)))
