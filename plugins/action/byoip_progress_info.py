# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller side of byoip_progress_info: narrow each retry to the prefixes still pending, and print one line.

A task with until/retries runs its action again with the same arguments, and Ansible puts the previous attempt's
registered result in the task variables. This action reads it: prefixes that were ready or stopped are carried over
instead of read again, and one line per poll says what is still pending and until when.
"""

import datetime

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import format_time, parse_time
from ansible_collections.cloudflare.addressing.plugins.module_utils._progress import poll_line

display = Display()
MODULE = "cloudflare.addressing.byoip_progress_info"


class ActionModule(ActionBase):

    _VALID_ARGS = None  # the module validates its own arguments

    def _previous(self, task_vars):
        """The previous attempt of this very task, or None on the first attempt."""
        register = self._task.register
        # ansible-core 2.20 and newer hold register as a mapping of variable names (register projections).
        names = [register] if isinstance(register, str) else list(register or [])
        for name in names:
            previous = (task_vars or {}).get(name)
            if previous is not None and not isinstance(previous, dict):
                # ansible-core 2.20 and newer hand over a lazy expression; render it to the result it stands for.
                try:
                    previous = self._templar.copy_with_new_env(available_variables=task_vars).template(previous)
                except Exception:  # pylint: disable=broad-except  # not readable: read everything, as on attempt 1
                    continue
            if not isinstance(previous, dict) or previous.get("failed"):
                continue
            poll = previous.get("poll") or {}
            if poll.get("task") == self._task._uuid and poll.get("stage") == self._task.args.get("stage"):
                return previous
        return None

    def _deadline(self, server_time):
        """When the wait gives up, on Cloudflare's clock (as the role's opening message and gates are), else ours."""
        start = parse_time(server_time) or datetime.datetime.now(datetime.timezone.utc)
        seconds = (self._task.retries or 0) * max(self._task.delay or 0, 0)
        return format_time(start + datetime.timedelta(seconds=seconds))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        previous = self._previous(task_vars)
        if previous is not None and not previous.get("pending"):
            previous = None  # nothing was left to read: start over rather than read nothing
        if previous is not None:
            args["cidrs"] = list(previous["pending"])
        answer = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        result.update(answer)
        if answer.get("failed"):
            return result
        number, deadline = 1, self._deadline(answer.get("server_time"))
        if previous is not None:
            number, deadline = previous["poll"]["number"] + 1, previous["poll"]["deadline"]
            result.update(self._carried(previous, answer))
        result["poll"] = dict(number=number, deadline=deadline, task=self._task._uuid, stage=args.get("stage"))
        display.display(poll_line(args.get("stage"), result, number, deadline))
        return result

    @staticmethod
    def _carried(previous, answer):
        """The answer for the re-read prefixes, plus what the previous attempt knew of the others, in order."""
        reread = set(previous["pending"])
        ready = [cidr for cidr in previous["ready"] if cidr not in reread] + answer["ready"]
        stopped = dict((cidr, why) for cidr, why in previous["stopped"].items() if cidr not in reread)
        stopped.update(answer["stopped"])
        fresh = dict((prefix["cidr"], prefix) for prefix in answer["prefixes"])
        prefixes = [prefix for prefix in previous["prefixes"] if prefix["cidr"] not in fresh] + answer["prefixes"]
        return dict(ready=ready, stopped=stopped, pending=answer["pending"], prefixes=prefixes,
                    done=not answer["pending"])
