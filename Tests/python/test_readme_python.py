"""The README's "Consuming from Python in ten lines" example, run as written against a live
`iom serve --insecure` (only the endpoint is replaced by the node's free port)."""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import zmq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from test_node_interop import Node, ROOT, VECTORS, generated_change_module  # noqa: E402

change_pb2 = generated_change_module()


def readme_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.index("### Consuming from Python in ten lines")
    start = readme.index("```python\n", section) + len("```python\n")
    return readme[start:readme.index("```", start)]


class ReadmePythonExampleTests(unittest.TestCase):
    def test_example_prints_each_change(self):
        code = readme_example()
        self.assertLessEqual(len([l for l in code.splitlines() if l.strip()]), 11, "ten lines (and the import comment)")
        self.assertIn('"tcp://127.0.0.1:5670"', code)
        directory = tempfile.mkdtemp(prefix="iom-py-readme-")
        node = Node(directory)
        try:
            script = code.replace('"tcp://127.0.0.1:5670"', repr(node.endpoints["events"]))
            protos = os.path.dirname(os.path.dirname(os.path.dirname(change_pb2.__file__)))
            env = dict(os.environ, PYTHONPATH=protos + os.pathsep + os.environ.get("PYTHONPATH", ""), PYTHONUNBUFFERED="1")
            example = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            time.sleep(1.5)  # let it connect and subscribe
            context = zmq.Context()
            req = context.socket(zmq.REQ)
            req.setsockopt(zmq.LINGER, 0)
            req.setsockopt(zmq.RCVTIMEO, 10000)
            req.connect(node.endpoints["accept"])
            req.send_multipart([b"iom.v1.save", b"memberState", (VECTORS / "member_state_morocco.json").read_bytes()])
            reply = req.recv_multipart()
            self.assertEqual(reply[1], b"OK", reply)
            context.destroy(linger=0)
            time.sleep(1.5)
            example.kill()
            out, err = example.communicate(timeout=10)
            # The seed took sequences 1-3; the saved member state is the fourth change.
            self.assertRegex(out, r"(?m)^00000000000000000004 org\.iom\.v1\.memberState\.created state-ma$", out + err)
        finally:
            node.stop()
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
