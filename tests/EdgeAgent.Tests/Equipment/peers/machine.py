#!/usr/bin/python3
"""A machine behind a Modbus TCP server (Debian python3-pymodbus 3.x) for the equipment end-to-end test.

Usage: machine.py PORT. Holding registers 0..9 of unit 1 start at 0. Each stdin line "N VALUE" sets holding
register N; the server answers "ok N VALUE" once set. Prints "ready" when listening.
"""
import asyncio, logging, sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


async def control(slave):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        register, value = (int(x) for x in line.split())
        # setValues applies the same address offset as the server's reads, whatever zero_mode is.
        slave.setValues(3, register, [value])
        print(f"ok {register} {value}", flush=True)


async def main():
    port = int(sys.argv[1])
    slave = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, [0] * 12), ir=ModbusSequentialDataBlock(0, [0] * 12),
                               co=ModbusSequentialDataBlock(0, [0] * 12), di=ModbusSequentialDataBlock(0, [0] * 12))
    context = ModbusServerContext(slaves={1: slave}, single=False)
    server = asyncio.create_task(StartAsyncTcpServer(context=context, address=("127.0.0.1", port), allow_reuse_address=True))
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    print("ready", flush=True)
    await control(slave)
    server.cancel()


if __name__ == "__main__":
    logging.basicConfig(level=logging.CRITICAL)
    asyncio.run(main())
