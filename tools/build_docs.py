"""Build the collection's HTML documentation site with antsibull-docs and Sphinx, offline.

    build_docs.py WORK_DIR SITE_DIR

Runs `antsibull-docs sphinx-init --use-current` into WORK_DIR (recreated), adjusts the generated conf.py for a
machine without network access, runs the generated build.sh (antsibull-docs collection + sphinx-build -W) and
copies the HTML to SITE_DIR. The collection is taken from ANSIBLE_COLLECTIONS_PATH (the Makefile points it at the
staged copy), so the site documents exactly the code under test.

Offline, Sphinx cannot download the intersphinx inventories of docs.ansible.com and docs.python.org; the labels
they define (common_return_values, ansible_configuration_settings) then stay undefined and `-W` fails the build.
The override below turns intersphinx off and silences only those unresolved references.
"""

import os
import shutil
import subprocess
import sys

COLLECTION = "cloudflare.addressing"
CONF_OVERRIDES = '''

# --- added by tools/build_docs.py: a self-contained site for this collection, built offline ---
project = "cloudflare.addressing"
title = "cloudflare.addressing documentation"
html_short_title = "cloudflare.addressing"
intersphinx_mapping = {}
suppress_warnings = ["ref.ref"]
'''


def run(command, cwd, env):
    print("build_docs: %s" % " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: build_docs.py WORK_DIR SITE_DIR")
    work, site = (os.path.abspath(path) for path in sys.argv[1:])
    # The tools of the running venv come first, whatever PATH the caller has.
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))

    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work, mode=0o755)  # antsibull-docs wants a directory only its owner can write to
    os.chmod(work, 0o755)
    run(["antsibull-docs", "sphinx-init", "--use-current", "--dest-dir", work, COLLECTION], cwd=work, env=env)
    with open(os.path.join(work, "conf.py"), "a", encoding="utf-8") as conf:
        conf.write(CONF_OVERRIDES)
    run(["bash", os.path.join(work, "build.sh")], cwd=work, env=env)

    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(os.path.join(work, "build", "html"), site)
    print("build_docs: the site is in %s (open index.html)" % site)


if __name__ == "__main__":
    main()
