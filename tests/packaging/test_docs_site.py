"""The HTML documentation site has a page for every module, role and filter, with every option on it.

`make packaging` builds the site with `make docs` first and passes its location in CFA_DOCS_SITE; run alone, the
test builds the site itself with tools/build_docs.py.
"""

import html
import os
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import ROOT, ansible_doc_json, filter_names, load_yaml, module_names, role_names, tool_env

PAGES = pathlib.Path("collections") / "cloudflare" / "addressing"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    given = os.environ.get("CFA_DOCS_SITE")
    if given:
        return pathlib.Path(given)
    work = tmp_path_factory.mktemp("docsite")
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py"), str(work / "build"), str(work / "site")],
                   env=tool_env(), check=True, capture_output=True)
    return work / "site"


def page(site, name):
    path = site / PAGES / name
    assert path.is_file(), "the docs site has no page %s" % (PAGES / name)
    return path.read_text(encoding="utf-8")


def anchor_ids(text):
    return set(re.findall(r'id="([^"]+)"', text))


def test_collection_index_links_every_page(site):
    index = page(site, "index.html")
    expected = ["%s_module.html" % name for name in module_names()]
    expected += ["%s_role.html" % name for name in role_names()]
    expected += ["%s_filter.html" % name for name in filter_names()]
    missing = [target for target in expected if 'href="%s' % target not in index]
    assert not missing, "the collection index does not link %s" % ", ".join(missing)


@pytest.mark.parametrize("name", module_names())
def test_module_page_shows_every_option_and_return_value(site, name):
    text = page(site, "%s_module.html" % name)
    doc = ansible_doc_json("module", module_names())["cloudflare.addressing.%s" % name]
    ids = anchor_ids(text)
    missing = ["parameter-%s" % option for option in doc["doc"]["options"] if "parameter-%s" % option not in ids]
    missing += ["return-%s" % value for value in doc["return"] if "return-%s" % value not in ids]
    assert not missing, "%s page lacks %s" % (name, ", ".join(missing))
    assert html.escape(doc["doc"]["short_description"], quote=False) in text


@pytest.mark.parametrize("name", role_names())
def test_role_page_shows_every_variable(site, name):
    text = page(site, "%s_role.html" % name)
    options = ansible_doc_json("role", role_names())["cloudflare.addressing.%s" % name]["entry_points"]["main"]["options"]
    ids = anchor_ids(text)
    missing = [option for option in options if "parameter-main--%s" % option not in ids]
    assert not missing, "%s page lacks %s" % (name, ", ".join(missing))


@pytest.mark.parametrize("name", filter_names())
def test_filter_page_shows_its_input(site, name):
    text = page(site, "%s_filter.html" % name)
    options = ansible_doc_json("filter", filter_names())["cloudflare.addressing.%s" % name]["doc"]["options"]
    ids = anchor_ids(text)
    assert all("parameter-%s" % option in ids for option in options)


def test_collection_index_links_the_guides_in_this_tree(site):
    index = page(site, "index.html")
    links = load_yaml(ROOT / "docs" / "docsite" / "links.yml")
    blob = "https://github.com/%s/blob/%s/" % (links["edit_on_github"]["repository"], links["edit_on_github"]["branch"])
    guides = [link["url"] for link in links["extra_links"] if link["url"].startswith(blob)]
    assert {url[len(blob):] for url in guides} == {"docs/onboarding-guide.md", "extensions/awx/README.md"}
    for url in guides:
        assert (ROOT / url[len(blob):]).is_file()
        assert 'href="%s"' % url in index
