"""Offline stand-in for pypa's get-pip.py.

ansible-test bootstraps pip into every virtual environment it creates by running a get-pip script that it
downloads from ci-files.testing.ansible.com, which this network cannot reach. It looks for a cached copy at
~/.ansible/test/cache/get_pip_<version>.py first; `make ansible-test-bootstrap` puts this file there.
Like get-pip.py it receives pip options and requirement specifiers (for example ``pip==25.2``) as arguments.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main()
