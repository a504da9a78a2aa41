"""Run galaxy-importer on a built collection tarball and fail on any error or warning.

galaxy-importer exits 0 even when it reports ansible-lint findings or other problems as warnings, and private
automation hubs show those warnings to every user who imports the collection, so this gate treats them as
failures. run_ansible_test stays off: without a container engine it reports a false success.
"""

import os
import re
import subprocess
import sys

PROBLEM = re.compile(r"^\s*(WARNING|ERROR)\b", re.IGNORECASE)


def main():
    tarball = sys.argv[1]
    env = dict(os.environ, GALAXY_IMPORTER_RUN_ANSIBLE_TEST="False", GALAXY_IMPORTER_RUN_ANSIBLE_LINT="True")
    proc = subprocess.run([sys.executable, "-m", "galaxy_importer.main", tarball], env=env, check=False,
                          capture_output=True, text=True, cwd=os.path.dirname(os.path.abspath(tarball)))
    output = proc.stdout + proc.stderr
    print(output)
    problems = [line for line in output.splitlines() if PROBLEM.match(line)]
    if proc.returncode != 0 or problems or "Importer processing completed successfully" not in output:
        print("check_importer: galaxy-importer reported %d problem(s) (exit status %d)" % (len(problems), proc.returncode),
              file=sys.stderr)
        sys.exit(1)
    print("check_importer: galaxy-importer finished with no errors and no warnings")


if __name__ == "__main__":
    main()
