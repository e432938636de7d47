"""Each process's own copies of hot pages and parts, exact without waiting on anyone.

A copy is answered only while the shared clock still reads what it read when the copy was
last found fresh: every request reads the clock (one small round trip, which it does anyway),
so a bump anywhere makes every process check its copies again, and an editor's save never
waits for other processes to hear of it.
"""

import collections
import threading
from dataclasses import dataclass


@dataclass
class Copy:
    item: object
    start: int  # the clock when it was rendered
    checked: int  # the clock when it was last found fresh
    expires: float  # epoch seconds: never after the shared copy


class LocalCopies:
    def __init__(self, size: int):
        self.size = size
        self.copies: collections.OrderedDict[str, Copy] = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, now: float) -> Copy | None:
        with self.lock:
            copy = self.copies.get(key)
            if copy is None:
                return None
            if now >= copy.expires:
                del self.copies[key]
                return None
            self.copies.move_to_end(key)
            return copy

    def keep(self, key: str, copy: Copy) -> None:
        with self.lock:
            self.copies[key] = copy
            self.copies.move_to_end(key)
            while len(self.copies) > self.size:
                self.copies.popitem(last=False)
