"""Writes Tests/python/json_format/: every record vector of Protocols/vectors as Python's
google.protobuf.json_format writes it, for the JSON fast path's tests (JSONRecordReaderTests).

Three forms per vector: MessageToJson's defaults (indent 2, ASCII with \\u escapes);
json.dumps(MessageToDict(...), ensure_ascii=False) (compact, raw UTF-8); and proto field names
with every field printed (always_print_fields_with_no_presence). Run from anywhere:
python3 Tests/python/make_json_format.py (needs protoc and the protobuf package).
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from test_vectors import VECTORS, message_class  # noqa: E402  (generates the modules)
from google.protobuf import json_format  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent / "json_format"


def main():
    OUT.mkdir(exist_ok=True)
    manifest = json.loads((VECTORS / "manifest.json").read_text())
    count = 0
    for v in manifest["vectors"]:
        if v["message"] == "iom.v1.Change":
            continue
        m = message_class(v["message"])()
        m.ParseFromString((VECTORS / v["binary"]).read_bytes())
        stem = v["binary"].removesuffix(".binpb")
        forms = {
            "default": json_format.MessageToJson(m),
            "compact": json.dumps(json_format.MessageToDict(m), ensure_ascii=False, separators=(",", ":")),
            "proto_names": json_format.MessageToJson(m, preserving_proto_field_name=True,
                                                     always_print_fields_with_no_presence=True),
        }
        for form, text in forms.items():
            (OUT / f"{stem}.{form}.json").write_text(text + "\n", encoding="utf-8")
            count += 1
    print(f"{count} files in {OUT}")


if __name__ == "__main__":
    main()
