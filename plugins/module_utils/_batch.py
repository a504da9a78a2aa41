# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Batch mode of the resource modules: one module run handles one object, or a list of them.

For internal collection use only: this is not a public interface and may change without notice.

A batch is checked whole before the first request, and every problem is reported at once, named as the user wrote
it (bindings[3].cidr). Reads are shared (the prefix list once per run, each prefix's children once), objects of
different prefixes run side by side in a bounded pool (_pool.py), and the first failure stops every object not yet
started, so that the result lists exactly what was done. The per-object logic of each module is written against
the AddressingModule interface (params, check_mode, client, warn, fail_json, fail_api); in a batch it gets an
Element, which has that interface for one object and raises ItemFailed instead of exiting.
"""

import copy
import difflib
import ipaddress
import threading
import traceback

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.validation import check_required_arguments, check_required_if

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    AmbiguousMatchError,
    InputError,
    api_argument_spec,
    make_diff,
    shown,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._pool import (
    DEFAULT_CONCURRENCY,
    check_concurrency,
    run_groups,
)

LISTED_LIMIT = 10  # objects named in a failure message before "and N more"
RULES = ("mutually_exclusive", "required_one_of", "required_if")


def sentence(message):
    message = message.strip()
    return message if message.endswith(".") else message + "."


class Problems:
    """The input problems of one object, named as the user wrote them: bindings[3].cidr in a batch, cidr alone."""

    def __init__(self, label=""):
        self.label = label
        self.messages = []

    def name(self, option):
        return "%s.%s" % (self.label, option) if self.label else option

    def add(self, message):
        if self.label and not message.startswith(self.label):
            message = "%s: %s" % (self.label, message)
        self.messages.append(sentence(message))

    def check(self, check, *args):
        """check(*args); None after recording its InputError."""
        try:
            return check(*args)
        except InputError as error:
            self.add(str(error))
            return None


def refuse_nulls(raw, hints, problems):
    """Record every selector set to null: an empty value never widens what a run reads or changes.

    raw holds the options as the task gave them, so an option left out (which may mean "all" or "the whole
    prefix") is told apart from one set to null (what "{{ item.cidr }}" gives for a damaged vars entry).
    """
    nulls = [option for option in hints if option in raw and raw[option] is None]
    for option in nulls:
        problems.add("%s is null (set, but empty), which is refused rather than read as 'all': %s"
                     % (problems.name(option), hints[option]))
    return nulls


def validate_options(raw, spec, rules, problems):
    """Ansible's own validation of one set of options; the validated options, or None after recording problems."""
    unknown = sorted(str(key) for key in raw if key not in spec)
    for key in unknown:
        guess = difflib.get_close_matches(key, list(spec), n=1)
        problems.add("unknown option %s%s; the options are %s" % (
            shown(key), " (did you mean '%s'?)" % guess[0] if guess else "", ", ".join(sorted(spec))))
    known = dict((key, value) for key, value in raw.items() if key in spec)
    result = ArgumentSpecValidator(spec, **rules).validate(known)
    for message in result.error_messages:
        problems.add(message)
    if unknown or result.error_messages:
        return None
    return result.validated_parameters


def read_once(read):
    """A thread-safe memo of read(): the first caller reads, every other one gets the same answer."""
    lock = threading.Lock()
    answer = []

    def shared():
        with lock:
            if not answer:
                answer.append(read())
        return answer[0]
    return shared


class Resource:
    """What a module manages, for batch mode: its list option and result key, and how to check one object.

    spec is the argument spec of one object, rules its mutually_exclusive / required_one_of / required_if.
    check(params, problems) checks one object without the API and returns its parsed values by option name
    (networks are shown canonically in results). natural_key(params, parsed) must differ between two objects
    of one batch; describe(params, parsed) names an object in messages. null_hints maps each selector option to
    what to do instead of setting it to null.
    """

    def __init__(self, option, key, spec, check, natural_key, describe, null_hints, diff_keys, diff_view=None,
                 **rules):
        self.option = option
        self.key = key
        self.spec = spec
        self.rules = dict((name, list(rules.get(name) or [])) for name in RULES)
        self.check = check
        self.natural_key = natural_key
        self.describe = describe
        self.null_hints = null_hints
        self.diff_keys = diff_keys
        self.diff_view = diff_view

    def single_spec(self):
        """The per-object options at the top level, where none is required: the list may replace them.

        BatchModule checks the required ones itself when the task names one object.
        """
        return dict((name, dict((key, value) for key, value in option.items() if key != "required"))
                    for name, option in self.spec.items())

    def list_spec(self):
        spec = dict(type="list", elements="dict", options=copy.deepcopy(self.spec))
        spec.update((name, copy.deepcopy(terms)) for name, terms in self.rules.items() if terms)
        return spec

    def top_level_rules(self):
        """One object's rules at the top level, where the list counts as naming every object."""
        return dict(
            mutually_exclusive=self.rules["mutually_exclusive"] + [(self.option, name) for name in self.spec],
            required_one_of=[tuple(terms) + (self.option,) for terms in self.rules["required_one_of"]],
        )


class ItemFailed(Exception):
    """One object of a batch failed; fields are what the single-object mode would fail with besides msg."""

    def __init__(self, msg, fields=None):
        super(ItemFailed, self).__init__(msg)
        self.msg = msg
        self.fields = fields or {}


class Element:
    """One object of a batch, with the interface the per-object logic expects of a module."""

    def __init__(self, module, index, params, parsed, item):
        self.module = module
        self.index = index
        self.label = "%s[%d]" % (module.resource.option, index)
        self.params = params  # the connection options and the object's own
        self.parsed = parsed  # what Resource.check parsed, by option name
        self.item = item  # the object as checked, with canonical CIDRs
        self.context = {}  # what the module found for it before any write
        self.warnings = []

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def client(self):
        return self.module.client

    def describe(self):
        return "%s (%s)" % (self.label, self.module.resource.describe(self.params, self.parsed))

    def warn(self, message):
        self.warnings.append(message)

    def fail_json(self, msg, **fields):
        raise ItemFailed(msg, fields)

    def fail_api(self, error, action, **fields):
        fields.update(error.as_dict())
        raise ItemFailed(self.module.describe_api_failure(error, action), fields)


def canonical_item(params, parsed):
    """The object as checked: networks in their canonical spelling, everything else as validated."""
    item = dict(params)
    for name, value in parsed.items():
        if name in item and isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            item[name] = str(value)
    return item


def item_failure(module, error):
    """Any exception of one object's run as an ItemFailed with a message a user can act on."""
    if isinstance(error, ItemFailed):
        return error
    if isinstance(error, CloudflareAPIError):
        return ItemFailed(module.describe_api_failure(error, "complete the request"), error.as_dict())
    if isinstance(error, (InputError, AmbiguousMatchError)):
        return ItemFailed(str(error))
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return ItemFailed("Unexpected error: %s" % error, dict(exception=trace))


def name_some(names, limit=LISTED_LIMIT):
    if len(names) <= limit:
        return ", ".join(names)
    return "%s and %d more (see results)" % (", ".join(names[:limit]), len(names) - limit)


class BatchModule(AddressingModule):
    """AddressingModule that handles one object (the per-object options) or a list of them (Resource.option).

    After construction, either context holds what Resource.check parsed of the single object, or elements holds
    the checked objects of the list; bad input has failed the module before any request, with every problem.
    """

    def __init__(self, resource, **kwargs):
        self.resource = resource
        self.context = None
        self.elements = None
        spec = resource.single_spec()
        spec[resource.option] = resource.list_spec()
        spec["concurrency"] = dict(type="int", default=DEFAULT_CONCURRENCY)
        super(BatchModule, self).__init__(argument_spec=spec, **dict(resource.top_level_rules(), **kwargs))
        problems = self._input_problems()
        if problems:
            self.fail_json(msg=self._input_message(problems))

    @property
    def batch(self):
        return self.resource.option in self.raw_params

    # --- input ---------------------------------------------------------------------------------------------------

    def fail_json(self, msg, **kwargs):
        # Ansible's own validation reports only its first problem, and for a list without naming the element.
        # When it fails on a batch, report every problem of the task and of each element instead.
        result = getattr(self, "validation_result", None)
        if result is not None and result.errors and self.batch and not getattr(self, "_input_reported", False):
            self._input_reported = True
            problems = self._top_level_problems() + self._element_problems()
            msg = self._input_message(problems) if problems else msg
        super(BatchModule, self).fail_json(msg=msg, **kwargs)

    def _top_level_problems(self):
        spec = self.resource.single_spec()
        spec.update(api_argument_spec())
        spec[self.resource.option] = dict(type="list")  # its elements are checked one by one
        spec["concurrency"] = dict(type="int")
        problems = Problems()
        validate_options(self.raw_params, spec, self.resource.top_level_rules(), problems)
        return problems.messages

    def _input_problems(self):
        if not self.batch:
            return self._single_problems()
        problems = Problems()
        try:
            check_concurrency(self.params["concurrency"])
        except ValueError as error:
            problems.add(str(error))
        return problems.messages + self._element_problems()

    def _single_problems(self):
        problems = Problems()
        nulls = refuse_nulls(self.raw_params, self.resource.null_hints, problems)
        # Ansible counts an option set to null as given; a required option needs a value.
        given = dict((name, value) for name, value in self.params.items() if value is not None or name in nulls)
        for check in (lambda: check_required_arguments(self.resource.spec, given),
                      lambda: check_required_if(self.resource.rules["required_if"], given)):
            try:
                check()
            except TypeError as error:
                problems.add(str(error))
        if not nulls:
            self.context = self.resource.check(self.params, problems)
        return problems.messages

    def _element_problems(self):
        """Check every element of the list; keep the good ones in self.elements and return every problem."""
        option = self.resource.option
        raw_items = self.raw_params.get(option)
        if not isinstance(raw_items, list):
            described = "null" if raw_items is None else "a %s" % type(raw_items).__name__
            return ["%s must be a list of objects (an empty list changes nothing), got %s." % (option, described)]
        connection = dict((name, self.params.get(name)) for name in api_argument_spec())
        self.elements, messages, seen = [], [], {}
        for index, raw in enumerate(raw_items):
            problems = Problems("%s[%d]" % (option, index))
            element = self._checked_element(index, raw, connection, problems)
            if element is not None:
                key = self.resource.natural_key(element.params, element.parsed)
                if key in seen:
                    problems.add("%s names the same object as %s; give each object once"
                                 % (element.describe(), seen[key]))
                else:
                    seen[key] = element.label
                    self.elements.append(element)
            messages.extend(problems.messages)
        return messages

    def _checked_element(self, index, raw, connection, problems):
        if not isinstance(raw, dict):
            problems.add("must be a dict of options (%s), got %s" % (", ".join(sorted(self.resource.spec)), shown(raw)))
            return None
        nulls = refuse_nulls(raw, self.resource.null_hints, problems)
        # A null selector is reported once, as null, not again as a clash with the option it stands beside.
        spec = self.resource.spec
        validated = validate_options(dict((name, value) for name, value in raw.items()
                                          if name not in nulls or spec.get(name, {}).get("required")),
                                     spec, self.resource.rules, problems)
        if validated is None or nulls:
            return None
        params = dict(connection, **validated)
        parsed = self.resource.check(params, problems)
        if problems.messages:
            return None
        return Element(self, index, params, parsed, canonical_item(validated, parsed))

    def _input_message(self, problems):
        if not self.batch and len(problems) == 1:
            return problems[0]
        return "%s%s" % ("Nothing was sent to Cloudflare: the input has %d problem%s. " % (
            len(problems), "" if len(problems) == 1 else "s") if self.batch else "", " ".join(problems))

    # --- one object ----------------------------------------------------------------------------------------------

    def exit_outcome(self, outcome):
        """Exit with one object's outcome (changed, before, after, extras), as the single-object mode always did."""
        changed, before, after, extras = outcome
        self.exit_with(changed, self.resource.key, before, after, self.resource.diff_keys,
                       diff_view=self.resource.diff_view, **extras)

    # --- a batch -------------------------------------------------------------------------------------------------

    def preflight(self, prepare):
        """prepare(element) for every element before any write; every element it refuses is reported at once."""
        failed = {}
        for element in self.elements:
            try:
                prepare(element)
            except Exception as error:  # pylint: disable=broad-except
                failed[element.index] = item_failure(self, error)
        if failed:
            problems = ["%s: %s" % (element.describe(), sentence(failed[element.index].msg))
                        for element in self.elements if element.index in failed]
            self._emit_warnings()
            self.fail_json(msg="Nothing was changed: %s" % " ".join(problems),
                           **self._batch_result({}, failed, "Not started: another object was refused."))

    def apply_in_groups(self, groups, apply):
        """apply(element) -> (changed, before, after, extras) for every element; exit with every result.

        groups is a list of lists of elements: each list runs in order, the lists side by side.
        """
        def work(element):
            try:
                return apply(element)
            except Exception as error:  # pylint: disable=broad-except
                raise item_failure(self, error)

        done, failed = run_groups([[(element.index, element) for element in group] for group in groups], work,
                                  self.params["concurrency"])
        self._emit_warnings()
        result = self._batch_result(done, failed, "Not started: an earlier object failed.")
        if failed:
            self.fail_json(msg=self._failure_message(done, failed), **result)
        self.exit_json(**result)

    def _emit_warnings(self):
        for element in self.elements:
            for message in element.warnings:
                self.warn("%s: %s" % (element.describe(), message))

    def _batch_result(self, done, failed, not_started):
        key = self.resource.key
        results, diffs = [], []
        for element in self.elements:
            if element.index in done:
                changed, before, after, extras = done[element.index]
                entry = dict(extras, item=element.item, changed=changed)
                entry[key] = after or {}
                if changed:
                    diffs.append(self._element_diff(element, before, after))
            elif element.index in failed:
                failure = failed[element.index]
                entry = dict(failure.fields, item=element.item, changed=False, failed=True, msg=failure.msg)
                entry[key] = entry.get(key) or {}
            else:
                entry = dict(item=element.item, changed=False, skipped=True, msg=not_started)
                entry[key] = {}
            results.append(entry)
        result = dict(changed=any(entry["changed"] for entry in results), results=results)
        if self._diff:
            result["diff"] = diffs
        return result

    def _element_diff(self, element, before, after):
        view = self.resource.diff_view
        if view is not None:
            before, after = view(before), view(after)
        diff = make_diff(before, after, self.resource.diff_keys)
        diff["before_header"] = diff["after_header"] = element.describe()
        return diff

    def _failure_message(self, done, failed):
        by_index = dict((element.index, element) for element in self.elements)
        parts = ["%s failed: %s" % (by_index[index].describe(), sentence(failed[index].msg))
                 for index in sorted(failed)]
        changed = [by_index[index].describe() for index in sorted(done) if done[index][0]]
        unchanged = [index for index in done if not done[index][0]]
        not_started = [element.label for element in self.elements
                       if element.index not in done and element.index not in failed]
        parts.append("Changed: %s." % name_some(changed) if changed else "Nothing was changed.")
        if unchanged:
            parts.append("%d more %s already as requested."
                         % (len(unchanged), "was" if len(unchanged) == 1 else "were"))
        if not_started:
            parts.append("Not started: %s." % name_some(not_started))
        parts.append("Fix the cause and run the task again: what is done is found in place and costs no write.")
        return " ".join(parts)
