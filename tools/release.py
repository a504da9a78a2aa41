"""Prepare a release: antsibull-changelog release for the version in galaxy.yml, on the staged copy.

    release.py STAGE      (make release)

antsibull-changelog reads the plugins' version_added through ansible-doc, which needs the collection under a path
ending in ansible_collections/cloudflare/addressing, so the release runs on the staged copy (make stage). The
files it writes (CHANGELOG.rst, changelogs/changelog.yaml) are copied back into the repository and the fragments it
consumed are deleted there; commit the result. The version must already be the same in galaxy.yml and in
COLLECTION_VERSION of plugins/module_utils/_api.py (a unit test keeps them equal).
"""

import os
import re
import shutil
import subprocess
import sys

GENERATED = ("CHANGELOG.rst", os.path.join("changelogs", "changelog.yaml"))
FRAGMENTS = os.path.join("changelogs", "fragments")


def galaxy_version(root):
    with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
        return re.search(r"^version:\s*(\S+)", handle.read(), flags=re.MULTILINE).group(1)


def client_version(root):
    with open(os.path.join(root, "plugins", "module_utils", "_api.py"), encoding="utf-8") as handle:
        return re.search(r'^COLLECTION_VERSION = "([^"]+)"', handle.read(), flags=re.MULTILINE).group(1)


def fragments(root):
    directory = os.path.join(root, FRAGMENTS)
    return set(name for name in os.listdir(directory) if name.endswith((".yml", ".yaml")))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: release.py STAGE")
    stage = os.path.abspath(sys.argv[1])
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], check=True, capture_output=True,
                          text=True).stdout.strip()
    version = galaxy_version(root)
    if client_version(root) != version:
        sys.exit("release: galaxy.yml says %s but COLLECTION_VERSION says %s; make them equal first"
                 % (version, client_version(root)))
    before = fragments(stage)
    if not before:
        sys.exit("release: no changelog fragments in %s; a release needs at least a release_summary" % FRAGMENTS)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.dirname(os.path.dirname(os.path.dirname(stage))))
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "antsibull-changelog"), "release",
                    "--version", version], cwd=stage, env=env, check=True)
    for name in GENERATED:
        shutil.copy2(os.path.join(stage, name), os.path.join(root, name))
    consumed = sorted(before - fragments(stage))
    for name in consumed:
        os.remove(os.path.join(root, FRAGMENTS, name))
    keep = os.path.join(root, FRAGMENTS, ".keep")
    if not os.path.exists(keep):
        open(keep, "w").close()  # git keeps no empty directory; the next change needs it
    print("release: %s prepared; %d fragment(s) consumed. Review and commit CHANGELOG.rst, changelogs/ and the "
          "deleted fragments." % (version, len(consumed)))


if __name__ == "__main__":
    main()
