// Second, independent Modbus TCP peer for the driver tests: the npm modbus-serial ServerTCP, serving the
// register map the tests own (same JSON as pymodbus_server.py), encoded here with Node's Buffer.
// Usage: node modbus_serial_server.js MAP.json PORT   (prints "listening" when ready)
const path = require("path");
const ModbusRTU = require(path.join(process.env.PEERS_NODE_MODULES || path.join(__dirname, "node_modules"), "modbus-serial"));
const fs = require("fs");

const [mapFile, port] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(mapFile, "utf8"));
const writers = {
  int16: (b, v) => b.writeInt16BE(v), uint16: (b, v) => b.writeUInt16BE(v),
  int32: (b, v) => b.writeInt32BE(v), uint32: (b, v) => b.writeUInt32BE(v),
  int64: (b, v) => b.writeBigInt64BE(BigInt(v)), uint64: (b, v) => b.writeBigUInt64BE(BigInt(v)),
  float32: (b, v) => b.writeFloatBE(v), float64: (b, v) => b.writeDoubleBE(v),
};
const sizes = { int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8 };

function registers(p) {
  let raw;
  if (p.type === "string") {
    raw = Buffer.alloc(p.length * 2);
    raw.write(p.value, "ascii");
  } else {
    raw = Buffer.alloc(sizes[p.type]);
    writers[p.type](raw, p.value);
  }
  let words = [];
  for (let i = 0; i < raw.length; i += 2) words.push(Buffer.from(raw.subarray(i, i + 2)));
  if (p.type !== "string" && (p.order === "CDAB" || p.order === "DCBA")) words.reverse();
  if (p.order === "BADC" || p.order === "DCBA") words = words.map(w => Buffer.from([w[1], w[0]]));
  return words.map(w => w.readUInt16BE(0));
}

const units = {};
for (const [unit, m] of Object.entries(spec)) {
  const t = { hr: new Array(m.sizes.hr).fill(0), ir: new Array(m.sizes.ir).fill(0), coil: new Array(m.sizes.coil).fill(false), di: new Array(m.sizes.di).fill(false) };
  for (const p of m.points) {
    if (p.table === "coil" || p.table === "di") t[p.table][p.address] = !!p.value;
    else registers(p).forEach((r, i) => { t[p.table][p.address + i] = r; });
  }
  units[unit] = t;
}

function get(table, addr, unit) {
  const t = units[unit];
  if (!t || addr >= t[table].length) throw { modbusErrorCode: 0x02, msg: "Illegal data address" };
  return t[table][addr];
}

const vector = {
  getHoldingRegister: (addr, unit) => get("hr", addr, unit),
  getInputRegister: (addr, unit) => get("ir", addr, unit),
  getCoil: (addr, unit) => get("coil", addr, unit),
  getDiscreteInput: (addr, unit) => get("di", addr, unit),
  setRegister: (addr, value, unit) => { get("hr", addr, unit); units[unit].hr[addr] = value; },
  setCoil: (addr, value, unit) => { get("coil", addr, unit); units[unit].coil[addr] = value; },
};
const server = new ModbusRTU.ServerTCP(vector, { host: "127.0.0.1", port: Number(port), unitID: 255 });
server.on("initialized", () => console.log("listening"));
server.on("socketError", () => {});
