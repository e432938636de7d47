"""Pages of a list of stories without counting the list: a page reads one row more than it
shows, to know whether there is a next page. No ``COUNT(*)`` over every story on each request,
so a listing costs the same with a thousand stories as with a million (page N still skips
N-1 pages of rows, which readers rarely go deep enough to feel)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, HttpRequest


@dataclass
class Page:
    """The parts of Django's ``Page`` the templates use, without a paginator behind it."""

    number: int
    object_list: list = field(default_factory=list)
    more: bool = False  # whether a next page exists

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page") or "1"
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:
        raise Http404(f"No such page: {raw!r} is not a page number.")
    return int(raw)


def paginate(request: HttpRequest, queryset, per_page: int | None = None) -> Page:
    """The page ``?page=`` of ``queryset``; a page past the end is a 404 (page 1 always
    exists, empty or not)."""
    size = per_page or settings.LIST_PAGE_SIZE
    number = page_number(request)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    if number > 1 and not rows:
        raise Http404(f"No such page: page {number} is past the last page.")
    return Page(number=number, object_list=rows[:size], more=len(rows) > size)
