#!/usr/bin/python3
"""An independent Modbus reader for the write tests (pymodbus's own client, Python's struct module).

Usage: pymodbus_read.py PORT UNIT TABLE ADDRESS TYPE ORDER [SCALE OFFSET]
Prints one JSON object: {"registers":[...]} or {"bits":[...]}, and "value": the decoded raw value (before any
scale) and "engineering": raw * scale + offset. TABLE is hr or coil.
"""
import json, struct, sys
from pymodbus.client import ModbusTcpClient

FORMATS = {"int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I", "int64": ">q", "uint64": ">Q",
           "float32": ">f", "float64": ">d"}
WORDS = {"int16": 1, "uint16": 1, "int32": 2, "uint32": 2, "float32": 2, "int64": 4, "uint64": 4, "float64": 4}

port, unit, table, address, kind, order = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
scale = float(sys.argv[7]) if len(sys.argv) > 7 else 1.0
offset = float(sys.argv[8]) if len(sys.argv) > 8 else 0.0
client = ModbusTcpClient("127.0.0.1", port=port)
client.connect()
if table == "coil":
    bit = client.read_coils(address, 1, slave=unit).bits[0]
    print(json.dumps({"bits": [bool(bit)], "value": 1 if bit else 0, "engineering": 1 if bit else 0}))
else:
    regs = client.read_holding_registers(address, WORDS[kind], slave=unit).registers
    words = [r.to_bytes(2, "big") for r in regs]
    if order in ("BADC", "DCBA"):
        words = [w[::-1] for w in words]
    if order in ("CDAB", "DCBA"):
        words.reverse()
    raw = struct.unpack(FORMATS[kind], b"".join(words))[0]
    print(json.dumps({"registers": regs, "value": raw, "engineering": raw * scale + offset}))
client.close()
