"""Cost of model requests from a maintained, pinned price table: the `genai-prices` package
(pydantic/genai-prices, data bundled in the wheel, no network at run time). An unknown model
has no price: cost None, never a guess."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from workspace.core.agent import Tokens


def cost_usd(model: str | None, tokens: Tokens, at: float | None = None) -> float | None:
    if not model or tokens.total == 0:
        return 0.0 if tokens.total == 0 else None
    # A CLI writes one request's usage on several lines: priced once (not when undated:
    # that is priced as of now).
    price = _same_cost if at else _cost
    return price(model, tokens.input, tokens.output, tokens.cache_read, tokens.cache_write,
                 int(at // 86400) if at else None)


def _cost(model: str, input_: int, output: int, cache_read: int, cache_write: int,
          day: int | None) -> float | None:
    from genai_prices import Usage, calc_price

    usage = Usage(
        # genai-prices counts cache reads and writes inside input_tokens.
        input_tokens=input_ + cache_read + cache_write,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        output_tokens=output,
    )
    when = datetime.fromtimestamp(day * 86400, tz=UTC) if day is not None else None
    try:
        price = calc_price(usage, model, genai_request_timestamp=when)
    except LookupError:
        return None
    return float(price.total_price)


_same_cost = lru_cache(maxsize=512)(_cost)


@lru_cache(maxsize=256)
def context_window(model: str | None) -> int | None:
    if not model:
        return None
    from genai_prices import Usage, calc_price

    try:
        price = calc_price(Usage(input_tokens=1, output_tokens=1), model)
    except LookupError:
        return None
    window = getattr(price.model, "context_window", None)
    return int(window) if isinstance(window, int) and window > 0 else None
