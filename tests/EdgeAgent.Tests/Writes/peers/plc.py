#!/usr/bin/python3
"""A PLC behind a Modbus TCP server (Debian python3-pymodbus 3.x) for the closed-loop tests.

Usage: plc.py PORT. Unit 1 has coils and holding registers 0..199, all 0; input registers are served too (read-only
by protocol). Prints "ready" when listening. Each stdin line is answered by an independent pymodbus client that
connects to the server over TCP, reads, and prints one line:
  "coil N"               -> "coil N VALUE"        (0 or 1)
  "float32 N ORDER"      -> "float32 N VALUE"     (two holding registers decoded with struct, ABCD or CDAB)
  "hr N"                 -> "hr N VALUE"
"""
import asyncio, logging, struct, sys

from pymodbus.client import ModbusTcpClient
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


def read(port, line):
    parts = line.split()
    client = ModbusTcpClient("127.0.0.1", port=port)
    client.connect()
    try:
        if parts[0] == "coil":
            bit = client.read_coils(int(parts[1]), 1, slave=1).bits[0]
            return f"coil {parts[1]} {1 if bit else 0}"
        if parts[0] == "hr":
            return f"hr {parts[1]} {client.read_holding_registers(int(parts[1]), 1, slave=1).registers[0]}"
        regs = client.read_holding_registers(int(parts[1]), 2, slave=1).registers
        words = [r.to_bytes(2, "big") for r in regs]
        if parts[2] == "CDAB":
            words.reverse()
        return f"float32 {parts[1]} {struct.unpack('>f', b''.join(words))[0]!r}"
    finally:
        client.close()


async def control(port):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        answer = await loop.run_in_executor(None, read, port, line)
        print(answer, flush=True)


async def main():
    port = int(sys.argv[1])
    block = lambda: ModbusSequentialDataBlock(0, [0] * 201)  # address n is index n+1 (pymodbus without zero_mode)
    slave = ModbusSlaveContext(hr=block(), ir=block(), co=block(), di=block())
    context = ModbusServerContext(slaves={1: slave}, single=False)
    server = asyncio.create_task(StartAsyncTcpServer(context=context, address=("127.0.0.1", port), allow_reuse_address=True))
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    print("ready", flush=True)
    await control(port)
    server.cancel()


if __name__ == "__main__":
    logging.basicConfig(level=logging.CRITICAL)
    asyncio.run(main())
