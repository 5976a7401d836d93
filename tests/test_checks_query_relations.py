"""N+1 through relations: lazy relation reads on loop items (Django, SQLAlchemy, DRF views),
with models from the diff or, through a content source, from the imported modules at head."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from bot.checks.queries.check import check
from bot.classify.classifier import classify_files
from bot.config import ChecksConfig, RepoConfig
from bot.diff import parse_diff
from tests.test_checks_migrations import added_diff

SAMPLES = Path(__file__).resolve().parent / "samples" / "queries" / "relations"


class HeadSource:
    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        return self.files.get(path) if side == "head" else None


def review(
    files: dict[str, str], source: HeadSource | None = None
) -> dict[str, set[tuple[int, str]]]:
    diff = "".join(
        added_diff(path, (SAMPLES / sample).read_text()) for path, sample in files.items()
    )
    parsed = parse_diff(diff)
    found = check(parsed, classify_files(parsed, RepoConfig()), ChecksConfig(), source=source)
    out: dict[str, set[tuple[int, str]]] = {p: set() for p in files}
    for f in found:
        if f.rule == "n-plus-one-query":
            out[f.path].add((f.line, f.title))
    return out


def lines(result: dict[str, set[tuple[int, str]]], path: str) -> set[int]:
    return {line for line, _ in result[path]}


def test_django_relation_reads_in_loops() -> None:
    """A foreign key read per order, a reverse manager counted per order, a filter on a
    prefetched relation, and a many-to-many per order are each one query per item."""
    result = review(
        {"shop/models.py": "django_models.py", "shop/views.py": "django_views_unsafe.py"}
    )
    assert lines(result, "shop/views.py") == {10, 17, 23, 29}
    titles = " ".join(t for _, t in result["shop/views.py"])
    assert "order.customer" in titles and "order.items.count()" in titles


def test_django_loaded_relations_are_not_reported() -> None:
    """select_related / prefetch_related (named or all FKs), `_id` columns and plain fields."""
    result = review({"shop/models.py": "django_models.py", "shop/views.py": "django_views_safe.py"})
    assert result["shop/views.py"] == set()


def test_models_at_head_come_from_the_content_source() -> None:
    """Only the view is in the diff; its imported models module is read at head."""
    source = HeadSource({"shop/models.py": (SAMPLES / "django_models.py").read_text()})
    result = review({"shop/views.py": "django_views_unsafe.py"}, source)
    assert lines(result, "shop/views.py") == {10, 17, 23, 29}
    without = review({"shop/views.py": "django_views_unsafe.py"})
    assert lines(without, "shop/views.py") == {17, 23, 29}  # managers are known by their calls


def test_sqlalchemy_lazy_relationships() -> None:
    """Lazy relationships read per row are reported; joinedload/selectinload and
    `lazy="selectin"` relationships are not."""
    result = review(
        {
            "library/models.py": "sqlalchemy_models.py",
            "library/service.py": "sqlalchemy_service.py",
        }
    )
    assert lines(result, "library/service.py") == {9, 15}


@pytest.mark.parametrize("with_models_in_diff", [True, False])
def test_drf_viewset_without_prefetch_for_nested_serializer(with_models_in_diff: bool) -> None:
    """A viewset serving a serializer that nests `customer` and counts `items` through a
    SerializerMethodField, with a bare queryset, gets one finding per relation; the prefetching
    viewset and the flat serializer's viewset get none."""
    files = {"shop/views.py": "drf_views.py", "shop/serializers.py": "drf_serializers.py"}
    source = None
    if with_models_in_diff:
        files["shop/models.py"] = "django_models.py"
    else:
        source = HeadSource({"shop/models.py": (SAMPLES / "django_models.py").read_text()})
    result = review(files, source)
    assert lines(result, "shop/views.py") == {8}
    titles = " ".join(t for _, t in result["shop/views.py"])
    assert "Order.customer" in titles and "Order.items" in titles


def test_active_record_associations_in_each_and_map() -> None:
    """`post.author` and `post.comments` per post are reported on the bare relation (through the
    `@posts` variable); `includes` / `preload` of the association silence it."""
    result = review(
        {
            "app/models/post.rb": "rails_post.rb",
            "app/controllers/posts_controller.rb": "rails_posts_controller.rb",
        }
    )
    assert lines(result, "app/controllers/posts_controller.rb") == {5}
    titles = " ".join(t for _, t in result["app/controllers/posts_controller.rb"])
    assert "post.author" in titles


def test_active_record_models_at_head() -> None:
    """The model file is read at head when only the controller changed."""
    source = HeadSource({"app/models/post.rb": (SAMPLES / "rails_post.rb").read_text()})
    result = review({"app/controllers/posts_controller.rb": "rails_posts_controller.rb"}, source)
    assert lines(result, "app/controllers/posts_controller.rb") == {5}


def test_typeorm_lazy_relation_awaited_in_a_loop() -> None:
    """`await user.photos` of a `lazy: true` relation per user is one query each; an eager
    relation loaded with `relations:` is not."""
    result = review({"src/user.ts": "typeorm_user.ts", "src/photos.ts": "typeorm_service.ts"})
    assert lines(result, "src/photos.ts") == {8}


def test_gorm_association_calls_in_a_loop_and_preload() -> None:
    """`Association("Orders").Find` per user is a query in the loop; reading `u.Orders` after
    `Preload("Orders")` is not."""
    result = review({"internal/orders/totals.go": "gorm_orders.go"})
    assert lines(result, "internal/orders/totals.go") == {11}


def test_prisma_relation_read_per_item_and_include() -> None:
    """The fluent relation call per post is a query in the loop; `include` is not."""
    result = review({"src/posts.ts": "prisma_posts.ts"})
    assert lines(result, "src/posts.ts") == {9}


def test_drf_serializer_change_is_checked_against_the_views_at_head() -> None:
    """When only the serializer changed, the sibling views module is read at head: the nested
    fields the bare viewset does not load are reported on the serializer's lines."""
    source = HeadSource(
        {
            "shop/models.py": (SAMPLES / "django_models.py").read_text(),
            "shop/views.py": (SAMPLES / "drf_views.py").read_text(),
        }
    )
    result = review({"shop/serializers.py": "drf_serializers.py"}, source)
    assert lines(result, "shop/serializers.py") == {13, 14}
