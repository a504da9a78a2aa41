# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only callback: append every task result as one JSON line to the file named by E2E_RECORD_FILE.

ansible-core ships no JSON stdout callback (it lives in ansible.posix, which the tests cannot install), so the
end-to-end tests enable this aggregate callback next to the default output and read the file afterwards.
"""

DOCUMENTATION = r"""
name: e2e_record
type: aggregate
short_description: Record task results as JSON lines for the end-to-end tests
description:
  - Appends one JSON object per task result (task name, action, status, result) to the file named by the
    E2E_RECORD_FILE environment variable.
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=e2e_record
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "e2e_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        data = getattr(result, "result", None)
        if data is None:  # ansible-core before 2.19
            data = result._result  # pylint: disable=protected-access
        task = getattr(result, "task", None) or result._task  # pylint: disable=protected-access
        if status == "ok" and data.get("changed"):
            status = "changed"
        entry = dict(task=task.get_name(), action=task.action, status=status, result=data)
        with open(os.environ["E2E_RECORD_FILE"], "a", encoding="utf-8") as record:
            record.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)
