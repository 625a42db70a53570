"""Decodes every vector in Protocols/vectors with code generated from Protocols/iom/v1/*.proto
(by protoc, into a temporary directory) and checks it against its protobuf-JSON form.

Proves that another language can read what IOMKit writes. Run: Scripts/test-python.sh
"""
import importlib
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROTOCOLS = ROOT / "Protocols"
VECTORS = PROTOCOLS / "vectors"


def generate_python():
    """Runs protoc --python_out on the .proto files; returns the module directory."""
    protoc = shutil.which("protoc")
    if protoc is None:
        raise RuntimeError("protoc not found: apt-get install -y protobuf-compiler")
    out = tempfile.mkdtemp(prefix="iom-py-")
    protos = sorted(str(p.relative_to(PROTOCOLS)) for p in (PROTOCOLS / "iom" / "v1").glob("*.proto"))
    subprocess.run([protoc, "-I", str(PROTOCOLS), f"--python_out={out}", *protos], check=True)
    return out


OUT = generate_python()
sys.path.insert(0, OUT)
for proto in (PROTOCOLS / "iom" / "v1").glob("*.proto"):
    importlib.import_module(f"iom.v1.{proto.stem}_pb2")

from google.protobuf import descriptor_pool, json_format, message_factory  # noqa: E402


def message_class(full_name):
    descriptor = descriptor_pool.Default().FindMessageTypeByName(full_name)
    return message_factory.GetMessageClass(descriptor)


def manifest():
    return json.loads((VECTORS / "manifest.json").read_text(encoding="utf-8"))["vectors"]


class VectorTests(unittest.TestCase):
    def test_manifest_covers_every_record_type_and_change(self):
        messages = {v["message"] for v in manifest()}
        for name in ["Organisation", "Mission", "MemberState", "Event", "ProtectionCase", "Change"]:
            self.assertIn(f"iom.v1.{name}", messages)

    def test_every_vector_decodes_and_matches_its_json(self):
        for vector in manifest():
            with self.subTest(vector=vector["binary"]):
                cls = message_class(vector["message"])
                raw = (VECTORS / vector["binary"]).read_bytes()
                text = (VECTORS / vector["json"]).read_text(encoding="utf-8")
                from_binary = cls()
                from_binary.ParseFromString(raw)
                from_json = json_format.Parse(text, cls())
                self.assertEqual(from_binary, from_json)
                # Same bytes back: nothing unknown, nothing lost.
                self.assertEqual(from_binary.SerializeToString(), raw)
                self.assertEqual(json_format.MessageToDict(from_binary), json.loads(text))

    def test_complete_protection_case_fills_every_optional_group(self):
        vector = next(v for v in manifest() if v["binary"] == "protection_case_complete_fictional.binpb")
        case = message_class("iom.v1.ProtectionCase")()
        case.ParseFromString((VECTORS / vector["binary"]).read_bytes())
        for group in ["meta", "identifying", "profile", "children", "trafficking", "protection", "consent",
                      "retention_until", "ownership"]:
            self.assertTrue(case.HasField(group), group)
        self.assertTrue(case.children.HasField("best_interests_assessment"))
        self.assertTrue(case.children.HasField("best_interests_determination"))
        self.assertEqual(case.profile.age_band, message_class("iom.v1.CaseProfile").DESCRIPTOR.fields_by_name["age_band"].enum_type.values_by_name["AGE_BAND_9_17"].number)
        self.assertTrue(case.identifying.given_name.startswith("FICTIONAL"))

    def test_seed_event_is_the_rabat_breakfast(self):
        event = message_class("iom.v1.Event")()
        event.ParseFromString((VECTORS / "event_rabat_2017_07_24.binpb").read_bytes())
        self.assertEqual((event.date.year, event.date.month, event.date.day), (2017, 7, 24))
        self.assertEqual(event.city, "Rabat")
        self.assertEqual((event.observance.month, event.observance.day), (7, 30))
        self.assertGreater(len(event.participants), 0)

    def test_truncated_vector_is_rejected(self):
        cls = message_class("iom.v1.ProtectionCase")
        raw = (VECTORS / "protection_case_complete_fictional.binpb").read_bytes()
        with self.assertRaises(Exception):
            cls().ParseFromString(raw[: len(raw) // 2])


if __name__ == "__main__":
    unittest.main()
