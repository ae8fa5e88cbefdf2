#!/usr/bin/env python3
"""A stand-in OTLP/HTTP collector for scripts/check-export.sh: accepts POST /v1/traces (OTLP JSON), parses each
body with opentelemetry-proto's ExportTraceServiceRequest, answers 200 `{}`, and after one request (or on a parse
error) writes what it got to OUT and exits.

  otlp_sink.py PORT_FILE OUT
"""
import base64, json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from google.protobuf.json_format import ParseDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

port_file, out = sys.argv[1:3]
result = {"requests": 0, "spans": 0, "errors": [], "paths": [], "content_types": []}


class H(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        result["requests"] += 1
        result["paths"].append(self.path)
        result["content_types"].append(self.headers.get("Content-Type"))
        try:
            doc = json.loads(body)
            for rs in doc["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    for sp in ss["spans"]:
                        for k in ("traceId", "spanId", "parentSpanId"):
                            if k in sp:
                                sp[k] = base64.b64encode(bytes.fromhex(sp[k])).decode()
            req = ParseDict(doc, ExportTraceServiceRequest())
            result["spans"] += sum(len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)
        except Exception as e:  # noqa: BLE001 - reported to the caller
            result["errors"].append(str(e))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


srv = HTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(srv.server_address[1]))
srv.timeout = 60
srv.handle_request()
json.dump(result, open(out, "w"))
