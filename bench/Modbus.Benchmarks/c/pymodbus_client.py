#!/usr/bin/python3
"""pymodbus reference client for the Modbus benchmarks: N sequential reads of COUNT holding registers."""
import json, sys, time
from pymodbus.client import ModbusTcpClient

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
count = int(sys.argv[4]) if len(sys.argv) > 4 else 125
client = ModbusTcpClient(host, port=port)
client.connect()
client.read_holding_registers(0, count, slave=1)
errors = 0
t0, c0 = time.monotonic(), time.process_time()
for _ in range(n):
    if client.read_holding_registers(0, count, slave=1).isError():
        errors += 1
elapsed, cpu = time.monotonic() - t0, time.process_time() - c0
print(json.dumps({"client": "pymodbus", "requests": n, "errors": errors, "rps": round(n / elapsed, 1),
                  "cpu_us_per_request": round(cpu * 1e6 / n, 2)}))
