"""The README's single error-code table lists exactly the codes cfsim can send."""

import pathlib
import re

from cfsim import errors

README = pathlib.Path(__file__).resolve().parents[2] / "simulator" / "README.md"


def test_error_table_matches_the_code():
    text = README.read_text(encoding="utf-8")
    table = text[text.index("### Error codes"):text.index("## Control API")]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.M)}
    defined = {value for name, value in vars(errors).items() if name.isupper() and isinstance(value, int)}
    assert documented == defined
