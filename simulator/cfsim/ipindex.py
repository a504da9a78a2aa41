"""Disjoint address intervals kept sorted, so overlap and containment checks are O(log n).

Account prefixes never overlap (the simulator rejects overlaps), so for any new interval only two neighbours can
collide: the last interval starting at or before it and the first one starting after it.
"""

import bisect


class IntervalIndex:
    def __init__(self):
        self._starts = {4: [], 6: []}
        self._items = {4: [], 6: []}

    def clear(self):
        for version in (4, 6):
            self._starts[version].clear()
            self._items[version].clear()

    def overlapping(self, network):
        """Return the key of a stored interval that overlaps network, or None."""
        starts, items = self._starts[network.version], self._items[network.version]
        first, last = int(network.network_address), int(network.broadcast_address)
        position = bisect.bisect_right(starts, first)
        if position > 0 and items[position - 1][1] >= first:
            return items[position - 1][2]
        if position < len(items) and items[position][0] <= last:
            return items[position][2]
        return None

    def containing(self, address):
        """Return the key of the stored interval that holds address (an ip_address), or None."""
        starts, items = self._starts[address.version], self._items[address.version]
        value = int(address)
        position = bisect.bisect_right(starts, value)
        if position > 0 and items[position - 1][1] >= value:
            return items[position - 1][2]
        return None

    def add(self, network, key):
        starts, items = self._starts[network.version], self._items[network.version]
        first = int(network.network_address)
        position = bisect.bisect_left(starts, first)
        starts.insert(position, first)
        items.insert(position, (first, int(network.broadcast_address), key))

    def remove(self, network):
        starts, items = self._starts[network.version], self._items[network.version]
        position = bisect.bisect_left(starts, int(network.network_address))
        if position < len(starts) and starts[position] == int(network.network_address):
            del starts[position]
            del items[position]
