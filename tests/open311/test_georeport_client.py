"""Linli's Open311 GeoReport v2 endpoint, driven by a third-party client: the PyPI package
`georeport` (pinned in requirements.txt).

Starts the real server binary (LINLI_SERVER_BIN, default target/debug/linli-server) on a free
port with a temporary database and the demo community, then reads services, a service
definition, requests and one request through georeport in JSON and in XML. georeport 0.3.1
cannot send requests, so the POST goes through `requests` (georeport's own HTTP library) with
the demo API key, and georeport reads the new request back.

Run: python3 -m unittest discover -s tests/open311 -v   (or through `cargo xtask test`)
"""

import re
import sys
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from georeport import GeoReport

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests/support"))
from linli_server import Server  # noqa: E402

DEMO_KEY = "linli-demo-open311-key"
# A point inside the demo community (its centre is 30.3128, 120.1386).
LAT, LONG = "30.3131", "120.1391"
CLOSED_STATUSES = {"resolved", "closed", "rejected", "withdrawn"}

server = None


def setUpModule():
    global server
    server = Server()


def tearDownModule():
    if server:
        server.stop()


def as_list(value):
    """xmltodict gives one element as a dict and several as a list."""
    return value if isinstance(value, list) else [value]


def w3c(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class ReadsThroughGeoReport(unittest.TestCase):
    """What any Open311 client can read, in both formats."""

    def setUp(self):
        self.json = GeoReport(server.open311)
        self.xml = GeoReport(server.open311, output_format="xml")

    def test_services(self):
        services = self.json.get_service_list()
        self.assertEqual(len(services), 9)
        self.assertEqual(services[0]["service_code"], "repairs")
        self.assertEqual(services[0]["service_name"], "物业维修")
        self.assertIs(services[0]["metadata"], True)
        self.assertEqual(services[0]["type"], "realtime")
        self.assertIn("safety", [s["service_code"] for s in services])

        services = as_list(self.xml.get_service_list())
        self.assertEqual(len(services), 9)
        self.assertEqual(services[0]["service_code"], "repairs")
        self.assertEqual(services[0]["metadata"], "true")
        self.assertEqual(services[2]["metadata"], "false")

    def test_service_definition(self):
        definition = self.json.get_service_definition("safety")
        self.assertEqual(definition["service_code"], "safety")
        hazard = definition["attributes"][0]
        self.assertEqual(hazard["code"], "hazard")
        self.assertEqual(hazard["datatype"], "singlevaluelist")
        self.assertIs(hazard["required"], True)
        self.assertEqual([v["key"] for v in hazard["values"]][:2], ["fire_exit", "wiring"])

        definition = self.xml.get_service_definition("safety")
        self.assertEqual(definition["service_code"], "safety")
        hazard = as_list(definition["attributes"]["attribute"])[0]
        self.assertEqual(hazard["code"], "hazard")
        self.assertEqual(hazard["required"], "true")
        values = as_list(hazard["values"]["value"])
        self.assertEqual(len(values), 5)
        self.assertEqual(values[0]["key"], "fire_exit")

        with self.assertRaises(requests.HTTPError) as refused:
            self.json.get_service_definition("casino")
        self.assertEqual(refused.exception.response.status_code, 404)

    def test_requests_and_one_request(self):
        listed = self.json.get_service_requests()
        self.assertGreater(len(listed), 20)
        for r in listed:
            self.assertRegex(r["service_request_id"], r"^LL-\d{4}-\d{6}$")
            # open311 status agrees with Linli's own status.
            expected = "closed" if r["status_notes"] in CLOSED_STATUSES else "open"
            self.assertEqual(r["status"], expected, r)
        self.assertEqual({r["status"] for r in listed}, {"open", "closed"})
        times = [r["requested_datetime"] for r in listed]
        self.assertEqual(times, sorted(times, reverse=True), "newest first")

        closed = self.json.get_service_requests(status="closed")
        self.assertTrue(closed)
        self.assertTrue(all(r["status"] == "closed" for r in closed))
        safety = self.json.get_service_requests(service_code="safety")
        self.assertTrue(all(r["service_code"] == "safety" for r in safety))

        now = datetime.now(timezone.utc)
        week = self.json.get_service_requests(
            start_date=w3c(now - timedelta(days=7)), end_date=w3c(now)
        )
        self.assertLess(len(week), len(listed))
        self.assertEqual({r["service_request_id"] for r in week} - {r["service_request_id"] for r in listed}, set())

        first = listed[0]
        one = self.json.get_service_request(first["service_request_id"])
        self.assertEqual(one["service_request_id"], first["service_request_id"])
        self.assertEqual(one["status"], first["status"])
        self.assertTrue(one["expected_datetime"].endswith("+08:00"))

        listed_xml = as_list(self.xml.get_service_requests())
        self.assertEqual(
            [r["service_request_id"] for r in listed_xml],
            [r["service_request_id"] for r in listed],
        )
        one_xml = self.xml.get_service_request(first["service_request_id"])
        self.assertEqual(one_xml["service_request_id"], first["service_request_id"])
        self.assertEqual(one_xml["status"], first["status"])
        self.assertEqual(one_xml["service_code"], first["service_code"])
        self.assertIsNone(one_xml["media_url"])

        with self.assertRaises(requests.HTTPError) as refused:
            self.json.get_service_request("LL-1999-000001")
        self.assertEqual(refused.exception.response.status_code, 404)


class SendsWithTheDemoKey(unittest.TestCase):
    """georeport 0.3.1 cannot POST; the form goes through `requests`, georeport reads it back."""

    def post(self, fmt, form):
        return requests.post(f"{server.open311}/requests.{fmt}", data=form, timeout=10)

    def test_post_json_then_read_back(self):
        answer = self.post("json", {
            "api_key": DEMO_KEY,
            "service_code": "safety",
            "lat": LAT,
            "long": LONG,
            "attribute[hazard]": "wiring",
            "description": "楼道电线裸露\n3幢2单元五楼",
            "phone": "13912345678",
            "first_name": "Zhang",
        })
        self.assertEqual(answer.status_code, 200, answer.text)
        created = answer.json()[0]
        self.assertRegex(created["service_request_id"], r"^LL-\d{4}-\d{6}$")
        self.assertIsNone(created["account_id"])
        self.assertNotIn("13912345678", answer.text)

        for client in (GeoReport(server.open311), GeoReport(server.open311, output_format="xml")):
            one = client.get_service_request(created["service_request_id"])
            self.assertEqual(one["status"], "open")
            self.assertEqual(one["status_notes"], "submitted")
            self.assertEqual(one["service_code"], "safety")
            self.assertEqual(one["description"], "楼道电线裸露")
        listed = GeoReport(server.open311).get_service_requests()
        self.assertEqual(listed[0]["service_request_id"], created["service_request_id"])
        self.assertNotIn("Zhang", str(listed))
        self.assertNotIn("13912345678", str(listed))

        token = requests.get(f"{server.open311}/tokens/{created['token']}.json", timeout=10).json()
        self.assertEqual(token, [{"service_request_id": created["service_request_id"], "token": created["token"]}])

    def test_post_xml_with_a_multivaluelist(self):
        answer = self.post("xml", [
            ("api_key", DEMO_KEY),
            ("service_code", "sanitation"),
            ("address_string", "金桂花园南门"),
            ("attribute[kinds][]", "rubbish"),
            ("attribute[kinds][]", "pests"),
            ("description", "垃圾堆了三天，有老鼠"),
        ])
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertTrue(answer.text.startswith("<?xml"))
        number = re.search(r"<service_request_id>(LL-[0-9-]+)</service_request_id>", answer.text).group(1)
        one = GeoReport(server.open311, output_format="xml").get_service_request(number)
        self.assertEqual(one["service_code"], "sanitation")

    def test_refusals(self):
        wrong_key = self.post("json", {"api_key": "guess", "service_code": "safety"})
        self.assertEqual(wrong_key.status_code, 403)
        self.assertEqual(wrong_key.json()[0]["code"], 403)
        bad = self.post("xml", {"api_key": DEMO_KEY, "service_code": "casino"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("<error><code>400</code><description>service_code:", bad.text)


if __name__ == "__main__":
    unittest.main()
