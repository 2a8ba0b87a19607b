"""Insights: what published posts achieved, against the brand's targets (brand/kpis.toml).

    readings.py   the metrics store boiled down in one streaming pass (cached per month)
    catalogue.py  which post and campaign each variant id stands for
    period.py     months, ISO weeks and ranges of days, in the brand's time zone
    figures.py    each post's results; sums and rates (engagement rate, CTR) over posts
    report.py     a report's contents: KPIs evaluated, channels, campaigns, top posts, trends
    charts.py     the charts, inline SVG drawn by matplotlib
    output.py     index.html, report.md and report.csv

`cmbuild report` (cmbuild/cli/report.py) calls them in that order.
"""
