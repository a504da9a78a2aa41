"""Copy the collection into a path that ends in ansible_collections/cloudflare/addressing.

ansible-test refuses a collection whose real path does not end that way (symlinks are resolved), and the
repository root is the collection root, so tests run on a staged copy. The copy holds exactly the files git
would consider part of the tree: tracked files plus untracked files that .gitignore does not exclude.
"""

import os
import shutil
import subprocess
import sys


def tree_files(root):
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root, check=True, capture_output=True,
    ).stdout.decode()
    return sorted({name for name in out.split("\0") if name and os.path.isfile(os.path.join(root, name))})


def stage(root, dest):
    if os.path.exists(dest):
        shutil.rmtree(dest)
    for name in tree_files(root):
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(root, name), target)
    # The copy lives inside this repository's ignored .build/, and ansible-test asks git which files belong to
    # the collection; an empty repository of its own makes git list every staged file as "untracked".
    subprocess.run(["git", "init", "--quiet", dest], check=True)


def main():
    if len(sys.argv) != 2 or not sys.argv[1].rstrip("/").endswith("ansible_collections/cloudflare/addressing"):
        sys.exit("usage: stage.py DEST  (DEST must end in ansible_collections/cloudflare/addressing)")
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], check=True, capture_output=True,
                          text=True).stdout.strip()
    stage(root, os.path.abspath(sys.argv[1]))


if __name__ == "__main__":
    main()
