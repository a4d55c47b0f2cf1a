"""The query layer's analyst context on a small real DuckDB: weekly and monthly roll-ups with their change
against the period before, market value beside fees and revenue, and GPU prices of the chosen window."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from warehouse import queries


@pytest.fixture
def marts() -> duckdb.DuckDBPyConnection:
    """marts.network_daily (two networks, 2025-06-02 Monday to 2025-06-15 Sunday), token_supply_daily, gpu_prices."""
    conn = duckdb.connect()
    conn.execute("create schema marts")
    conn.execute("""create table marts.network_daily (
        network varchar, day date, source varchar, revenue_usd double, fees_usd double, burns_usd double,
        emissions_usd double, net_issuance_usd double, gpu_hours double, jobs_started bigint, utilization double,
        payments_complete boolean, unpriced_denoms varchar[])""")
    for offset in range(14):
        day = date(2025, 6, 2) + timedelta(days=offset)
        week = offset // 7  # akash earns $10 a day the first week, $15 the second; render $100 then nothing
        conn.execute("insert into marts.network_daily values (?, ?, 'demo', ?, ?, 0, 0, 0, 24, 1, 0.5, true, [])",
                     ["akash", day, 10.0 + 5 * week, 100.0 + 50 * week])
        conn.execute("insert into marts.network_daily values (?, ?, 'demo', ?, ?, 0, 0, 0, 0, 0, null, null, [])",
                     ["render", day, 100.0 if week == 0 else 0.0, 100.0 if week == 0 else 0.0])
        conn.execute("insert into marts.network_daily values (?, ?, 'demo', 1, 1, 0, 0, 0, 0, 0, null, null, [])",
                     ["gaib", day])
    conn.execute("""create table marts.token_supply_daily as
                    select * from (values
                        ('akash', date '2025-06-14', 'demo', 'AKT', 'akash', 1000.0, 2.0, 2000.0, null::double,
                         null::double, 'no maximum supply: AKT is inflationary', null, null::date),
                        ('akash', date '2025-06-15', 'demo', 'AKT', 'akash', 1000.0, null, null, null, null,
                         'no maximum supply: AKT is inflationary', null, null),
                        ('render', date '2025-06-14', 'demo', 'RENDER', 'solana', 500.0, 4.0, 2000.0, 600.0, 2400.0,
                         null, 'Render docs', date '2026-11-29'))
                    t(network, day, source, token, supply_chain, supply_tokens, token_price_usd, market_cap_usd,
                      max_supply_tokens, fully_diluted_value_usd, fully_diluted_value_gap, max_supply_source,
                      max_supply_as_of)""")
    conn.execute("""create table marts.gpu_prices as
                    select * from (values
                        (date '2025-06-01', 'lambda', 'cloud', 'H100 SXM', 'reference', 3.0, 3.0, 1, 'catalog'),
                        (date '2025-06-20', 'lambda', 'cloud', 'H100 SXM', 'reference', 2.0, 2.0, 1, 'catalog'),
                        (date '2025-06-03', 'akash', 'network', 'H100 SXM', 'demo', 1.5, 1.5, 2, 'leases'),
                        (date '2025-06-12', 'akash', 'network', 'H100 SXM', 'demo', 1.2, 1.2, 2, 'leases'))
                    t(day, venue, venue_kind, gpu_model, source, usd_per_gpu_hour, median_usd_per_gpu_hour, offers,
                      price_source)""")
    yield conn
    conn.close()


def test_a_week_is_compared_with_the_week_before_per_day(marts: duckdb.DuckDBPyConnection) -> None:
    weeks = queries.network_periods(marts, grain="week")
    akash = weeks[weeks["network"] == "akash"].reset_index(drop=True)
    assert [d.date() for d in akash["period_start"]] == [date(2025, 6, 2), date(2025, 6, 9)]
    assert [d.date() for d in akash["period_end"]] == [date(2025, 6, 8), date(2025, 6, 15)]
    assert list(akash["days"]) == [7, 7] and list(akash["period_days"]) == [7, 7]
    assert list(akash["revenue_usd"]) == [70.0, 105.0]
    assert akash["revenue_change"].isna()[0] and akash["revenue_change"][1] == pytest.approx(0.5)
    assert akash["fees_change"][1] == pytest.approx(0.5)
    render = weeks[weeks["network"] == "render"].reset_index(drop=True)
    assert render["revenue_change"][1] == pytest.approx(-1.0)


def test_a_period_the_window_cuts_short_is_compared_per_day_and_says_how_many_days_it_holds(
        marts: duckdb.DuckDBPyConnection) -> None:
    weeks = queries.network_periods(marts, grain="week", networks=["akash"], start=date(2025, 6, 6),
                                    end=date(2025, 6, 10))
    assert list(weeks["days"]) == [3, 2] and list(weeks["period_days"]) == [7, 7]
    assert list(weeks["revenue_usd_per_day"]) == [10.0, 15.0]
    assert weeks["revenue_change"].iloc[1] == pytest.approx(0.5)  # per day: not 30 against 30
    months = queries.network_periods(marts, grain="month", networks=["akash"])
    assert len(months) == 1 and months["period_days"].iloc[0] == 30 and months["days"].iloc[0] == 14
    with pytest.raises(ValueError, match="grain must be 'week' or 'month'"):
        queries.network_periods(marts, grain="quarter")  # type: ignore[arg-type]


def test_market_value_sits_beside_annualised_fees_and_revenue(marts: duckdb.DuckDBPyConnection) -> None:
    value = queries.valuation(marts, networks=["akash", "gaib"]).set_index("network")
    akash = value.loc["akash"]
    # the latest day with a market value (the 15th has no price), over 14 days of fees and revenue
    assert akash["supply_day"].date() == date(2025, 6, 14) and akash["market_cap_usd"] == 2000.0
    assert akash["annualised_fees_usd"] == pytest.approx((700 + 1050) / 14 * 365)
    assert akash["price_to_fees"] == pytest.approx(2000 / ((700 + 1050) / 14 * 365))
    assert akash["price_to_sales"] == pytest.approx(2000 / ((70 + 105) / 14 * 365))
    assert value.loc["gaib"][["market_cap_usd", "price_to_sales"]].isna().all()  # no supply read: no ratio


def test_a_fully_diluted_value_sits_beside_market_cap_and_its_absence_says_why(
        marts: duckdb.DuckDBPyConnection) -> None:
    from warehouse.queries.gaps import FDV, NOT_APPLICABLE, NOT_MEASURED, Coverage, valuation_gaps

    value = queries.valuation(marts)
    by_network = value.set_index("network")
    render = by_network.loc["render"]
    assert render["fully_diluted_value_usd"] == render["token_price_usd"] * render["max_supply_tokens"]
    assert render["max_supply_source"] == "Render docs" and pd.isna(render["fully_diluted_value_gap"])
    gaps = {g.network: g for g in valuation_gaps(value)}
    assert set(gaps) == {"akash", "gaib"} and all(g.metric == FDV for g in gaps.values())
    assert gaps["akash"].status == NOT_APPLICABLE and gaps["akash"].label == "not applicable: AKT is inflationary"
    assert gaps["gaib"].status == NOT_MEASURED and "no supply or price" in gaps["gaib"].label  # nothing read
    cells = Coverage([]).with_gaps(gaps.values()).cells(value, [FDV, "market_cap_usd"])
    assert {(value["network"][p], c) for p, c in cells} == {("akash", FDV), ("gaib", FDV)}


def test_gpu_prices_of_a_window_take_a_networks_day_inside_it_and_the_cloud_list_price_as_of_its_end(
        marts: duckdb.DuckDBPyConnection) -> None:
    early = queries.latest_gpu_price_by_venue(marts, start=date(2025, 6, 2), end=date(2025, 6, 8)).set_index("venue")
    assert early.loc["akash", "usd_per_gpu_hour"] == 1.5 and early.loc["lambda", "usd_per_gpu_hour"] == 3.0
    late = queries.latest_gpu_price_by_venue(marts, start=date(2025, 6, 13), end=date(2025, 6, 30)).set_index("venue")
    assert "akash" not in late.index  # its last price (the 12th) lies before the window
    assert late.loc["lambda", "usd_per_gpu_hour"] == 2.0
    assert len(queries.latest_gpu_price_by_venue(marts, gpu_models=["A100"])) == 0
