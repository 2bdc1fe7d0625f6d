#!/usr/bin/python3
"""Tests of soak.py's /metrics parsing (python3 -m unittest bench/locust/test_soak.py).

run.sh runs them before a load run: a parser that silently drops lines
makes the request counts and the 5xx check wrong without failing.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soak  # noqa: E402

EXPOSITION = """# HELP alexandria_http_requests_total HTTP requests by route pattern, method and status code.
# TYPE alexandria_http_requests_total counter
alexandria_http_requests_total{method="GET",route="GET /v1/media",status="200"} 7
alexandria_http_requests_total{method="GET",route="GET /v1/media/{id}",status="200"} 42
alexandria_http_requests_total{method="PATCH",route="PATCH /v1/uploads/{id}",status="204"} 5
alexandria_http_requests_total{method="GET",route="GET /v1/media/{id}/content",status="500"} 1
alexandria_http_requests_total{method="GET",route="unmatched",status="404"} 2
go_goroutines 12
odd_metric{note="a \\"quoted\\" } brace"} 3
"""


def parse(text):
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = soak.SAMPLE_LINE.match(line)
        if m:
            out.append((m.group(1), dict(soak.LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return out


class SampleLineTest(unittest.TestCase):
    def test_every_line_parses_including_routes_with_parameters(self):
        samples = parse(EXPOSITION)
        self.assertEqual(len(samples), 7)
        requests = [s for s in samples if s[0] == "alexandria_http_requests_total"]
        self.assertEqual(sum(v for _, _, v in requests), 57)
        by_route = {labels["route"]: v for _, labels, v in requests}
        self.assertEqual(by_route["GET /v1/media/{id}"], 42)
        self.assertEqual(by_route["GET /v1/media/{id}/content"], 1)

    def test_a_5xx_on_a_route_with_a_parameter_is_seen(self):
        fivexx = [v for n, labels, v in parse(EXPOSITION)
                  if n == "alexandria_http_requests_total" and labels["status"].startswith("5")]
        self.assertEqual(fivexx, [1])

    def test_quoted_brace_and_escaped_quote(self):
        odd = [s for s in parse(EXPOSITION) if s[0] == "odd_metric"]
        self.assertEqual(odd, [("odd_metric", {"note": 'a \\"quoted\\" } brace'}, 3)])


if __name__ == "__main__":
    unittest.main()
