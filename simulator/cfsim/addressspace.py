"""The collection's one list of address space that can never be a BYOIP prefix, loaded from its own file.

cfsim keeps no copy: plugins/module_utils/_address_space.py (standard library only) is loaded by path. In the
repository and in the built collection, simulator/ sits beside plugins/, so the file is two directories above this
package. An installation without the collection around it cannot find it, and cfsim says so instead of starting.
"""

import importlib.util
import pathlib

SOURCE = pathlib.Path(__file__).resolve().parents[2] / "plugins" / "module_utils" / "_address_space.py"

_loaded = []


def load():
    """The loaded _address_space module; ImportError naming the file when it is missing."""
    if not _loaded:
        if not SOURCE.is_file():
            raise ImportError("cannot find %s, the collection's list of address space that can never be a BYOIP "
                              "prefix; run cfsim from the cloudflare.addressing repository or collection, where "
                              "simulator/ sits beside plugins/ (pip install -e simulator)" % SOURCE)
        spec = importlib.util.spec_from_file_location("cfsim_address_space", str(SOURCE))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _loaded.append(module)
    return _loaded[0]


def unannounceable_reason(network):
    """Why network can never be announced on the Internet (a phrase that follows the CIDR), or None."""
    return load().unannounceable_reason(network)
