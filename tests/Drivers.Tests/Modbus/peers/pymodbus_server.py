#!/usr/bin/python3
"""Modbus server for the driver tests (Debian python3-pymodbus 3.x).

The register map comes from the test as JSON: for each unit id, a list of points
{"table": "hr"|"ir"|"coil"|"di", "address": N, "type": ..., "order": ..., "value": ...}
and a size per table. Values are encoded here with Python's struct module, independently of the C# codec.

pymodbus quirk: with zero_mode off (the default), a ModbusSequentialDataBlock starting at 0 serves protocol
address n from list index n+1, so every table gets one leading dummy element.
"""
import argparse, asyncio, json, logging, struct, sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

FORMATS = {"int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I", "int64": ">q", "uint64": ">Q",
           "float32": ">f", "float64": ">d"}


def registers(point):
    kind, order = point.get("type", "uint16"), point.get("order", "ABCD")
    if kind == "string":
        raw = point["value"].encode("ascii").ljust(point["length"] * 2, b"\0")
    else:
        raw = struct.pack(FORMATS[kind], point["value"])
    words = [raw[i:i + 2] for i in range(0, len(raw), 2)]
    if kind != "string" and order in ("CDAB", "DCBA"):
        words.reverse()
    if order in ("BADC", "DCBA"):
        words = [w[::-1] for w in words]
    return [int.from_bytes(w, "big") for w in words]


def build(unit_map):
    sizes = unit_map.get("sizes", {})
    tables = {t: [0] * sizes.get(t, 200) for t in ("hr", "ir", "coil", "di")}
    for point in unit_map["points"]:
        table = tables[point["table"]]
        if point["table"] in ("coil", "di"):
            table[point["address"]] = 1 if point["value"] else 0
        else:
            for i, r in enumerate(registers(point)):
                table[point["address"] + i] = r
    block = lambda t: ModbusSequentialDataBlock(0, [0] + tables[t])  # the n+1 quirk
    return ModbusSlaveContext(hr=block("hr"), ir=block("ir"), co=block("coil"), di=block("di"))


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--map", required=True)
    p.add_argument("--tcp", type=int)
    p.add_argument("--framer", choices=["socket", "rtu"], default="socket")
    p.add_argument("--serial")
    p.add_argument("--baud", type=int, default=19200)
    # A second listener (MBAP framing) on the same registers: an independent reader for what a serial or RTU-over-TCP
    # client wrote.
    p.add_argument("--also-tcp", type=int)
    a = p.parse_args()
    with open(a.map) as f:
        spec = json.load(f)
    context = ModbusServerContext(slaves={int(u): build(m) for u, m in spec.items()}, single=False)
    framer = ModbusRtuFramer if a.framer == "rtu" or a.serial else ModbusSocketFramer
    print("starting", flush=True)
    servers = []
    if a.also_tcp:
        servers.append(StartAsyncTcpServer(context=context, address=("127.0.0.1", a.also_tcp), framer=ModbusSocketFramer,
                                           allow_reuse_address=True))
    if a.serial:
        servers.append(StartAsyncSerialServer(context=context, framer=ModbusRtuFramer, port=a.serial, baudrate=a.baud,
                                              bytesize=8, parity="N", stopbits=1, timeout=0.005))
    else:
        # allow_reuse_address: a test restarts the server on the same port while its closed connections sit in
        # TIME_WAIT; without SO_REUSEADDR the bind fails and pymodbus 3.0 keeps running without listening.
        servers.append(StartAsyncTcpServer(context=context, address=("127.0.0.1", a.tcp), framer=framer,
                                           allow_reuse_address=True))
    await asyncio.gather(*servers)


if __name__ == "__main__":
    logging.basicConfig(level=logging.CRITICAL)
    asyncio.run(main())
