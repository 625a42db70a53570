"""Where Protocols/ and the node must say the same thing (issue 15, item 8): each test reads the
contract and checks the running node against it. Written from Protocols/ alone, like
test_node_interop.py, whose node runner it reuses. Run: Scripts/test-python.sh
"""
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

import zmq

from test_node_interop import Node, attributes, encode_params, iom_binary

ROOT = pathlib.Path(__file__).resolve().parents[2]
BRIDGE = (ROOT / "Protocols" / "bridge.md").read_text()
NODE_SAVE = (ROOT / "Protocols" / "node-save.md").read_text()
VECTORS = ROOT / "Protocols" / "vectors"


class SyncWordsTests(unittest.TestCase):
    """Against `iom serve --insecure` with its three seed changes."""

    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="iom-py-words-")
        self.node = Node(self.directory)
        self.context = zmq.Context()
        self.dealer = self.context.socket(zmq.DEALER)
        self.dealer.setsockopt(zmq.LINGER, 0)
        self.dealer.setsockopt(zmq.RCVTIMEO, 10000)
        self.dealer.connect(self.node.endpoints["sync"])

    def tearDown(self):
        self.context.destroy(linger=0)
        self.node.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def send(self, command, rid, body=b""):
        self.dealer.send_multipart([b"iom.v1.sync", command, rid, body])

    def reply(self, timeout_ms=10000):
        if not self.dealer.poll(timeout_ms):
            return None
        tag, kind, rid, params, *items = self.dealer.recv_multipart()
        return kind, rid, attributes(params) if params else {}, items

    def test_replay_from_above_latest_ends_through_latest(self):
        """§9.4: `from > latest` is END with count=0 and through=latest, not from−1."""
        self.assertIn("`through = latest` (not\n`from − 1`)", BRIDGE)
        self.send(b"REPLAY", b"r", encode_params(**{"from": 1000}))
        kind, _, end, _ = self.reply()
        self.assertEqual(kind, b"END", end)
        self.assertEqual(end["count"], "0")
        self.assertEqual(end["through"], end["latest"])
        self.assertEqual(int(end["latest"]), 3)

    def test_info_states_the_role_and_refuses_unknown_params(self):
        """§9.6: INFO carries `role` (`service` for a plain-text client, §12.1); unknown params are BAD_REQUEST (§11.1)."""
        self.assertIn("`service` for a plain-text client", BRIDGE)
        self.send(b"INFO", b"i")
        kind, _, info, _ = self.reply()
        self.assertEqual(kind, b"INFO")
        self.assertEqual(info["role"], "service")
        self.assertEqual(info["view"], "full")
        self.send(b"INFO", b"j", encode_params(bogus=1))
        kind, rid, error, _ = self.reply()
        self.assertEqual((kind, rid), (b"ERROR", b"j"))
        self.assertEqual(error["code"], "BAD_REQUEST")
        self.assertEqual(error["param"], "bogus")

    def test_end_after_cancel_carries_only_cancelled(self):
        """§9.2: the END after CANCEL carries exactly `cancelled=1`."""
        self.assertIn("carries exactly one param, `cancelled=1`", BRIDGE)
        self.send(b"REPLAY", b"c", encode_params(**{"from": 1, "chunk": 1, "credit": 1}))
        kind, _, _, _ = self.reply()
        self.assertEqual(kind, b"CHANGES")
        self.send(b"CANCEL", b"c")
        kind, rid, end, _ = self.reply()
        self.assertEqual((kind, rid), (b"END", b"c"))
        self.assertEqual(end, {"cancelled": "1"})

    def test_a_bad_credit_ends_the_request(self):
        """§9.2: `add` is 1…64; a bad CREDIT ends the request with ERROR BAD_REQUEST param=add."""
        self.assertIn("`add` is a decimal from 1 to 64", BRIDGE)
        for bad in (b"add=65\n", b"add=0\n", b"add=x\n", b"", b"add=1\nmore=1\n"):
            rid = uuid.uuid4().hex.encode()
            self.send(b"REPLAY", rid, encode_params(**{"from": 1, "chunk": 1, "credit": 1}))
            kind, _, _, _ = self.reply()
            self.assertEqual(kind, b"CHANGES")
            self.send(b"CREDIT", rid, bad)
            kind, reply_id, error, _ = self.reply()
            self.assertEqual((kind, reply_id), (b"ERROR", rid), bad)
            self.assertEqual((error["code"], error["param"]), ("BAD_REQUEST", "add"))
            # Ended: a good CREDIT now is ignored, nothing more comes for it.
            self.send(b"CREDIT", rid, b"add=1\n")
            self.assertIsNone(self.reply(timeout_ms=300))

    def test_burst_heartbeat_follows_the_last_event(self):
        """§5.5 and §7.1 agree: a heartbeat follows a burst once no event was sent for 50 ms."""
        self.assertIn("no event has been sent\n  for 50 ms", BRIDGE)
        self.assertIn("no event has been sent for 50 ms", BRIDGE)
        sub = self.context.socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"iom.v1.")
        sub.connect(self.node.endpoints["events"])
        while True:  # joined once a heartbeat arrives
            self.assertTrue(sub.poll(10000))
            if sub.recv_multipart()[0] == b"iom.v1._heartbeat":
                break
        req = self.context.socket(zmq.REQ)
        req.connect(self.node.endpoints["accept"])
        mission = (VECTORS / "mission_morocco.json").read_text().replace('"mission-ma"', '"mission-burst"')
        req.send_multipart([b"iom.v1.save", b"mission", mission.encode()])
        self.assertEqual(req.recv_multipart()[1], b"OK")
        event_at = None
        while True:
            self.assertTrue(sub.poll(10000))
            topic, a, *_ = sub.recv_multipart()
            if topic == b"iom.v1.mission.created":
                event_at, sequence = time.monotonic(), attributes(a)["sequence"]
            elif topic == b"iom.v1._heartbeat" and event_at is not None:
                self.assertEqual(attributes(a)["latest"], sequence)
                # The heartbeat interval is 1000 ms: this one is the end-of-burst heartbeat.
                self.assertLess(time.monotonic() - event_at, 0.5)
                break


class DocumentWordsTests(unittest.TestCase):
    def test_help_and_node_save_agree_on_the_accept_socket(self):
        """`iom help serve` and node-save.md both call the accept socket a ROUTER."""
        out = subprocess.run([iom_binary(), "help", "serve"], capture_output=True, text=True, check=True).stdout
        flat = " ".join(out.split())
        self.assertIn("node-save endpoint (ROUTER, Protocols/node-save.md)", flat)
        self.assertNotIn("(REP,", flat)
        self.assertIn("`ZMQ_ROUTER`, bound", NODE_SAVE)
        self.assertIn("service keys any record but protection cases", flat)

    def test_sample_attrs_percent_decodes(self):
        """§10's `attrs()` decodes `%XX` as §5.2 requires."""
        sample = re.search(r"```python\n(.*?)```", BRIDGE.split("## 10.")[1], re.S).group(1)
        lines = sample.split("\n")
        start = next(i for i, l in enumerate(lines) if l.startswith("from urllib") or l.startswith("def attrs"))
        end = next(i for i, l in enumerate(lines) if i > start and l.startswith("ctx ="))
        scope = {}
        exec("\n".join(lines[start:end]), scope)
        self.assertEqual(scope["attrs"](b"subject=case%25one%0A2\nsequence=00000000000000000001\n"),
                         {"subject": "case%one\n2", "sequence": "00000000000000000001"})


class ServiceKeySaveTests(unittest.TestCase):
    """node-save.md, `iom help serve` and the node: a service key may not save protection cases."""

    def test_service_key_saves_missions_but_not_cases(self):
        self.assertIn("A `service` key may save\norganisations, missions, member states and events but **not protection cases**", NODE_SAVE)
        directory = tempfile.mkdtemp(prefix="iom-py-service-")
        try:
            for name in ("node", "replica"):
                subprocess.run([iom_binary(), "keygen", "--out", directory, "--name", name], check=True, capture_output=True)
            key = lambda n: (pathlib.Path(directory) / n).read_text().strip().encode()
            process = subprocess.Popen(
                [iom_binary(), "serve", "--store", os.path.join(directory, "node.sqlite"),
                 "--secret-key", os.path.join(directory, "node.key"), "--allow", "service:" + os.path.join(directory, "replica.pub"),
                 "--publish", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*", "--accept", "tcp://127.0.0.1:*"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                line = process.stdout.readline()
                endpoints = dict(pair.split("=", 1) for pair in line.split()[1:])
                context = zmq.Context()
                def save(record_type, path):
                    req = context.socket(zmq.REQ)
                    req.setsockopt(zmq.LINGER, 0)
                    req.setsockopt(zmq.RCVTIMEO, 10000)
                    req.curve_serverkey, req.curve_publickey, req.curve_secretkey = key("node.pub"), key("replica.pub"), key("replica.key")
                    req.connect(endpoints["accept"])
                    record = (VECTORS / path).read_text().replace('"mission-ma"', '"mission-svc"')
                    req.send_multipart([b"iom.v1.save", record_type, record.encode()])
                    _, status, params = req.recv_multipart()
                    req.close()
                    return status, attributes(params)
                status, params = save(b"protectionCase", "protection_case_minimal_fictional.json")
                self.assertEqual((status, params["code"]), (b"ERROR", "FORBIDDEN"))
                self.assertIn("cases are saved by caseworkers and supervisors", params["message"])
                status, params = save(b"mission", "mission_morocco.json")
                self.assertEqual(status, b"OK", params)
                context.destroy(linger=0)
            finally:
                process.terminate()
                process.wait(timeout=20)
        finally:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
