"""Paging a list for a page, and the parameters of the NHS.UK pagination component."""

from django.core.paginator import Page, Paginator


def paginate(request, object_list, per_page: int, param: str = "page") -> Page:
    """The requested page; a missing, invalid or out-of-range number gives the nearest page."""
    return Paginator(object_list, per_page).get_page(request.GET.get(param))


def page_href(request, number: int, param: str = "page", fragment: str = "") -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode() + (f"#{fragment}" if fragment else "")


def pagination_params(
    request, page: Page, param: str = "page", fragment: str = "", label: str = "Pagination"
) -> dict | None:
    """Parameters for ``nhsuk/components/pagination``: numbered links with ellipses, or
    None when everything fits on one page."""
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return None
    items = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append(
                {
                    "number": number,
                    "href": page_href(request, number, param, fragment),
                    "current": number == page.number,
                }
            )
    params = {"items": items, "ariaLabel": label}
    if page.has_previous():
        params["previous"] = {
            "href": page_href(request, page.previous_page_number(), param, fragment)
        }
    if page.has_next():
        params["next"] = {"href": page_href(request, page.next_page_number(), param, fragment)}
    return params
